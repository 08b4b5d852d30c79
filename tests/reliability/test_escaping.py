"""Names and text from members are echoed inert: no pings, and the core's own markup stays balanced.

Policy (docs/security.md): the core defuses mentions and its two pairing markup tokens in everything a member
types or a platform reports as a name: runs of `*`, `_`, `~`, `|` are split with a zero-width space and a
backtick becomes U+02CB. Adapters render the rest in their platform's markup.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from sqlalchemy import select

from bot.replies import Reply
from bot.storage.models import Member
from bot.text import MODIFIER_GRAVE, ZWSP, defuse, display_name
from tests.driver import Chat
from tests.reliability.inputs import MARKUP, MENTIONS, hostile_text
from tests.reliability.invariants import LIVE_MENTION, check_reply

# Several attacks per name (the sweep over all commands is slow; a name keeps 80 characters), and bold that
# opens the name or closes it.
HOSTILE_NAMES = [
    " ".join(MENTIONS[:5]),
    " ".join(MENTIONS[5:10]),
    " ".join(MENTIONS[10:]),
    "`rm -rf` ``` __init__ ~~x~~ ||spoiler||",
    "**Ada",
    "Ada**",
]
assert all(len(name) <= 80 for name in HOSTILE_NAMES)


@given(hostile_text(MENTIONS + MARKUP))
def test_defused_text_pings_no_one_opens_no_markup_and_reads_the_same(text: str) -> None:
    safe = defuse(text)
    assert not LIVE_MENTION.search(safe)
    assert "`" not in safe
    for token in ("**", "__", "~~", "||"):
        assert token not in safe
    assert defuse(safe) == safe
    if ZWSP not in text:
        # Only invisible characters were added, and backticks swapped for a lookalike: it reads the same.
        assert safe.replace(ZWSP, "") == text.replace("`", MODIFIER_GRAVE)


@given(hostile_text(MENTIONS + MARKUP))
def test_display_names_fit_their_column_and_are_never_empty(raw: str) -> None:
    name = display_name(raw)
    assert 1 <= len(name) <= 80
    assert defuse(name) == name


def _all_command_lines(chat: Chat) -> list[str]:
    """Every command of the registry, without arguments: covers commands added later (leaderboards, …)."""
    return ["/" + c.name for c in chat.bot.registry]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_a_hostile_name_is_inert_on_every_reply(chat: Chat, name: str) -> None:
    sneaky = chat.as_user("eve", name=name, moderator=True)
    await sneaky("/roadmap next")
    await sneaky("/roadmap done")  # points, so the member shows on rankings
    progress = await sneaky("/roadmap progress")
    assert progress.title == f"Progress of {display_name(name)}"
    # Everyone's view of every command, the hostile member's own and another member's.
    for who in (sneaky, chat.as_user("bob", moderator=True), chat.as_user("carol")):
        for line in _all_command_lines(chat):
            reply = await who(line)
            check_reply(reply)
            for button in reply.buttons:
                check_reply(await who(button.command))


async def test_the_stored_name_is_the_defused_one(chat: Chat) -> None:
    await chat.as_user("eve", name="<!channel> **boss** `x`")("/roadmap progress")
    async with chat.bot.sessions() as session:
        stored = await session.scalar(select(Member.display_name).where(Member.external_id == "eve"))
    assert stored == f"<{ZWSP}!channel> *{ZWSP}*boss*{ZWSP}* {MODIFIER_GRAVE}x{MODIFIER_GRAVE}"


async def test_echoed_arguments_are_defused(chat: Chat) -> None:
    for line in ("/roadmap done @everyone **", "/help <!channel> `", "/roadmap timezone <@&123>**", "/nope @here"):
        reply: Reply = await chat(line)
        check_reply(reply)
        assert reply.text

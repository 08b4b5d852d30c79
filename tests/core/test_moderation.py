"""Moderators: every moderator command refuses members and changes nothing; the list; the audit log."""

from __future__ import annotations

from bot.commands import build_registry
from bot.content import Content
from bot.registry import ArgKind, Argument
from bot.replies import Tone
from tests.core.community import snapshot
from tests.driver import Chat, FakeClock

MODERATOR_COMMANDS = [c for c in build_registry() if c.moderator_only]


def sample(arg: Argument, content: Content) -> str:
    """A valid value of the argument's kind, so a refusal can only come from the moderator check."""
    return {
        ArgKind.TEXT: "something",
        ArgKind.TOPIC: content.topics[0].id,
        ArgKind.CHOICE: arg.choices[-1] if arg.choices else "",
        ArgKind.INTEGER: str(arg.min_value or 1),
        ArgKind.URL: "https://example.com/work",
        ArgKind.CHANNEL: "general",
        ArgKind.MEMBER: "bob",
        ArgKind.TIMEZONE: "Europe/Berlin",
        ArgKind.TIME: "09:00",
        ArgKind.DATETIME: "2026-11-25 18:00",
    }[arg.kind]


async def test_every_moderator_command_refuses_a_member_and_changes_nothing(chat: Chat, content: Content) -> None:
    chat.bot.settings.rate_limit_per_minute = 1000  # this test is about permissions, not pace
    mia = chat.as_user("mia", name="Mia", moderator=True)
    # Something for each command to act on: a running challenge with a submission, a scheduled
    # announcement, a named moderator, a season.
    await mia(f"/challenge start {content.challenges[0].id}")
    await chat("/challenge submit https://example.com/ada")
    await mia('/announce general at="2026-12-24 18:00" Holiday meetup')
    await mia("/moderators add bob")
    await mia("/leaderboard season start Autumn")
    eve = chat.as_user("eve", name="Eve")
    await eve("/roadmap progress")
    before = await snapshot(chat.bot)

    assert len(MODERATOR_COMMANDS) >= 15
    for command in MODERATOR_COMMANDS:
        full = {a.name: sample(a, content) for a in command.arguments}
        for raw in (full, {}):
            reply = await chat.bot.run(eve.caller, command.path, raw)
            assert reply.tone is Tone.ERROR, (command.name, reply.text)
            assert reply.text == f"`/{command.name}` is for moderators of this community. Nothing was changed.", (
                command.name,
                reply.text,
            )
            assert reply.posts == () and reply.buttons == ()
        typed = await eve("/" + command.name)
        assert "is for moderators" in typed.text, (command.name, typed.text)
    assert await snapshot(chat.bot) == before
    assert all(not c.moderator_only for c in build_registry() if c.path == ("moderators", "list"))


async def test_members_do_not_see_moderator_commands_in_help(chat: Chat) -> None:
    member_help = await chat("/help")
    moderator_help = await chat.as_user("mia", moderator=True)("/help")
    listed = "\n".join(f.value for f in member_help.fields)
    assert "/stats" not in listed and "/announce" not in listed and "/challenge review" not in listed
    assert "/stats" in "\n".join(f.value for f in moderator_help.fields)


async def test_named_moderators_get_the_rights_and_lose_them(chat: Chat) -> None:
    mia = chat.as_user("mia", name="Mia", moderator=True)
    bob = chat.as_user("bob", name="Bob")
    assert (await bob("/stats")).tone is Tone.ERROR
    added = await mia("/moderators add <@bob>")
    assert added.tone is Tone.SUCCESS and "**bob** is now a moderator" in added.text  # not seen yet: their id
    assert (await bob("/stats")).tone is not Tone.ERROR  # now they have spoken, their name is known
    assert (await mia("/moderators add bob")).tone is Tone.WARNING
    listing = await chat("/moderators")  # everyone may see who moderates
    assert listing.items == ("Bob",) and "always moderators" in (listing.footer or "")
    not_named = await bob("/moderators remove mia")  # mia moderates as a platform admin, not by name
    assert not_named.tone is Tone.WARNING and "not a named moderator" in not_named.text
    removed = await mia("/moderators remove bob")
    assert removed.tone is Tone.SUCCESS
    assert (await bob("/stats")).tone is Tone.ERROR
    assert (await mia("/moderators remove bob")).tone is Tone.WARNING
    assert (await chat("/moderators")).items == ()


async def test_every_moderator_action_is_in_the_audit_log(chat: Chat, clock: FakeClock, content: Content) -> None:
    mia = chat.as_user("mia", name="Mia", moderator=True)
    noor = chat.as_user("noor", name="Noor", moderator=True)
    steps = [
        (mia, f"/challenge start {content.challenges[0].id}"),
        (chat, "/challenge submit https://example.com/a"),
        (noor, "/challenge submit https://example.com/n"),
        (mia, "/challenge approve 1 Good"),
        (mia, "/challenge reject 2 Needs tests"),
        (mia, "/challenge end"),
        (mia, '/challenge create "Log parser" "Streams" Parse a log.'),
        (mia, "/leaderboard season start Winter"),
        (mia, "/announce general Meetup tonight"),
        (mia, '/announce general at="2026-12-01 18:00" Meetup next week'),
        (mia, "/announcements cancel 2"),
        (mia, "/moderators add bob"),
        (mia, "/moderators remove bob"),
    ]
    for who, line in steps:
        clock.advance(seconds=1)
        reply = await who(line)
        assert reply.tone is not Tone.ERROR, (line, reply.text)
    log = await mia("/audit 20")
    actions = [item.split(" · ")[2] for item in log.items]
    assert actions == [
        "moderators.remove",
        "moderators.add",
        "announce.cancel",
        "announce.schedule",
        "announce.post",
        "season.start",
        "challenge.start",
        "challenge.end",
        "challenge.reject",
        "challenge.approve",
        "challenge.start",
    ]
    assert all(item.split(" · ")[1] == "**Mia**" for item in log.items)
    assert "rejected submission #2 by Noor" in log.items[-3]
    assert len((await mia("/audit 3")).items) == 3
    assert (await mia("/audit 99")).tone is Tone.ERROR

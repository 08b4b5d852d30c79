"""Every command of the registry, driven with hostile input through `run_line` and `run`: always a clear reply,
never an exception, and the stored data stays valid. SQLite by default, PostgreSQL with fewer examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import build_registry
from bot.content import Content
from bot.context import Caller
from bot.registry import Command
from bot.replies import Tone
from tests.databases import backends
from tests.driver import Chat
from tests.reliability.harness import SyncBot, sync_bot
from tests.reliability.inputs import hostile_text, line_for, structured_args, wrong_type
from tests.reliability.invariants import check_reply, check_stored_data

COMMANDS = list(build_registry())
# Small enough for the whole file to run in under a minute; STUDYBOT_FUZZ_DEPTH=10 explores ten times as much.
DEPTH = int(os.environ.get("STUDYBOT_FUZZ_DEPTH", "1"))
EXAMPLES = {"sqlite": 12 * DEPTH, "postgresql": 4 * DEPTH}


def _settings(backend: str, factor: int = 1) -> settings:
    return settings(
        max_examples=EXAMPLES[backend] * factor,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )


def callers() -> st.SearchStrategy[Caller]:
    """Two members of two communities with hostile display names, sometimes admins, sometimes in a DM."""
    return st.builds(
        Caller,
        platform=st.just("test"),
        community_id=st.sampled_from(("c1", "c1", "c2", "")),
        community_name=hostile_text(),
        user_id=st.sampled_from(("ada", "bob")),
        display_name=hostile_text(),
        channel_id=st.just("general"),
        is_admin=st.booleans(),
    )


def _drive(sb: SyncBot, caller: Caller, line: str, path: tuple[str, ...], args: dict[str, object]) -> None:
    reply = sb.call(sb.bot.run_line(caller, line))
    check_reply(reply)
    # Press every button the reply offered, as a platform would.
    for button in reply.buttons:
        check_reply(sb.call(sb.bot.run_line(caller, button.command)))
    check_reply(sb.call(sb.bot.run(caller, path, args)))  # type: ignore[arg-type]
    sb.call(check_stored_data(sb.bot))


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_every_command_answers_hostile_input_clearly(
    command: Command, backend: str, tmp_path: Path, content: Content
) -> None:
    topic_ids = tuple(t.id for t in content.topics)
    with sync_bot(backend, tmp_path, content) as sb:

        @_settings(backend)
        @given(caller=callers(), line=line_for(command, topic_ids), args=structured_args(command, topic_ids))
        def run(caller: Caller, line: str, args: dict[str, object]) -> None:
            _drive(sb, caller, line, command.path, args)

        run()


@pytest.mark.parametrize("backend", backends())
def test_any_line_and_any_path_gets_a_reply(backend: str, tmp_path: Path, content: Content) -> None:
    """Lines that are not commands, unknown paths, and paths of the wrong shape."""
    paths = st.one_of(
        st.just(()),
        st.just(""),
        st.lists(hostile_text(), max_size=3).map(tuple),
        hostile_text(),
        st.sampled_from([c.path for c in COMMANDS]),
    )
    with sync_bot(backend, tmp_path, content) as sb:

        @_settings(backend, factor=4)
        @given(
            caller=callers(),
            line=hostile_text(("/", "/roadmap", "/help", "roadmap done", "/ROADMAP NEXT")),
            path=paths,
            args=st.dictionaries(hostile_text(), st.one_of(hostile_text(), wrong_type()), max_size=2),
        )
        def run(caller: Caller, line: str, path: tuple[str, ...] | str, args: dict[str, object]) -> None:
            _drive(sb, caller, line, path, args)  # type: ignore[arg-type]

        run()


async def test_regressions_found_by_the_properties(chat: Chat) -> None:
    """Each of these once escaped as an exception or an internal failure."""
    assert (await chat.bot.run(chat.caller, (), {})).tone is Tone.WARNING  # empty path: IndexError
    wrong = await chat.bot.run(chat.caller, "roadmap timezone", {"zone": ["Europe/Berlin"]})
    assert wrong.tone is Tone.ERROR and "must be text or a number" in wrong.text
    # A lone surrogate (valid in JSON, not storable) in a name or an argument.
    ghost = chat.as_user("ghost", name="a\ud800b")
    assert (await ghost("/roadmap progress")).title == "Progress of ab"
    check_reply(await ghost("/roadmap topic \ud800git"))
    # A name made of mention markup grew past its column once defused (PostgreSQL refused the row).
    check_reply(await chat.as_user("long", name="<@" * 60)("/roadmap progress"))
    # In a direct message the name was used as given: a control character broke the drawing of the map.
    check_reply(await chat.as_user("ctl", name="\x1e").in_community("")("/roadmap map"))
    await check_stored_data(chat.bot)

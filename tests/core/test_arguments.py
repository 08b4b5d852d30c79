"""Reading a line of text into a command and its arguments: order, names, quotes, platform markup."""

from __future__ import annotations

import pytest

from bot.app import Parsed, StudyBot
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Reply, Tone


def parse(bot: StudyBot, line: str) -> Parsed:
    parsed = bot.parse_line(line)
    assert isinstance(parsed, Parsed), parsed
    return parsed


def test_words_fill_arguments_in_order_and_the_rest_keeps_its_lines(bot: StudyBot) -> None:
    assert parse(bot, "/roadmap done http basics").raw_args == {"topic": "http basics"}
    line = '/announce #general at="2026-12-01 18:00" notify=everyone Meetup tonight!\n  Bring a laptop.'
    parsed = parse(bot, line)
    assert parsed.command.path == ("announce",)
    assert parsed.raw_args == {
        "channel": "#general",
        "at": "2026-12-01 18:00",
        "notify": "everyone",
        "text": "Meetup tonight!\n  Bring a laptop.",
    }
    created = parse(bot, "/challenge create 'Log parser' \"Streams; has tests\" points=30 Parse it.")
    assert created.raw_args == {
        "title": "Log parser",
        "criteria": "Streams; has tests",
        "points": "30",
        "brief": "Parse it.",
    }


def test_platform_markup_with_spaces_is_one_word(bot: StudyBot) -> None:
    parsed = parse(bot, "/challenge submit <https://x.example/work|my work> look at=this")
    assert parsed.raw_args == {"url": "<https://x.example/work|my work>", "note": "look at=this"}


def test_arguments_given_only_by_name_are_not_filled_by_position(bot: StudyBot) -> None:
    refused = bot.parse_line("/challenge start url-shortener 2026-12-01")
    assert isinstance(refused, Reply) and refused.tone is Tone.ERROR and "Too many words" in refused.text
    assert "[due=…]" in refused.text
    assert parse(bot, "/challenge start url-shortener due=2026-12-01T10:00").raw_args == {
        "id": "url-shortener",
        "due": "2026-12-01T10:00",
    }


def test_a_group_runs_its_default_subcommand(bot: StudyBot) -> None:
    assert parse(bot, "/leaderboard week").command.path == ("leaderboard", "show")
    assert parse(bot, "/leaderboard week").raw_args == {"period": "week"}
    assert parse(bot, "/leaderboard").command.path == ("leaderboard", "show")
    assert parse(bot, "/leaderboard pin").command.path == ("leaderboard", "pin")
    assert parse(bot, "/leaderboard season start Winter 26").raw_args == {"name": "Winter 26"}
    assert parse(bot, "/challenge").command.path == ("challenge", "show")
    assert parse(bot, "/moderators").command.path == ("moderators", "list")


async def test_a_bare_group_word_in_help_still_shows_the_group(chat) -> None:  # type: ignore[no-untyped-def]
    reply = await chat("/help leaderboard")
    assert reply.title == "studybot commands" and "/leaderboard show [period]" in reply.fields[0].value


async def _noop(ctx, args):  # type: ignore[no-untyped-def]
    raise AssertionError("not called")


def test_an_argument_given_by_name_must_be_optional() -> None:
    with pytest.raises(ValueError):
        Registry().add(Command(("x",), "x", _noop, (Argument("a", ArgKind.TEXT, "a", required=True, by_name=True),)))
    Registry().add(
        Command(
            ("x",),
            "x",
            _noop,
            (Argument("a", ArgKind.TEXT, "a", rest=True), Argument("b", ArgKind.TEXT, "b", by_name=True)),
        )
    )

from __future__ import annotations

import pytest

from bot.commands import build_registry
from bot.registry import ArgKind, Argument, Command, DuplicateCommandError, Registry


async def _noop(ctx, args):  # type: ignore[no-untyped-def]
    raise AssertionError("not called")


def test_every_command_has_a_unique_path_and_help() -> None:
    registry = build_registry()
    names = [c.name for c in registry]
    assert len(names) == len(set(names))
    for command in registry:
        assert command.summary, command.name
        assert all(a.description for a in command.arguments), command.name
        assert len(command.path) <= 3


def test_duplicates_and_clashing_paths_are_refused() -> None:
    registry = Registry()
    registry.add(Command(("roadmap", "next"), "x", _noop))
    with pytest.raises(DuplicateCommandError):
        registry.add(Command(("roadmap", "next"), "again", _noop))
    with pytest.raises(DuplicateCommandError):
        registry.add(Command(("roadmap",), "a root that is also a group", _noop))


def test_only_the_last_argument_takes_the_rest_of_the_line() -> None:
    registry = Registry()
    with pytest.raises(ValueError):
        registry.add(
            Command(
                ("x",),
                "x",
                _noop,
                (Argument("a", ArgKind.TEXT, "a", rest=True), Argument("b", ArgKind.TEXT, "b")),
            )
        )


def test_fingerprint_changes_with_a_definition() -> None:
    one, two = Registry(), Registry()
    one.add(Command(("x",), "first", _noop))
    two.add(Command(("x",), "second", _noop))
    assert one.fingerprint() != two.fingerprint()
    assert build_registry().fingerprint() == build_registry().fingerprint()

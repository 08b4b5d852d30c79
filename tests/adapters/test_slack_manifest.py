"""The checked-in Slack manifest matches the registry and declares what the adapter uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack_manifest import PLACEHOLDER_URL, manifest, manifest_yaml, problems
from bot.commands import build_registry
from bot.context import Context
from bot.registry import Command, Registry
from bot.replies import Reply

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def test_manifest_lists_exactly_the_registry_roots() -> None:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    listed = [c["command"] for c in data["features"]["slash_commands"]]
    assert listed == [f"/{root}" for root in build_registry().roots()]


def test_manifest_file_is_the_generated_one() -> None:
    expected = manifest_yaml(build_registry())
    assert MANIFEST.read_text(encoding="utf-8") == expected, (
        "slack/manifest.yml is out of date: run `studybot slack --manifest > slack/manifest.yml`"
    )


def test_manifest_declares_scopes_events_home_and_interactivity() -> None:
    data = manifest(build_registry())
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "chat:write.public", "users:read", "files:write", "im:write"} <= scopes
    assert data["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["settings"]["interactivity"]["is_enabled"] is True
    urls = [data["settings"]["interactivity"]["request_url"], data["settings"]["event_subscriptions"]["request_url"]]
    urls += [c["url"] for c in data["features"]["slash_commands"]]
    assert set(urls) == {f"{PLACEHOLDER_URL}/slack/events"}
    assert all(c["should_escape"] is True for c in data["features"]["slash_commands"])


def test_manifest_for_a_real_host() -> None:
    data = manifest(build_registry(), "https://bot.example.org/")
    assert data["settings"]["interactivity"]["request_url"] == "https://bot.example.org/slack/events"


def test_no_command_group_takes_a_name_slack_keeps_for_itself() -> None:
    assert problems(build_registry()) == []


async def _noop(ctx: Context, args: dict[str, Any]) -> Reply:
    return Reply()


def test_a_built_in_name_is_refused_before_slack_sees_it() -> None:
    registry = build_registry()
    registry.add(Command(("remind",), "Clashes with Slack", _noop))
    with pytest.raises(ValueError, match="/remind is one of Slack's built-in commands"):
        manifest(registry)
    assert problems(Registry()) == []

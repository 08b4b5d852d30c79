"""`run()` and `studybot slack`: settings checks, the token check, and Socket Mode against the stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters import slack
from bot.app import StudyBot
from bot.cli import main
from bot.settings import SettingsError
from tests.adapters.slack_rig import ADA, all_text, slack_settings
from tests.standins.slack_server import TEAM_ID, SlackStandIn


@pytest.fixture
async def stand_in(no_errors_logged: None) -> AsyncIterator[SlackStandIn]:
    server = await SlackStandIn().start()
    server.add_user(ADA, "Ada")
    yield server
    await server.close()


@pytest.fixture
def keep_root_logging() -> Iterator[None]:
    """`main` configures logging for a process; give the test process its logging back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_run_needs_the_bot_token(bot: StudyBot, stand_in: SlackStandIn) -> None:
    settings = slack_settings(bot, stand_in, slack_bot_token=None)
    with pytest.raises(SettingsError, match=r"^Missing setting SLACK_BOT_TOKEN"):
        await slack.run(bot, settings)


async def test_http_mode_needs_the_signing_secret(bot: StudyBot, stand_in: SlackStandIn) -> None:
    settings = slack_settings(bot, stand_in, slack_signing_secret=None)
    with pytest.raises(SettingsError, match=r"^Missing setting SLACK_SIGNING_SECRET"):
        await slack.run(bot, settings)


async def test_a_token_slack_refuses_stops_the_start_with_one_line(bot: StudyBot, stand_in: SlackStandIn) -> None:
    stand_in.fail("auth.test", "invalid_auth")
    with pytest.raises(SettingsError) as caught:
        await slack.run(bot, slack_settings(bot, stand_in))
    assert str(caught.value) == "Slack does not accept SLACK_BOT_TOKEN (invalid_auth)"
    assert "xoxb" not in str(caught.value)


async def test_a_port_in_use_stops_the_start_with_one_line(bot: StudyBot, stand_in: SlackStandIn) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SettingsError, match=rf"^Cannot listen on PORT {port}: "):
            await slack.run(bot, slack_settings(bot, stand_in, port=port))
    assert bot.health.platforms["slack"] is False


async def test_socket_mode_serves_slash_commands(bot: StudyBot, stand_in: SlackStandIn) -> None:
    settings = slack_settings(bot, stand_in, slack_app_token=SecretStr("xapp-test"), slack_signing_secret=None)
    running = asyncio.create_task(slack.run(bot, settings))
    try:
        await stand_in.wait_for(lambda: stand_in.sockets_open or running.done())
        assert not running.done(), running.exception()
        assert bot.posters["slack"].platform == "slack"
        assert len(stand_in.calls_to("apps.connections.open")) == 1
        command = {
            "team_id": TEAM_ID,
            "team_domain": "study",
            "channel_id": "C1GENERAL",
            "user_id": ADA,
            "user_name": "ada",
            "command": "/roadmap",
            "text": "next",
            "response_url": stand_in.response_url("socket"),
            "trigger_id": "trigger-socket",
        }
        await stand_in.socket_send(
            {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True, "payload": command}
        )
        acked = await stand_in.wait_for(
            lambda: [m for m in stand_in.socket_received if m.get("envelope_id") == "env-1"]
        )
        assert acked[0]["envelope_id"] == "env-1"
        (answer,) = await stand_in.wait_responses("socket")
        assert "Topic 1" in all_text(answer)
        assert bot.health.platforms["slack"] is True
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert bot.health.platforms["slack"] is False


def test_studybot_slack_without_a_token_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], keep_root_logging: None
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    assert main(["slack"]) == 2
    err = capsys.readouterr().err
    assert err == "studybot: Missing setting SLACK_BOT_TOKEN: set it in the environment or in .env\n"
    assert not (tmp_path / "bot.db").exists()  # checked before anything is opened


def test_studybot_slack_manifest_prints_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], keep_root_logging: None
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["slack", "--manifest", "--url", "https://bot.example.org"]) == 0
    out = capsys.readouterr().out
    assert "command: /roadmap" in out and "https://bot.example.org/slack/events" in out


def test_the_console_never_loads_slack_bolt() -> None:
    code = (
        "import sys, bot.cli, adapters.console; bot.cli.build_parser();"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('slack_bolt', 'slack_sdk')];"
        "assert not loaded, loaded"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)

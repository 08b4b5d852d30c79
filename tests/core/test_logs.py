from __future__ import annotations

import json
import logging

import pytest

from bot import logs
from bot.settings import load_settings
from tests.driver import Chat


@pytest.fixture
def captured(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield capsys
    root.handlers[:], level = saved
    root.setLevel(level)


async def test_json_logs_carry_community_command_and_latency(chat: Chat, captured) -> None:  # type: ignore[no-untyped-def]
    logs.setup("INFO", "json")
    await chat("/roadmap next")
    lines = [json.loads(line) for line in captured.readouterr().err.splitlines() if line.startswith("{")]
    finished = [line for line in lines if line["message"] == "command finished"]
    assert finished and finished[-1]["command"] == "roadmap next"
    assert finished[-1]["community"] == "c1" and finished[-1]["outcome"] == "ok"
    assert isinstance(finished[-1]["latency_ms"], float)


def test_secrets_are_masked_in_messages_and_tracebacks(captured, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-123-secret-value")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:pa55-word@db/studybot")
    settings = load_settings(_env_file=None)
    logs.setup("INFO", "text", logs.secrets_of(settings))
    log = logging.getLogger("test")
    log.warning("token is %s", "xoxb-123-secret-value")
    try:
        raise RuntimeError("connect failed for postgresql+asyncpg://bot:pa55-word@db/studybot")
    except RuntimeError:
        log.exception("database down")
    err = captured.readouterr().err
    assert "xoxb-123-secret-value" not in err and "pa55-word" not in err
    assert "token is ********" in err and "RuntimeError" in err

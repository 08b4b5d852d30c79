"""`studybot discord` as an operator runs it: a separate process, configured by environment variables."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.discord_support import ADA
from tests.standins.discord_server import WAIT, DiscordStandIn

ROOT = Path(__file__).resolve().parents[2]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh deployment: no DISCORD_* or other bot settings from the test process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "DATABASE_", "LOG_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}"
    env["PYTHONPATH"] = str(ROOT)
    return env | extra


def test_a_missing_token_is_one_clear_line_and_touches_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "discord"],
        cwd=tmp_path,  # no .env here
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=WAIT * 3,
    )
    assert done.returncode == 2
    assert done.stderr == "studybot: Missing setting DISCORD_TOKEN: set it in the environment or in .env\n"
    assert not (tmp_path / "studybot.db").exists()


def test_only_the_discord_command_loads_discord_py(tmp_path: Path) -> None:
    probe = "import sys, bot.cli, bot.app; bot.cli.build_parser(); print('discord' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, text=True
    )
    assert done.stdout.strip() == "False", done.stderr


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    from tests.adapters.discord_support import GUILD

    server = DiscordStandIn((GUILD,))
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def test_studybot_discord_serves_slash_commands(tmp_path: Path, standin: DiscordStandIn) -> None:
    env = clean_env(
        tmp_path,
        DISCORD_TOKEN=standin.token,
        DISCORD_API_BASE_URL=standin.api_url,
        DISCORD_GATEWAY_URL=standin.gateway_url,
        LOG_LEVEL="INFO",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "discord",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    logs: list[str] = []

    async def read_logs() -> None:
        assert process.stderr is not None
        while line := await process.stderr.readline():
            logs.append(line.decode())

    reader = asyncio.create_task(read_logs())
    try:
        # Migrations, login, command sync, the gateway and discord.py's ready delay: allow a slow machine time.
        async with asyncio.timeout(WAIT * 3):
            while not any("connected to Discord" in line for line in logs):
                assert process.returncode is None, "".join(logs)
                await asyncio.sleep(0.05)
        assert standin.commands.get("global")
        sent = await standin.slash("help", ADA)
        [answer] = await sent.shown()
        assert "studybot commands" in answer.text
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await asyncio.wait_for(process.wait(), WAIT)
        await asyncio.wait_for(reader, WAIT)
    text = "".join(logs)
    assert "synced" in text and "platform=discord command=help outcome=ok" in text
    assert standin.token not in text  # the token is masked in every log line

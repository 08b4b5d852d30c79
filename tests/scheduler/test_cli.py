"""`studybot schedule run --at …` and `studybot scheduler`, as real processes on a temporary SQLite database."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import StudyBot
from bot.content import Content
from bot.context import Caller
from bot.settings import Settings
from bot.storage.engine import create_engine
from bot.storage.migrate import upgrade
from tests.driver import FakeClock
from tests.standins.slack_server import TEAM_ID, SlackStandIn


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    env.pop("LOG_LEVEL", None)
    return env


def _run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
        cwd=tmp_path,
    )


def _next_nine(after: datetime) -> datetime:
    nine = after.replace(hour=9, minute=0, second=0, microsecond=0)
    return nine if nine > after else nine + timedelta(days=1)


def test_schedule_run_previews_then_posts_each_due_occurrence_once(tmp_path: Path, content: Content) -> None:
    setup = _run(["console", "--moderator"], tmp_path, "/schedule set daily-topic 09:00 UTC\n")
    assert setup.returncode == 0 and "Scheduled daily-topic" in setup.stdout, setup.stderr
    # Two occurrences are due by then: the first a day late (skipped), the second on time (posted).
    at = (_next_nine(datetime.now(UTC)) + timedelta(days=1)).isoformat()
    first_title = f"Topic of the day: {content.topics[0].title}"

    preview = _run(["schedule", "run", "--at", at, "--dry-run"], tmp_path)
    assert preview.returncode == 0, preview.stderr
    assert "would post to #general of console community local" in preview.stdout
    assert first_title in preview.stdout
    assert "1 post(s) shown, 1 missed occurrence(s) would be skipped; nothing was claimed" in preview.stdout

    run = _run(["schedule", "run", "--at", at], tmp_path)
    assert run.returncode == 0, run.stderr
    assert "posted to #general" in run.stdout and first_title in run.stdout
    assert ": 1 posted, 0 failed, 1 skipped (missed by more than 60 min)" in run.stdout
    assert "skipped the daily-topic post" in run.stderr  # the log line for the missed one

    again = _run(["schedule", "run", "--at", at], tmp_path)
    assert again.returncode == 0 and ": 0 posted, 0 failed, 0 skipped" in again.stdout
    assert "posted to #" not in again.stdout

    shown = _run(["console", "--moderator"], tmp_path, "/schedule show\n")
    assert "posted" in shown.stdout and "Walks the roadmap in order" in shown.stdout


def test_schedule_run_refuses_a_time_that_is_not_iso_8601(tmp_path: Path) -> None:
    bad = _run(["schedule", "run", "--at", "tomorrow morning"], tmp_path)
    assert bad.returncode == 2 and "not an ISO-8601 time" in bad.stderr


def test_the_scheduler_runs_alone_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler"],
        env={**_env(tmp_path), "LOG_LEVEL": "INFO"},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if "scheduler is now leader for console" in line or not line:
                break
        assert any("scheduler running for console" in line for line in lines), lines
        assert any("scheduler is now leader for console" in line for line in lines), lines
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) in (0, 130)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_schedule_run_posts_to_slack_through_the_web_api_without_the_app(
    tmp_path: Path, content: Content
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    bot = StudyBot(Settings(_env_file=None, database_url=url), content, engine, clock=FakeClock())
    moderator = Caller("slack", TEAM_ID, "U0MOD", "Mod", channel_id="C0DAILY", is_admin=True)
    reply = await bot.run_line(moderator, "/schedule set daily-topic 09:00 UTC")  # next: Tue 24 Nov 09:00
    assert reply.tone.value == "success", reply.text
    await engine.dispose()
    slack = await SlackStandIn().start()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "schedule",
            "run",
            "--at",
            "2026-11-24T09:00Z",
            env={**_env(tmp_path), "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_API_URL": slack.api_url},
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await slack.close()
    assert process.returncode == 0, err.decode()
    assert ": 1 posted, 0 failed" in out.decode() and "platforms: console, slack" in out.decode()
    (posted,) = slack.calls_to("chat.postMessage")
    assert posted.params["channel"] == "C0DAILY"
    assert content.topics[0].title in json.dumps(posted.params, ensure_ascii=False)
    assert "xoxb-test-token" not in out.decode() + err.decode()

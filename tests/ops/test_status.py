"""`studybot status`: the database, the scheduler's leaders and every community's next posts, on both databases."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bot import status
from bot.app import StudyBot
from bot.replies import Tone
from bot.scheduler.leader import Leadership
from bot.status_http import serve_status
from bot.storage.engine import create_engine
from bot.storage.migrate import head_revision
from tests.databases import backends, fresh_engine
from tests.driver import Chat, FakeClock
from tests.ops.processes import ROOT

SQLITE_ONLY, POSTGRES_ONLY = backends()[:1], backends()[1:]


@pytest.fixture
def mod(chat: Chat) -> Chat:
    return chat.as_user("mod", name="Mod", moderator=True)


async def test_status_lists_every_communitys_next_posts(bot: StudyBot, mod: Chat, clock: FakeClock) -> None:
    # The clock reads Monday 23 November 2026, 09:00 UTC.
    assert (await mod("/schedule set daily-topic 09:00 Europe/Berlin")).tone is Tone.SUCCESS
    assert (await mod("/schedule set meetups 18:00 Europe/Berlin wed")).tone is Tone.SUCCESS
    assert (await mod('/announce #general at="2026-11-30 10:00" Meetup tonight')).tone is Tone.SUCCESS
    other = mod.in_community("c2")
    assert (await other("/schedule set trends 07:00 America/New_York tue")).tone is Tone.SUCCESS

    report = await status.gather(bot.engine, clock())
    assert report.ok and report.database == "ok" and report.schema == head_revision()
    seen = [(u.community, u.kind, u.at.isoformat(), u.overdue) for u in report.upcoming]
    assert seen == [  # by platform and community name, then time
        ("c2", "trends", "2026-11-24T12:00:00+00:00", False),
        ("c1", "daily-topic", "2026-11-24T08:00:00+00:00", False),
        ("c1", "meetups", "2026-11-25T17:00:00+00:00", False),
        ("c1", "announcement", "2026-11-30T10:00:00+00:00", False),
    ]
    text = status.render(report, clock())
    assert "  test c1 “Test community”\n    daily-topic   Tue 24 Nov 09:00 (Europe/Berlin) to general — in 23 h" in text
    assert "    meetups       Wed 25 Nov 18:00 (Europe/Berlin) to general — in 2 days" in text
    assert "    announcement  Mon 30 Nov 10:00 (UTC) to general — in 7 days" in text
    assert "  test c2\n    trends        Tue 24 Nov 07:00 (America/New_York) to general — in 27 h" in text

    # Nobody posted the daily topic at its time: it shows as overdue until a process handles it.
    clock.advance(days=1, minutes=5)
    late = await status.gather(bot.engine, clock())
    daily = next(u for u in late.upcoming if u.kind == "daily-topic")
    assert daily.overdue
    assert "to general — overdue by 65 min" in status.render(late, clock())

    # A schedule turned off is not listed.
    await mod("/schedule off meetups")
    assert "meetups" not in {u.kind for u in (await status.gather(bot.engine, clock())).upcoming}


@pytest.mark.parametrize("backend", SQLITE_ONLY, indirect=True)
async def test_on_sqlite_one_process_schedules(bot: StudyBot, backend: str, clock: FakeClock, chat: Chat) -> None:
    await chat("/roadmap next")
    report = await status.gather(bot.engine, clock())
    assert report.scheduler == "single process" and report.leaders == []
    text = status.render(report, clock())
    assert "scheduler: single process (SQLite)" in text
    assert text.endswith("next posts: nothing is scheduled")


@pytest.mark.parametrize("backend", POSTGRES_ONLY, indirect=True)
async def test_on_postgresql_status_names_the_process_holding_the_lock(
    bot: StudyBot, backend: str, clock: FakeClock, chat: Chat
) -> None:
    await chat("/roadmap next")  # a community of platform "test" exists
    leadership = Leadership(bot.engine)
    try:
        before = await status.gather(bot.engine, clock())
        assert [(x.platform, x.pid) for x in before.leaders] == [("test", None)]
        assert "  test: no leader (no running process schedules test posts)" in status.render(before, clock())

        assert await leadership.refresh(["test"]) == {"test"}  # the scheduler's own election takes the lock
        held = await status.gather(bot.engine, clock())
        [leader] = held.leaders
        assert leader.pid == leadership.backend_pid and leader.client and leader.since
        assert f"  test: led by server process {leadership.backend_pid} from " in status.render(held, clock())
    finally:
        await leadership.release()
    after = await status.gather(bot.engine, clock())
    assert [(x.platform, x.pid) for x in after.leaders] == [("test", None)]


async def test_a_database_behind_or_away_is_reported_not_raised(backend: str, tmp_path: Path) -> None:
    async with fresh_engine(backend, tmp_path, migrate=False) as engine:
        behind = await status.gather(engine, FakeClock()())
    assert behind.database == "ok" and behind.schema is None and not behind.ok
    assert f"schema: empty, this version needs {head_revision()}: run `studybot db upgrade`" in status.render(
        behind, FakeClock()()
    )

    away = create_engine("postgresql+asyncpg://studybot:pw@127.0.0.1:1/studybot")
    try:
        report = await status.gather(away, FakeClock()())
    finally:
        await away.dispose()
    assert report.database.startswith("unreachable: ") and not report.ok
    assert "pw" not in status.render(report, FakeClock()()) and "***" in report.url


async def _run(args: list[str], env: dict[str, str], cwd: Path, stdin: str = "") -> tuple[int, str, str]:
    """`studybot …` in a subprocess, while this test's event loop keeps serving (the probed /healthz)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


# The command on a SQLite file here; tests/ops/test_scale_out.py runs it on PostgreSQL with live processes.
@pytest.mark.parametrize("backend", SQLITE_ONLY, indirect=True)
async def test_studybot_status_as_a_command(tmp_path: Path, unused_tcp_port: int, bot: StudyBot, backend: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "LOG_"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'status.db'}", "PYTHONPATH": str(ROOT)}
    code, out, err = await _run(
        ["console", "--moderator"], env, tmp_path, "/schedule set daily-topic 09:00 Asia/Tokyo\n"
    )
    assert code == 0 and "Scheduled" in out, err

    # A running process to probe: the same /healthz the Slack and Discord processes serve.
    bot.health.platforms["discord"] = True
    runner = await serve_status(bot, unused_tcp_port, host="127.0.0.1")
    try:
        probe = f"http://127.0.0.1:{unused_tcp_port}"
        code, out, err = await _run(["status", "--probe", probe], env, tmp_path)
        _, as_json, _ = await _run(["status", "--json"], env, tmp_path)
    finally:
        await runner.cleanup()
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0] == f"database: ok (sqlite+aiosqlite:///{tmp_path / 'status.db'})"
    assert lines[1] == f"schema: {head_revision()} (up to date)"
    assert lines[2].startswith("scheduler: single process (SQLite)")
    assert lines[3] == f"process {probe}/healthz: ok; database ok; scheduler off; discord connected"
    assert lines[4:6] == ["next posts:", "  console local"]
    assert lines[6].startswith("    daily-topic   ") and "09:00 (Asia/Tokyo) to general — in " in lines[6]

    report = json.loads(as_json)
    assert report["ok"] is True and report["scheduler"] == "single process"
    assert [(u["platform"], u["community"], u["kind"]) for u in report["upcoming"]] == [
        ("console", "local", "daily-topic")
    ]

    # A process that does not answer makes the check fail, for scripts and monitors.
    code, out, _ = await _run(["status", "--probe", "http://127.0.0.1:1"], env, tmp_path)
    assert code == 1
    assert "process http://127.0.0.1:1/healthz: no answer (ClientConnectorError)" in out

"""`studybot db export` / `db import`: a populated SQLite database moves to the real PostgreSQL (and back) with
every row of every table intact; imports are refused when they could lose or mix data."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import StudyBot
from bot.content import Content
from bot.dump import DumpError, export_database, import_database, read_dump, write_dump
from bot.replies import Tone
from bot.settings import Settings
from bot.storage.migrate import current_revision, head_revision, upgrade
from bot.storage.models import Member
from bot.storage.schema import metadata
from tests.databases import backends, fresh_engine
from tests.driver import Chat, FakeClock
from tests.reliability.invariants import check_stored_data
from tests.reliability.population import populate
from tests.reliability.snapshot import snapshot

POSTGRES = [b for b in backends() if getattr(b, "values", (b,))[0] == "postgresql"]
OTHER = {"sqlite": "postgresql", "postgresql": "sqlite"}


@pytest.mark.parametrize("backend", backends())
async def test_a_populated_database_moves_to_the_other_kind_with_every_row(
    chat: Chat, clock: FakeClock, content: Content, backend: str, tmp_path: Path
) -> None:
    """SQLite → PostgreSQL (and PostgreSQL → SQLite): every row of every table compares equal."""
    target_kind = OTHER[backend]
    if "postgresql" in (backend, target_kind) and not POSTGRES:
        pytest.skip("PostgreSQL is not configured")
    await populate(chat, clock, content)
    source = await snapshot(chat.bot.engine)
    assert all(source[t] for t in ("members", "progress", "point_events", "challenge_submissions", "leaderboard_pins"))

    path = tmp_path / "studybot.json"
    write_dump(await export_database(chat.bot.engine, now=clock.now), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # members' data: the owner's eyes only
    dump = read_dump(path)
    assert dump["revision"] == head_revision()
    assert [t["name"] for t in dump["tables"]] == [t.name for t in metadata.sorted_tables]  # all, in order

    async with fresh_engine(target_kind, tmp_path / "target") as target:
        summary = await import_database(target, dump)
        assert summary.rows == sum(len(rows) for rows in source.values())
        assert await snapshot(target) == source
        assert await current_revision(target) == head_revision()
        # Ids continue after the imported ones: new rows land without colliding (PostgreSQL sequences).
        moved = StudyBot(
            Settings(_env_file=None, database_url=str(target.url), rate_limit_per_minute=10_000),  # type: ignore[call-arg]
            content,
            target,
            clock=clock,
        )
        newcomer = Chat(moved, chat.as_user("newbie", name="Newbie").caller)
        assert (await newcomer(f"/roadmap done {content.topics[0].id}")).tone is Tone.SUCCESS
        assert (await Chat(moved, chat.as_user("ada").caller)("/roadmap progress")).progress.done == 5  # type: ignore[union-attr]
        await check_stored_data(moved)
        async with moved.sessions() as session:
            ids = list(await session.scalars(select(Member.id)))
        assert len(ids) == len(set(ids)) == len(source["members"]) + 1


async def test_import_refuses_a_database_with_data(chat: Chat, content: Content) -> None:
    await chat("/roadmap next")
    dump = await export_database(chat.bot.engine)
    before = await snapshot(chat.bot.engine)
    with pytest.raises(DumpError, match="already holds data"):
        await import_database(chat.bot.engine, dump)
    assert await snapshot(chat.bot.engine) == before


@pytest.mark.parametrize("backend", backends())
async def test_import_refuses_a_dump_from_a_newer_release_or_another_format(backend: str, tmp_path: Path) -> None:
    async with fresh_engine(backend, tmp_path) as engine:
        dump = await export_database(engine)
        with pytest.raises(DumpError, match="newer release"):
            await import_database(engine, {**dump, "revision": "9999_from_the_future"})
        with pytest.raises(DumpError, match="format version"):
            await import_database(engine, {**dump, "version": 2})
        with pytest.raises(DumpError, match="not a studybot dump"):
            await import_database(engine, {"tables": []})
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        with pytest.raises(DumpError, match="not JSON"):
            read_dump(bad)


@pytest.mark.parametrize("backend", backends())
async def test_import_is_all_or_nothing(chat: Chat, content: Content, backend: str, tmp_path: Path) -> None:
    await chat(f"/roadmap done {content.topics[0].id}")
    dump = await export_database(chat.bot.engine)
    progress = next(t for t in dump["tables"] if t["name"] == "progress")
    progress["rows"].append({**progress["rows"][0], "id": 999, "member_id": 424242})  # points at no member
    async with fresh_engine(backend, tmp_path / "target") as target:
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            await import_database(target, dump)
        assert all(rows == [] for rows in (await snapshot(target)).values())  # nothing half-imported
        del progress["rows"][-1]
        await import_database(target, dump)  # the same database takes the fixed dump
        assert await snapshot(target) == await snapshot(chat.bot.engine)


def _older_revisions() -> list[str]:
    from bot.dump import _history

    return _history()[1:]


@pytest.mark.parametrize("revision", _older_revisions())
async def test_a_dump_from_an_older_release_imports_and_is_upgraded(revision: str, tmp_path: Path) -> None:
    async with fresh_engine("sqlite", tmp_path / "old", migrate=False) as old:
        await upgrade(old, revision)
        dump = await export_database(old)
    assert dump["revision"] == revision
    async with fresh_engine("sqlite", tmp_path / "new") as new:  # migrated to head, empty
        await import_database(new, dump)
        assert await current_revision(new) == head_revision()


def test_the_command_line_round_trip(tmp_path: Path, content: Content) -> None:
    def studybot(*args: str, db: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / db}"}
        return subprocess.run(
            [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
        )

    assert studybot("console", "--user", "ada", db="a.db").returncode == 0  # creates and migrates the database
    subprocess.run(
        [sys.executable, "-m", "bot", "console", "--user", "ada"],
        input=f"/roadmap done {content.topics[0].id}\n",
        env={**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=True,
    )
    exported = studybot("db", "export", "dump.json", db="a.db")
    assert exported.returncode == 0, exported.stderr
    assert "exported" in exported.stdout and json.loads((tmp_path / "dump.json").read_text())["format"]
    imported = studybot("db", "import", "dump.json", db="b.db")
    assert imported.returncode == 0, imported.stderr
    again = studybot("db", "import", "dump.json", db="b.db")
    assert again.returncode == 1 and again.stderr.startswith("studybot: import failed: the database already holds")
    missing = studybot("db", "import", "nope.json", db="c.db")
    assert missing.returncode == 1 and "does not exist" in missing.stderr

"""Moving a deployment from SQLite to PostgreSQL as docs/deploy.md tells an operator to: export, import, check."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.content import Content
from tests.databases import PG_ENV, postgres_url
from tests.ops.processes import clean_env, temporary_database

pytestmark = pytest.mark.skipif(postgres_url() is None, reason=f"{PG_ENV} is not set: PostgreSQL tests skipped")


async def studybot(args: list[str], env: dict[str, str], cwd: Path, stdin: str = "") -> tuple[int, str, str]:
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


async def test_a_sqlite_deployment_moves_to_postgresql(tmp_path: Path, content: Content) -> None:
    server = postgres_url()
    assert server is not None
    sqlite = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}")
    first = content.topics[0]
    code, out, err = await studybot(["console", "--user", "ada"], sqlite, tmp_path, f"/roadmap done {first.id}\n")
    assert code == 0 and f"Done: {first.title}" in out, out + err
    line = "/schedule set daily-topic 09:00 Europe/Berlin\n"
    code, out, err = await studybot(["console", "--user", "mod", "--moderator"], sqlite, tmp_path, line)
    assert code == 0 and "Scheduled" in out, out + err

    # 1. Stop the bot, 2. export from SQLite.
    dump = tmp_path / "studybot-dump.json"
    code, out, err = await studybot(["db", "export", str(dump)], sqlite, tmp_path)
    assert code == 0 and out.startswith("exported "), out + err

    async with temporary_database(server, "studybot_move") as url:
        # 3. Import into the new, empty PostgreSQL database, given as a hosting platform hands it out.
        hosted = make_url(url).set(drivername="postgres").update_query_dict({"sslmode": "disable"})
        postgres = clean_env(DATABASE_URL=hosted.render_as_string(hide_password=False))
        code, out, err = await studybot(["db", "import", str(dump)], postgres, tmp_path)
        assert code == 0 and out.startswith("imported "), out + err

        # 4. Check: the schema is current, the schedule came along, and the members' progress with it.
        code, out, err = await studybot(["status"], postgres, tmp_path)
        assert code == 0, out + err
        assert "scheduler: leader election (PostgreSQL)" in out
        assert "  console local\n    daily-topic   " in out and "09:00 (Europe/Berlin) to general" in out
        code, out, err = await studybot(["console", "--user", "ada"], postgres, tmp_path, "/roadmap progress\n")
        assert code == 0 and f"(1 of {len(content.topics)} topics)" in out, out + err

        # Importing twice is refused: the database holds data now.
        code, out, err = await studybot(["db", "import", str(dump)], postgres, tmp_path)
        assert code == 1 and "already holds data" in err

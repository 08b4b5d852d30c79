"""The console adapter, in process and as the real `studybot console` command over a pipe."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from adapters.console import ConsoleAdapter
from bot.app import StudyBot
from bot.content import Content
from bot.replies import Post, Reply


async def test_console_renders_replies_and_presses_buttons_by_number(bot: StudyBot, content: Content) -> None:
    out = io.StringIO()
    console = ConsoleAdapter(bot, user="ada", out=out)
    await console.handle("/roadmap next")
    shown = out.getvalue()
    assert f"Topic 1: {content.topics[0].title}" in shown
    assert "[1] Mark done" in shown
    await console.handle("1")  # presses "Mark done"
    assert f"Done: {content.topics[0].title}" in out.getvalue()


async def test_console_posts_to_channels(bot: StudyBot) -> None:
    out = io.StringIO()
    console = ConsoleAdapter(bot, user="ada", out=out)
    result = await console.post("local", "news", Reply(text="Meetup on Friday"))
    assert result.ok and result.message_id
    assert "posted to #news" in out.getvalue() and "Meetup on Friday" in out.getvalue()
    await console.edit("local", "news", result.message_id, Reply(text="Meetup moved to Saturday"))
    assert "Meetup moved to Saturday" in out.getvalue()
    assert Post("news", Reply(text="x")).ping_everyone is False


def _run(args: list[str], stdin: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", **env}
    full_env.pop("LOG_LEVEL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        cwd=tmp_path,
    )


def test_piped_console_session_from_the_readme(tmp_path: Path, content: Content) -> None:
    result = _run(["console", "--user", "ada"], "/roadmap next\n/roadmap done\n/roadmap progress\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Topic 1: {content.topics[0].title}" in result.stdout
    assert f"Done: {content.topics[0].title}" in result.stdout
    assert f"1 of {len(content.topics)} topics" in result.stdout
    assert result.stderr == ""  # logs stay out of a quiet console session
    # State persists between runs of the console.
    again = _run(["console", "--user", "ada"], "/roadmap progress\n", tmp_path)
    assert f"1 of {len(content.topics)} topics" in again.stdout


def test_bad_setting_stops_with_one_line_and_no_secret(tmp_path: Path) -> None:
    result = _run(["console"], "", tmp_path, DATABASE_URL="mysql://root:hunter22secret@db/x")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "studybot: Invalid setting DATABASE_URL: must use sqlite+aiosqlite:// or postgresql+asyncpg://"
    )
    assert "hunter22secret" not in result.stdout + result.stderr


def test_unreachable_database_is_reported_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://bot:hunter22secret@127.0.0.1:1/studybot"
    result = _run(["console"], "", tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    assert "cannot open the database" in result.stderr
    assert "hunter22secret" not in result.stdout + result.stderr


def test_invalid_content_refuses_to_start_with_the_check_message(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    broken.mkdir()
    (broken / "roadmap.yaml").write_text("sections: []\n")
    check = _run(["content", "check"], "", tmp_path, CONTENT_DIR=str(broken))
    start = _run(["console"], "", tmp_path, CONTENT_DIR=str(broken))
    assert check.returncode == 1 and start.returncode == 1
    assert "roadmap.yaml: needs a non-empty list under 'sections'" in check.stderr
    assert "roadmap.yaml: needs a non-empty list under 'sections'" in start.stderr
    ok = _run(["content", "check"], "", tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("content OK")


def test_db_upgrade_is_repeatable(tmp_path: Path) -> None:
    first = _run(["db", "upgrade"], "", tmp_path)
    second = _run(["db", "upgrade"], "", tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "database is up to date" in second.stdout

"""`studybot` as an operator runs it: real subprocesses configured by environment variables, their logs read."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.storage.engine import create_engine

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def clean_env(**settings: str) -> dict[str, str]:
    """A fresh deployment's environment: none of the test process's bot settings, only `settings`."""
    prefixes = ("DISCORD_", "SLACK_", "DATABASE_", "LOG_", "METRICS_", "SCHEDULE", "PORT", "STUDYBOT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    return env | settings


async def eventually(check: Callable[[], Awaitable[T] | T], what: str, seconds: float) -> T:
    """Poll `check` (plain or async) until it gives something truthy, at most `seconds`; fail naming `what`."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


class StudybotProcess:
    """One `python -m bot …` subprocess; its stderr (the logs) is read line by line as it comes."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], cwd: Path, *, stdout: bool = False) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.cwd = cwd
        self.stdout = stdout
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> StudybotProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *self.args,
            cwd=self.cwd,
            env=self.env,
            stdout=asyncio.subprocess.PIPE if self.stdout else asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C of the test run does not reach it; the test stops it
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def records(self) -> list[dict[str, Any]]:
        """The JSON log records written so far (LOG_FORMAT=json: one object a line)."""
        found = []
        for line in self.lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    found.append(record)
        return found

    def logs(self) -> str:
        return f"--- {self.name} ---\n" + "\n".join(self.lines[-60:])

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no lock released by the process itself."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 10)


async def get_json(url: str) -> tuple[int, Any] | None:
    """GET `url` and its JSON body, or None while nothing answers there."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
            http.get(url) as response,
        ):
            return response.status, await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return None


async def get_text(url: str) -> str:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http, http.get(url) as response:
        assert response.status == 200, response.status
        return await response.text()


@asynccontextmanager
async def temporary_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A new, empty database on the PostgreSQL server of `server_url`, dropped afterwards; yields its URL.

    Separate processes cannot be pointed at a schema through the URL (asyncpg takes `server_settings` only as
    a Python argument), so each test that starts `studybot` processes gets a database of its own.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()

"""`studybot console` from a cold process to its first reply, and a check that it loads no platform SDK."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
FIRST_LINE = "/roadmap next\n"
PLATFORM_SDKS = ("discord", "slack_bolt", "slack_sdk")


def _environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOG_LEVEL")}
    env["PYTHONPATH"] = str(ROOT)
    env["DATABASE_URL"] = sqlite_url(folder / "studybot.db")
    return env


def _console(folder: Path, *extra: str) -> subprocess.Popen[str]:
    # Run from an empty folder: no `.env` of the checkout is read, files the console writes stay there.
    return subprocess.Popen(
        [sys.executable, *extra, "-m", "bot", "console"],
        cwd=folder,
        env=_environment(folder),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def first_reply_seconds(folder: Path) -> float:
    """Seconds from starting the process to the first line of its reply on stdout."""
    started = time.perf_counter()
    process = _console(folder)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(FIRST_LINE)
    process.stdin.close()  # end of input: the console quits after answering
    line = process.stdout.readline()
    process.stdout.read()
    elapsed = time.perf_counter() - started
    process.wait(timeout=60)
    errors = process.stderr.read() if process.stderr else ""
    if not line.strip() or process.returncode != 0:
        raise RuntimeError(f"the console gave no reply (exit {process.returncode}): {errors[-500:]}")
    return elapsed


def platform_imports(folder: Path) -> list[str]:
    """Platform SDK modules the console imported, from `python -X importtime` (should be none)."""
    process = _console(folder, "-X", "importtime")
    _, errors = process.communicate(FIRST_LINE, timeout=60)
    found = set()
    for line in errors.splitlines():
        if not line.startswith("import time:"):
            continue
        module = line.rsplit("|", 1)[-1].strip()
        if module.split(".")[0] in PLATFORM_SDKS:
            found.add(module.split(".")[0])
    return sorted(found)


def measure(runs: int) -> dict[str, float | list[str]]:
    with tempfile.TemporaryDirectory(prefix="studybot-cold-") as name:
        folder = Path(name)
        # The first start creates and migrates the database: that is set-up, not the start a user waits for.
        first_run = first_reply_seconds(folder)
        times = [first_reply_seconds(folder) for _ in range(runs)]
        return {"cold_start_s": median(times), "first_ever_s": first_run, "sdk_imports": platform_imports(folder)}

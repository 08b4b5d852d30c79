"""The Procfile runs on any Procfile host: every process line is a `studybot` command the CLI knows."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
# Procfile grammar as Heroku, Dokku, foreman and honcho read it: `name: command`, one per line.
LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>.+)$")


def procfile() -> dict[str, list[str]]:
    processes: dict[str, list[str]] = {}
    for number, line in enumerate((ROOT / "Procfile").read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LINE.match(line)
        assert match, f"Procfile line {number} is not `name: command`: {line!r}"
        assert match["name"] not in processes, f"process {match['name']} is defined twice"
        processes[match["name"]] = shlex.split(match["command"])
    return processes


def test_the_procfile_has_the_release_phase_and_both_platforms() -> None:
    processes = procfile()
    assert processes["release"] == ["studybot", "db", "upgrade"]
    assert processes["web"] == ["studybot", "slack"]  # the process type that gets $PORT and HTTP traffic
    assert processes["discord"] == ["studybot", "discord"]


def test_studybot_is_the_installed_command_of_the_cli() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["studybot"] == "bot.cli:main"
    # Heroku's and Dokku's Python build installs requirements.txt: the project itself, so `studybot` exists.
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line and not line.startswith("#")] == ["-c requirements.lock", "."]


@pytest.mark.parametrize("name", sorted(procfile()))
def test_every_process_line_is_a_command_of_the_cli(name: str) -> None:
    program, *args = procfile()[name]
    assert program == "studybot"
    # Options come from the environment (PORT, DATABASE_URL, ...), never from the Procfile line.
    parsed = build_parser().parse_args(args)
    assert parsed.command == args[0]
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--help"], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: studybot {' '.join(args)}")

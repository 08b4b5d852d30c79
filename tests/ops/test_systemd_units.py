"""The example systemd units run real `studybot` commands as a dedicated user, from one environment file."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser

UNITS = Path(__file__).resolve().parents[2] / "docs" / "systemd"
LONG_RUNNING = ("studybot-slack.service", "studybot-discord@.service", "studybot-scheduler.service")


def unit(name: str) -> configparser.ConfigParser:
    # systemd allows repeated keys (several Environment= lines); keep them all.
    parser = configparser.ConfigParser(strict=False, interpolation=None, dict_type=MultiDict)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text())
    return parser


class MultiDict(dict):  # type: ignore[type-arg]
    def __setitem__(self, key: str, value: object) -> None:
        if isinstance(value, list) and key in self:
            self[key].extend(value)
        else:
            super().__setitem__(key, value)


def environment(service: configparser.SectionProxy) -> dict[str, str]:
    lines = service.get("Environment", fallback="").splitlines()
    return dict(line.split("=", 1) for line in lines if line)


@pytest.mark.parametrize("name", sorted(p.name for p in UNITS.glob("*.service")))
def test_every_unit_runs_a_studybot_command_as_the_studybot_user(name: str) -> None:
    service = unit(name)["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert program == "/opt/studybot/venv/bin/studybot"
    assert build_parser().parse_args(args).command == args[0]  # a command this version has
    assert (service["User"], service["Group"]) == ("studybot", "studybot")
    assert service["EnvironmentFile"] == "/etc/studybot/studybot.env"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    if name in LONG_RUNNING:
        assert service["Restart"] == "on-failure"
        assert service["RestartPreventExitStatus"] == "2"  # a settings error: restarting cannot fix it
        assert "studybot-migrate.service" in unit(name)["Unit"]["After"]
    else:
        assert args == ["db", "upgrade"] and service["Type"] == "oneshot"


def test_each_discord_instance_is_one_shard_with_its_own_status_port() -> None:
    env = environment(unit("studybot-discord@.service")["Service"])
    assert env == {"DISCORD_SHARD_IDS": "%i", "METRICS_PORT": "910%i"}


def test_the_environment_file_leaves_per_process_settings_to_the_units() -> None:
    example = (UNITS / "studybot.env.example").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in example if line and not line.startswith("#")}
    assert {"DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN", "DISCORD_SHARD_COUNT"} <= names
    # EnvironmentFile= overrides Environment=: these must not be in the shared file.
    assert not names & {"DISCORD_SHARD_IDS", "METRICS_PORT", "SCHEDULER_ENABLED"}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    studybot = Path(sys.executable).parent / "studybot"  # the command this environment installed
    assert studybot.exists()
    for source in UNITS.glob("*.service"):
        text = source.read_text().replace("/opt/studybot/venv/bin/studybot", str(studybot))
        name = source.name.replace("@.service", "@0.service")  # an instance of the template, as enabled
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")

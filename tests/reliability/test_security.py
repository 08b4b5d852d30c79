"""Moderator-only commands refused for members on every path; communities isolated from each other; secrets
never in logs or replies."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url

from bot import logs
from bot.app import StudyBot
from bot.commands import build_registry
from bot.content import Content
from bot.context import Caller, Context
from bot.points import award
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Reply, Tone, success
from bot.settings import Settings, load_settings
from bot.storage.engine import create_engine
from bot.storage.models import Community, Member
from tests.databases import postgres_url
from tests.reliability.inputs import as_line, valid_args
from tests.reliability.invariants import check_reply, visible_parts
from tests.reliability.snapshot import owned_by, snapshot

# ---- moderator-only commands ---------------------------------------------------------------------------


async def _grant_everything(ctx: Context, args: dict[str, Any]) -> Reply:
    """A moderator command that changes a lot: what a member must never reach."""
    ctx.community.name = "taken over"
    await award(ctx.session, ctx.member, "takeover", args["note"], 1000, ctx.now)
    return success("done")


def _with_test_moderator_command() -> Registry:
    registry = build_registry()
    registry.add(
        Command(
            ("takeover", "grant"),
            "A moderator command of the test registry",
            _grant_everything,
            (Argument("who", ArgKind.MEMBER, "who"), Argument("note", ArgKind.TEXT, "note", rest=True)),
            moderator_only=True,
        )
    )
    return registry


def _moderator_cases() -> Iterator[Any]:
    """Every moderator-only command of the real registry, and one of a test registry so the test bites today."""
    for command in build_registry():
        if command.moderator_only:
            yield pytest.param(build_registry, command.path, id=command.name)
    yield pytest.param(_with_test_moderator_command, ("takeover", "grant"), id="test-registry takeover grant")


MEMBER = Caller(platform="test", community_id="c1", community_name="C1", user_id="mallory", display_name="Mallory")
MODERATOR = replace(MEMBER, user_id="mo", display_name="Mo", is_admin=True)


async def _every_path(bot: StudyBot, caller: Caller, command: Command, args: dict[str, str]) -> list[Reply]:
    """Each way a platform reaches the core: typed line, button (line without slash), slash options, modal;
    the last one without arguments."""
    line = as_line(command, args)
    return [
        await bot.run_line(caller, line),
        await bot.run_line(caller, line.removeprefix("/")),
        await bot.run(caller, command.path, args),
        await bot.run(caller, command.name, args),
        await bot.run(caller, command.path, {}),
    ]


@pytest.mark.parametrize(("make_registry", "path"), list(_moderator_cases()))
async def test_moderator_only_commands_are_refused_for_members_on_every_path(
    bot: StudyBot, content: Content, make_registry: Any, path: tuple[str, ...]
) -> None:
    guarded = StudyBot(bot.settings, content, bot.engine, clock=bot.clock, registry=make_registry())
    command = guarded.registry.get(path)
    assert command is not None and command.moderator_only
    args = valid_args(command, tuple(t.id for t in content.topics))
    await guarded.run_line(MODERATOR, "/roadmap next")
    await guarded.run_line(MEMBER, "/roadmap next")
    # A member holding some other role, and a member whose name claims a role.
    async with guarded.sessions() as session, session.begin():
        await session.execute(update(Community).values(moderator_role_id="R-mod"))
    callers = [MEMBER, replace(MEMBER, roles=("R-other",)), replace(MEMBER, display_name="moderator @Mo")]
    before = await snapshot(bot.engine)
    for caller in callers:
        replies = await _every_path(guarded, caller, command, args)
        for reply in replies:
            check_reply(reply)
            assert reply.tone is Tone.ERROR, reply
        # With every argument given, the refusal is about the role, not the arguments.
        assert all("for moderators" in reply.text for reply in replies[:4])
        dm = await guarded.run(replace(caller, community_id=""), command.path, args)
        assert dm.tone in (Tone.ERROR, Tone.WARNING)
    assert await snapshot(bot.engine) == before  # not even the member's last-seen time changed
    help_ = await guarded.run_line(MEMBER, "/help")
    assert command.name not in " ".join(visible_parts(help_))


async def test_the_three_ways_to_be_a_moderator_are_accepted(bot: StudyBot, content: Content) -> None:
    guarded = StudyBot(bot.settings, content, bot.engine, clock=bot.clock, registry=_with_test_moderator_command())
    line = "/takeover grant <@U1> note-{}"
    assert (await guarded.run_line(MODERATOR, line.format(1))).tone is Tone.SUCCESS  # platform admin
    await guarded.run_line(MEMBER, "/roadmap next")
    async with guarded.sessions() as session, session.begin():
        await session.execute(update(Community).values(moderator_role_id="R-mod"))
    assert (await guarded.run_line(replace(MEMBER, roles=("R-mod",)), line.format(2))).tone is Tone.SUCCESS
    async with guarded.sessions() as session, session.begin():
        await session.execute(update(Member).where(Member.external_id == "mallory").values(is_moderator=True))
    assert (await guarded.run_line(MEMBER, line.format(3))).tone is Tone.SUCCESS


# ---- isolation between communities ---------------------------------------------------------------------

A = Caller(platform="discord", community_id="100", community_name="Secret-A", user_id="alice", display_name="Alice-A")


def _other_communities() -> list[Caller]:
    """The same user in: the same id on another platform, and another community of the same platform."""
    return [
        replace(A, platform="slack", community_name="B", display_name="Alice-B"),
        replace(A, community_id="200", community_name="C", display_name="Alice-C"),
    ]


async def _run_everything(bot: StudyBot, caller: Caller, content: Content, ids: list[int]) -> list[Reply]:
    """Every command, as member and as moderator, with accepted arguments, A's user ids and A's row ids."""
    topic_ids = tuple(t.id for t in content.topics)
    replies = []
    for who in (caller, replace(caller, is_admin=True), replace(caller, user_id="amy", display_name="Amy-X")):
        for command in bot.registry:
            variants = [valid_args(command, topic_ids)]
            for arg in command.arguments:
                if arg.kind is ArgKind.MEMBER:
                    variants += [valid_args(command, topic_ids, **{arg.name: v}) for v in ("<@alice>", "<@amy>")]
                if arg.kind is ArgKind.INTEGER:
                    variants += [valid_args(command, topic_ids, **{arg.name: str(i)}) for i in ids]
            for args in variants:
                replies.append(await bot.run(who, command.path, args))
                replies.append(await bot.run_line(who, as_line(command, args)))
    return replies


async def test_nothing_of_one_community_is_readable_or_changeable_from_another(bot: StudyBot, content: Content) -> None:
    first = content.topics[0].id
    for line in ("/roadmap next", "/roadmap done", "/roadmap start " + content.topics[1].id, "/roadmap track java"):
        await bot.run_line(A, line)
    await bot.run_line(replace(A, user_id="amy", display_name="Amy-A"), f"/roadmap done {first}")
    before = await snapshot(bot.engine)
    community_a = next(r["id"] for r in before["communities"] if r["external_id"] == "100")
    ids = sorted({r["id"] for rows in before.values() for r in rows if isinstance(r.get("id"), int)})
    for other in _other_communities():
        replies = await _run_everything(bot, other, content, ids)
        for reply in replies:
            for part in visible_parts(reply):
                assert "Secret-A" not in part and "Alice-A" not in part and "Amy-A" not in part, part
        progress = await bot.run_line(other, "/roadmap progress")
        assert progress.progress is not None and progress.progress.done <= 1  # only what they did themselves
    after = await snapshot(bot.engine)
    assert owned_by(after, community_a) == owned_by(before, community_a)
    assert len(owned_by(before, community_a)["members"]) == 2


# ---- secrets ---------------------------------------------------------------------------------------------

PASSWORD = "hunter2-s3cret/pw"  # has a character URLs escape
SECRETS = {
    "DISCORD_TOKEN": "discord-token-very-secret-123",
    "SLACK_BOT_TOKEN": "xoxb-slack-very-secret-456",
    "SLACK_SIGNING_SECRET": "signing-very-secret-789",
    "SLACK_APP_TOKEN": "xapp-very-secret-000",
}


def _settings_with_secrets(monkeypatch: pytest.MonkeyPatch, url: str) -> Settings:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", url)
    return load_settings(_env_file=None)


def _leaks(text: str) -> list[str]:
    forms = [*SECRETS.values(), PASSWORD, PASSWORD.replace("/", "%2F")]
    return [secret for secret in forms if secret in text]


@pytest.fixture
def log_capture() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()
    yield buffer
    root.handlers[:], level = saved
    root.setLevel(level)


def _capture_logs(buffer: io.StringIO, settings: Settings, fmt: str) -> None:
    logs.setup("DEBUG", fmt, logs.secrets_of(settings))
    logging.getLogger().handlers[0].setStream(buffer)  # type: ignore[attr-defined]


async def _explode(ctx: Context, args: dict[str, Any]) -> Reply:
    url = ctx.bot.settings.database_url.get_secret_value()
    try:
        raise ConnectionRefusedError(f"could not reach {url}")
    except ConnectionRefusedError as inner:
        raise RuntimeError(f"token {SECRETS['SLACK_BOT_TOKEN']} rejected") from inner


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_a_failing_request_logs_no_secret_and_answers_without_one(
    bot: StudyBot, content: Content, monkeypatch: pytest.MonkeyPatch, log_capture: io.StringIO, fmt: str
) -> None:
    url = f"postgresql+asyncpg://bot:{PASSWORD.replace('/', '%2F')}@db.internal/studybot"
    settings = _settings_with_secrets(monkeypatch, url)
    _capture_logs(log_capture, settings, fmt)
    registry = build_registry()
    registry.add(Command(("explode",), "Fails with secrets in its exception chain", _explode))
    failing = StudyBot(settings, content, bot.engine, clock=bot.clock, registry=registry)
    reply = await failing.run_line(replace(MEMBER, channel_id=SECRETS["DISCORD_TOKEN"]), "/explode")
    assert reply.tone is Tone.ERROR and not _leaks(" ".join(visible_parts(reply)))
    logging.getLogger("bot.test").warning(
        "extra fields too", extra={"channel": SECRETS["SLACK_APP_TOKEN"]}, stack_info=True
    )
    written = log_capture.getvalue()
    assert "RuntimeError" in written and "ConnectionRefusedError" in written  # the traceback is there…
    assert _leaks(written) == []  # …without any secret
    if fmt == "json":
        assert all(json.loads(line) for line in written.splitlines() if line.startswith("{"))


async def test_an_unreachable_database_answers_try_again_and_logs_no_password(
    content: Content, monkeypatch: pytest.MonkeyPatch, log_capture: io.StringIO
) -> None:
    url = f"postgresql+asyncpg://bot:{PASSWORD.replace('/', '%2F')}@127.0.0.1:1/studybot"
    settings = _settings_with_secrets(monkeypatch, url)
    _capture_logs(log_capture, settings, "text")
    engine = create_engine(settings.database_url.get_secret_value())
    down = StudyBot(settings, content, engine)
    try:
        reply = await down.run_line(MEMBER, "/roadmap next")
    finally:
        await down.close()
    assert reply.tone is Tone.ERROR and "please try again" in reply.text
    assert _leaks(reply.text + log_capture.getvalue()) == []


def _start(args: list[str], url: str, tmp_path: Path, log_format: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **SECRETS, "DATABASE_URL": url, "LOG_LEVEL": "DEBUG", "LOG_FORMAT": log_format}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="/roadmap next\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )


def _failing_urls() -> list[Any]:
    encoded = PASSWORD.replace("/", "%2F")
    urls = [
        pytest.param(f"mysql://root:{encoded}@db/x", 2, id="unsupported-url"),
        pytest.param(f"postgresql+asyncpg://bot:{encoded}@127.0.0.1:1/studybot", 1, id="unreachable"),
    ]
    server = postgres_url()
    if server:
        base = make_url(server)
        urls += [
            pytest.param(base.set(username="no_such_role", password=PASSWORD).render_as_string(False), 1, id="role"),
            pytest.param(base.set(password=PASSWORD, database="no_such_db").render_as_string(False), 1, id="db"),
        ]
    return urls


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize(("url", "code"), _failing_urls())
@pytest.mark.parametrize(
    "args",
    [["console"], ["db", "upgrade"], ["db", "export", "dump.json"]],
    ids=["console", "db-upgrade", "db-export"],
)
def test_a_failing_start_says_why_in_one_line_without_secrets(
    args: list[str], url: str, code: int, log_format: str, tmp_path: Path
) -> None:
    result = _start(args, url, tmp_path, log_format)
    assert result.returncode == code, result.stderr
    assert _leaks(result.stdout + result.stderr) == []
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("studybot: ")

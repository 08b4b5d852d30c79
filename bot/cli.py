"""The `studybot` command: run a platform, manage the database, check the content."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, load_settings, require

if TYPE_CHECKING:
    from bot.app import StudyBot
    from bot.outbound import ChannelPoster

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studybot", description="A study-group bot for learning backend development.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    console = sub.add_parser("console", help="chat with the bot in this terminal (no tokens needed)")
    console.add_argument("--user", default="me", help="your name in the console community (default: me)")
    console.add_argument("--community", default="local", help="the community to act in (default: local)")
    console.add_argument("--channel", default="general", help="the channel you type in (default: general)")
    console.add_argument("--moderator", action="store_true", help="act as a moderator of the community")

    sub.add_parser("discord", help="run the Discord bot (needs DISCORD_TOKEN)")
    slack = sub.add_parser("slack", help="run the Slack app (needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)")
    slack.add_argument("--manifest", action="store_true", help="print the Slack app manifest for these commands")
    slack.add_argument("--url", default=None, help="with --manifest: your public https address for request URLs")

    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="TASK")
    db_sub.add_parser("upgrade", help="apply every migration (safe to repeat)")
    export = db_sub.add_parser("export", help="write every table to a versioned JSON file (a backup, or a move)")
    export.add_argument("file", type=Path, help="where to write the dump (readable by you only)")
    load = db_sub.add_parser("import", help="load a dump from `db export` into an empty database")
    load.add_argument("file", type=Path, help="a dump written by `studybot db export`")

    schedule = sub.add_parser("schedule", help="scheduled posts")
    schedule_sub = schedule.add_subparsers(dest="schedule_command", required=True, metavar="TASK")
    run = schedule_sub.add_parser(
        "run", help="post everything due up to a time that has not run yet, once, then exit (catch-up, cron)"
    )
    run.add_argument(
        "--at", required=True, type=_instant, help="ISO-8601 time, e.g. 2026-12-01T09:00+01:00 (UTC if no zone)"
    )
    run.add_argument("--dry-run", action="store_true", help="print what would be posted; claim and change nothing")

    sub.add_parser("scheduler", help="run the scheduler alone, as a separate process (see docs/scheduler.md)")

    status = sub.add_parser(
        "status", help="database, scheduler leaders and every community's next posts (reads only, changes nothing)"
    )
    status.add_argument(
        "--probe",
        action="append",
        default=[],
        metavar="URL",
        help="also ask a running process for its /healthz (the Slack web address, or http://host:METRICS_PORT)",
    )
    status.add_argument("--json", action="store_true", help="print the report as JSON")

    content = sub.add_parser("content", help="content tasks")
    content_sub = content.add_subparsers(dest="content_command", required=True, metavar="TASK")
    content_sub.add_parser("check", help="validate everything in CONTENT_DIR")
    return parser


def _instant(text: str) -> datetime:
    """An ISO-8601 instant; one without a zone is taken as UTC."""
    try:
        parsed = datetime.now(UTC) if text.strip().lower() == "now" else datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {text!r} (e.g. 2026-12-01T09:00+01:00)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        overrides = {}
        if args.command in ("console", "schedule") and "LOG_LEVEL" not in os.environ:
            # The console is a conversation on stdout: only warnings and errors go to stderr.
            overrides["log_level"] = "WARNING"
        settings = load_settings(**overrides)
    except SettingsError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    from bot import logs

    logs.setup(settings.log_level, settings.log_format, logs.secrets_of(settings))
    try:
        return asyncio.run(_dispatch(args, settings))
    except SettingsError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        # Through logging, so the traceback passes the secret mask (Python's own hook would print it raw).
        log.exception("studybot stopped by an unexpected error")
        return 1


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content import ContentError, load_content

    if args.command == "content":
        try:
            content = load_content(settings.content_dir)
        except ContentError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"content check failed: {len(exc.problems)} problem(s)", file=sys.stderr)
            return 1
        print(
            f"content OK: {len(content.topics)} topics in {len(content.sections)} sections, "
            f"{len(content.challenges)} challenges, {len(content.meetups)} meetup prompts, {len(content.trends)} trends"
        )
        return 0
    if args.command == "db":
        return await _db(args, settings)
    if args.command == "status":
        return await _status(args, settings)
    if args.command == "slack" and args.manifest:
        from adapters.slack_manifest import PLACEHOLDER_URL, manifest_yaml
        from bot.commands import build_registry

        print(manifest_yaml(build_registry(), args.url or PLACEHOLDER_URL), end="")
        return 0
    if args.command == "slack":
        # Imported only here: the console and Discord never load slack-bolt.
        from adapters.slack import required_settings

        require(settings, *required_settings(settings))
    return await _platform(args, settings)


def database_reason(exc: BaseException, settings: Settings) -> str:
    """Why the database could not be used, in one line, with every secret masked."""
    from bot.logs import SecretMask, secrets_of

    cause = getattr(exc, "orig", None) or exc
    for _ in range(5):  # the driver's own error, under the wrappers
        cause = cause.__cause__ or cause
    first_line = (str(cause).strip().splitlines() or [""])[0][:200]
    reason = f"{type(cause).__name__}: {first_line}" if first_line else type(cause).__name__
    return SecretMask(secrets_of(settings)).mask(reason)


async def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.dump import DumpError, export_database, import_database, read_dump, write_dump
    from bot.storage.engine import create_engine, safe_url
    from bot.storage.migrate import upgrade

    url = settings.database_url.get_secret_value()
    shown = safe_url(url)
    engine = create_engine(url)
    try:
        if args.db_command == "export":
            dump = await export_database(engine)
            write_dump(dump, args.file)
            rows = sum(len(t["rows"]) for t in dump["tables"])
            print(f"exported {rows} rows of {len(dump['tables'])} tables (revision {dump['revision']}) to {args.file}")
        elif args.db_command == "import":
            summary = await import_database(engine, read_dump(args.file))
            print(f"imported {summary.rows} rows of {summary.tables} tables (revision {summary.revision}) into {shown}")
        else:
            await upgrade(engine)
            print(f"database is up to date: {shown}")
    except DumpError as exc:
        print(f"studybot: {args.db_command} failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"studybot: cannot {args.db_command} {shown}: {database_reason(exc, settings)}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    return 0


async def _status(args: argparse.Namespace, settings: Settings) -> int:
    from bot import status
    from bot.storage.engine import create_engine

    engine = create_engine(settings.database_url.get_secret_value(), pool_size=1, max_overflow=0)
    try:
        now = datetime.now(UTC)
        report = await status.gather(engine, now)
    finally:
        await engine.dispose()
    report.processes = [await status.probe(url) for url in args.probe]
    print(report.to_json() if args.json else status.render(report, now))
    return 0 if report.ok else 1


async def _platform(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import StudyBot
    from bot.content import ContentError
    from bot.settings import require
    from bot.storage.engine import safe_url

    if args.command == "discord":
        # Before the database is touched: a missing token is one clear line, not a traceback.
        require(settings, "discord_token")
    try:
        bot = await StudyBot.create(settings)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("studybot: refusing to start with invalid content (see `studybot content check`)", file=sys.stderr)
        return 1
    except (OSError, ConnectionError, SQLAlchemyError) as exc:
        url = safe_url(settings.database_url.get_secret_value())
        print(f"studybot: cannot open the database {url}: {database_reason(exc, settings)}", file=sys.stderr)
        return 1
    scheduler = None
    if args.command in ("discord", "slack") and settings.scheduler_enabled:
        from bot.scheduler import attach

        # Starts when the adapter attaches its poster (bot.on_poster).
        scheduler = attach(bot)
    try:
        if args.command == "schedule":
            return await _schedule_run(bot, args)
        if args.command == "scheduler":
            return await _scheduler_alone(bot, settings)
        if args.command == "console":
            from adapters.console import ConsoleAdapter

            adapter = ConsoleAdapter(
                bot, user=args.user, community=args.community, moderator=args.moderator, channel=args.channel
            )
            await adapter.run()
            return 0
        if args.command == "slack":
            from adapters import slack

            await slack.run(bot, settings)
            return 0
        if args.command == "discord":
            # Imported here: only `studybot discord` loads discord.py.
            from adapters import discord as discord_adapter

            await discord_adapter.run(bot, settings)
            return 0
        print(f"studybot: the {args.command} adapter is not available in this build", file=sys.stderr)
        return 2
    finally:
        if scheduler is not None:
            await scheduler.stop()
        await bot.close()


async def _standalone_posters(settings: Settings) -> list[ChannelPoster]:
    """Posters that need no gateway: Slack's Web API client with the bot token, and Discord's when its adapter
    offers one (`async def standalone_poster(settings)` in adapters/discord.py)."""
    import importlib

    posters: list[ChannelPoster] = []
    if settings.slack_bot_token is not None and settings.slack_bot_token.get_secret_value():
        from adapters.slack import web_client
        from adapters.slack_poster import SlackPoster

        posters.append(SlackPoster(web_client(settings)))
    if settings.discord_token is not None and settings.discord_token.get_secret_value():
        try:
            module = importlib.import_module("adapters.discord")
        except ImportError:
            module = None
        factory = getattr(module, "standalone_poster", None)
        if factory is not None:
            posters.append(await factory(settings))
        else:
            log.warning("the discord adapter posts only inside `studybot discord`; its communities are left to it")
    return posters


async def _schedule_run(bot: StudyBot, args: argparse.Namespace) -> int:
    from adapters.console import ConsoleAdapter, ConsolePreview
    from bot.scheduler.service import SchedulerService

    console = ConsoleAdapter(bot, user="scheduler")
    if args.dry_run:
        for platform in ("console", "discord", "slack"):
            bot.posters[platform] = ConsolePreview(platform, console)
    else:
        bot.posters[console.platform] = console
        for poster in await _standalone_posters(bot.settings):
            bot.posters[poster.platform] = poster
    service = SchedulerService(bot)
    report = await service.run_due(args.at, dry_run=args.dry_run)
    when = args.at.isoformat(timespec="minutes")
    if args.dry_run:
        print(
            f"dry run up to {when}: {report.previews} post(s) shown, {report.skipped} missed occurrence(s) would be "
            "skipped; nothing was claimed or changed"
        )
    else:
        print(
            f"scheduled run up to {when}: {report.sent} posted, {report.failed} failed, {report.skipped} skipped "
            f"(missed by more than {bot.settings.schedule_grace_minutes} min), {report.taken} already done, "
            f"{report.empty} with nothing to post; platforms: {', '.join(sorted(bot.posters))}"
        )
    return 1 if report.failed else 0


async def _scheduler_alone(bot: StudyBot, settings: Settings) -> int:
    """The scheduler as its own process: it leads the platforms it can post to (console, and any adapter that
    offers a standalone poster); communities of other platforms are left to `studybot discord|slack`."""
    import asyncio

    from adapters.console import ConsoleAdapter
    from bot.scheduler import attach

    service = attach(bot)
    status = None
    try:
        if settings.metrics_port:
            from bot.status_http import serve_status

            # The leader's scheduled-post counters live in this process: serve them as the platforms' processes do.
            status = await serve_status(bot, settings.metrics_port)
        await bot.attach_poster(ConsoleAdapter(bot, user="scheduler"))
        for poster in await _standalone_posters(settings):
            await bot.attach_poster(poster)
        print(f"scheduler running for {', '.join(sorted(bot.posters))}; Ctrl-C to stop", file=sys.stderr)
        await asyncio.Event().wait()
    finally:
        await service.stop()
        if status is not None:
            await status.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What `studybot status` reports: the database, who leads the scheduler, and what every community posts next."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduler.leader import LOCK_PREFIX
from bot.scheduler.occurrences import local_text
from bot.storage.challenge_models import Announcement
from bot.storage.engine import safe_url, session_factory
from bot.storage.migrate import current_revision, head_revision
from bot.storage.models import Community
from bot.storage.schedule_models import MeetupRound, Schedule

# The scheduler's advisory lock of one platform, keyed as bot.scheduler.leader takes it, and who holds it.
# pg_locks shows a one-number (bigint) advisory key split in two 32-bit halves: classid (high) and objid (low).
LEADER_SQL = text(
    """
    WITH wanted AS (SELECT hashtext(:prefix || ':' || current_schema() || ':' || :platform)::bigint AS k)
    SELECT l.pid, host(a.client_addr) AS client, a.client_port, a.backend_start
    FROM wanted
    JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::bigint = ((wanted.k >> 32) & 4294967295)
        AND l.objid::bigint = (wanted.k & 4294967295)
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    """
)


@dataclass(frozen=True)
class Leader:
    """The process leading one platform's scheduling, seen from the database (PostgreSQL only)."""

    platform: str
    pid: int | None  # the server process holding the lock; None when no process leads
    client: str | None = None  # address:port of the bot process's connection
    since: datetime | None = None


@dataclass(frozen=True)
class Upcoming:
    """The next post of one community's schedule, announcement or meetup check."""

    platform: str
    community: str  # the platform's id of the community
    community_name: str
    kind: str
    channel_id: str
    at: datetime  # UTC
    timezone: str  # the zone the community reads it in
    overdue: bool  # due already and not handled yet (no process is scheduling, or it is catching up)


@dataclass(frozen=True)
class Probe:
    """What one running process answered on its `/healthz` (`studybot status --probe URL`)."""

    url: str
    ok: bool
    health: dict[str, Any] | None = None  # the /healthz body
    error: str | None = None


@dataclass
class StatusReport:
    database: str  # "ok" or "unreachable: <reason>"
    url: str  # the database URL with the password masked
    schema: str | None = None  # the migration the database is at
    schema_head: str | None = None  # the newest migration of this version
    scheduler: str = "unknown"  # "single process" (SQLite) or "leader election" (PostgreSQL)
    leaders: list[Leader] = field(default_factory=list)
    upcoming: list[Upcoming] = field(default_factory=list)
    processes: list[Probe] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.schema == self.schema_head and all(p.ok for p in self.processes)

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["ok"] = self.ok
        return json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v), indent=2)


async def gather(engine: AsyncEngine, now: datetime) -> StatusReport:
    """Read everything `studybot status` prints; a database that cannot be reached is reported, not raised."""
    report = StatusReport(database="ok", url=safe_url(engine.url), schema_head=head_revision())
    try:
        report.schema = await current_revision(engine)
    except Exception as exc:
        report.database = f"unreachable: {_root_cause(exc)}"
        return report
    if report.schema != report.schema_head:
        return report  # the tables below may not exist yet
    sessions = session_factory(engine)
    async with sessions() as session:
        platforms = sorted(set(await session.scalars(select(Community.platform).distinct())))
        report.upcoming = await _upcoming(session, now)
    if engine.dialect.name == "postgresql":
        report.scheduler = "leader election"
        async with engine.connect() as conn:
            for platform in platforms:
                row = (await conn.execute(LEADER_SQL, {"prefix": LOCK_PREFIX, "platform": platform})).first()
                if row is None:
                    report.leaders.append(Leader(platform, None))
                else:
                    client = f"{row.client}:{row.client_port}" if row.client else None
                    report.leaders.append(Leader(platform, row.pid, client, row.backend_start))
    else:
        report.scheduler = "single process"
    return report


def _root_cause(exc: BaseException) -> str:
    """The driver's own error under SQLAlchemy's wrappers, by name only (messages may carry connection details)."""
    cause: BaseException = getattr(exc, "orig", None) or exc
    for _ in range(5):
        if cause.__cause__ is None:
            break
        cause = cause.__cause__
    return type(cause).__name__


async def probe(url: str, seconds: float = 5.0) -> Probe:
    """Ask a running studybot process (the Slack web process, or the Discord process's METRICS_PORT) for /healthz."""
    import aiohttp

    target = url.rstrip("/")
    if not target.endswith("/healthz"):
        target += "/healthz"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as http,
            http.get(target) as response,
        ):
            body = await response.json(content_type=None)
    except Exception as exc:
        return Probe(target, False, error=f"no answer ({type(exc).__name__})")
    if not isinstance(body, dict):
        return Probe(target, False, error="not a studybot /healthz answer")
    return Probe(target, bool(body.get("ok")) and response.status == 200, health=body)


async def _upcoming(session: Any, now: datetime) -> list[Upcoming]:
    found: list[Upcoming] = []
    schedules = await session.execute(
        select(Schedule, Community)
        .join(Community, Community.id == Schedule.community_id)
        .where(Schedule.enabled.is_(True), Schedule.next_due_at.is_not(None))
    )
    for schedule, community in schedules:
        at, zone = schedule.next_due_at, schedule.timezone
        found.append(_entry(community, schedule.kind, schedule.channel_id, at, now, zone))
    announcements = await session.execute(
        select(Announcement, Community)
        .join(Community, Community.id == Announcement.community_id)
        .where(Announcement.posted_at.is_(None), Announcement.cancelled_at.is_(None))
    )
    for item, community in announcements.unique():
        found.append(_entry(community, "announcement", item.channel_id, item.post_at, now, community.timezone))
    checks = await session.execute(
        select(MeetupRound, Community)
        .join(Community, Community.id == MeetupRound.community_id)
        .where(MeetupRound.asked_at.is_(None))
    )
    for meetup_round, community in checks:
        found.append(
            _entry(community, "meetup-check", meetup_round.channel_id, meetup_round.check_at, now, community.timezone)
        )
    return sorted(found, key=lambda u: (u.platform, u.community_name.lower(), u.community, u.at, u.kind))


def _entry(community: Community, kind: str, channel: str, at: datetime, now: datetime, zone: str) -> Upcoming:
    return Upcoming(community.platform, community.external_id, community.name, kind, channel, at, zone, at <= now)


def render(report: StatusReport, now: datetime) -> str:
    """The report as lines for a terminal."""
    lines = [f"database: {report.database} ({report.url})"]
    ready = report.database == "ok" and report.schema == report.schema_head
    if report.database == "ok":
        if ready:
            lines.append(f"schema: {report.schema} (up to date)")
        else:
            have = report.schema or "empty"
            lines.append(f"schema: {have}, this version needs {report.schema_head}: run `studybot db upgrade`")
    if ready:
        lines += _scheduler_lines(report)
    lines += [_probe_line(process) for process in report.processes]
    if ready:
        lines += _upcoming_lines(report, now)
    return "\n".join(lines)


def _scheduler_lines(report: StatusReport) -> list[str]:
    if report.scheduler == "single process":
        return ["scheduler: single process (SQLite): the process that runs the bot schedules its posts"]
    lines = ["scheduler: leader election (PostgreSQL), one leader per platform"]
    for leader in report.leaders:
        if leader.pid is None:
            lines.append(f"  {leader.platform}: no leader (no running process schedules {leader.platform} posts)")
        else:
            since = f", connected since {leader.since:%Y-%m-%d %H:%M} UTC" if leader.since else ""
            client = f" from {leader.client}" if leader.client else ""
            lines.append(f"  {leader.platform}: led by server process {leader.pid}{client}{since}")
    return lines


def _upcoming_lines(report: StatusReport, now: datetime) -> list[str]:
    if not report.upcoming:
        return ["next posts: nothing is scheduled"]
    lines = ["next posts:"]
    current: tuple[str, str] | None = None
    for item in report.upcoming:
        if (item.platform, item.community) != current:
            current = (item.platform, item.community)
            named = item.community_name and item.community_name != item.community
            name = f" “{item.community_name}”" if named else ""
            lines.append(f"  {item.platform} {item.community}{name}")
        when = local_text(item.at, item.timezone)
        late = f"overdue by {_minutes(now - item.at)}" if item.overdue else f"in {_minutes(item.at - now)}"
        lines.append(f"    {item.kind:<13} {when} to {item.channel_id} — {late}")
    return lines


def _probe_line(process: Probe) -> str:
    if process.health is None:
        return f"process {process.url}: {process.error}"
    health = process.health
    platforms = ", ".join(f"{name} {state}" for name, state in sorted((health.get("platforms") or {}).items()))
    state = "ok" if process.ok else "NOT OK"
    return f"process {process.url}: {state}; database {health.get('database')}; scheduler {health.get('scheduler')}" + (
        f"; {platforms}" if platforms else ""
    )


def _minutes(delta: Any) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"

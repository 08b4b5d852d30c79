"""The scheduler service: finds due occurrences, claims each once, renders it and posts it through the platform.

Schedules live in our own tables. The running service builds in-memory APScheduler jobs from them (a CronTrigger
in each schedule's IANA zone) to wake at the right moment, plus a periodic tick that checks leadership, notices
schedule changes made by other processes, and catches up. Every wake-up runs the same entry point as the CLI and
the tests: `run_due(until)`, which does everything due up to an instant exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Caller
from bot.feeds import FeedReader
from bot.outbound import ChannelPoster, PostResult
from bot.registry import Command
from bot.replies import Reply, Tone, Visibility
from bot.scheduler import claims
from bot.scheduler.jobs import BaseKind, Due, Job, Outgoing
from bot.scheduler.kinds import ANNOUNCEMENT, HANDLERS, MEETUP_CHECK
from bot.scheduler.kinds import announcements as announcement_kind
from bot.scheduler.leader import Leadership
from bot.scheduler.occurrences import Recurrence, between, cron_trigger, local_text, next_after
from bot.scheduler.schedules import recurrence_of, report_channel
from bot.storage.models import Community
from bot.storage.schedule_models import MeetupRound, Schedule

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0  # leadership check, schedule changes from other processes, catch-up
RETRY_DELAYS = (2.0, 10.0, 30.0)  # seconds before each retry of a failed post
LEASE = timedelta(minutes=15)  # a claim this old that never finished is given up (never re-posted)
CONCURRENCY = 8  # schedules handled at once
POSTS_PER_PLATFORM = 4  # posts in flight at once per platform
CHANNEL_SPACING_SECONDS = 1.0  # between two posts to the same channel
BATCH = 500
# Occurrences claimed together in one INSERT and posted before their claims are marked in one UPDATE. It also
# bounds how many claims a crash while posting leaves unconfirmed (each becomes `abandoned`, never re-posted).
CLAIM_GROUP = 100
LATE_AFTER = timedelta(minutes=1)
TICK_JOB = "tick"
JOB_PREFIX = "schedule-"

Sleep = Callable[[float], Awaitable[Any]]


@dataclass
class RunReport:
    """What one `run_due` did."""

    sent: int = 0
    failed: int = 0
    empty: int = 0  # handled with nothing to post
    skipped: int = 0  # missed beyond the grace window
    taken: int = 0  # already claimed (by this or another process)
    abandoned: int = 0  # earlier claims that never finished
    previews: int = 0  # dry run: posts shown, nothing claimed
    handled: list[tuple[str, int, datetime, str]] = field(default_factory=list)  # (kind, community, at, status)


class SchedulerService:
    """One per process. `attach(bot)` wires it to the bot; tests call `run_due` with a fake clock."""

    def __init__(
        self,
        bot: StudyBot,
        *,
        reader: FeedReader | None = None,
        sleep: Sleep = asyncio.sleep,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        owner: str | None = None,
        lease: timedelta = LEASE,
        tick_seconds: float = TICK_SECONDS,
        concurrency: int = CONCURRENCY,
        channel_spacing: float = CHANNEL_SPACING_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.reader = reader or FeedReader()
        self.sleep = sleep
        self.retry_delays = retry_delays
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease
        self.tick_seconds = tick_seconds
        self.concurrency = concurrency
        self.channel_spacing = channel_spacing
        self.monotonic = monotonic
        self.leadership = Leadership(bot.engine)
        self.led: set[str] = set()
        self.scheduler: AsyncIOScheduler | None = None
        # Posts sent, failed, late, skipped and abandoned, also counted in the bot's Prometheus metrics.
        self.counts: Counter[str] = Counter()
        self._wake_lock = asyncio.Lock()
        self._tick_lock = asyncio.Lock()
        self._wake_again = False
        self._slots: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(POSTS_PER_PLATFORM))
        self._last_post: dict[tuple[str, str, str], float] = {}
        self._signature: tuple[Any, ...] | None = None
        self._jobs: dict[str, Recurrence] = {}

    # ---- lifecycle ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.scheduler is not None

    async def start(self, *, tick_now: bool = True) -> None:
        """Start APScheduler with the periodic tick; the first tick runs at once unless `tick_now` is False."""
        if self.scheduler is not None:
            return
        self.scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )
        first = datetime.now(UTC) if tick_now else datetime.now(UTC) + timedelta(seconds=self.tick_seconds)
        self.scheduler.add_job(
            self.tick, IntervalTrigger(seconds=self.tick_seconds, timezone=UTC), id=TICK_JOB, next_run_time=first
        )
        self.scheduler.start()
        self.bot.health.scheduler_role = "leader" if self.led else "follower"
        log.info("scheduler started", extra={"kind": "scheduler"})

    async def stop(self) -> None:
        """Stop waking up and give up leadership so another process takes over at once."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self._jobs.clear()
        self._signature = None
        await self.leadership.release()
        self.led = set()
        self.bot.health.scheduler_role = "off"

    async def on_poster(self, poster: ChannelPoster) -> None:
        """`bot.on_poster` listener: the first platform that can post starts the service; later ones join."""
        if not self.bot.settings.scheduler_enabled:
            return
        if self.scheduler is None:
            await self.start()
        else:
            self.scheduler.modify_job(TICK_JOB, next_run_time=datetime.now(UTC))

    async def after_command(self, caller: Caller, command: Command, reply: Reply) -> None:
        """`bot.after_command` listener: a changed schedule takes effect at once, without a restart."""
        if command.path[0] == "schedule" and self.scheduler is not None and caller.platform in self.led:
            await self.sync_community(caller.platform, caller.community_id)

    async def tick(self) -> None:
        """Check leadership, follow schedule changes, and run whatever is due."""
        async with self._tick_lock:
            try:
                led = await self.leadership.refresh(self.bot.posters)
            except Exception:
                log.exception("scheduler leadership check failed")
                led = set()
            if led != self.led:
                role = f"leader for {', '.join(sorted(led))}" if led else "follower"
                log.info("scheduler is now %s", role, extra={"kind": "scheduler"})
                self.led = led
                self.bot.health.scheduler_role = "leader" if led else "follower"
                await self.sync_jobs(force=True)
            else:
                await self.sync_jobs()
        if self.led:
            await self.wake()

    async def wake(self) -> None:
        """Run everything due now; a wake-up during a run makes that run go round once more."""
        if self._wake_lock.locked():
            self._wake_again = True
            return
        async with self._wake_lock:
            while True:
                self._wake_again = False
                if self.led:
                    try:
                        await self.run_due(self.bot.clock(), platforms=self.led)
                    except Exception:
                        log.exception("scheduled run failed; the next tick tries again")
                if not self._wake_again:
                    break

    async def sync_jobs(self, *, force: bool = False) -> None:
        """Make the in-memory APScheduler jobs match the enabled schedules of the platforms this process leads."""
        if self.scheduler is None:
            return
        try:
            async with self.bot.sessions() as session:
                signature = tuple(
                    (await session.execute(select(func.count(Schedule.id), func.max(Schedule.updated_at)))).one()
                )
                if not force and signature == self._signature:
                    return
                rows = (
                    await session.execute(
                        select(Schedule)
                        .join(Community, Community.id == Schedule.community_id)
                        .where(Schedule.enabled.is_(True), Community.platform.in_(self.led))
                    )
                ).scalars()
                wanted = {f"{JOB_PREFIX}{s.id}": recurrence_of(s) for s in rows}
        except Exception:
            log.exception("could not read the schedules; keeping the current jobs")
            return
        self._signature = signature
        for job_id in [j for j in self._jobs if j not in wanted]:
            self.scheduler.remove_job(job_id)
            del self._jobs[job_id]
        for job_id, recurrence in wanted.items():
            if self._jobs.get(job_id) != recurrence:
                self.scheduler.add_job(self.wake, cron_trigger(recurrence), id=job_id, replace_existing=True)
                self._jobs[job_id] = recurrence

    async def sync_community(self, platform: str, external_id: str) -> None:
        """Update the jobs of one community's schedules (after one of its moderators changed them)."""
        if self.scheduler is None:
            return
        async with self.bot.sessions() as session:
            rows = await session.scalars(
                select(Schedule)
                .join(Community, Community.id == Schedule.community_id)
                .where(Community.platform == platform, Community.external_id == external_id)
            )
            wanted = {f"{JOB_PREFIX}{s.id}": (recurrence_of(s) if s.enabled else None) for s in rows}
        for job_id, recurrence in wanted.items():
            if recurrence is None:
                if self._jobs.pop(job_id, None) is not None:
                    self.scheduler.remove_job(job_id)
            elif self._jobs.get(job_id) != recurrence:
                self.scheduler.add_job(self.wake, cron_trigger(recurrence), id=job_id, replace_existing=True)
                self._jobs[job_id] = recurrence

    # ---- the work -------------------------------------------------------------------------------

    async def run_due(
        self, until: datetime, *, platforms: Collection[str] | None = None, dry_run: bool = False
    ) -> RunReport:
        """Handle every occurrence due up to `until` that was not handled yet, once.

        Only communities of platforms with a poster in `bot.posters` are touched (and of `platforms` when
        given): another process, one that can post there, handles the rest. A dry run renders and posts
        through the same posters (previews) but claims nothing and changes nothing.
        """
        names = set(self.bot.posters) if platforms is None else set(platforms) & set(self.bot.posters)
        report = RunReport()
        if not names:
            return report
        grace = timedelta(minutes=self.bot.settings.schedule_grace_minutes)
        if not dry_run:
            await self._abandon_stale(names, report)
        workers = asyncio.Semaphore(self.concurrency)

        async def run_in_order(dues: list[Due]) -> None:
            async with workers:
                for due in dues:
                    if until - due.occurrence_at > grace:
                        await self._skip(due, until, grace, dry_run, report)
                    else:
                        await self._handle(due, dry_run, report)

        async for batch, advances in self._scheduled(until, names):
            if dry_run:
                await asyncio.gather(*(run_in_order(dues) for dues in batch))
            else:
                await self._run_batch(batch, until, grace, report)
                await self._advance(advances)
        checks = await self._meetup_checks(until, names)
        await asyncio.gather(*(run_in_order([due]) for due in checks))
        for due in await self._announcements(until, names):
            await run_in_order([due])
        return report

    async def _scheduled(self, until: datetime, names: set[str]):  # type: ignore[no-untyped-def]
        """Batches of due occurrences, one list per schedule (oldest first), and how to advance each schedule."""
        last_id = 0
        while True:
            async with self.bot.sessions() as session:
                rows = (
                    await session.execute(
                        select(Schedule, Community.platform, Community.external_id)
                        .join(Community, Community.id == Schedule.community_id)
                        .where(
                            Schedule.enabled.is_(True),
                            Schedule.next_due_at <= until,
                            Community.platform.in_(names),
                            Schedule.id > last_id,
                        )
                        .order_by(Schedule.id)
                        .limit(BATCH)
                    )
                ).all()
            if not rows:
                return
            last_id = rows[-1][0].id
            batch: list[list[Due]] = []
            advances: list[tuple[int, datetime, datetime | None]] = []
            # Many communities share a time (09:00 UTC, every day): walk each cron trigger once per page.
            # The anchor only matters every 2 or 4 weeks, so weekly and daily schedules share regardless of it.
            occurrences: dict[tuple[Any, ...], tuple[list[datetime], datetime | None]] = {}
            for schedule, platform, external_id in rows:
                recurrence = recurrence_of(schedule)
                anchor = recurrence.anchor if recurrence.every_weeks > 1 else None
                key = (
                    recurrence.hour,
                    recurrence.minute,
                    recurrence.timezone,
                    recurrence.days,
                    recurrence.every_weeks,
                    anchor,
                    schedule.next_due_at,
                )
                if key not in occurrences:
                    start = schedule.next_due_at - timedelta(microseconds=1)
                    occurrences[key] = (between(recurrence, start, until), next_after(recurrence, until))
                instants, following = occurrences[key]
                dues = [
                    Due(schedule.community_id, platform, external_id, schedule.kind, schedule.kind, at, schedule.id)
                    for at in instants
                ]
                if dues:
                    batch.append(dues)
                advances.append((schedule.id, schedule.next_due_at, following))
            yield batch, advances

    async def _advance(self, advances: list[tuple[int, datetime, datetime | None]]) -> None:
        """Move each schedule's next due time past `until`, unless a moderator changed it meanwhile."""
        if not advances:
            return
        table = Schedule.__table__
        async with self.bot.sessions() as session, session.begin():
            # One executemany for the page, not a statement per schedule.
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("schedule_id"), table.c.next_due_at == bindparam("seen"))
                .values(next_due_at=bindparam("following")),
                [{"schedule_id": i, "seen": seen, "following": following} for i, seen, following in advances],
            )

    async def _meetup_checks(self, until: datetime, names: set[str]) -> list[Due]:
        async with self.bot.sessions() as session:
            rows = await session.execute(
                select(MeetupRound.id, MeetupRound.check_at, Community.id, Community.platform, Community.external_id)
                .join(Community, Community.id == MeetupRound.community_id)
                .where(MeetupRound.asked_at.is_(None), MeetupRound.check_at <= until, Community.platform.in_(names))
                .order_by(MeetupRound.check_at)
                .limit(BATCH)
            )
            return [
                Due(community_id, platform, external_id, MEETUP_CHECK, MEETUP_CHECK, check_at, ref=round_id)
                for round_id, check_at, community_id, platform, external_id in rows
            ]

    async def _announcements(self, until: datetime, names: set[str]) -> list[Due]:
        async with self.bot.sessions() as session:
            items = await announcement_kind.due(session, until)
        return [
            Due(
                item.community_id,
                item.community.platform,
                item.community.external_id,
                ANNOUNCEMENT,
                announcement_kind.claim_kind(item.id),
                item.post_at,
                ref=item.id,
                payload=item,
            )
            for item in items
            if item.community.platform in names
        ]

    async def _skip(self, due: Due, until: datetime, grace: timedelta, dry_run: bool, report: RunReport) -> None:
        """A missed occurrence beyond the grace window: recorded once, logged, and not posted."""
        if dry_run:
            report.skipped += 1
            report.handled.append((due.kind, due.community_id, due.occurrence_at, claims.SKIPPED))
            return
        now = self.bot.clock()
        async with self.bot.sessions() as session, session.begin():
            run_id = await claims.claim(
                session, due.community_id, due.kind, due.occurrence_at, self.owner, now, status=claims.SKIPPED
            )
            if run_id is None:
                report.taken += 1
                return
            await HANDLERS[due.handler].skip(session, due, now)
        late = until - due.occurrence_at
        log.warning(
            "skipped the %s post due at %s: missed by %s, beyond the grace window of %s",
            due.kind,
            due.occurrence_at.isoformat(),
            _duration(late),
            _duration(grace),
            extra={"community": due.external_id, "platform": due.platform, "kind": due.kind},
        )
        self._count(due, "skipped")
        report.skipped += 1
        report.handled.append((due.kind, due.community_id, due.occurrence_at, claims.SKIPPED))
        if due.handler == ANNOUNCEMENT:
            # A moderator wrote this one for that moment: tell them rather than post it late.
            when = local_text(due.occurrence_at, due.payload.community.timezone)
            await self._report(
                due,
                f"The announcement scheduled for {when} was not posted: the bot was offline then ({_duration(late)} "
                "ago), so it was cancelled. Post it again with `/announce` if it still matters.",
            )

    async def _run_batch(self, batch: list[list[Due]], until: datetime, grace: timedelta, report: RunReport) -> None:
        """A page of schedules, each with its due occurrences oldest first, handled in claim groups.

        The n-th occurrence of every schedule goes in round n, and a round ends only when its posts are confirmed,
        so one schedule's occurrences still go out (and move its rotation) in order.
        """
        workers = asyncio.Semaphore(self.concurrency)

        async def skip(due: Due) -> None:
            async with workers:
                await self._skip(due, until, grace, False, report)

        for n in range(max((len(dues) for dues in batch), default=0)):
            dues = [d[n] for d in batch if len(d) > n]
            await asyncio.gather(*(skip(due) for due in dues if until - due.occurrence_at > grace))
            ready = [due for due in dues if until - due.occurrence_at <= grace]
            await self._post_groups([ready[i : i + CLAIM_GROUP] for i in range(0, len(ready), CLAIM_GROUP)], report)

    async def _post_groups(self, groups: list[list[Due]], report: RunReport) -> None:
        """Claim and render each group in one transaction, post, and confirm the posts together as they finish.

        Posting runs in tasks, so a post waiting out its retries holds up neither the next group nor the others'
        confirmation (the round, like a page before, still ends when it is done). A new group is claimed only while
        at most two groups' posts are unconfirmed, which bounds what a crash can leave `claimed`.
        """
        in_flight: set[asyncio.Task[Posted]] = set()
        posted: list[Posted] = []

        async def collect(at_most: int) -> None:
            """Take every finished post, waiting for more while over `at_most` are still posting."""
            nonlocal in_flight
            done = {task for task in in_flight if task.done()}
            in_flight -= done
            posted.extend(task.result() for task in done)
            while len(in_flight) > at_most:
                done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                posted.extend(task.result() for task in done)

        try:
            for group in groups:
                await collect(2 * CLAIM_GROUP - len(group))
                if posted:
                    await self._finish_group(posted, report)
                    posted = []
                for job, run_id, outgoing in await self._claim_group(group, report):
                    in_flight.add(asyncio.create_task(self._post_job(job, run_id, outgoing)))
            # Confirm what is posted as it finishes: a slow post delays its own claim, not the others'.
            while in_flight or posted:
                await collect(max(len(in_flight) - 1, 0))
                await self._finish_group(posted, report)
                posted = []
        finally:
            # Only when something raised: those posts stop here, and their claims stay unconfirmed (never posted
            # again; abandoned after the lease), as if the process had died.
            for task in in_flight:
                task.cancel()

    async def _prefetch(self, due: Due) -> Any:
        try:
            return await HANDLERS[due.handler].prefetch(self.bot, due, self.reader)
        except Exception:
            log.exception("could not prepare the %s post", due.kind)
            return None

    async def _claim_group(self, dues: list[Due], report: RunReport) -> list[tuple[Job, int, list[Outgoing]]]:
        """Claim `dues` with one INSERT and render those this process won, in one transaction; the jobs to post.

        If anything in the group fails, nothing of it is kept, and each occurrence is handled on its own
        instead (so only the broken one is recorded as failed).
        """
        workers = asyncio.Semaphore(self.concurrency)

        async def prefetch(due: Due) -> Any:
            async with workers:
                return await self._prefetch(due)

        prefetched = await asyncio.gather(*(prefetch(due) for due in dues))
        now = self.bot.clock()
        async with self.bot.sessions() as session:
            try:
                async with session.begin():
                    won = await claims.claim_many(
                        session, [(d.community_id, d.kind, d.occurrence_at) for d in dues], self.owner, now
                    )
                    mine = [
                        (due, won[key], ahead)
                        for due, ahead in zip(dues, prefetched, strict=True)
                        if (key := (due.community_id, due.kind, due.occurrence_at)) in won
                    ]
                    jobs = await self._jobs_of(session, mine, now)
                    rendered: dict[int, list[Outgoing]] = {}
                    for handler, of_handler in _by_handler(jobs).items():
                        outs = await HANDLERS[handler].render_many(of_handler)
                        rendered.update({id(job): out for job, out in zip(of_handler, outs, strict=True)})
            except Exception:
                log.exception("could not claim or prepare %d scheduled posts together; handling each alone", len(dues))
                mine = []
            else:
                report.taken += len(dues) - len(mine)
                return [(job, run_id, rendered[id(job)]) for job, (_, run_id, _) in zip(jobs, mine, strict=True)]

        async def alone(due: Due, ahead: Any) -> None:
            async with workers:
                await self._handle(due, False, report, prefetched=ahead)

        await asyncio.gather(*(alone(due, ahead) for due, ahead in zip(dues, prefetched, strict=True)))
        return []

    async def _jobs_of(self, session: AsyncSession, mine: list[tuple[Due, int, Any]], now: datetime) -> list[Job]:
        """The jobs of the claimed occurrences, with their communities and schedules read once for the group."""
        if not mine:
            return []
        community_ids = {due.community_id for due, _, _ in mine}
        schedule_ids = {due.schedule_id for due, _, _ in mine if due.schedule_id is not None}
        communities = {c.id: c for c in await session.scalars(select(Community).where(Community.id.in_(community_ids)))}
        schedules = (
            {s.id: s for s in await session.scalars(select(Schedule).where(Schedule.id.in_(schedule_ids)))}
            if schedule_ids
            else {}
        )
        return [
            Job(
                self.bot,
                session,
                communities[due.community_id],
                schedules[due.schedule_id] if due.schedule_id is not None else None,
                due,
                now,
                ahead,
            )
            for due, _, ahead in mine
        ]

    async def _post_job(self, job: Job, run_id: int, outgoing: list[Outgoing]) -> Posted:
        results = [(out, await self._post(job.due, out, retry=not out.notice)) for out in outgoing]
        return Posted(job, run_id, results)

    async def _handle(self, due: Due, dry_run: bool, report: RunReport, *, prefetched: Any = None) -> None:
        handler = HANDLERS[due.handler]
        if prefetched is None:
            prefetched = await self._prefetch(due)
        now = self.bot.clock()
        async with self.bot.sessions() as session:
            transaction = await session.begin()
            try:
                run_id = await claims.claim(session, due.community_id, due.kind, due.occurrence_at, self.owner, now)
                if run_id is None:
                    await transaction.rollback()
                    report.taken += 1
                    return
                community = await session.get(Community, due.community_id)
                schedule = await session.get(Schedule, due.schedule_id) if due.schedule_id else None
                assert community is not None
                job = Job(self.bot, session, community, schedule, due, now, prefetched)
                outgoing = await handler.render(job)
            except Exception:
                await transaction.rollback()
                log.exception("could not render the %s post due at %s", due.kind, due.occurrence_at.isoformat())
                if not dry_run:
                    await self._record_broken(due, now)
                report.failed += 1
                return
            if dry_run:
                await transaction.rollback()  # nothing claimed, nothing changed
            else:
                await transaction.commit()
        if dry_run:
            for out in outgoing:
                await self._post(due, out, retry=False)
                report.previews += 1
            report.handled.append((due.kind, due.community_id, due.occurrence_at, "preview"))
            return
        await self._finish_group([await self._post_job(job, run_id, outgoing)], report)

    async def _finish_group(self, posted: list[Posted], report: RunReport) -> None:
        """Mark how each posted claim ended, with one statement for all, then count, log and report them."""
        if not posted:
            return
        outcomes = [_outcome(p) for p in posted]
        now = self.bot.clock()
        async with self.bot.sessions() as session, session.begin():
            await claims.finish_many(session, outcomes, now)
            for p in posted:
                handler = HANDLERS[p.job.due.handler]
                if type(handler).confirm is BaseKind.confirm:
                    continue  # nothing to record: no statement for this job
                p.job.session = session
                try:
                    # A savepoint: one kind's failed write must not undo the other claims' confirmation.
                    async with session.begin_nested():
                        await handler.confirm(p.job, p.results)
                except Exception:
                    log.exception("could not record what the %s post changed", p.job.due.kind)
        for p, outcome in zip(posted, outcomes, strict=True):
            await self._finished(p, outcome, now, report)

    async def _finished(self, posted: Posted, outcome: claims.Outcome, now: datetime, report: RunReport) -> None:
        job, status, error = posted.job, outcome.status, outcome.error
        due = job.due
        report.handled.append((due.kind, due.community_id, due.occurrence_at, status))
        extra = {"community": due.external_id, "platform": due.platform, "kind": due.kind}
        if status == claims.SENT:
            report.sent += 1
            self._count(due, "sent")
            if now - due.occurrence_at > LATE_AFTER:
                self._count(due, "late")
            log.info("posted the %s post due at %s", due.kind, due.occurrence_at.isoformat(), extra=extra)
        elif status == claims.EMPTY:
            report.empty += 1
        else:
            report.failed += 1
            self._count(due, "failed")
            log.warning("could not post the %s post due at %s: %s", due.kind, due.occurrence_at, error, extra=extra)
            channels = ", ".join(sorted({o.channel_id for o, r in posted.results if not o.notice and not r.ok}))
            await self._report(
                due,
                f"The {_kind_name(due)} post of {_when(due, job)} could not be posted to #{channels} "
                f"after {len(self.retry_delays) + 1} attempts: {error}. Check that the channel exists and that I "
                "may post there, then `/schedule show`.",
            )

    async def _record_broken(self, due: Due, now: datetime) -> None:
        """A render that raised is recorded as failed, so it is not retried on every tick."""
        try:
            async with self.bot.sessions() as session, session.begin():
                run_id = await claims.claim(
                    session, due.community_id, due.kind, due.occurrence_at, self.owner, now, status=claims.FAILED
                )
                if run_id is not None:
                    await claims.finish(session, run_id, claims.FAILED, now, error="could not be prepared (logged)")
                    await HANDLERS[due.handler].skip(session, due, now)
        except Exception:
            log.exception("could not record the failed %s post", due.kind)

    async def _abandon_stale(self, names: set[str], report: RunReport) -> None:
        now = self.bot.clock()
        async with self.bot.sessions() as session, session.begin():
            stale = await claims.abandon_stale(session, now, self.lease, names)
            dues = []
            for run in stale:
                ref = announcement_kind.announcement_id(run.kind)
                handler = ANNOUNCEMENT if ref is not None else run.kind
                due = Due(
                    run.community_id, run.platform, run.external_id, handler, run.kind, run.occurrence_at, ref=ref
                )
                if handler in HANDLERS:
                    await HANDLERS[handler].skip(session, due, now)  # an announcement is not left due for ever
                dues.append(due)
        for run, due in zip(stale, dues, strict=True):
            report.abandoned += 1
            self._count(due, "abandoned")
            log.warning(
                "the %s post due at %s was claimed by %s and never confirmed; it is not posted again",
                run.kind,
                run.occurrence_at.isoformat(),
                run.claimed_by,
                extra={"community": run.external_id, "platform": run.platform, "kind": run.kind},
            )
            await self._report(
                due,
                f"The {_kind_name(due)} post due {local_text(run.occurrence_at, run.timezone)} may not have been "
                "posted: the bot stopped while posting it. To never post twice, it is not posted again; please check "
                "the channel.",
            )

    def _count(self, due: Due, outcome: str) -> None:
        self.counts[outcome] += 1
        # Label by handler, not by claim kind: announcement claims carry an id, labels must stay few.
        kind = due.handler if due.handler in HANDLERS else "unknown"
        self.bot.metrics.scheduled_posts.labels(kind, outcome).inc()

    # ---- posting --------------------------------------------------------------------------------

    async def _post(self, due: Due, out: Outgoing, *, retry: bool) -> PostResult:
        """Post with a bounded number of concurrent posts per platform, spacing per channel, and retries."""
        poster = self.bot.posters.get(due.platform)
        if poster is None:
            return PostResult(ok=False, error=f"no {due.platform} connection in this process")
        result = PostResult(ok=False, error="not attempted")
        delays = (0.0, *self.retry_delays) if retry else (0.0,)
        for attempt, delay in enumerate(delays, start=1):
            if delay:
                await self.sleep(delay)
            async with self._slots[due.platform]:
                await self._space(due.platform, due.external_id, out.channel_id)
                try:
                    result = await poster.post(
                        due.external_id, out.channel_id, out.reply, ping_everyone=out.ping_everyone
                    )
                except Exception as exc:
                    log.warning("poster raised %s", type(exc).__name__)
                    result = PostResult(ok=False, error="the platform did not take the message")
            if result.ok:
                return result
            log.warning(
                "post attempt %d of %d to %s failed: %s",
                attempt,
                len(delays),
                out.channel_id,
                result.error,
                extra={"community": due.external_id, "platform": due.platform, "kind": due.kind},
            )
        return result

    async def _space(self, platform: str, community: str, channel: str) -> None:
        key = (platform, community, channel)
        last = self._last_post.get(key)
        if last is not None:
            wait = self.channel_spacing - (self.monotonic() - last)
            if wait > 0:
                await self.sleep(wait)
        self._last_post[key] = self.monotonic()
        if len(self._last_post) > 10_000:
            horizon = self.monotonic() - self.channel_spacing
            self._last_post = {k: v for k, v in self._last_post.items() if v >= horizon}

    async def _report(self, due: Due, text: str) -> None:
        """Tell the community's moderators, in the channel where they last used `/schedule`."""
        async with self.bot.sessions() as session:
            channel = None
            if due.schedule_id is not None:
                channel = await session.scalar(select(Schedule.report_channel_id).where(Schedule.id == due.schedule_id))
            channel = channel or await report_channel(session, due.community_id)
        if channel is None:
            log.warning("no channel to report a scheduling problem to", extra={"community": due.external_id})
            return
        notice = Reply(
            title="Scheduled post problem",
            text=f"For moderators: {text}",
            tone=Tone.WARNING,
            visibility=Visibility.PUBLIC,
        )
        result = await self._post(due, Outgoing(channel, notice, notice=True), retry=False)
        if not result.ok:
            log.warning("could not report a scheduling problem either: %s", result.error)


@dataclass(frozen=True)
class Posted:
    """A claimed occurrence after posting: its job, its claim and what each message gave."""

    job: Job
    run_id: int
    results: list[tuple[Outgoing, PostResult]]


def _outcome(posted: Posted) -> claims.Outcome:
    """sent when every scheduled message went out, failed when one did not, empty when there was nothing."""
    main = [(o, r) for o, r in posted.results if not o.notice]
    if not main:
        status = claims.EMPTY
    elif all(r.ok for _, r in main):
        status = claims.SENT
    else:
        status = claims.FAILED
    link = next((r.link for _, r in main if r.ok and r.link), None)
    error = next((r.error or "not posted" for _, r in main if not r.ok), None)
    return claims.Outcome(posted.run_id, status, link, error)


def _by_handler(jobs: list[Job]) -> dict[str, list[Job]]:
    grouped: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        grouped[job.due.handler].append(job)
    return grouped


def _kind_name(due: Due) -> str:
    if due.handler == ANNOUNCEMENT:
        return "announcement"
    return "meetup check" if due.handler == MEETUP_CHECK else due.handler


def _when(due: Due, job: Job) -> str:
    return local_text(due.occurrence_at, job.schedule.timezone if job.schedule else job.community.timezone)


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"

"""Tables of the scheduler: what each community has scheduled, every claimed occurrence, feeds and meetups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class Schedule(Base):
    """One recurring post of a community: a kind, a channel, a local time in an IANA zone, and which days."""

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("community_id", "kind"),
        Index("ix_schedules_enabled_next_due", "enabled", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(64))
    # Where problems with this schedule are reported: the channel a moderator last used /schedule in.
    report_channel_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[str] = mapped_column(String(16))  # "daily", "weekdays", or one day: "mon" … "sun"
    every_weeks: Mapped[int] = mapped_column(Integer, default=1)
    option: Mapped[str | None] = mapped_column(String(32), nullable=True)  # daily-topic: "in-order" or "median"
    # Every-N-weeks rounds count from the first occurrence after the schedule was set.
    anchor_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where a rotation stands (daily-topic: the roadmap index of the next topic).
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The earliest occurrence not yet handled; the sweep reads only rows whose time has come.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScheduleRun(Base):
    """A claimed occurrence. The unique key is what makes every occurrence post at most once."""

    __tablename__ = "schedule_runs"
    __table_args__ = (
        UniqueConstraint("community_id", "kind", "occurrence_at"),
        Index("ix_schedule_runs_status_claimed", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # a schedule kind, "meetup-check" or "announcement-<id>"
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # claimed -> sent | failed | empty; skipped (missed beyond the grace window); abandoned (never confirmed)
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str] = mapped_column(String(64))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class ScheduleFeed(Base):
    """An RSS or Atom feed a moderator added to the community's trends digest."""

    __tablename__ = "schedule_feeds"
    __table_args__ = (UniqueConstraint("community_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(500))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class PostedItem(Base):
    """When a rotating item (trend link, feed item, meetup starter, topic) was last posted to a community."""

    __tablename__ = "posted_items"
    __table_args__ = (UniqueConstraint("community_id", "kind", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(100))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetupMember(Base):
    """A member who opted in to meetup rounds."""

    __tablename__ = "meetup_members"
    __table_args__ = (UniqueConstraint("member_id"), Index("ix_meetup_members_community", "community_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetupRound(Base):
    """One round of meetups: its pairs are posted at `starts_at`, the "did you meet?" question at `check_at`."""

    __tablename__ = "meetup_rounds"
    __table_args__ = (
        UniqueConstraint("community_id", "starts_at"),
        Index("ix_meetup_rounds_check", "asked_at", "check_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the community
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    check_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    starter_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class MeetupPair(Base):
    """A member's place in a round: members with the same `group_no` meet; `answer` is their "did you meet?"."""

    __tablename__ = "meetup_pairs"
    __table_args__ = (UniqueConstraint("round_id", "member_id"), Index("ix_meetup_pairs_member", "member_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("meetup_rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    group_no: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str | None] = mapped_column(String(8), nullable=True)  # "yes" or "no"
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

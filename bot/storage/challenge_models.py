"""Tables of community life: weekly challenges, seasons, live leaderboards, announcements, the audit log and
the days members were active."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.base import Base, UTCDateTime
from bot.storage.models import Community

_RUNNING = text("ended_at IS NULL")


class Challenge(Base):
    """One week's challenge in one community; running while `ended_at` is empty (at most one at a time)."""

    __tablename__ = "challenges"
    __table_args__ = (
        # The database itself refuses a second running challenge, whoever starts it (scheduler or moderator).
        Index("uq_challenges_running", "community_id", unique=True, sqlite_where=_RUNNING, postgresql_where=_RUNNING),
        Index("ix_challenges_community_started", "community_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    # The id in content/challenges.yaml, or empty for a challenge a moderator wrote.
    content_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str] = mapped_column(String(100))
    brief: Mapped[str] = mapped_column(Text)
    criteria: Mapped[str] = mapped_column(Text)  # one criterion a line
    difficulty: Mapped[str | None] = mapped_column(String(16), nullable=True)
    points: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True)

    @property
    def criteria_list(self) -> list[str]:
        return [line for line in self.criteria.splitlines() if line.strip()]


class ChallengeParticipant(Base):
    __tablename__ = "challenge_participants"
    __table_args__ = (UniqueConstraint("challenge_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Submission(Base):
    """A member's one submission to a challenge; a resubmission before the deadline replaces it."""

    __tablename__ = "challenge_submissions"
    __table_args__ = (
        UniqueConstraint("challenge_id", "member_id"),
        Index("ix_challenge_submissions_status", "status", "challenge_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(String(500), default="")
    # Where the member submitted: the review result is posted there.
    channel_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, approved, rejected
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True)
    feedback: Mapped[str | None] = mapped_column(String(500), nullable=True)


class Season(Base):
    """A named stretch of time whose leaderboard starts from zero; at most one runs per community."""

    __tablename__ = "seasons"
    __table_args__ = (
        Index("uq_seasons_running", "community_id", unique=True, sqlite_where=_RUNNING, postgresql_where=_RUNNING),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LeaderboardPin(Base):
    """A leaderboard message the bot keeps up to date; one per channel."""

    __tablename__ = "leaderboard_pins"
    __table_args__ = (UniqueConstraint("community_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Announcement(Base):
    """A moderator's announcement, posted at once or waiting for `post_at` (the scheduler posts it)."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_pending", "posted_at", "post_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    ping_everyone: Mapped[bool] = mapped_column(Boolean, default=False)
    post_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # Loaded with the row: whoever posts an announcement needs its community's platform and external id.
    community: Mapped[Community] = relationship(lazy="joined")


class AuditEntry(Base):
    """One moderator action, kept for `/audit`."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_community_created", "community_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ActivityDay(Base):
    """A calendar day, in the member's own time zone, on which the member studied (streaks, activity stats)."""

    __tablename__ = "activity_days"
    __table_args__ = (Index("ix_activity_days_community_day", "community_id", "day"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))

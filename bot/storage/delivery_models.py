"""Platform deliveries already handled, so a delivery the platform repeats never takes effect twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class HandledEvent(Base):
    """One row per (platform, event id) handled; rows older than the platforms' retry window are pruned."""

    __tablename__ = "handled_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

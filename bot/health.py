"""What `/healthz` and `studybot status` report: database, scheduler role, platform connections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from bot.app import StudyBot


@dataclass
class HealthState:
    """Set by the parts that know: the scheduler its role, each adapter whether it is connected."""

    scheduler_role: str = "off"  # "leader", "follower" or "off"
    platforms: dict[str, bool] = field(default_factory=dict)


async def database_reachable(bot: StudyBot) -> bool:
    try:
        async with bot.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def report(bot: StudyBot) -> dict[str, Any]:
    """A JSON-ready health report; `ok` is false when the database or a platform is down."""
    database = await database_reachable(bot)
    platforms = dict(bot.health.platforms)
    return {
        "ok": database and all(platforms.values()),
        "database": "ok" if database else "unreachable",
        "scheduler": bot.health.scheduler_role,
        "platforms": {name: "connected" if up else "disconnected" for name, up in platforms.items()},
    }

"""Scheduled posts: daily topics, meetup rounds, trend digests, weekly challenges and one-off announcements.

`attach(bot)` creates the process's SchedulerService and wires it to the bot: it starts when the first adapter
announces it can post (`bot.on_poster`), and a `/schedule` change reaches it at once (`bot.after_command`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import StudyBot
    from bot.scheduler.service import SchedulerService


def attach(bot: StudyBot, **options: Any) -> SchedulerService:
    """Create the scheduler service for `bot` and subscribe it to the bot's hooks; return it (not started)."""
    from bot.scheduler.service import SchedulerService

    options.setdefault("tick_seconds", bot.settings.scheduler_tick_seconds)
    service = SchedulerService(bot, **options)
    bot.on_poster.append(service.on_poster)
    bot.after_command.append(service.after_command)
    return service

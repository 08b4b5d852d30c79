"""One module per kind of scheduled post; `HANDLERS` maps a handler name to the object that renders it."""

from __future__ import annotations

from bot.scheduler.jobs import Kind
from bot.scheduler.kinds.announcements import HANDLER as ANNOUNCEMENT
from bot.scheduler.kinds.announcements import Announcement
from bot.scheduler.kinds.challenge import Challenge
from bot.scheduler.kinds.daily_topic import DailyTopic
from bot.scheduler.kinds.meetups import CHECK as MEETUP_CHECK
from bot.scheduler.kinds.meetups import MeetupCheck, Meetups
from bot.scheduler.kinds.trends import Trends
from bot.scheduler.schedules import CHALLENGE, DAILY_TOPIC, MEETUPS, TRENDS

HANDLERS: dict[str, Kind] = {
    DAILY_TOPIC: DailyTopic(),
    MEETUPS: Meetups(),
    MEETUP_CHECK: MeetupCheck(),
    TRENDS: Trends(),
    CHALLENGE: Challenge(),
    ANNOUNCEMENT: Announcement(),
}

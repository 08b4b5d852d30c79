"""The App Home tab, built from the replies of core commands run as the member who opens it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_blocks import button_blocks, content_blocks, home_view
from adapters.slack_errors import SLACK_FAILURES, read_failure
from bot.app import StudyBot
from bot.context import Caller
from bot.registry import Command
from bot.replies import Tone

log = logging.getLogger(__name__)

# The Home shows these command lines, in order, when the registry has them; a new part is one more line.
HOME_LINES = ("roadmap progress", "roadmap next", "challenge show", "leaderboard show")
INTRO = "Your progress and what to learn next. Every command works in any channel: type `/help` to see them."


class AppHome:
    def __init__(
        self,
        bot: StudyBot,
        client: AsyncWebClient,
        lines: tuple[str, ...] = HOME_LINES,
        count_failure: Callable[[str], None] = lambda kind: None,
    ) -> None:
        self.bot = bot
        self.client = client
        self.lines = lines
        self.count_failure = count_failure
        # One publish at a time per member, so the newest state is always published last.
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def commands(self) -> list[tuple[str, Command]]:
        """The Home's lines that name a whole registered command, with that command."""
        found = []
        for line in self.lines:
            words = line.split()
            command, used = self.bot.registry.match(words)
            if command is not None and used == len(words):
                found.append((line, command))
        return found

    def shows(self, command: Command) -> bool:
        return any(c.path == command.path for _, c in self.commands())

    async def view(self, caller: Caller) -> dict[str, Any]:
        parts = []
        for line, _command in self.commands():
            reply = await self.bot.run_line(caller, line)
            if reply.tone is Tone.ERROR:
                continue  # a part the member cannot see right now (or a failure, already logged) is left out
            parts.append(content_blocks(reply) + button_blocks(reply))
        return home_view(parts, intro=INTRO)

    async def publish(self, caller: Caller) -> bool:
        """Build and publish `caller`'s Home; False (logged) when Slack refused it."""
        key = (caller.community_id, caller.user_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            view = await self.view(caller)
            try:
                await self.client.views_publish(user_id=caller.user_id, view=view)
            except SLACK_FAILURES as exc:
                code = read_failure(exc).code
                self.count_failure(code)
                log.warning("views.publish failed: %s", code, extra={"community": key[0]})
                return False
        return True

"""Posting core replies to Slack channels with chat.postMessage, and editing them: the adapter's ChannelPoster."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_blocks import SlackMessage, render_messages
from adapters.slack_errors import SLACK_FAILURES, describe, read_failure
from bot.outbound import PostResult
from bot.replies import Image, Reply

log = logging.getLogger(__name__)

CountFailure = Callable[[str], None]


def _ignore(kind: str) -> None:
    return None


class SlackPoster:
    """Posts to one workspace with the bot token. Never raises for Slack errors: they come back as words."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, count_failure: CountFailure = _ignore) -> None:
        self.client = client
        self.count_failure = count_failure

    def _failed(self, what: str, exc: BaseException, community_id: str = "") -> str:
        code = read_failure(exc).code
        self.count_failure(code)
        log.warning("%s failed: %s", what, code, extra={"community": community_id})
        return describe(exc)

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        """Post `reply` in `channel_id` (a channel, or a user id for their DM with the app); link to it.

        `message_id` is the first message's ts, for `edit`."""
        messages = render_messages(reply, ping_everyone=ping_everyone)
        try:
            channel, ts = await self._send(channel_id, messages[0])
        except SLACK_FAILURES as exc:
            return PostResult(ok=False, error=self._failed("chat.postMessage", exc, community_id))
        problems = []
        for message in messages[1:]:
            try:
                await self._send(channel, message)
            except SLACK_FAILURES as exc:
                problems.append(f"Only the first part was posted: {self._failed('chat.postMessage', exc)}")
                break
        if reply.image:
            trouble = await self.upload(channel, reply.image)
            if trouble:
                problems.append(f"The image was not attached: {trouble}")
        link = await self.permalink(channel, ts)
        return PostResult(ok=True, link=link, message_id=ts or None, error=" ".join(problems) or None)

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        """Replace a message posted earlier (chat.update) with `reply`, shortened to one message."""
        (message,) = render_messages(reply, max_messages=1)
        try:
            response = await self.client.chat_update(
                channel=channel_id, ts=message_id, text=message.text, blocks=message.blocks
            )
        except SLACK_FAILURES as exc:
            return PostResult(ok=False, message_id=message_id, error=self._failed("chat.update", exc, community_id))
        channel = str(response.get("channel") or channel_id)
        ts = str(response.get("ts") or message_id)
        return PostResult(ok=True, link=await self.permalink(channel, ts), message_id=ts)

    async def _send(self, channel_id: str, message: SlackMessage) -> tuple[str, str]:
        response = await self.client.chat_postMessage(
            channel=channel_id, text=message.text, blocks=message.blocks, unfurl_links=False, unfurl_media=False
        )
        return str(response.get("channel") or channel_id), str(response.get("ts") or "")

    async def send_note(self, channel_id: str, message: SlackMessage) -> bool:
        """Post an adapter note (already safe mrkdwn) as it is; False when Slack refused it."""
        try:
            await self._send(channel_id, message)
        except SLACK_FAILURES as exc:
            self._failed("a note to a member", exc)
            return False
        return True

    async def permalink(self, channel_id: str, ts: str) -> str | None:
        if not ts:
            return None
        try:
            response = await self.client.chat_getPermalink(channel=channel_id, message_ts=ts)
        except SLACK_FAILURES as exc:
            log.info("no permalink for a posted message: %s", read_failure(exc).code)
            return None
        link = response.get("permalink")
        return link if isinstance(link, str) and link.startswith("https://") else None

    async def upload(self, channel_id: str, image: Image) -> str | None:
        """Share `image` in a conversation; None when it worked, else what went wrong in words."""
        try:
            await self.client.files_upload_v2(
                channel=channel_id, file=image.data, filename=image.filename, title=image.alt, alt_txt=image.alt
            )
        except SLACK_FAILURES as exc:
            return self._failed("image upload", exc)
        return None

    async def open_dm(self, user_id: str) -> str | None:
        """The id of the app's direct conversation with `user_id`, or None."""
        try:
            response = await self.client.conversations_open(users=user_id)
        except SLACK_FAILURES as exc:
            self._failed("conversations.open", exc)
            return None
        channel = response.get("channel") or {}
        return channel.get("id") if isinstance(channel, dict) else None

"""Posting core replies to Slack channels with chat.postMessage: the adapter's ChannelPoster."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_blocks import SlackMessage, render_messages
from adapters.slack_errors import SLACK_FAILURES, describe, read_failure
from bot.outbound import PostResult
from bot.replies import Image, Reply

log = logging.getLogger(__name__)


class SlackPoster:
    """Posts to one workspace with the bot token. Never raises for Slack errors: they come back as words."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        """Post `reply` in `channel_id` (a channel, or a user id for their DM with the app); link to it."""
        messages = render_messages(reply, ping_everyone=ping_everyone)
        try:
            channel, ts = await self._send(channel_id, messages[0])
        except SLACK_FAILURES as exc:
            log.warning("chat.postMessage failed: %s", read_failure(exc).code, extra={"community": community_id})
            return PostResult(ok=False, error=describe(exc))
        problems = []
        for message in messages[1:]:
            try:
                await self._send(channel, message)
            except SLACK_FAILURES as exc:
                problems.append(f"Only the first part was posted: {describe(exc)}")
                break
        if reply.image:
            trouble = await self.upload(channel, reply.image)
            if trouble:
                problems.append(f"The image was not attached: {trouble}")
        return PostResult(ok=True, link=await self.permalink(channel, ts), error=" ".join(problems) or None)

    async def _send(self, channel_id: str, message: SlackMessage) -> tuple[str, str]:
        response = await self.client.chat_postMessage(
            channel=channel_id, text=message.text, blocks=message.blocks, unfurl_links=False, unfurl_media=False
        )
        return str(response.get("channel") or channel_id), str(response.get("ts") or "")

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
            log.warning("image upload failed: %s", read_failure(exc).code)
            return describe(exc)
        return None

    async def open_dm(self, user_id: str) -> str | None:
        """The id of the app's direct conversation with `user_id`, or None."""
        try:
            response = await self.client.conversations_open(users=user_id)
        except SLACK_FAILURES as exc:
            log.warning("conversations.open failed: %s", read_failure(exc).code)
            return None
        channel = response.get("channel") or {}
        return channel.get("id") if isinstance(channel, dict) else None

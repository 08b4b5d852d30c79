"""Answering the member who acted: through the response_url when Slack gave one, else in their DM with the app."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
from aiohttp import ClientError
from slack_sdk.errors import SlackClientError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack_blocks import SlackMessage, channel_link, escape, link, render_messages
from adapters.slack_poster import SlackPoster
from bot.outbound import PostResult, deliver
from bot.replies import Post, Reply, Visibility

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Destination:
    """Where an answer goes: the member, the channel they acted in, the response_url Slack gave (if any)."""

    community_id: str
    user_id: str
    channel_id: str | None = None
    response_url: str | None = None


# slack_sdk's default for a response_url post, kept now that the session is ours.
RESPOND_TIMEOUT_SECONDS = 30


class ReplySender:
    def __init__(self, poster: SlackPoster) -> None:
        self.poster = poster
        # One keep-alive session for every response_url (all on hooks.slack.com): without it slack_sdk opens a
        # session, and a new TCP and TLS connection, for each answer.
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _respond_session(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the event loop that is running when it is made.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RESPOND_TIMEOUT_SECONDS))
        return self._session

    async def send(self, dest: Destination, reply: Reply) -> None:
        """Show `reply` to the member (ephemeral unless public), then make its posts and say how they went."""
        public = reply.visibility is Visibility.PUBLIC
        messages = render_messages(reply)
        sent = 0
        if dest.response_url:
            for message in messages:
                if not await self._respond(dest.response_url, message, public=public):
                    break
                sent += 1
        if sent == 0:
            await self._direct(dest, reply, public=public)
        elif sent < len(messages):
            log.warning("only %s of %s parts of an answer reached the member", sent, len(messages))
        else:
            if reply.image:
                await self._image(dest, reply, public=public)
            if reply.attachment:
                await self._attachment(dest, reply, public=public)
        if reply.posts:
            results = await deliver(self.poster, dest.community_id, reply.posts)
            await self.say(dest, report(reply.posts, results))

    async def say(self, dest: Destination, text: str) -> None:
        """A short private note (already mrkdwn) to the member."""
        message = SlackMessage(text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
        if dest.response_url and await self._respond(dest.response_url, message, public=False):
            return
        await self.poster.send_note(dest.user_id, message)

    async def _respond(self, url: str, message: SlackMessage, *, public: bool) -> bool:
        body = {
            "response_type": "in_channel" if public else "ephemeral",
            "replace_original": False,
            "text": message.text,
            "blocks": message.blocks,
        }
        try:
            response = await AsyncWebhookClient(url, session=self._respond_session()).send_dict(body)
        except (ClientError, SlackClientError, TimeoutError) as exc:
            log.warning("response_url unreachable: %s", type(exc).__name__)
            self.poster.count_failure("response_url_unreachable")
            return False
        if response.status_code != 200:
            log.warning("response_url refused the answer: HTTP %s", response.status_code)
            self.poster.count_failure(f"response_url_http_{response.status_code}")
            return False
        return True

    async def _direct(self, dest: Destination, reply: Reply, *, public: bool) -> None:
        # Public answers go to the channel the member acted in; private ones to their DM with the app.
        target = dest.channel_id if public and dest.channel_id else dest.user_id
        result = await self.poster.post(dest.community_id, target, reply)
        if not result.ok and target != dest.user_id:
            result = await self.poster.post(dest.community_id, dest.user_id, reply)
        if not result.ok:
            log.warning("could not answer a member: %s", result.error)

    async def _image(self, dest: Destination, reply: Reply, *, public: bool) -> None:
        assert reply.image is not None
        channel = dest.channel_id if public else await self.poster.open_dm(dest.user_id)
        trouble = await self.poster.upload(channel, reply.image) if channel else "no conversation to share it in."
        if trouble:
            await self.say(dest, f"The image “{escape(reply.image.alt)}” could not be shown: {escape(trouble)}")

    async def _attachment(self, dest: Destination, reply: Reply, *, public: bool) -> None:
        assert reply.attachment is not None
        channel = dest.channel_id if public else await self.poster.open_dm(dest.user_id)
        file = reply.attachment
        trouble = (
            await self.poster.upload_file(channel, file.data, file.filename, file.filename)
            if channel
            else "no conversation to share it in."
        )
        if trouble:
            await self.say(dest, f"The file “{escape(file.filename)}” could not be sent: {escape(trouble)}")


def report(posts: tuple[Post, ...], results: list[PostResult]) -> str:
    """One line per post: where it went, with a link, or why it did not."""
    lines = []
    for post, result in zip(posts, results, strict=True):
        where = channel_link(post.channel_id)
        if result.ok:
            shown = f": {link(result.link, 'view it')}" if result.link else "."
            line = f":white_check_mark: Posted in {where}{shown}"
            if result.error:
                line += f" {escape(result.error)}"
        else:
            line = f":x: Could not post in {where}: {escape(result.error or 'Slack refused it.')}"
        lines.append(line)
    return "\n".join(lines)

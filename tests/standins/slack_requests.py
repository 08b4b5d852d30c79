"""Requests as Slack sends them to an app: form-encoded slash commands and interactions, JSON events,
each signed with v0 HMAC-SHA256 over `v0:{timestamp}:{body}`."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.standins.slack_server import TEAM_ID, SlackStandIn


def sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class SlackRequests:
    """Sends what Slack would send to `endpoint`; response_urls point at the stand-in, one name per request."""

    endpoint: str
    secret: str
    slack: SlackStandIn
    team_id: str = TEAM_ID
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.secret, ts, body),
            **(headers or {}),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.endpoint, data=body.encode(), headers=all_headers) as response,
        ):
            return Answer(response.status, await response.text())

    def next_name(self) -> str:
        return f"r{next(self._names)}"

    async def command(
        self, command: str, text: str = "", *, user: str = "U1ADA", channel: str = "C1GENERAL", name: str = ""
    ) -> tuple[Answer, str]:
        """A slash command; returns the ack and the name of its response_url at the stand-in."""
        name = name or self.next_name()
        form = {
            "token": "legacy",
            "team_id": self.team_id,
            "team_domain": "study",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": self.slack.response_url(name),
            "trigger_id": f"trigger-{name}",
        }
        return await self.send(urlencode(form), "application/x-www-form-urlencoded"), name

    async def interaction(self, payload: dict[str, Any]) -> Answer:
        return await self.send(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def press(
        self,
        value: str,
        *,
        user: str = "U1ADA",
        channel: str | None = "C1GENERAL",
        in_home: bool = False,
        action_id: str = "studybot:0",
    ) -> tuple[Answer, str]:
        """A button press in a message (with a response_url) or in the App Home (without one)."""
        name = self.next_name()
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0APP",
            "token": "legacy",
            "trigger_id": f"trigger-{name}",
            "team": {"id": self.team_id, "domain": "study"},
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "type": "button",
                    "value": value,
                    "text": {"type": "plain_text", "text": "button"},
                    "action_ts": "1800000000.1",
                }
            ],
        }
        if in_home:
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {"id": "V0HOME", "type": "home", "blocks": []}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1800000000.000100",
                "channel_id": channel,
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": channel, "name": "general"}
            payload["response_url"] = self.slack.response_url(name)
        return await self.interaction(payload), name

    async def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U1ADA") -> Answer:
        """Submit a modal as views.open received it; `values` maps block ids to the element's state."""
        state = {"values": {block: {"value": element} for block, element in values.items()}}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "study"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0APP",
            "token": "legacy",
            "trigger_id": "trigger-submit",
            "view": {**view, "id": "V0MODAL", "team_id": self.team_id, "state": state, "hash": "h1"},
            "response_urls": [],
        }
        return await self.interaction(payload)

    async def event(
        self, event: dict[str, Any], *, event_id: str, retry_num: int | None = None, timestamp: int | None = None
    ) -> Answer:
        body = {
            "token": "legacy",
            "team_id": self.team_id,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1_800_000_000,
            "authorizations": [{"team_id": self.team_id, "user_id": "U0BOT", "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return await self.send(json.dumps(body), "application/json", headers=headers, timestamp=timestamp)

    async def open_home(self, user: str = "U1ADA", *, event_id: str, retry_num: int | None = None) -> Answer:
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": "D1",
            "tab": "home",
            "event_ts": "1800000000.000001",
            "view": {"id": "V0HOME", "team_id": self.team_id},
        }
        return await self.event(event, event_id=event_id, retry_num=retry_num)

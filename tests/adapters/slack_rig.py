"""The real bolt app on an ephemeral port, wired to the stand-in Slack; what the Slack tests drive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.slack import SlackAdapter, build_adapter, web_application
from bot.app import StudyBot
from bot.settings import Settings
from tests.standins.slack_requests import SlackRequests
from tests.standins.slack_server import SlackStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADA, BOB, GRACE = "U1ADA", "U2BOB", "U9GRACE"


@dataclass
class SlackRig:
    bot: StudyBot
    adapter: SlackAdapter
    slack: SlackStandIn
    requests: SlackRequests
    settings: Settings
    base_url: str  # the app's own address: /slack/events, /healthz, /metrics

    async def command(self, command: str, text: str = "", **kwargs: Any) -> dict[str, Any]:
        """Send a slash command and wait for its answer at the response_url (the first one)."""
        ack, name = await self.requests.command(command, text, **kwargs)
        assert ack.status == 200, ack.text
        return (await self.slack.wait_responses(name))[0]


def slack_settings(bot: StudyBot, slack: SlackStandIn, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": SecretStr("xoxb-test-token"),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": slack.api_url,
        **overrides,
    }
    return bot.settings.model_copy(update=values)


@asynccontextmanager
async def slack_rig(bot: StudyBot) -> AsyncIterator[SlackRig]:
    slack = await SlackStandIn().start()
    slack.add_user(ADA, "Ada")
    slack.add_user(BOB, "Bob")
    slack.add_user(GRACE, "Grace", admin=True)
    settings = slack_settings(bot, slack)
    adapter = build_adapter(bot, settings)
    server = TestServer(web_application(adapter.app, bot), host="127.0.0.1")
    await server.start_server()
    try:
        await adapter.start()
        requests = SlackRequests(str(server.make_url("/slack/events")), SECRET, slack)
        yield SlackRig(bot, adapter, slack, requests, settings, str(server.make_url("/")))
    finally:
        await adapter.close()
        await bot.live_boards.close()  # drop the debounced board refreshes that writes started
        await server.close()
        await slack.close()


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    """Every string Slack would parse as mrkdwn in a message or view (where mentions could ping)."""
    found = [message["text"]] if isinstance(message.get("text"), str) else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks", []))
    return found


def all_text(message: dict[str, Any]) -> str:
    """Every text in a message or view, joined, for `in` checks."""
    parts: list[str] = [message["text"]] if isinstance(message.get("text"), str) else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks", []))
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]

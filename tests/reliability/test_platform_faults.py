"""The platform drops the connection under the bot: Discord closes the gateway websocket, Slack closes the
Socket Mode websocket. The real clients reconnect by themselves and the bot keeps serving, losing nothing.

(429, 5xx and Retry-After on both platforms are covered by tests/adapters/test_discord_posts.py and
tests/adapters/test_slack.py.)"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from adapters import slack
from bot.app import StudyBot
from bot.storage.models import Progress
from tests.adapters.discord_support import ADA, discord, discord_server, until  # noqa: F401  (fixtures)
from tests.adapters.slack_rig import ADA as SLACK_ADA
from tests.adapters.slack_rig import all_text, slack_settings
from tests.standins.discord_server import DiscordStandIn
from tests.standins.slack_server import TEAM_ID, SlackStandIn


async def _done_topics(bot: StudyBot) -> int:
    async with bot.sessions() as session:
        return len(list(await session.scalars(select(Progress.id).where(Progress.status == "done"))))


@pytest.mark.parametrize("backend", ["sqlite"])  # the database plays no part here
@pytest.mark.parametrize("code", [1001, 4000])  # going away; an unknown error: both allow a reconnect
async def test_discord_gateway_closed_the_bot_reconnects_and_serves(
    bot: StudyBot,
    discord: DiscordStandIn,  # noqa: F811  (the fixture imported above)
    code: int,
) -> None:
    first = await discord.slash("roadmap done", ADA)
    assert "Done" in (await first.shown())[0].text
    identified = sum(1 for e in discord.gateway_events if e["op"] == 2)
    for session in list(discord._sessions):  # the stand-in's open gateway sessions
        await session.ws.close(code=code, message=b"going away")
    # discord.py reconnects (a resume, refused here, then a fresh identify) without being told to.
    await until(lambda: sum(1 for e in discord.gateway_events if e["op"] == 2) > identified)
    await until(lambda: bool(discord._sessions) and all(s.ready for s in discord._sessions))
    await until(lambda: bot.health.platforms.get("discord") is True)
    second = await discord.slash("roadmap done", ADA)
    assert "Done" in (await second.shown())[0].text
    assert await _done_topics(bot) == 2  # both commands counted once, nothing lost or repeated


@pytest.fixture
async def stand_in() -> SlackStandIn:
    server = await SlackStandIn().start()
    server.add_user(SLACK_ADA, "Ada")
    try:
        yield server  # type: ignore[misc]
    finally:
        await server.close()


def _slash(stand_in: SlackStandIn, envelope: str, text: str) -> dict[str, object]:
    payload = {
        "team_id": TEAM_ID,
        "team_domain": "study",
        "channel_id": "C1GENERAL",
        "user_id": SLACK_ADA,
        "user_name": "ada",
        "command": "/roadmap",
        "text": text,
        "response_url": stand_in.response_url(envelope),
        "trigger_id": f"trigger-{envelope}",
    }
    return {"envelope_id": envelope, "type": "slash_commands", "accepts_response_payload": True, "payload": payload}


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_slack_socket_mode_disconnect_the_client_reconnects_and_serves(
    bot: StudyBot, stand_in: SlackStandIn
) -> None:
    settings = slack_settings(bot, stand_in, slack_app_token=SecretStr("xapp-test"), slack_signing_secret=None)
    running = asyncio.create_task(slack.run(bot, settings))
    try:
        await stand_in.wait_for(lambda: stand_in.sockets_open or running.done())
        assert not running.done(), running.exception()
        await stand_in.socket_send(_slash(stand_in, "one", "done"))
        assert "Done" in all_text((await stand_in.wait_responses("one"))[0])

        for ws in list(stand_in._sockets):  # Slack drops the websocket, as it does every few hours
            await ws.close()
        await stand_in.wait_for(lambda: len(stand_in.calls_to("apps.connections.open")) >= 2, within=30)
        await stand_in.wait_for(lambda: stand_in.sockets_open or running.done(), within=30)
        assert not running.done(), running.exception()

        await stand_in.socket_send(_slash(stand_in, "two", "done"))
        assert "Done" in all_text((await stand_in.wait_responses("two"))[0])
        assert await _done_topics(bot) == 2
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

"""The REST-only Discord poster the standalone scheduler uses: no gateway, same posts and checks."""

from __future__ import annotations

from adapters.discord import standalone_poster
from bot.app import StudyBot
from bot.replies import Button, Reply
from tests.adapters.discord_support import GUILD, OTHER, discord_settings
from tests.standins.discord_server import DiscordStandIn


async def test_standalone_poster_posts_without_a_gateway(bot: StudyBot, discord_server: DiscordStandIn) -> None:
    poster = await standalone_poster(discord_settings(bot, discord_server))
    try:
        channel = GUILD.channels[0].id
        result = await poster.post(
            GUILD.id,
            channel,
            Reply(text="Daily topic: @everyone HTTP", buttons=(Button("Next topic", "roadmap next"),)),
        )
        assert result.ok and result.message_id
        assert discord_server.connected == 0  # nothing opened a gateway connection
        sent = discord_server.calls("POST", f"/channels/{channel}/messages")
        assert len(sent) == 1
        body = sent[0].body
        assert body["allowed_mentions"] == {"parse": []}
        assert body["components"][0]["components"][0]["custom_id"] == "sb:roadmap next"
        # A channel of another server is refused in words, never posted to.
        refused = await poster.post(GUILD.id, OTHER.channels[0].id, Reply(text="x"))
        assert not refused.ok and "not a channel of this server" in (refused.error or "")
    finally:
        await poster.client.close()

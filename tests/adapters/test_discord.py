"""The Discord adapter with the real registry, through the real discord.py client against the stand-in Discord."""

from __future__ import annotations

import re

import aiohttp
import pytest
from pydantic import SecretStr

from adapters.discord import run
from bot.app import StudyBot
from bot.app_state import get_value
from bot.content import Content
from bot.registry import ArgKind, Argument
from bot.settings import SettingsError
from tests.adapters.discord_support import (
    ADA,
    BOB,
    GENERAL,
    GRACE,
    GUILD,
    NO_MENTIONS,
    OTHER,
    caller,
    discord_settings,
    start,
)
from tests.standins.discord_server import DiscordStandIn, Shown

SUCCESS_COLOUR = 0x57F287


def only(shown: list[Shown]) -> Shown:
    assert len(shown) == 1, [s.text for s in shown]
    return shown[0]


async def answer(discord: DiscordStandIn, line: str, user: object = ADA, **options: object) -> Shown:
    sent = await discord.slash(line, user, **options)  # type: ignore[arg-type]
    return only(await sent.shown())


async def test_start_logs_in_syncs_every_registry_command_and_attaches_the_poster(
    bot: StudyBot, discord: DiscordStandIn
) -> None:
    assert discord.calls("GET", "/users/@me") and discord.calls("GET", "/oauth2/applications/@me")
    identify = next(e for e in discord.gateway_events if e["op"] == 2)
    assert identify["d"]["intents"] == 1  # guilds only: no privileged intent
    assert bot.posters["discord"].platform == "discord"

    [sync] = discord.calls("PUT", rf"/applications/{discord.app_id}/commands")
    synced = {c["name"]: c for c in sync.body}
    assert set(synced) == set(bot.registry.roots())
    roadmap = {o["name"]: o for o in synced["roadmap"]["options"]}
    assert {c.path[1] for c in bot.registry.under(("roadmap",))} == set(roadmap)
    assert all(o["type"] == 1 for o in roadmap.values())  # subcommands of the /roadmap group
    [topic] = roadmap["done"]["options"]
    assert topic == topic | {"name": "topic", "type": 3, "autocomplete": True, "required": False}
    [language] = roadmap["track"]["options"]
    assert [c["value"] for c in language["choices"]] == list(bot.content.tracks)
    assert roadmap["topic"]["options"][0]["required"] is True
    assert synced["roadmap"]["default_member_permissions"] is None
    assert synced["help"]["options"][0]["max_length"] == 60


async def test_roadmap_next_is_a_private_embed_with_a_progress_bar_and_persistent_buttons(
    discord: DiscordStandIn, content: Content
) -> None:
    first = content.topics[0]
    shown = await answer(discord, "roadmap next")
    assert shown.ephemeral
    assert shown.body["allowed_mentions"] == NO_MENTIONS
    [embed] = shown.embeds
    assert embed["title"] == f"Topic 1: {first.title}"
    assert "▱" in embed["description"] and "0%" in embed["description"]
    assert embed["footer"]["text"].startswith(f"Topic 1 of {len(content.topics)}")
    assert {f["name"] for f in embed["fields"]} >= {"Why it matters", "Resources", "Practice"}
    assert [(b["label"], b["custom_id"]) for b in shown.buttons] == [
        ("Mark done", f"sb:roadmap done {first.id}"),
        ("Skip", f"sb:roadmap skip {first.id}"),
        ("Next topic", "sb:roadmap next"),
    ]


async def test_every_roadmap_command_answers(bot: StudyBot, discord: DiscordStandIn, content: Content) -> None:
    first, second, last = content.topics[0], content.topics[1], content.topics[-1]

    done = await answer(discord, "roadmap done", topic=first.id)
    assert f"Done: **{first.title}**" in done.text and done.embeds[0]["color"] == SUCCESS_COLOUR
    skipped = await answer(discord, "roadmap skip", topic=second.id)
    assert f"Skipped: **{second.title}**" in skipped.text
    started = await answer(discord, "roadmap start", topic=last.id)
    assert f"Learning **{last.title}**" in started.text
    assert [b["custom_id"] for b in started.buttons] == [f"sb:roadmap done {last.id}"]
    undone = await answer(discord, "roadmap undo", topic=second.id)
    assert f"Undone: **{second.title}**" in undone.text

    progress = await answer(discord, "roadmap progress")
    assert progress.embeds[0]["title"] == "Progress of Ada"
    assert f"(1 of {len(content.topics)} topics)" in progress.text
    assert f"Learning now: {last.title}" in progress.text

    looked_up = await answer(discord, "roadmap topic", query=last.title)
    assert looked_up.embeds[0]["title"] == f"Topic: {last.title}"
    listing = await answer(discord, "roadmap list")
    assert listing.embeds[0]["title"] == "The backend roadmap"
    assert f"✅ 1. {first.title}" in listing.text

    track = await answer(discord, "roadmap track", language="python")
    assert "Your track is now **Python**" in track.text
    zone = await answer(discord, "roadmap timezone", zone="Europe/Berlin")
    assert "**Europe/Berlin**" in zone.text
    nxt = await answer(discord, "roadmap next")
    assert nxt.embeds[0]["title"].endswith(second.title)

    # What Discord showed is what the core stored for this member of this server.
    core = await bot.run_line(caller(ADA), "roadmap progress")
    assert f"(1 of {len(content.topics)} topics)" in core.plain_text()


async def test_help_lists_commands_and_explains_one(discord: DiscordStandIn) -> None:
    overview = await answer(discord, "help")
    assert overview.embeds[0]["title"] == "studybot commands"
    assert "/roadmap next" in overview.text
    one = await answer(discord, "help", about="roadmap done")
    assert one.embeds[0]["title"] == "/roadmap done [topic…]"
    points = await answer(discord, "help", about="points")
    assert points.embeds[0]["title"] == "How points work"


async def test_a_wrong_option_value_gets_the_cores_message_and_changes_nothing(
    bot: StudyBot, discord: DiscordStandIn
) -> None:
    shown = await answer(discord, "roadmap done", topic="zzzz qqqq")
    assert shown.ephemeral and "No topic matches" in shown.text
    core = await bot.run_line(caller(ADA), "roadmap progress")
    assert "(0 of" in core.plain_text()


async def test_buttons_run_their_command_as_the_person_who_presses(
    bot: StudyBot, discord: DiscordStandIn, content: Content
) -> None:
    first = content.topics[0]
    card = await answer(discord, "roadmap next")

    pressed = only(await (await discord.press(card, "Mark done", ADA)).shown())
    assert f"Done: **{first.title}**" in pressed.text
    assert pressed.body["allowed_mentions"] == NO_MENTIONS
    after = only(await (await discord.press(pressed, "Next topic", ADA)).shown())
    assert after.embeds[0]["title"].endswith(content.topics[1].title)

    # Bob presses the button under Ada's card: it acts for Bob, not for Ada.
    bobs = only(await (await discord.press(card, "Skip", BOB)).shown())
    assert f"Skipped: **{first.title}**" in bobs.text
    ada = await bot.run_line(caller(ADA), "roadmap list")
    bob = await bot.run_line(caller(BOB), "roadmap list")
    assert f"✅ 1. {first.title}" in ada.plain_text()
    assert f"⏭ 1. {first.title}" in bob.plain_text()


async def test_buttons_keep_working_after_a_restart_and_commands_sync_only_when_changed(
    bot: StudyBot, discord_server: DiscordStandIn, content: Content
) -> None:
    running = await start(bot, discord_server)
    card = await answer(discord_server, "roadmap next")
    await running.stop()
    assert discord_server.connected == 0

    restarted = await start(bot, discord_server)
    try:
        # Same registry, same database: the second start did not upload the commands again.
        assert len(discord_server.calls("PUT", r"/applications/\d+/commands")) == 1
        pressed = only(await (await discord_server.press(card, "Mark done", ADA)).shown())
        assert f"Done: **{content.topics[0].title}**" in pressed.text
    finally:
        await restarted.stop()

    async with bot.sessions() as session:
        stored = await get_value(session, f"discord.commands:{discord_server.app_id}:global")
    assert stored is not None and re.fullmatch(r"[0-9a-f]{64}", stored)


async def test_topic_options_autocomplete(discord: DiscordStandIn, content: Content) -> None:
    wanted = content.topics[-1]
    sent = await discord.autocomplete("roadmap done", ADA, focused="topic", typed=wanted.title)
    body = await sent.callback()
    assert body["type"] == 8
    choices = body["data"]["choices"]
    assert choices[0] == {"name": f"{wanted.title} ({wanted.id})", "value": wanted.id}
    assert len(choices) <= 25

    empty = await (await discord.autocomplete("roadmap skip", ADA, focused="topic", typed="")).callback()
    assert [c["value"] for c in empty["data"]["choices"]] == [t.id for t in content.topics[:25]]

    zones = await (await discord.autocomplete("roadmap timezone", ADA, focused="zone", typed="berl")).callback()
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in zones["data"]["choices"]


async def test_direct_messages_say_what_works_there(discord: DiscordStandIn, content: Content) -> None:
    needs_server = only(await (await discord.slash("roadmap next", ADA, dm=True)).shown())
    assert "works inside a community" in needs_server.text
    assert "`/help`" in needs_server.text and "`/roadmap list`" in needs_server.text

    listing = only(await (await discord.slash("roadmap list", ADA, dm=True)).shown())
    assert listing.embeds[0]["title"] == "The backend roadmap"
    helped = only(await (await discord.slash("help", ADA, dm=True)).shown())
    assert helped.embeds[0]["title"] == "studybot commands"


async def test_each_server_is_its_own_community(bot: StudyBot, discord: DiscordStandIn, content: Content) -> None:
    await answer(discord, "roadmap done", topic=content.topics[0].id)
    elsewhere = only(await (await discord.slash("roadmap progress", ADA, in_guild=OTHER)).shown())
    assert "(0 of" in elsewhere.text
    here = await bot.run_line(caller(ADA, GUILD), "roadmap progress")
    assert "(1 of" in here.plain_text()


async def test_a_command_discord_knows_but_this_build_does_not_gets_a_plain_answer(discord: DiscordStandIn) -> None:
    discord.commands["global"].append({"id": "1", "name": "retired", "description": "gone", "type": 1, "options": []})
    shown = only(await (await discord.slash("retired", ADA)).shown())
    assert shown.ephemeral and "changed since Discord last loaded it" in shown.text
    # …and the bot carries on.
    assert "studybot commands" in (await answer(discord, "help")).text


async def test_guild_id_syncs_to_that_server_only(bot: StudyBot, discord_server: DiscordStandIn) -> None:
    running = await start(bot, discord_server, discord_guild_id=int(GUILD.id))
    try:
        assert not discord_server.calls("PUT", r"/applications/\d+/commands")
        [sync] = discord_server.calls("PUT", rf"/applications/{discord_server.app_id}/guilds/{GUILD.id}/commands")
        assert {c["name"] for c in sync.body} == set(bot.registry.roots())
        assert "studybot commands" in (await answer(discord_server, "help")).text
    finally:
        await running.stop()


async def test_a_failed_sync_is_logged_and_retried_at_the_next_start(
    bot: StudyBot, discord_server: DiscordStandIn
) -> None:
    discord_server.fail("PUT", r"/applications/\d+/commands", 403)
    running = await start(bot, discord_server)
    try:
        assert "studybot commands" not in str(discord_server.commands)
        async with bot.sessions() as session:
            assert await get_value(session, f"discord.commands:{discord_server.app_id}:global") is None
    finally:
        await running.stop()
    again = await start(bot, discord_server)
    try:
        assert len(discord_server.calls("PUT", r"/applications/\d+/commands")) == 1
        assert "studybot commands" in (await answer(discord_server, "help")).text
    finally:
        await again.stop()


async def test_shards_split_servers_between_processes(bot: StudyBot, discord_server: DiscordStandIn) -> None:
    first = await start(bot, discord_server, discord_shard_count=2, discord_shard_ids="0")
    second = await start(bot, discord_server, discord_shard_count=2, discord_shard_ids="1")
    try:
        shards = sorted(tuple(e["d"]["shard"]) for e in discord_server.gateway_events if e["op"] == 2)
        assert shards == [(0, 2), (1, 2)]
        # GUILD is on shard 0 and OTHER on shard 1: each process answers its own server.
        assert "studybot commands" in only(await (await discord_server.slash("help", ADA)).shown()).text
        assert "studybot commands" in only(await (await discord_server.slash("help", ADA, in_guild=OTHER)).shown()).text
        # Both processes share the database: only the first uploaded the commands.
        assert len(discord_server.calls("PUT", r"/applications/\d+/commands")) == 1
    finally:
        await first.stop()
        await second.stop()


async def test_heartbeats_are_acknowledged(bot: StudyBot, content: Content) -> None:
    server = DiscordStandIn((GUILD,), heartbeat_interval_ms=20)
    await server.start()
    try:
        running = await start(bot, server)
        await server.wait_for(lambda: sum(e["op"] == 1 for e in server.gateway_events) >= 3)
        assert server.connected == 1  # the ACKs kept the session alive
        assert "studybot commands" in (await answer(server, "help")).text
        await running.stop()
    finally:
        await server.close()


async def test_a_refused_token_stops_with_one_clear_error(bot: StudyBot, discord_server: DiscordStandIn) -> None:
    with pytest.raises(SettingsError) as refused:
        await start(bot, discord_server, discord_token=SecretStr("not-the-token"))
    assert "DISCORD_TOKEN" in str(refused.value) and "not-the-token" not in str(refused.value)
    assert discord_server.connected == 0


async def test_the_discord_process_serves_health_and_metrics(
    bot: StudyBot, discord_server: DiscordStandIn, unused_tcp_port: int
) -> None:
    running = await start(bot, discord_server, metrics_port=unused_tcp_port)
    base = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        await answer(discord_server, "help")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/healthz") as response:
                assert response.status == 200
                assert (await response.json())["platforms"] == {"discord": "connected"}
            async with http.get(f"{base}/metrics") as response:
                assert 'studybot_commands_total{command="help",outcome="ok"} 1.0' in await response.text()
    finally:
        await running.stop()
    assert bot.health.platforms["discord"] is False


def sample_value(arg: Argument, content: Content) -> object:
    """A valid value for any argument, as a person would pick it in Discord."""
    match arg.kind:
        case ArgKind.CHANNEL:
            return GENERAL
        case ArgKind.MEMBER:
            return BOB
        case ArgKind.INTEGER:
            return arg.min_value if arg.min_value is not None else 1
        case ArgKind.CHOICE:
            return arg.choices[0]
        case ArgKind.TOPIC:
            return content.topics[0].id
        case ArgKind.URL:
            return "https://example.com/my-solution"
        case ArgKind.TIMEZONE:
            return "Europe/Berlin"
        case ArgKind.TIME:
            return "09:30"
        case ArgKind.DATETIME:
            return "2027-01-15 18:00"
        case _:
            return "hello"


ADAPTER_FAILURES = ("changed since Discord last loaded it", "Something went wrong", "not something I can use")


async def test_every_registry_command_reaches_the_core(
    bot: StudyBot, discord: DiscordStandIn, content: Content
) -> None:
    """Each command, called as a moderator with its required options, gets the core's answer, not an adapter error."""
    for command in bot.registry:
        options = {a.name: sample_value(a, content) for a in command.arguments if a.required}
        sent = await discord.slash(command.name, GRACE, **options)
        shown = await sent.shown()
        assert shown, command.name
        for message in shown:
            assert not any(failure in message.text for failure in ADAPTER_FAILURES), (command.name, message.text)
            assert message.body["allowed_mentions"] == NO_MENTIONS


async def test_pictures_arrive_as_attachments_after_a_deferral(discord: DiscordStandIn) -> None:
    sent = await discord.slash("roadmap map", ADA)  # slow: drawing takes a moment
    assert (await sent.callback())["type"] == 5
    [answer] = await sent.shown()
    assert answer.source == "original"
    [file] = answer.files
    assert file["data"].startswith(b"\x89PNG") and file["filename"].endswith(".png")
    assert answer.embeds[-1]["image"]["url"] == f"attachment://{file['filename']}"
    assert answer.message["attachments"][0]["filename"] == file["filename"]


@pytest.mark.parametrize(
    ("count", "ids", "message"),
    [(None, "0", "set DISCORD_SHARD_COUNT as well"), (2, "1,2", "every shard id must be below DISCORD_SHARD_COUNT")],
)
async def test_shard_settings_that_cannot_work_stop_with_one_line(
    bot: StudyBot, discord_server: DiscordStandIn, count: int | None, ids: str, message: str
) -> None:
    settings = discord_settings(bot, discord_server, discord_shard_count=count, discord_shard_ids=ids)
    with pytest.raises(SettingsError, match=message):
        await run(bot, settings)
    assert discord_server.requests == []  # nothing was sent to Discord

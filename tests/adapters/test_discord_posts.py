"""The Discord adapter with test commands: moderator checks, channel posts, Discord errors, limits, deferral."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import update

from adapters.discord_render import (
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    MAX_MESSAGES,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
)
from bot.app import StudyBot
from bot.commands import build_registry
from bot.context import Context
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Button, Field, Image, Post, Reply, Visibility
from bot.storage.models import Community
from tests.adapters.discord_support import (
    ADA,
    ANNOUNCEMENTS,
    BOB,
    GENERAL,
    GRACE,
    GUILD,
    LINUS,
    MENTOR,
    NO_MENTIONS,
    OTHER,
    Running,
    start,
    until,
)
from tests.standins.discord_server import Channel, DiscordStandIn, Person, Recorded, Shown

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Calls:
    """What the test commands were asked to do, and a gate a test opens to let one finish."""

    ran: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)


def registry_with_test_commands(calls: Calls) -> Registry:
    """The real commands plus a few that exercise every option type and reply shape."""

    async def notice(ctx: Context, args: dict[str, Any]) -> Reply:
        calls.ran.append(("notice", args))
        post = Reply(title="Notice", text=args["text"], visibility=Visibility.PUBLIC)
        return Reply(
            text=f"Posting to <#{args['channel']}>.",
            posts=(Post(args["channel"], post, ping_everyone=args.get("everyone") == "yes"),),
        )

    async def board_show(ctx: Context, args: dict[str, Any]) -> Reply:
        calls.ran.append(("board show", args))
        return Reply(title="Board", text=f"{args.get('weeks', 1)} weeks", visibility=Visibility.PUBLIC)

    async def season_start(ctx: Context, args: dict[str, Any]) -> Reply:
        calls.ran.append(("board season start", args))
        return Reply(text=f"Season started; <@{args['rival']}> is the rival. @everyone @here")

    async def essay(ctx: Context, args: dict[str, Any]) -> Reply:
        words = 1500 if args.get("size") == "long" else 6000
        text = " ".join(f"w{n}" for n in range(words))
        parts = 8 if args.get("size") == "long" else 30
        lines = 10 if args.get("size") == "long" else 30
        fields = tuple(
            Field(f"Part {n}", "\n".join(f"line {n}.{k} " + "x" * 40 for k in range(lines))) for n in range(parts)
        )
        return Reply(title="T" * 300, text=text, fields=fields, footer="F" * 2100, buttons=(Button("Again", "essay"),))

    async def slowpoke(ctx: Context, args: dict[str, Any]) -> Reply:
        return Reply(text="Worth the wait.")

    async def gate(ctx: Context, args: dict[str, Any]) -> Reply:
        calls.ran.append(("gate", args))
        await calls.gate.wait()
        return Reply(text="Through the gate.", visibility=Visibility.PUBLIC)

    async def chart(ctx: Context, args: dict[str, Any]) -> Reply:
        return Reply(title="Chart", image=Image("weekly chart.png", PNG, "Points per week"))

    registry = build_registry()
    registry.describe_group("board", "A test leaderboard")
    channel = Argument("channel", ArgKind.CHANNEL, "Where to post", required=True)
    everyone = Argument("everyone", ArgKind.CHOICE, "Notify everyone?", choices=("yes", "no"))
    text = Argument("text", ArgKind.TEXT, "What to say", required=True, rest=True, max_length=1500)
    weeks = Argument("weeks", ArgKind.INTEGER, "How many weeks", min_value=1, max_value=52)
    rival = Argument("rival", ArgKind.MEMBER, "Someone to race", required=True)
    size = Argument("size", ArgKind.CHOICE, "How long", choices=("long", "huge"))
    for command in (
        Command(("notice",), "Post a notice to a channel", notice, (channel, everyone, text), moderator_only=True),
        Command(("board", "show"), "Show the board", board_show, (weeks,)),
        Command(("board", "season", "start"), "Start a season", season_start, (rival,), moderator_only=True),
        Command(("essay",), "A very long reply", essay, (size,), needs_community=False),
        Command(("slowpoke",), "Takes its time", slowpoke, slow=True),
        Command(("gate",), "Waits for the test", gate),
        Command(("chart",), "A picture", chart),
    ):
        registry.add(command)
    return registry


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def test_bot(bot: StudyBot, calls: Calls) -> StudyBot:
    return StudyBot(bot.settings, bot.content, bot.engine, clock=bot.clock, registry=registry_with_test_commands(calls))


@pytest.fixture
async def running(test_bot: StudyBot, discord_server: DiscordStandIn) -> AsyncIterator[Running]:
    running = await start(test_bot, discord_server)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def server(running: Running, discord_server: DiscordStandIn) -> DiscordStandIn:
    return discord_server


async def shown(server: DiscordStandIn, line: str, user: Person = GRACE, count: int = 1, **options: Any) -> list[Shown]:
    return await (await server.slash(line, user, **options)).shown(count)


def message_bodies(server: DiscordStandIn) -> list[dict[str, Any]]:
    """Every message body the bot sent: answers, follow-ups, edits and channel posts."""
    bodies = []
    for r in server.requests:
        if not isinstance(r.body, dict):
            continue
        if r.path.endswith("/callback") and r.body["type"] in (4, 7):
            bodies.append(r.body["data"])
        elif r.path.startswith(("/webhooks/", "/channels/")) and r.method in ("POST", "PATCH"):
            bodies.append(r.body)
    return bodies


def channel_posts(server: DiscordStandIn, channel: Channel) -> list[Recorded]:
    return server.calls("POST", f"/channels/{channel.id}/messages")


# ---- options and permissions ------------------------------------------------------------------------


async def test_options_are_typed_and_moderator_roots_are_hidden_from_members(server: DiscordStandIn) -> None:
    synced = {c["name"]: c for c in server.commands["global"]}
    assert synced["notice"]["default_member_permissions"] == str(0x20)
    options = {o["name"]: o for o in synced["notice"]["options"]}
    assert options["channel"]["type"] == 7 and options["channel"]["required"] is True
    assert set(options["channel"]["channel_types"]) == {0, 5, 10, 11, 12}
    assert [c["value"] for c in options["everyone"]["choices"]] == ["yes", "no"]
    assert options["text"]["max_length"] == 1500

    # /board mixes a member command and a moderator one: Discord cannot hide half a group.
    board = synced["board"]
    assert board["default_member_permissions"] is None
    by_name = {o["name"]: o for o in board["options"]}
    show, season = by_name["show"], by_name["season"]
    assert show["type"] == 1 and show["options"][0] | {"min_value": 1, "max_value": 52, "type": 4} == show["options"][0]
    assert season["type"] == 2 and season["options"][0]["name"] == "start"
    assert season["options"][0]["options"][0]["type"] == 6


async def test_a_member_is_refused_a_moderator_command_and_nothing_happens(
    server: DiscordStandIn, calls: Calls
) -> None:
    [refusal] = await shown(server, "notice", ADA, channel=ANNOUNCEMENTS, text="hello")
    assert refusal.ephemeral and "is for moderators" in refusal.text
    [nested] = await shown(server, "board season start", ADA, rival=BOB)
    assert "is for moderators" in nested.text
    assert calls.ran == [] and channel_posts(server, ANNOUNCEMENTS) == []

    [allowed] = await shown(server, "board show", ADA, weeks=3)
    assert "3 weeks" in allowed.text and not allowed.ephemeral


@pytest.mark.parametrize("moderator", [GRACE, LINUS], ids=["manage-server", "administrator"])
async def test_manage_server_or_administrator_may_use_moderator_commands(
    server: DiscordStandIn, calls: Calls, moderator: Person
) -> None:
    [answer] = await shown(server, "board season start", moderator, rival=BOB)
    assert f"<@{BOB.id}> is the rival" in answer.text
    assert calls.ran == [("board season start", {"rival": BOB.id})]


async def test_the_communitys_moderator_role_counts_too(
    test_bot: StudyBot, server: DiscordStandIn, calls: Calls
) -> None:
    await shown(server, "board show", MENTOR)  # the community now exists (a refusal writes nothing)
    [refused] = await shown(server, "board season start", MENTOR, rival=BOB)
    assert "is for moderators" in refused.text
    async with test_bot.sessions() as session, session.begin():
        changed = await session.execute(
            update(Community).where(Community.external_id == GUILD.id).values(moderator_role_id=MENTOR.roles[0])
        )
        assert changed.rowcount == 1
    [allowed] = await shown(server, "board season start", MENTOR, rival=BOB)
    assert "is the rival" in allowed.text


async def test_a_changed_registry_is_synced_again(
    bot: StudyBot, test_bot: StudyBot, discord_server: DiscordStandIn
) -> None:
    await (await start(bot, discord_server)).stop()
    await (await start(test_bot, discord_server)).stop()
    await (await start(test_bot, discord_server)).stop()
    first, second = discord_server.calls("PUT", r"/applications/\d+/commands")
    assert "notice" not in {c["name"] for c in first.body}
    assert "notice" in {c["name"] for c in second.body}


# ---- posting to channels ------------------------------------------------------------------------------


async def test_a_moderator_posts_to_a_channel_and_nothing_pings(server: DiscordStandIn, calls: Calls) -> None:
    text = "Meetup tonight @everyone @here <@&300000000000000001> <@400000000000000001>"
    [answer] = await shown(server, "notice", channel=ANNOUNCEMENTS, text=text)
    assert f"Posting to <#{ANNOUNCEMENTS.id}>" in answer.text
    await server.wait_for(lambda: len(channel_posts(server, ANNOUNCEMENTS)) == 1)
    [post] = channel_posts(server, ANNOUNCEMENTS)
    assert post.body["allowed_mentions"] == NO_MENTIONS and not post.body.get("content")
    assert post.body["embeds"][0]["title"] == "Notice"
    assert "@\u200beveryone" in post.body["embeds"][0]["description"]  # the core defused it as well


async def test_ping_everyone_pings_everyone_and_nobody_else(server: DiscordStandIn) -> None:
    await shown(server, "notice", channel=ANNOUNCEMENTS, everyone="yes", text="Season starts <@&300000000000000001>")
    await server.wait_for(lambda: len(channel_posts(server, ANNOUNCEMENTS)) == 1)
    [post] = channel_posts(server, ANNOUNCEMENTS)
    assert post.body["content"] == "@everyone"
    assert post.body["allowed_mentions"]["parse"] == ["everyone"]
    assert not post.body["allowed_mentions"].get("roles") and not post.body["allowed_mentions"].get("users")


async def test_every_message_the_bot_sends_allows_no_mentions(server: DiscordStandIn) -> None:
    await shown(server, "roadmap next", ADA)
    await shown(server, "board season start", rival=BOB)
    await shown(server, "essay", size="long", count=2)
    await shown(server, "notice", channel=GENERAL, text="hi @everyone")
    await server.wait_for(lambda: len(channel_posts(server, GENERAL)) == 1)
    bodies = message_bodies(server)
    assert len(bodies) >= 5
    assert all(body["allowed_mentions"] == NO_MENTIONS for body in bodies)


@pytest.mark.parametrize(
    ("setup", "channel", "expected", "kind"),
    [
        ("forbidden", ANNOUNCEMENTS, "I am not allowed to post in", "forbidden"),
        ("none", Channel("200000000000000777", "gone"), "does not exist, or I cannot see it", "not_found"),
        ("none", OTHER.channels[0], "is not a channel of this server", None),
        ("429 no via", ANNOUNCEMENTS, "rate-limiting me; please try again in a few minutes", "rate_limited"),
        ("429 long", ANNOUNCEMENTS, "rate-limiting me for 3600 seconds", "rate_limited"),
        ("503", ANNOUNCEMENTS, "Discord had a problem (HTTP 503)", "server_error"),
    ],
)
async def test_a_post_discord_refuses_is_reported_to_the_moderator_in_words(
    test_bot: StudyBot, server: DiscordStandIn, setup: str, channel: Channel, expected: str, kind: str | None
) -> None:
    path = f"/channels/{channel.id}/messages"
    if setup == "forbidden":
        server.forbidden_channels.add(channel.id)
    elif setup == "429 no via":
        server.fail("POST", path, 429, retry_after=1, via=False)
    elif setup == "429 long":
        server.fail("POST", path, 429, retry_after=3600)
    elif setup == "503":
        server.fail("POST", path, 503)
    answer, report = await shown(server, "notice", channel=channel, text="hello", count=2)
    assert "Posting to" in answer.text
    assert report.source == "followup" and report.ephemeral
    assert "Some messages were not posted" in report.text and expected in report.text
    metrics = test_bot.metrics.render().decode()
    if kind is not None:
        assert f'studybot_platform_errors_total{{kind="{kind}",platform="discord"}} 1.0' in metrics
    else:  # the bot refused it itself: Discord was never asked
        assert "studybot_platform_errors_total{" not in metrics
    # The bot keeps running.
    [helped] = await shown(server, "help", ADA)
    assert "studybot commands" in helped.text


async def test_a_short_429_and_a_500_are_retried_and_the_post_goes_out(server: DiscordStandIn) -> None:
    path = f"/channels/{ANNOUNCEMENTS.id}/messages"
    server.fail("POST", path, 429, retry_after=0.01)
    await shown(server, "notice", channel=ANNOUNCEMENTS, text="first")
    await server.wait_for(lambda: len(channel_posts(server, ANNOUNCEMENTS)) == 1)
    server.fail("POST", path, 500)
    await shown(server, "notice", channel=ANNOUNCEMENTS, text="second")
    await server.wait_for(lambda: len(channel_posts(server, ANNOUNCEMENTS)) == 2)
    statuses = [r.status for r in server.requests if r.path == path]
    assert statuses == [429, 200, 500, 200]


async def test_answers_survive_a_429_and_a_500_from_discord(server: DiscordStandIn) -> None:
    server.fail("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.01)
    [first] = await shown(server, "help", ADA)
    assert "studybot commands" in first.text
    server.fail("POST", r"/interactions/\d+/[^/]+/callback", 500)
    [second] = await shown(server, "help", ADA)
    assert "studybot commands" in second.text
    statuses = [r.status for r in server.requests if r.path.endswith("/callback")]
    assert statuses == [429, 200, 500, 200]


async def test_a_reply_discord_refuses_becomes_a_short_note(test_bot: StudyBot, server: DiscordStandIn) -> None:
    server.fail("POST", r"/interactions/\d+/[^/]+/callback", 400)
    [note] = await shown(server, "roadmap next", ADA)
    assert note.ephemeral and "Your command ran, but Discord would not show my answer" in note.text
    assert 'kind="http_error",platform="discord"} 1.0' in test_bot.metrics.render().decode()


async def test_the_poster_posts_and_edits_with_a_link(running: Running, server: DiscordStandIn) -> None:
    poster = running.poster
    reply = Reply(title="Leaderboard", text="1. Ada", buttons=(Button("Refresh", "board show"),))
    result = await poster.post(GUILD.id, GENERAL.id, reply)
    assert result.ok and result.message_id
    assert result.link == f"https://discord.com/channels/{GUILD.id}/{GENERAL.id}/{result.message_id}"
    [post] = channel_posts(server, GENERAL)
    assert post.body["components"][0]["components"][0]["custom_id"] == "sb:board show"
    # Anyone in the channel may press the button of a post; it runs as them.
    in_channel = Shown("post", post.body, False, post.files, server.messages_by_request[id(post)])
    [pressed] = await (await server.press(in_channel, "Refresh", BOB)).shown()
    assert "1 weeks" in pressed.text and not pressed.ephemeral

    edited = await poster.edit(GUILD.id, GENERAL.id, result.message_id, Reply(title="Leaderboard", text="1. Bob"))
    assert edited.ok and edited.message_id == result.message_id
    [edit] = server.calls("PATCH", f"/channels/{GENERAL.id}/messages/{result.message_id}")
    assert edit.body["embeds"][0]["description"] == "1. Bob" and edit.body["allowed_mentions"] == NO_MENTIONS
    assert server.messages[result.message_id]["embeds"][0]["description"] == "1. Bob"

    missing = await poster.edit(GUILD.id, GENERAL.id, "123456789012345678", reply)
    assert not missing.ok and "no longer exists" in (missing.error or "")
    not_here = await poster.post(GUILD.id, OTHER.channels[0].id, reply)
    assert not not_here.ok and "is not a channel of this server" in (not_here.error or "")
    in_dm = await poster.post("", GENERAL.id, reply)
    assert not in_dm.ok


# ---- reply shapes --------------------------------------------------------------------------------------


def _within_limits(body: dict[str, Any]) -> None:
    embeds = body["embeds"]
    assert 1 <= len(embeds) <= EMBEDS_PER_MESSAGE
    total = 0
    for embed in embeds:
        assert len(embed.get("title", "")) <= TITLE_LIMIT
        assert len(embed.get("description", "")) <= DESCRIPTION_LIMIT
        assert len(embed.get("fields", [])) <= FIELDS_PER_EMBED
        for f in embed.get("fields", []):
            assert 0 < len(f["name"]) <= FIELD_NAME_LIMIT and 0 < len(f["value"]) <= FIELD_VALUE_LIMIT
        total += (
            len(embed.get("title", ""))
            + len(embed.get("description", ""))
            + len(embed.get("footer", {}).get("text", ""))
        )
        total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    assert total <= MESSAGE_TOTAL_LIMIT
    assert len(body.get("content") or "") <= 2000


async def test_long_replies_are_split_within_discords_limits(server: DiscordStandIn) -> None:
    # The buttons go on the last message: once it is there, the reply is complete.
    sent = await (await server.slash("essay", ADA, size="long")).shown_until(lambda ms: any(m.buttons for m in ms))
    assert len(sent) > 1
    for body in [m.body for m in sent]:
        _within_limits(body)
    text = "\n".join(m.text for m in sent)
    assert "w0 " in text and "w1499" in text  # nothing lost
    assert "line 7.9 " in text
    assert sent[-1].buttons and all(not m.buttons for m in sent[:-1])
    # The first part is the answer (or the deferred answer on a slow machine); the rest are follow-ups.
    assert sent[0].source in ("callback", "original") and all(m.source == "followup" for m in sent[1:])
    assert all(m.ephemeral for m in sent)


async def test_a_reply_too_long_for_four_messages_is_cut_with_a_note(server: DiscordStandIn) -> None:
    sent = await (await server.slash("essay", ADA, size="huge")).shown(MAX_MESSAGES)
    assert len(sent) == MAX_MESSAGES
    for m in sent:
        _within_limits(m.body)
    assert "shortened" in sent[-1].text


async def test_an_image_is_attached_and_shown_in_the_embed(server: DiscordStandIn) -> None:
    [chart] = await shown(server, "chart", ADA)
    [file] = chart.files
    assert file["filename"] == "weekly_chart.png" and file["data"] == PNG
    assert chart.embeds[0]["image"]["url"] == "attachment://weekly_chart.png"


# ---- deferral -------------------------------------------------------------------------------------------


async def test_a_slow_command_is_deferred_then_answered(server: DiscordStandIn) -> None:
    sent = await server.slash("slowpoke", ADA)
    deferral = await sent.callback()
    assert deferral == {"type": 5, "data": {"flags": 64}}
    [answer] = await sent.shown()
    assert answer.source == "original" and answer.ephemeral and "Worth the wait." in answer.text
    assert answer.body["allowed_mentions"] == NO_MENTIONS


async def test_a_command_that_has_not_answered_in_time_is_deferred(
    test_bot: StudyBot, discord_server: DiscordStandIn, calls: Calls
) -> None:
    running = await start(test_bot, discord_server, defer_after=0.05)
    try:
        sent = await discord_server.slash("gate", ADA)
        deferral = await sent.callback()  # the gate is closed: the command cannot have answered yet
        assert deferral == {"type": 5, "data": {"flags": 64}}
        await until(lambda: calls.ran == [("gate", {})])
        calls.gate.set()
        note, public = await sent.shown(2)
        # The deferred answer is private, so the public reply follows as its own message.
        assert note.source == "original" and note.ephemeral and "posted in the channel" in note.text
        assert public.source == "followup" and not public.ephemeral and "Through the gate." in public.text
    finally:
        await running.stop()


# ---- forms -----------------------------------------------------------------------------------------------


async def test_long_text_is_written_in_a_form_when_left_out(server: DiscordStandIn) -> None:
    synced = {c["name"]: c for c in server.commands["global"]}
    options = {o["name"]: o for o in synced["announce"]["options"]}
    assert options["channel"]["required"] is True and options["text"]["required"] is False
    create = {o["name"]: o for o in synced["challenge"]["options"]}["create"]
    assert {o["name"]: o["required"] for o in create["options"]} == {
        "title": True,
        "criteria": False,
        "brief": False,
        "points": False,
        "due": False,
    }

    sent = await server.slash("announce", GRACE, channel=ANNOUNCEMENTS)
    form = await sent.callback()
    assert form["type"] == 9 and form["data"]["title"] == "/announce"
    [field] = form["data"]["components"]
    assert field["label"] == "Text"
    assert field["component"] | {"type": 4, "style": 2, "required": True, "max_length": 1800} == field["component"]

    text = "Meetup tonight at 18:00.\nBring a laptop. @everyone"
    submitted = await server.submit(sent, GRACE, Text=text)
    [answer] = await submitted.shown()
    assert "Posted your announcement" in answer.text
    [post] = channel_posts(server, ANNOUNCEMENTS)
    assert "Meetup tonight at 18:00.\nBring a laptop." in post.body["embeds"][0]["description"]
    assert post.body["allowed_mentions"] == NO_MENTIONS


async def test_text_given_inline_needs_no_form(server: DiscordStandIn) -> None:
    [answer] = await shown(server, "announce", channel=ANNOUNCEMENTS, text="Short and sweet")
    assert "Posted your announcement" in answer.text


async def test_a_member_who_fills_a_moderator_form_is_still_refused(server: DiscordStandIn) -> None:
    sent = await server.slash("announce", ADA, channel=ANNOUNCEMENTS)
    [refusal] = await (await server.submit(sent, ADA, Text="hello")).shown()
    assert "is for moderators" in refusal.text and channel_posts(server, ANNOUNCEMENTS) == []

"""The Discord adapter: every registry command as a slash command, replies as embeds, posts to channels."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord_commands import add_registry_commands, command_button_class, paragraph_arguments
from adapters.discord_render import TONE_COLOUR, Outgoing, render
from bot.app import StudyBot
from bot.app_state import get_value, set_value
from bot.context import Caller
from bot.metrics import Metrics
from bot.outbound import PostResult, deliver
from bot.registry import Argument, Command
from bot.replies import Post, Reply, Tone, Visibility
from bot.settings import Settings, SettingsError, require
from bot.text import shorten

log = logging.getLogger(__name__)

# Discord wants a first answer within 3 s; a reply not ready after this long is deferred first.
DEFER_AFTER = 2.0
# discord.py waits this long after the last server arrives before it calls itself ready.
READY_TIMEOUT = 2.0
# A 429 asking to wait longer than this fails at once (and is reported) instead of stalling the reply.
MAX_RATE_LIMIT_WAIT = 30.0
SYNC_KEY = "discord.commands"
NO_MENTIONS = discord.AllowedMentions.none()
EVERYONE_ONLY = discord.AllowedMentions(everyone=True, users=False, roles=False, replied_user=False)
# A form (modal) left open longer is forgotten; its title and labels hold 45 characters, its fields 4000.
FORM_TIMEOUT = 15 * 60
FORM_TITLE_LIMIT = 45
FORM_TEXT_LIMIT = 4000
POSTED_NOTE = "Done: posted in the channel."
SHOW_FAILED = "Your command ran, but Discord would not show my answer; the problem has been logged."


async def run(
    bot: StudyBot, settings: Settings, *, defer_after: float = DEFER_AFTER, ready_timeout: float = READY_TIMEOUT
) -> None:
    """Connect with DISCORD_TOKEN and serve every registry command as a slash command until cancelled."""
    require(settings, "discord_token")
    adapter = DiscordAdapter(bot, settings, defer_after=defer_after, ready_timeout=ready_timeout)
    status = None
    if settings.metrics_port:
        from bot.status_http import serve_status

        status = await serve_status(bot, settings.metrics_port)
    try:
        await adapter.serve()
    finally:
        if status is not None:
            await status.cleanup()


async def standalone_poster(settings: Settings) -> DiscordPoster:
    """A poster over the REST API alone, with no gateway: for `studybot scheduler` and `studybot schedule run`.

    Buttons in its posts carry the same custom ids as everywhere, so the `studybot discord` process answers them.
    """
    require(settings, "discord_token")
    point_at(settings.discord_api_base_url, settings.discord_gateway_url)
    # No gateway means no cache to keep: the poster fetches each channel over REST.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    client = discord.Client(intents=discord.Intents(guilds=True), allowed_mentions=NO_MENTIONS)
    await client.login(settings.discord_token.get_secret_value())  # type: ignore[union-attr]
    return DiscordPoster(client, Metrics())


def point_at(api_base_url: str, gateway_url: str) -> None:
    """Send discord.py's REST calls and gateway connections to these servers (Discord, or a compatible one).

    discord.py reads both from class attributes, not from the client, so they hold for the whole process;
    `DiscordAdapter.serve` sets them at every start so a process talks to the servers its settings name.
    (An auto-sharded client given a shard count also connects to the default gateway set here.)
    """
    Route.BASE = api_base_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def make_client(settings: Settings, *, ready_timeout: float = READY_TIMEOUT) -> discord.Client:
    """A client for one process: auto-sharded when DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS say so."""
    options: dict[str, Any] = {
        # Slash commands need no privileged intent; `guilds` keeps channels and roles in the cache.
        "intents": discord.Intents(guilds=True),
        "allowed_mentions": NO_MENTIONS,
        "max_ratelimit_timeout": MAX_RATE_LIMIT_WAIT,
        "guild_ready_timeout": ready_timeout,
    }
    # The bot never joins voice: discord.py's start-up warnings about voice libraries would only mislead.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    count, ids = settings.discord_shard_count, settings.shard_ids
    if ids and count is None:
        raise SettingsError("Invalid setting DISCORD_SHARD_IDS: set DISCORD_SHARD_COUNT as well")
    if ids and count is not None and any(i >= count for i in ids):
        raise SettingsError("Invalid setting DISCORD_SHARD_IDS: every shard id must be below DISCORD_SHARD_COUNT")
    if count is not None:
        return discord.AutoShardedClient(shard_count=count, shard_ids=ids, **options)
    return discord.Client(**options)


def caller_of(interaction: discord.Interaction) -> Caller:
    """Who pressed or typed, as the core sees them; Manage Server or Administrator make an admin."""
    user = interaction.user
    guild = interaction.guild
    in_guild = interaction.guild_id is not None
    permissions = interaction.permissions
    roles = tuple(str(role.id) for role in getattr(user, "roles", ()) if not role.is_default())
    return Caller(
        platform="discord",
        community_id=str(interaction.guild_id) if in_guild else "",
        community_name=guild.name if guild is not None and guild.name else "",
        user_id=str(user.id),
        display_name=user.display_name,
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
        is_admin=in_guild and (permissions.manage_guild or permissions.administrator),
        roles=roles,
    )


# ---- Discord errors in words -------------------------------------------------------------------------


def explain(exc: Exception, channel_id: str | None = None) -> str:
    """What a Discord error means for the person who asked, without internals."""
    where = f"<#{channel_id}>" if channel_id and channel_id.isdigit() else "that channel"
    if isinstance(exc, discord.RateLimited):
        return f"Discord is rate-limiting me for {round(exc.retry_after)} seconds; please try again after that."
    if isinstance(exc, discord.Forbidden):
        return (
            f"I am not allowed to post in {where}. Give the bot Send Messages, Embed Links and Attach Files "
            "there (and Read Message History), then try again."
        )
    if isinstance(exc, discord.NotFound):
        return f"{where} does not exist, or I cannot see it."
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return "Discord is rate-limiting me; please try again in a few minutes."
        if exc.status >= 500:
            return f"Discord had a problem (HTTP {exc.status}); please try again later."
        return f"Discord refused the message (HTTP {exc.status}, code {exc.code})."
    return "Posting failed on my side and it has been logged."


class ChannelRefused(Exception):
    """A channel this community's commands may not post to; the message says why."""


# ---- posting to channels ---------------------------------------------------------------------------------


class DiscordPoster:
    """Posts replies to channels of a server; every failure comes back as a PostResult, never an exception."""

    platform = "discord"

    def __init__(
        self,
        client: discord.Client,
        metrics: Metrics,
        wrap_button: Callable[[discord.ui.Button], discord.ui.Item] | None = None,
    ) -> None:
        self.client = client
        self.metrics = metrics
        self.wrap_button = wrap_button

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        try:
            channel = await self._channel(community_id, channel_id)
            first: discord.Message | None = None
            for n, message in enumerate(render(reply, self.wrap_button)):
                ping = ping_everyone and n == 0
                sent = await channel.send(
                    **_message_kwargs(message, content="@everyone" if ping else None),
                    allowed_mentions=EVERYONE_ONLY if ping else NO_MENTIONS,
                )
                first = first or sent
            assert first is not None  # render always returns at least one message
            return PostResult(ok=True, link=first.jump_url, message_id=str(first.id))
        except ChannelRefused as exc:
            return PostResult(ok=False, error=str(exc))
        except (discord.HTTPException, discord.RateLimited) as exc:
            note_error(self.metrics, exc, f"posting to channel {channel_id} of {community_id}")
            return PostResult(ok=False, error=explain(exc, channel_id))
        except Exception:
            log.exception("posting to channel %s of %s failed", channel_id, community_id)
            return PostResult(ok=False, error=explain(RuntimeError(), channel_id))

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        """Replace the first message of an earlier post with `reply` (a live leaderboard)."""
        try:
            if not message_id.isdigit():
                return PostResult(ok=False, error="That is not a Discord message id.")
            channel = await self._channel(community_id, channel_id)
            message = render(reply, self.wrap_button)[0]
            file = message.file()
            edited = await channel.get_partial_message(int(message_id)).edit(  # type: ignore[union-attr]
                embeds=message.embeds,
                view=message.view,
                attachments=[file] if file else [],
                allowed_mentions=NO_MENTIONS,
            )
            return PostResult(ok=True, link=edited.jump_url, message_id=str(edited.id))
        except ChannelRefused as exc:
            return PostResult(ok=False, error=str(exc))
        except discord.NotFound:
            return PostResult(ok=False, error=f"That message no longer exists in <#{channel_id}>.")
        except (discord.HTTPException, discord.RateLimited) as exc:
            note_error(self.metrics, exc, f"editing message {message_id} in {channel_id}")
            return PostResult(ok=False, error=explain(exc, channel_id))
        except Exception:
            log.exception("editing message %s in %s failed", message_id, channel_id)
            return PostResult(ok=False, error=explain(RuntimeError(), channel_id))

    async def _channel(self, community_id: str, channel_id: str) -> discord.abc.Messageable:
        """The channel, checked to belong to this server: a command can never post into another server."""
        if not community_id:
            raise ChannelRefused("Posting to a channel works inside a server, not in a direct message.")
        if not channel_id.isdigit():
            raise ChannelRefused(f"“{shorten(channel_id, 40)}” is not a Discord channel.")
        channel = self.client.get_channel(int(channel_id))
        if channel is None:
            channel = await self.client.fetch_channel(int(channel_id))
        guild = getattr(channel, "guild", None)
        if guild is None or str(guild.id) != community_id:
            raise ChannelRefused(f"<#{channel_id}> is not a channel of this server.")
        if not isinstance(channel, discord.abc.Messageable):
            raise ChannelRefused(f"<#{channel_id}> is not a channel I can post messages in.")
        return channel


def error_kind(exc: Exception) -> str:
    """A short label for the platform-errors metric."""
    if isinstance(exc, discord.RateLimited) or (isinstance(exc, discord.HTTPException) and exc.status == 429):
        return "rate_limited"
    if isinstance(exc, discord.Forbidden):
        return "forbidden"
    if isinstance(exc, discord.NotFound):
        return "not_found"
    if isinstance(exc, discord.HTTPException):
        return "server_error" if exc.status >= 500 else "http_error"
    return "internal"


def note_error(metrics: Metrics, exc: Exception, what: str) -> None:
    """Log a Discord error (status and code only, never a body or token) and count it."""
    log.warning("%s failed: %s", what, _status(exc))
    metrics.platform_errors.labels("discord", error_kind(exc)).inc()


def _status(exc: Exception) -> str:
    if isinstance(exc, discord.RateLimited):
        return f"rate limited for {exc.retry_after:.0f} s"
    if isinstance(exc, discord.HTTPException):
        return f"HTTP {exc.status} (code {exc.code})"
    return type(exc).__name__


def _message_kwargs(message: Outgoing, *, content: str | None = None, edit: bool = False) -> dict[str, Any]:
    """The keyword arguments discord.py's send/edit calls take for one rendered message."""
    kwargs: dict[str, Any] = {"embeds": message.embeds}
    if content or edit:
        kwargs["content"] = content
    if message.view is not None or edit:
        kwargs["view"] = message.view
    file = message.file()
    if edit:
        kwargs["attachments"] = [file] if file else []
    elif file is not None:
        kwargs["file"] = file
    return kwargs


# ---- the adapter ---------------------------------------------------------------------------------------


class DiscordAdapter:
    """One Discord connection (all shards of this process) serving the core's commands."""

    platform = "discord"

    def __init__(
        self,
        bot: StudyBot,
        settings: Settings,
        *,
        defer_after: float = DEFER_AFTER,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.defer_after = defer_after
        self.client = make_client(settings, ready_timeout=ready_timeout)
        self.tree = app_commands.CommandTree(self.client)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self.button = command_button_class(self._on_button)
        self.poster = DiscordPoster(self.client, bot.metrics, self.button)
        add_registry_commands(self.tree, bot.registry, self._on_command, bot)
        # The client is used by composition: these hooks replace discord.py's empty defaults.
        self.client.setup_hook = self._setup  # type: ignore[method-assign]
        for listener in (self.on_ready, self.on_connect, self.on_resumed, self.on_disconnect):
            self.client.event(listener)
        self._attached = False

    async def serve(self) -> None:
        """Log in, sync commands if they changed, and handle interactions until cancelled or closed."""
        require(self.settings, "discord_token")
        point_at(self.settings.discord_api_base_url, self.settings.discord_gateway_url)
        token = self.settings.discord_token.get_secret_value()  # type: ignore[union-attr]
        try:
            async with self.client:
                await self.client.start(token)
        except discord.LoginFailure:
            raise SettingsError(
                "Invalid setting DISCORD_TOKEN: Discord refused it (copy the bot token again from the Developer Portal)"
            ) from None
        finally:
            self.bot.health.platforms[self.platform] = False

    async def _setup(self) -> None:
        self.client.add_dynamic_items(self.button)
        await self.sync_commands()

    async def on_connect(self) -> None:
        self.bot.health.platforms[self.platform] = True

    async def on_resumed(self) -> None:
        self.bot.health.platforms[self.platform] = True

    async def on_disconnect(self) -> None:
        # discord.py reconnects by itself; /healthz shows the gap meanwhile.
        self.bot.health.platforms[self.platform] = False

    async def on_ready(self) -> None:
        user = self.client.user
        log.info("connected to Discord as %s in %d servers", user, len(self.client.guilds))
        if self._attached:
            return  # a reconnect: the core already has the poster
        self._attached = True
        try:
            await self.bot.attach_poster(self.poster)
        except Exception:
            log.exception("a service failed to start with the Discord poster")

    # ---- command sync ---------------------------------------------------------------------------

    def _sync_scope(self) -> discord.Object | None:
        guild_id = self.settings.discord_guild_id
        return discord.Object(id=guild_id) if guild_id else None

    def commands_digest(self, guild: discord.Object | None) -> str:
        """A hash of the registry and of exactly what would be sent to Discord."""
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        blob = json.dumps(
            {"registry": self.bot.registry.fingerprint(), "commands": payload}, sort_keys=True, default=str
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    async def sync_commands(self) -> bool:
        """Upload the slash commands when they differ from the last upload; True when it uploaded."""
        guild = self._sync_scope()
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = f"guild:{guild.id}" if guild is not None else "global"
        key = f"{SYNC_KEY}:{self.client.application_id}:{scope}"
        digest = self.commands_digest(guild)
        async with self.bot.sessions() as session:
            stored = await get_value(session, key)
        if stored == digest:
            log.info("slash commands unchanged (%s); not syncing", scope)
            return False
        try:
            synced = await self.tree.sync(guild=guild)
        except (discord.HTTPException, discord.RateLimited) as exc:
            # The commands of the last sync keep working; the next start tries again.
            note_error(self.bot.metrics, exc, f"syncing slash commands ({scope})")
            return False
        async with self.bot.sessions() as session, session.begin():
            await set_value(session, key, digest, self.bot.clock())
        log.info("synced %d slash commands (%s)", len(synced), scope)
        return True

    # ---- interactions ---------------------------------------------------------------------------

    async def _on_command(self, interaction: discord.Interaction, command: Command, raw: dict[str, str]) -> None:
        unwritten = [a for a in paragraph_arguments(command) if a.name not in raw]
        if any(a.required for a in unwritten):
            await self._open_form(interaction, command, raw, unwritten)
            return
        caller = caller_of(interaction)
        await self._answer(interaction, caller, self.bot.run(caller, command.path, raw), slow=command.slow)

    async def _open_form(
        self, interaction: discord.Interaction, command: Command, raw: dict[str, str], fields: list[Argument]
    ) -> None:
        """Ask for the paragraphs in a Discord form (modal), then run the command with them as the submitter."""
        modal = discord.ui.Modal(title=shorten(f"/{command.name}", FORM_TITLE_LIMIT), timeout=FORM_TIMEOUT)
        inputs: dict[str, discord.ui.TextInput] = {}
        for arg in fields:
            inputs[arg.name] = discord.ui.TextInput(
                style=discord.TextStyle.paragraph,
                required=arg.required,
                max_length=max(1, min(arg.max_length, FORM_TEXT_LIMIT)),
            )
            label = discord.ui.Label(
                text=shorten(arg.name.capitalize(), FORM_TITLE_LIMIT),
                description=shorten(arg.description, 100) or None,
                component=inputs[arg.name],
            )
            modal.add_item(label)

        async def submitted(answer: discord.Interaction) -> None:
            written = {name: field.value for name, field in inputs.items() if field.value.strip()}
            caller = caller_of(answer)
            work = self.bot.run(caller, command.path, {**raw, **written})
            await self._answer(answer, caller, work, slow=command.slow)

        modal.on_submit = submitted  # type: ignore[method-assign]
        try:
            await interaction.response.send_modal(modal)
        except (discord.HTTPException, discord.RateLimited) as exc:
            note_error(self.bot.metrics, exc, "opening a form")

    async def _on_button(self, interaction: discord.Interaction, line: str) -> None:
        caller = caller_of(interaction)
        parsed = self.bot.parse_line(line)
        slow = not isinstance(parsed, Reply) and parsed.command.slow
        await self._answer(interaction, caller, self.bot.run_line(caller, line), slow=slow)

    async def _answer(
        self, interaction: discord.Interaction, caller: Caller, work: Coroutine[Any, Any, Reply], *, slow: bool
    ) -> None:
        """Run the core, deferring first when it is slow or has not answered in time, then show the reply."""
        task = asyncio.ensure_future(work)
        deferred = False
        if slow or not await _done_within(task, self.defer_after):
            deferred = await self._defer(interaction)
        reply = await task
        try:
            await self._show(interaction, reply, deferred=deferred)
        except (discord.HTTPException, discord.RateLimited) as exc:
            note_error(self.bot.metrics, exc, "answering an interaction")
            if isinstance(exc, discord.HTTPException) and exc.status == 400:
                # Discord refused the reply's shape; the command itself did run, so say that much.
                await self._tell(interaction, SHOW_FAILED)
        if reply.posts:
            await self._deliver(interaction, caller, reply.posts)

    async def _defer(self, interaction: discord.Interaction) -> bool:
        try:
            # Private: a private reply can then never leak; a public one follows as its own message.
            await interaction.response.defer(ephemeral=True, thinking=True)
            return True
        except (discord.HTTPException, discord.RateLimited) as exc:
            note_error(self.bot.metrics, exc, "deferring an interaction")
            return False

    async def _show(self, interaction: discord.Interaction, reply: Reply, *, deferred: bool) -> None:
        messages = render(reply, self.button)
        private = reply.visibility is Visibility.PRIVATE
        rest = messages[1:]
        if not deferred:
            await interaction.response.send_message(
                **_message_kwargs(messages[0]), ephemeral=private, allowed_mentions=NO_MENTIONS
            )
        elif private:
            await interaction.edit_original_response(
                **_message_kwargs(messages[0], edit=True), allowed_mentions=NO_MENTIONS
            )
        else:
            # The deferred answer is private; the public reply goes out as follow-ups.
            note = Outgoing([discord.Embed(description=POSTED_NOTE, colour=TONE_COLOUR[Tone.SUCCESS])])
            await interaction.edit_original_response(**_message_kwargs(note, edit=True), allowed_mentions=NO_MENTIONS)
            rest = messages
        for message in rest:
            await interaction.followup.send(**_message_kwargs(message), ephemeral=private, allowed_mentions=NO_MENTIONS)

    async def _deliver(self, interaction: discord.Interaction, caller: Caller, posts: tuple[Post, ...]) -> None:
        """Post what the reply asked for; tell the caller, privately, about every post that failed."""
        results = await deliver(self.poster, caller.community_id, posts)
        failed = [result.error or "unknown error" for result in results if not result.ok]
        if not failed:
            return
        text = "\n".join(f"• {error}" for error in failed)
        note = Reply(title="Some messages were not posted", text=text, tone=Tone.ERROR)
        try:
            for message in render(note):
                await interaction.followup.send(
                    **_message_kwargs(message), ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except (discord.HTTPException, discord.RateLimited) as exc:
            note_error(self.bot.metrics, exc, "reporting failed posts")

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            log.warning("a slash command did not match the registry: %s", error)
            text = "This command changed since Discord last loaded it. Please try again in a minute."
        elif isinstance(error, app_commands.TransformerError):
            text = "One of the options is not something I can use here."
        else:
            log.error("slash command failed", exc_info=error)
            text = "Something went wrong on my side and it has been logged. Nothing was changed."
        if interaction.type is not discord.InteractionType.autocomplete:
            await self._tell(interaction, text)

    async def _tell(self, interaction: discord.Interaction, text: str) -> None:
        """A short private error note, as the first answer or as a follow-up."""
        embed = discord.Embed(description=text, colour=TONE_COLOUR[Tone.ERROR])
        try:
            if interaction.response.is_done():
                await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, discord.RateLimited) as exc:
            note_error(self.bot.metrics, exc, "reporting an error")


async def _done_within(task: asyncio.Future[Any], seconds: float) -> bool:
    done, _pending = await asyncio.wait({task}, timeout=seconds)
    return bool(done)

"""A stand-in Discord on 127.0.0.1: the REST API and gateway discord.py uses, recording every request.

Tests point the real client at it (DISCORD_API_BASE_URL / DISCORD_GATEWAY_URL), send interactions shaped like
Discord's own through the gateway, and assert on what the bot sent back.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
WAIT = 10.0  # the longest any test waits for the bot to do something
EPHEMERAL = 64
LOADING = 128
TEXT, DM, VOICE, PUBLIC_THREAD = 0, 1, 2, 11
SLASH, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MODAL = 9  # the callback type that opens a form
LABEL = 18
CHANNEL_OPTION, USER_OPTION = 7, 6
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
MANAGE_SERVER = 0x20
ADMINISTRATOR = 0x8
# What a plain member may do in a channel: view, send, embed, attach, read history, use commands.
MEMBER_PERMISSIONS = 0x400 | 0x800 | 0x4000 | 0x8000 | 0x10000 | 0x80000000


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class Person:
    """Someone who uses the bot: their Discord id, name, channel permissions and role ids."""

    id: str
    name: str
    permissions: int = MEMBER_PERMISSIONS
    roles: tuple[str, ...] = ()

    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.name.lower(),
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": False,
        }

    def member(self) -> dict[str, Any]:
        return {
            "user": self.user(),
            "roles": list(self.roles),
            "permissions": str(self.permissions),
            "joined_at": "2026-01-01T00:00:00+00:00",
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    type: int = TEXT


@dataclass(frozen=True)
class Guild:
    id: str
    name: str
    channels: tuple[Channel, ...]
    roles: tuple[tuple[str, str], ...] = ()  # (role id, name); @everyone is added with the guild's id


@dataclass
class Recorded:
    """One request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any  # the JSON body, or a multipart body's payload_json; None when empty
    files: list[dict[str, Any]]
    status: int = 0
    # time.perf_counter() once the stand-in had read the whole request: end-to-end latency is measured against it.
    received_at: float = field(default_factory=time.perf_counter, compare=False)


RECORD = web.RequestKey("record", Recorded)


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    retry_after: float | None
    via: bool


@dataclass
class Shown:
    """A message the user sees for an interaction: the first answer, the deferred answer, or a follow-up."""

    source: str  # "callback", "original" or "followup"
    body: dict[str, Any]
    ephemeral: bool
    files: list[dict[str, Any]]
    message: dict[str, Any]  # the message object as Discord returned it (has the id and components)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.body.get("embeds") or []

    @property
    def text(self) -> str:
        """Everything visible in the embeds and content, for assertions."""
        parts = [self.body.get("content") or ""]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for f in embed.get("fields", []):
                parts += [f["name"], f["value"]]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for row in self.body.get("components") or [] for c in row.get("components", [])]


@dataclass
class Sent:
    """An interaction the stand-in dispatched, with ways to wait for what the bot answered."""

    server: DiscordStandIn
    id: str
    token: str
    payload: dict[str, Any]
    dispatched_at: float = 0.0  # time.perf_counter() just before INTERACTION_CREATE went out on the gateway

    async def callback(self) -> dict[str, Any]:
        """The body of the bot's first answer (`POST /interactions/{id}/{token}/callback`)."""
        await self.server.wait_for(lambda: self._callback() is not None)
        return self._callback()  # type: ignore[return-value]

    def _callback(self) -> dict[str, Any] | None:
        for r in self.server.requests:
            if r.method == "POST" and r.path == f"/interactions/{self.id}/{self.token}/callback" and r.status < 300:
                return r.body
        return None

    async def shown(self, count: int = 1) -> list[Shown]:
        """The messages this interaction has shown so far, once there are at least `count`."""
        await self.server.wait_for(lambda: len(self._shown()) >= count)
        return self._shown()

    async def shown_until(self, condition: Callable[[list[Shown]], bool]) -> list[Shown]:
        """The messages this interaction has shown, once `condition` holds for them."""
        await self.server.wait_for(lambda: condition(self._shown()))
        return self._shown()

    def _shown(self) -> list[Shown]:
        found: list[Shown] = []
        deferred_ephemeral = False
        for r in self.server.requests:
            if r.status >= 300:
                continue
            if r.method == "POST" and r.path == f"/interactions/{self.id}/{self.token}/callback":
                data = (r.body or {}).get("data") or {}
                if r.body["type"] in (4, 7):
                    message = self.server.messages_by_request.get(id(r), {})
                    found.append(Shown("callback", data, bool(data.get("flags", 0) & EPHEMERAL), r.files, message))
                elif r.body["type"] == 5:
                    deferred_ephemeral = bool(data.get("flags", 0) & EPHEMERAL)
            prefix = f"/webhooks/{self.server.app_id}/{self.token}"
            if r.method == "PATCH" and r.path == f"{prefix}/messages/@original":
                message = self.server.messages_by_request.get(id(r), {})
                found.append(Shown("original", r.body or {}, deferred_ephemeral, r.files, message))
            elif r.method == "POST" and r.path == prefix:
                body = r.body or {}
                message = self.server.messages_by_request.get(id(r), {})
                found.append(Shown("followup", body, bool(body.get("flags", 0) & EPHEMERAL), r.files, message))
        return found


class DiscordStandIn:
    """REST and gateway of a small Discord with one bot application and a few servers."""

    def __init__(
        self,
        guilds: tuple[Guild, ...],
        *,
        token: str = "test-token",
        app_id: str = "900000000000000001",
        bot_id: str = "900000000000000002",
        heartbeat_interval_ms: int = 41_250,
    ) -> None:
        self.guilds = {g.id: g for g in guilds}
        self.token = token
        self.app_id = app_id
        self.bot_id = bot_id
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.requests: list[Recorded] = []
        self.gateway_events: list[dict[str, Any]] = []  # what clients sent on the gateway
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or a guild id -> synced commands
        self.messages: dict[str, dict[str, Any]] = {}
        self.messages_by_request: dict[int, dict[str, Any]] = {}
        self.interactions: dict[str, dict[str, Any]] = {}  # token -> the INTERACTION_CREATE payload
        self.forbidden_channels: set[str] = set()
        self._failures: list[Failure] = []
        self._ids = itertools.count(700_000_000_000_000_000)
        self._sessions: list[_Session] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- life cycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=32 * 1024 * 1024)
        p = API_PREFIX
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get(p + "/users/@me", self._me)
        app.router.add_get(p + "/oauth2/applications/@me", self._application)
        app.router.add_get(p + "/applications/@me", self._application)
        app.router.add_get(p + "/gateway", self._gateway_info)
        app.router.add_get(p + "/gateway/bot", self._gateway_info)
        app.router.add_put(p + "/applications/{app}/commands", self._sync)
        app.router.add_put(p + "/applications/{app}/guilds/{guild}/commands", self._sync)
        app.router.add_get(p + "/applications/{app}/commands", self._synced)
        app.router.add_get(p + "/applications/{app}/guilds/{guild}/commands", self._synced)
        app.router.add_post(p + "/interactions/{id}/{token}/callback", self._callback)
        app.router.add_post(p + "/webhooks/{app}/{token}", self._followup)
        app.router.add_route("*", p + "/webhooks/{app}/{token}/messages/{message}", self._webhook_message)
        app.router.add_get(p + "/channels/{channel}", self._channel)
        app.router.add_post(p + "/channels/{channel}/messages", self._channel_post)
        app.router.add_patch(p + "/channels/{channel}/messages/{message}", self._channel_edit)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for session in list(self._sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ---- test controls --------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        via: bool = True,
    ) -> None:
        """Answer the next `times` requests matching `method` and the `path` regex with `status`.

        A 429 carries `retry_after` in its JSON body and, unless via=False, the `Via` header that tells
        discord.py it comes from Discord (not a Cloudflare ban)."""
        self._failures.append(Failure(method, re.compile(path), status, times, retry_after, via))

    async def wait_for(self, condition: Callable[[], bool], seconds: float = WAIT) -> None:
        """Wait (at most `seconds`) until `condition()` holds, re-checking after every request or gateway message."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(condition)

    def calls(self, method: str, path: str) -> list[Recorded]:
        """Requests answered successfully whose path matches the regex `path`."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path) and r.status < 300]

    @property
    def connected(self) -> int:
        """Gateway sessions that identified and got READY."""
        return sum(1 for s in self._sessions if s.ready)

    async def slash(
        self,
        line: str,
        user: Person,
        *,
        in_guild: Guild | None = None,
        in_channel: Channel | None = None,
        dm: bool = False,
        **options: Any,
    ) -> Sent:
        """Type a slash command such as `roadmap done` with options, as `user`, and send it to the bot."""
        data = self._command_data(line.split(), options, guild=None if dm else self._guild(in_guild))
        return await self._interact(SLASH, data, user, guild=in_guild, channel=in_channel, dm=dm)

    async def autocomplete(
        self, line: str, user: Person, focused: str, typed: str, *, in_guild: Guild | None = None, **options: Any
    ) -> Sent:
        """Type `typed` into option `focused` of a slash command, as Discord does while the user types."""
        guild = self._guild(in_guild)
        data = self._command_data(line.split(), {**options, focused: typed}, guild=guild, focused=focused)
        return await self._interact(AUTOCOMPLETE, data, user, guild=in_guild)

    async def press(self, shown: Shown, label: str, user: Person) -> Sent:
        """Press the button called `label` under a message the bot sent, where that message is."""
        button = next((b for b in shown.buttons if b.get("label") == label), None)
        assert button is not None, f"no button {label!r} in {[b.get('label') for b in shown.buttons]}"
        data = {"custom_id": button["custom_id"], "component_type": 2}
        guild_id = shown.message.get("guild_id")
        guild = self.guilds.get(guild_id) if guild_id else None
        return await self._interact(COMPONENT, data, user, guild=guild, message=dict(shown.message), dm=guild is None)

    async def submit(self, sent: Sent, user: Person, **values: str) -> Sent:
        """Fill in the form (modal) the bot opened in answer to `sent`, by field label, and send it."""
        answer = await sent.callback()
        assert answer["type"] == MODAL, f"the bot answered with type {answer['type']}, not a form"
        form = answer["data"]
        components = []
        for n, label in enumerate(form["components"], start=1):
            field = label["component"]
            value = values.pop(label["label"], "")
            components.append(
                {
                    "type": LABEL,
                    "id": n,
                    "component": {"type": 4, "id": 100 + n, "custom_id": field["custom_id"], "value": value},
                }
            )
        assert not values, f"the form has no field {sorted(values)}"
        data = {"custom_id": form["custom_id"], "components": components}
        guild = self.guilds.get(sent.payload.get("guild_id", ""))
        return await self._interact(MODAL_SUBMIT, data, user, guild=guild, dm=guild is None)

    async def dispatch(self, event: str, data: dict[str, Any], *, guild_id: str | None = None) -> None:
        """Send a gateway event to the session whose shard holds `guild_id` (shard 0 for DMs)."""
        for session in self._sessions:
            if not session.ready:
                continue
            shard_id, count = session.shard
            wanted = (int(guild_id) >> 22) % count if guild_id else 0
            if shard_id == wanted:
                await session.send_event(event, data)
                return
        raise AssertionError(f"no gateway session serves guild {guild_id}")

    # ---- building interactions ------------------------------------------------------------------

    def _guild(self, guild: Guild | None) -> Guild:
        return guild or next(iter(self.guilds.values()))

    def _definitions(self, guild: Guild | None) -> list[dict[str, Any]]:
        scoped = self.commands.get(guild.id, []) if guild else []
        return scoped + self.commands.get("global", [])

    def _command_data(
        self, words: list[str], options: dict[str, Any], *, guild: Guild | None, focused: str | None = None
    ) -> dict[str, Any]:
        root = next((c for c in self._definitions(guild) if c["name"] == words[0]), None)
        assert root is not None, f"/{words[0]} was never synced"
        data: dict[str, Any] = {"id": root["id"], "name": root["name"], "type": 1}
        if root.get("guild_id"):
            data["guild_id"] = root["guild_id"]
        resolved: dict[str, dict[str, Any]] = {}
        definition, holder = root, data
        for word in words[1:]:
            sub = next((o for o in definition.get("options", []) if o["name"] == word), None)
            assert sub is not None and sub["type"] in (SUBCOMMAND, SUBCOMMAND_GROUP), f"no subcommand {word!r}"
            entry: dict[str, Any] = {"name": word, "type": sub["type"], "options": []}
            holder.setdefault("options", []).append(entry)
            definition, holder = sub, entry
        values = holder.setdefault("options", [])
        for name, value in options.items():
            spec = next((o for o in definition.get("options", []) if o["name"] == name), None)
            assert spec is not None, f"/{' '.join(words)} has no option {name!r}"
            values.append(self._option(spec, value, resolved, guild, focused == name))
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(
        self, spec: dict[str, Any], value: Any, resolved: dict[str, dict[str, Any]], guild: Guild | None, focus: bool
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": spec["name"], "type": spec["type"]}
        if spec["type"] == CHANNEL_OPTION:
            channel = value if isinstance(value, Channel) else self._find_channel(str(value))
            entry["value"] = channel.id
            resolved.setdefault("channels", {})[channel.id] = {
                "id": channel.id,
                "name": channel.name,
                "type": channel.type,
                "permissions": str(MEMBER_PERMISSIONS),
                "guild_id": guild.id if guild else None,
            }
        elif spec["type"] == USER_OPTION:
            person: Person = value
            entry["value"] = person.id
            resolved.setdefault("users", {})[person.id] = person.user()
            member = person.member()
            member.pop("user")
            resolved.setdefault("members", {})[person.id] = member
        elif spec["type"] == 4 and not focus:
            entry["value"] = int(value)
        else:
            entry["value"] = str(value)
        if focus:
            entry["focused"] = True
        return entry

    def _find_channel(self, channel_id: str) -> Channel:
        for guild in self.guilds.values():
            for channel in guild.channels:
                if channel.id == channel_id:
                    return channel
        return Channel(channel_id, "unknown")

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        user: Person,
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
        message: dict[str, Any] | None = None,
        dm: bool = False,
    ) -> Sent:
        interaction_id = str(next(self._ids))
        token = f"itoken-{interaction_id}"
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.app_id,
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": "en-US",
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 25 * 1024 * 1024,
        }
        if dm:
            dm_channel = {"id": str(int(user.id) + 1), "type": DM, "recipients": [user.user()]}
            payload |= {"context": 1, "channel_id": dm_channel["id"], "channel": dm_channel, "user": user.user()}
            payload["authorizing_integration_owners"] = {"0": "0"}
            guild_id = None
        else:
            where = self._guild(guild)
            room = channel or where.channels[0]
            payload |= {
                "context": 0,
                "guild_id": where.id,
                "guild": {"id": where.id, "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "channel_id": room.id,
                "channel": _channel_object(room, where.id),
                "member": user.member(),
                "authorizing_integration_owners": {"0": where.id},
            }
            guild_id = where.id
        if message is not None:
            payload["message"] = message
        self.interactions[token] = payload
        dispatched_at = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return Sent(self, interaction_id, token, payload, dispatched_at)

    # ---- REST -----------------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        body, files = await _read_body(request)
        record = Recorded(request.method, request.path.removeprefix(API_PREFIX), dict(request.query), body, files)
        request[RECORD] = record
        self.requests.append(record)
        try:
            if request.headers.get("Authorization") not in (f"Bot {self.token}", None):
                response: web.StreamResponse = _json({"message": "401: Unauthorized", "code": 0}, 401)
            else:
                response = self._injected(record) or await handler(request)
        except web.HTTPNotFound:
            response = _json({"message": "404: Not Found", "code": 0}, 404)
        record.status = response.status
        await self._notify()
        return response

    def _injected(self, record: Recorded) -> web.Response | None:
        for failure in self._failures:
            if failure.times > 0 and failure.method == record.method and failure.pattern.fullmatch(record.path):
                failure.times -= 1
                if failure.status == 429:
                    headers = {"Retry-After": str(failure.retry_after or 0)}
                    if failure.via:
                        headers["Via"] = "1.1 google"
                    body = {
                        "message": "You are being rate limited.",
                        "retry_after": failure.retry_after,
                        "global": False,
                    }
                    return _json(body, 429, headers)
                messages = {
                    400: ("Invalid Form Body", 50035),
                    403: ("Missing Permissions", 50013),
                    404: ("Unknown Channel", 10003),
                }
                message, code = messages.get(failure.status, ("Internal Server Error", 0))
                return _json({"message": message, "code": code}, failure.status)
        return None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "username": "studybot",
            "global_name": "studybot",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "flags": 0,
            "mfa_enabled": False,
            "verified": True,
        }

    async def _me(self, request: web.Request) -> web.Response:
        return _json(self.bot_user())

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": self.app_id,
                "name": "studybot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {**self.bot_user(), "id": "900000000000000003", "username": "owner", "bot": False},
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "summary": "",
                "rpc_origins": [],
            }
        )

    async def _gateway_info(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _sync(self, request: web.Request) -> web.Response:
        scope = request.match_info.get("guild", "global")
        synced = []
        for command in request[RECORD].body or []:
            entry = {
                **command,
                "id": str(next(self._ids)),
                "application_id": self.app_id,
                "version": str(next(self._ids)),
                "type": command.get("type", 1),
                "default_member_permissions": _permission_string(command.get("default_member_permissions")),
            }
            if scope != "global":
                entry["guild_id"] = scope
            synced.append(entry)
        self.commands[scope] = synced
        return _json(synced)

    async def _synced(self, request: web.Request) -> web.Response:
        return _json(self.commands.get(request.match_info.get("guild", "global"), []))

    async def _callback(self, request: web.Request) -> web.Response:
        record: Recorded = request[RECORD]
        interaction_id = request.match_info["id"]
        body = record.body or {}
        kind = body.get("type")
        data = body.get("data") or {}
        flags = data.get("flags", 0)
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": self.interactions.get(request.match_info["token"], {}).get("type", SLASH),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            }
        }
        if kind in (4, 5, 7):
            sent = await self._interaction_message(request, data, record.files, flags | (LOADING if kind == 5 else 0))
            answer["interaction"]["response_message_id"] = sent["id"]
            answer["resource"] = {"type": kind, "message": sent}
            self.messages_by_request[id(record)] = sent
        else:
            answer["resource"] = {"type": kind}
        return _json(answer)

    async def _interaction_message(
        self, request: web.Request, body: dict[str, Any], files: list[dict[str, Any]], flags: int
    ) -> dict[str, Any]:
        payload = self.interactions.get(request.match_info.get("token", ""), {})
        channel_id = payload.get("channel_id", "0")
        return self._store_message(channel_id, payload.get("guild_id"), body, files, flags)

    async def _followup(self, request: web.Request) -> web.Response:
        record: Recorded = request[RECORD]
        body = record.body or {}
        sent = await self._interaction_message(request, body, record.files, body.get("flags", 0))
        self.messages_by_request[id(record)] = sent
        return _json(sent)

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        record: Recorded = request[RECORD]
        if request.method == "DELETE":
            return web.Response(status=204)
        sent = await self._interaction_message(request, record.body or {}, record.files, 0)
        self.messages_by_request[id(record)] = sent
        return _json(sent)

    async def _channel(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel"]
        for guild in self.guilds.values():
            for channel in guild.channels:
                if channel.id == channel_id:
                    return _json(_channel_object(channel, guild.id))
        return _json({"message": "Unknown Channel", "code": 10003}, 404)

    def _guild_of(self, channel_id: str) -> str | None:
        for guild in self.guilds.values():
            if any(c.id == channel_id for c in guild.channels):
                return guild.id
        return None

    async def _channel_post(self, request: web.Request) -> web.Response:
        record: Recorded = request[RECORD]
        channel_id = request.match_info["channel"]
        guild_id = self._guild_of(channel_id)
        if guild_id is None:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        if channel_id in self.forbidden_channels:
            return _json({"message": "Missing Permissions", "code": 50013}, 403)
        sent = self._store_message(channel_id, guild_id, record.body or {}, record.files, 0)
        self.messages_by_request[id(record)] = sent
        return _json(sent)

    async def _channel_edit(self, request: web.Request) -> web.Response:
        record: Recorded = request[RECORD]
        message_id = request.match_info["message"]
        if message_id not in self.messages:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        message = self.messages[message_id]
        body = record.body or {}
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        message["edited_timestamp"] = _now()
        self.messages_by_request[id(record)] = message
        return _json(message)

    def _store_message(
        self, channel_id: str, guild_id: str | None, body: dict[str, Any], files: list[dict[str, Any]], flags: int
    ) -> dict[str, Any]:
        message_id = str(next(self._ids))
        message: dict[str, Any] = {
            "id": message_id,
            "channel_id": channel_id,
            "author": self.bot_user(),
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [
                {
                    "id": str(next(self._ids)),
                    "filename": f["filename"],
                    "size": f["size"],
                    "url": f"https://cdn.example/{f['filename']}",
                    "proxy_url": f"https://media.example/{f['filename']}",
                    "content_type": f["content_type"],
                }
                for f in files
            ],
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0,
            "flags": flags,
        }
        if guild_id:
            message["guild_id"] = guild_id
        self.messages[message_id] = message
        return message

    # ---- gateway --------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = _Session(ws)
        self._sessions.append(session)
        try:
            await session.send(
                {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                event = json.loads(msg.data)
                self.gateway_events.append(event)
                if event["op"] == 2:
                    await self._identify(session, event["d"])
                elif event["op"] == 1:
                    await session.send({"op": 11, "d": None, "s": None, "t": None})
                elif event["op"] == 6:
                    await session.send({"op": 9, "d": False, "s": None, "t": None})
                await self._notify()
        finally:
            self._sessions.remove(session)
            await self._notify()
        return ws

    async def _identify(self, session: _Session, data: dict[str, Any]) -> None:
        if data.get("token") not in (self.token, f"Bot {self.token}"):
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard = data.get("shard") or [0, 1]
        session.shard = (int(shard[0]), int(shard[1]))
        mine = [g for g in self.guilds.values() if (int(g.id) >> 22) % session.shard[1] == session.shard[0]]
        await session.send_event(
            "READY",
            {
                "v": 10,
                "user": self.bot_user(),
                "guilds": [{"id": g.id, "unavailable": True} for g in mine],
                "session_id": f"session-{next(self._ids)}",
                "resume_gateway_url": self.gateway_url,
                "shard": list(session.shard),
                "application": {"id": self.app_id, "flags": 0},
                "private_channels": [],
                "relationships": [],
            },
        )
        for guild in mine:
            await session.send_event("GUILD_CREATE", self._guild_object(guild))
        session.ready = True

    def _guild_object(self, guild: Guild) -> dict[str, Any]:
        roles = [(guild.id, "@everyone"), *guild.roles]
        return {
            "id": guild.id,
            "name": guild.name,
            "icon": None,
            "owner_id": "900000000000000003",
            "unavailable": False,
            "member_count": 3,
            "large": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "features": [],
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "afk_timeout": 300,
            "roles": [
                {
                    "id": role_id,
                    "name": name,
                    "color": 0,
                    "hoist": False,
                    "position": n,
                    "permissions": str(MEMBER_PERMISSIONS if n == 0 else 0),
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
                for n, (role_id, name) in enumerate(roles)
            ],
            "channels": [_channel_object(c, guild.id, n) for n, c in enumerate(guild.channels)],
            "members": [],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class _Session:
    ws: web.WebSocketResponse
    shard: tuple[int, int] = (0, 1)
    ready: bool = False
    seq: int = 0

    async def send(self, payload: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(payload))

    async def send_event(self, name: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.send({"op": 0, "t": name, "s": self.seq, "d": data})


def _channel_object(channel: Channel, guild_id: str, position: int = 0) -> dict[str, Any]:
    voice = {"bitrate": 64000, "user_limit": 0, "rtc_region": None} if channel.type == VOICE else {}
    return voice | {
        "id": channel.id,
        "type": channel.type,
        "guild_id": guild_id,
        "name": channel.name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body as JSON only when Content-Type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


async def _read_body(request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: list[dict[str, Any]] = []
        reader = await request.multipart()
        async for part in reader:
            data = await part.read()  # type: ignore[union-attr]
            if part.name == "payload_json":
                body = json.loads(data)
            else:
                files.append(
                    {
                        "name": part.name,
                        "filename": part.filename,
                        "content_type": part.headers.get("Content-Type", ""),
                        "size": len(data),
                        "data": bytes(data),
                    }
                )
        return body, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), []


def _permission_string(value: Any) -> str | None:
    # Discord answers permission sets as strings of digits.
    return None if value is None else str(value)

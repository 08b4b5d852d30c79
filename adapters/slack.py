"""The Slack adapter: slash commands, buttons, modals and the App Home on slack-bolt's AsyncApp.

HTTP mode (the default) serves `/slack/events` on $PORT and verifies every request's signature;
Socket Mode is used when SLACK_APP_TOKEN is set. Every handler acks first, then asks the core: it runs on its own
task, and Slack gets its answer as soon as the handler has acked.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler, async_default_handlers
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_blocks import ACTION_PREFIX, escape, unescape
from adapters.slack_errors import SLACK_FAILURES, describe, read_failure
from adapters.slack_forms import CALLBACK_ID, FormOrigin, field_errors, form_view, submitted_args, wants_form
from adapters.slack_home import AppHome
from adapters.slack_poster import SlackPoster
from adapters.slack_replies import Destination, ReplySender
from adapters.slack_users import SlackUsers
from bot.app import Parsed, StudyBot
from bot.context import Caller
from bot.deliveries import claim_event
from bot.registry import Command
from bot.replies import Reply, Tone
from bot.settings import Settings, SettingsError, require
from bot.status_http import add_status_routes

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
WORKING = "Working on it…"
# Slack closes a modal's submission after 3 s; past this budget the modal closes and the answer follows.
FORM_BUDGET_SECONDS = 2.5
_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")


def required_settings(settings: Settings) -> tuple[str, ...]:
    """The bot token always; the signing secret unless Socket Mode (SLACK_APP_TOKEN) is used."""
    if settings.slack_app_token and settings.slack_app_token.get_secret_value():
        return ("slack_bot_token",)
    return ("slack_bot_token", "slack_signing_secret")


def web_client(settings: Settings, retry_handlers: list[AsyncRetryHandler] | None = None) -> AsyncWebClient:
    """The Web API client: SLACK_API_URL as base, and 429 answers retried once after their Retry-After."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    handlers = (
        retry_handlers
        if retry_handlers is not None
        else [*async_default_handlers(), AsyncRateLimitErrorRetryHandler(max_retry_count=1)]
    )
    return AsyncWebClient(token=token, base_url=base_url, retry_handlers=handlers)


class SlackAdapter:
    """One workspace's bolt app around the core; `app` is the AsyncApp, `poster` its ChannelPoster."""

    def __init__(self, bot: StudyBot, settings: Settings, client: AsyncWebClient | None = None) -> None:
        self.bot = bot
        self.client = client or web_client(settings)
        self.poster = SlackPoster(self.client, self._count_failure)
        self.sender = ReplySender(self.poster)
        self.users = SlackUsers(self.client, count_failure=self._count_failure)
        self.home = AppHome(bot, self.client, count_failure=self._count_failure)
        self.inflight: set[asyncio.Task[Any]] = set()
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        self.app = AsyncApp(
            client=self.client,
            signing_secret=secret,
            name="studybot",
            # bolt's own answer-before-the-work mode (False) looks for the ack only every 10 ms, which delays
            # every ack and, under load, more; `_ack_then_continue` answers the moment the handler acks instead.
            process_before_response=True,
            logger=logging.getLogger("slack_bolt"),
        )
        self._register()
        bot.after_command.append(self._after_command)

    def _register(self) -> None:
        self.app.use(self._once_per_event)
        # One slash command per registry root, so a command added to the core reaches Slack unchanged.
        for root in self.bot.registry.roots():
            self.app.command(f"/{root}")(self._command_listener)
        # A command the app's manifest still lists but the registry no longer has gets help, not a timeout.
        self.app.command(re.compile(r"^/"))(self._command_listener)
        self.app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self._button_listener)
        self.app.view(CALLBACK_ID)(self._form_listener)
        self.app.event("app_home_opened")(self._home_opened_listener)

    # bolt passes a listener the arguments its parameters name, so each handler has a listener of its own shape.

    async def _command_listener(self, ack: Any, body: dict[str, Any]) -> BoltResponse | None:
        return await self._ack_then_continue(ack, lambda watched: self._on_command(watched, body))

    async def _button_listener(self, ack: Any, body: dict[str, Any]) -> BoltResponse | None:
        return await self._ack_then_continue(ack, lambda watched: self._on_button(watched, body))

    async def _form_listener(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> BoltResponse | None:
        return await self._ack_then_continue(ack, lambda watched: self._on_form(watched, body, view))

    async def _home_opened_listener(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        # bolt acks an event itself once its listener returns: the Home is published after that.
        self._spawn(self._on_home_opened(body, event))

    async def _ack_then_continue(
        self, ack: Any, handler: Callable[[Any], Coroutine[Any, Any, None]]
    ) -> BoltResponse | None:
        """Run `handler` on its own (tracked) task; return the ack's response once it has acked or ended.

        bolt sends what this returns to Slack at once, while the handler goes on with the core and the reply."""
        watched = _WatchedAck(ack)
        task = self._spawn(handler(watched))
        task.add_done_callback(watched.ended)
        await watched.acked
        return watched.response

    async def start(self) -> None:
        """Tell the core (and its scheduler) that Slack can be posted to."""
        await self.bot.attach_poster(self.poster)

    async def close(self) -> None:
        """Stop listening to the core and let work under way finish (briefly)."""
        if self._after_command in self.bot.after_command:
            self.bot.after_command.remove(self._after_command)
        pending = {t for t in self.inflight if t is not asyncio.current_task() and not t.done()}
        if pending:
            _done, late = await asyncio.wait(pending, timeout=10)
            for task in late:
                task.cancel()
        await self.sender.close()

    # ---- plumbing --------------------------------------------------------------------------------

    def _count_failure(self, kind: str) -> None:
        self.bot.metrics.platform_errors.labels("slack", kind).inc()

    @asynccontextmanager
    async def _work(self, what: str, ack: Any = None) -> AsyncIterator[None]:
        """Track a handler's work (so `close` can wait for it) and log whatever escapes it.

        With `ack`, a failure before the ack still acks, so Slack never waits out its 3 seconds."""
        task = asyncio.current_task()
        if task is not None:
            self.inflight.add(task)
        try:
            yield
        except Exception:
            log.exception("slack %s failed", what)
            if ack is not None and getattr(ack, "response", None) is None:
                await ack()
        finally:
            if task is not None:
                self.inflight.discard(task)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self.inflight.add(task)
        task.add_done_callback(self.inflight.discard)
        return task

    async def _caller(
        self, team_id: Any, user_id: Any, name: Any = "", channel_id: Any = None, team_name: Any = ""
    ) -> Caller | None:
        if not (isinstance(team_id, str) and _SLACK_ID.match(team_id)):
            return None
        if not (isinstance(user_id, str) and _SLACK_ID.match(user_id)):
            return None
        user = await self.users.get(team_id, user_id, fallback_name=name if isinstance(name, str) else "")
        return Caller(
            platform="slack",
            community_id=team_id,
            user_id=user_id,
            display_name=user.name,
            community_name=team_name if isinstance(team_name, str) else "",
            channel_id=channel_id if isinstance(channel_id, str) and _SLACK_ID.match(channel_id) else None,
            is_admin=user.is_admin,
            roles=(),
        )

    def _form_for(self, parsed: Parsed | Reply) -> tuple[Command, dict[str, str]] | None:
        if isinstance(parsed, Parsed) and wants_form(parsed.command, parsed.raw_args):
            return parsed.command, parsed.raw_args
        return None

    async def _open_form(self, trigger_id: Any, command: Command, raw_args: dict[str, str], dest: Destination) -> None:
        origin = FormOrigin(command.name, dest.channel_id, dest.response_url)
        try:
            await self.client.views_open(trigger_id=str(trigger_id), view=form_view(command, origin, raw_args))
        except SLACK_FAILURES as exc:
            self._count_failure(read_failure(exc).code)
            await self.sender.say(
                dest, f"I could not open the form: {escape(describe(exc))} You can also type `{command.usage()}`."
            )

    async def _answer(self, caller: Caller, line: str, dest: Destination) -> None:
        reply = await self.bot.run_line(caller, line)
        await self.sender.send(dest, reply)

    # ---- listeners -------------------------------------------------------------------------------

    async def _once_per_event(self, body: dict[str, Any], next: Any) -> BoltResponse | None:
        """Events API deliveries Slack retries (same event_id) are answered but handled only once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            try:
                first = await claim_event(self.bot.sessions, "slack", event_id, self.bot.clock())
            except Exception as exc:
                # Not acked: Slack delivers it again later, when the database may be back.
                log.warning("cannot record a Slack event: %s", type(exc).__name__)
                return BoltResponse(status=503, body="")
            if not first:
                log.info("Slack event delivered again, already handled", extra={"kind": "slack_retry"})
                return BoltResponse(status=200, body="")
        await next()
        return None

    async def _on_command(self, ack: Any, body: dict[str, Any]) -> None:
        async with self._work("slash command", ack):
            line = f"{body.get('command', '')} {unescape(str(body.get('text') or ''))}".strip()
            parsed = self.bot.parse_line(line)
            form = self._form_for(parsed)
            slow = isinstance(parsed, Parsed) and parsed.command.slow and form is None
            await (ack(text=WORKING, response_type="ephemeral") if slow else ack())
            caller = await self._caller(
                body.get("team_id"),
                body.get("user_id"),
                body.get("user_name"),
                body.get("channel_id"),
                body.get("team_domain"),
            )
            if caller is None:
                log.warning("slash command without a usable team or user id")
                if body.get("response_url"):
                    note = "Slack did not say who you are or which workspace this is, so nothing was done."
                    await self.sender.say(Destination("", "", None, body["response_url"]), note)
                return
            dest = Destination(caller.community_id, caller.user_id, caller.channel_id, body.get("response_url"))
            if form and body.get("trigger_id"):
                await self._open_form(body["trigger_id"], form[0], form[1], dest)
                return
            await self._answer(caller, line, dest)

    async def _on_button(self, ack: Any, body: dict[str, Any]) -> None:
        async with self._work("button", ack):
            await ack()
            action = (body.get("actions") or [{}])[0]
            line = str(action.get("value") or "")
            user = body.get("user") or {}
            team = body.get("team") or {}
            channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
            caller = await self._caller(
                team.get("id") or user.get("team_id"),
                user.get("id"),
                user.get("name") or user.get("username"),
                channel,
                team.get("domain"),
            )
            if caller is None or not line:
                return
            dest = Destination(caller.community_id, caller.user_id, caller.channel_id, body.get("response_url"))
            form = self._form_for(self.bot.parse_line(line))
            if form and body.get("trigger_id"):
                await self._open_form(body["trigger_id"], form[0], form[1], dest)
                return
            await self._answer(caller, line, dest)

    async def _on_form(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        async with self._work("form", ack):
            origin = FormOrigin.decode(str(view.get("private_metadata") or ""))
            command = self.bot.registry.get(tuple(origin.command.split())) if origin else None
            user = body.get("user") or {}
            team = body.get("team") or {}
            team_id, user_id = team.get("id") or user.get("team_id"), user.get("id")
            if command is None or origin is None:
                await ack()  # a form from an older version of the app: close it
                return
            raw_args = submitted_args(command, view.get("state") or {})

            async def submit() -> Reply | None:
                caller = await self._caller(
                    team_id, user_id, user.get("name") or user.get("username"), origin.channel_id, team.get("domain")
                )
                return None if caller is None else await self.bot.run(caller, command.path, raw_args)

            # The member lookup and the core both count against Slack's 3 seconds for a modal.
            running = asyncio.ensure_future(submit())
            done, _ = await asyncio.wait({running}, timeout=FORM_BUDGET_SECONDS)
            reply = running.result() if done else None
            if done and reply is not None and reply.tone is Tone.ERROR:
                errors = field_errors(command, reply)
                if errors:
                    # Nothing was written (the core rolled back); the member corrects the form in place.
                    await ack(response_action="errors", errors=errors)
                    return
            await ack()
            if not done:
                reply = await running
            if reply is not None:
                dest = Destination(str(team_id), str(user_id), origin.channel_id, origin.response_url)
                await self.sender.send(dest, reply)

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        async with self._work("app home"):
            if event.get("tab") != "home":
                return
            team_id = body.get("team_id") or (event.get("view") or {}).get("team_id")
            caller = await self._caller(team_id, event.get("user"))
            if caller is not None:
                await self.home.publish(caller)

    async def _after_command(self, caller: Caller, command: Command, reply: Reply) -> None:
        """Refresh the member's Home after their own changes (not after reads, nor the Home's own runs)."""
        if caller.platform != "slack" or not command.writes or self.home.shows(command):
            return
        self._spawn(self.home.publish(caller))


class _WatchedAck:
    """bolt's `ack` for a handler on its own task; `acked` resolves when it is called or the handler ends."""

    def __init__(self, ack: Any) -> None:
        self._ack = ack
        self.acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def response(self) -> BoltResponse | None:
        return self._ack.response  # type: ignore[no-any-return]

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return await self._ack(*args, **kwargs)  # type: ignore[no-any-return]
        finally:
            self.ended()

    def ended(self, _task: object = None) -> None:
        if not self.acked.done():
            self.acked.set_result(None)


def build_adapter(bot: StudyBot, settings: Settings, client: AsyncWebClient | None = None) -> SlackAdapter:
    return SlackAdapter(bot, settings, client)


def build_app(bot: StudyBot, settings: Settings, client: AsyncWebClient | None = None) -> AsyncApp:
    """The bolt AsyncApp with every listener registered (a new SlackAdapter's `app`)."""
    return build_adapter(bot, settings, client).app


def web_application(app: AsyncApp, bot: StudyBot | None = None, path: str = EVENTS_PATH) -> web.Application:
    """An aiohttp application serving Slack's requests at `path`; with `bot`, also /healthz and /metrics."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    application = web.Application()
    application.router.add_post(path, events)
    if bot is not None:
        add_status_routes(application, bot)
    return application


async def check_token(client: AsyncWebClient) -> None:
    """Stop with one clear line when Slack does not accept the bot token; a network problem only warns."""
    try:
        await client.auth_test()
    except SLACK_FAILURES as exc:
        failure = read_failure(exc)
        if failure.code in ("invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired"):
            raise SettingsError(f"Slack does not accept SLACK_BOT_TOKEN ({failure.code})") from None
        log.warning("could not check the Slack token at start: %s", failure.code)


async def run(bot: StudyBot, settings: Settings) -> None:
    """Run the Slack app until cancelled: Socket Mode with SLACK_APP_TOKEN, else HTTP on $PORT."""
    require(settings, *required_settings(settings))
    adapter = build_adapter(bot, settings)
    await check_token(adapter.client)
    await adapter.start()
    try:
        if settings.slack_app_token and settings.slack_app_token.get_secret_value():
            await _socket_mode(adapter, settings.slack_app_token.get_secret_value())
        else:
            await _http(adapter, settings.port)
    finally:
        await adapter.close()


async def _http(adapter: SlackAdapter, port: int) -> None:
    runner = web.AppRunner(web_application(adapter.app, adapter.bot), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host="0.0.0.0", port=port).start()
        except OSError as exc:
            raise SettingsError(f"Cannot listen on PORT {port}: {exc.strerror or type(exc).__name__}") from None
        adapter.bot.health.platforms["slack"] = True
        log.info("Slack app listening on port %s at %s", port, EVENTS_PATH)
        await asyncio.Event().wait()
    finally:
        adapter.bot.health.platforms["slack"] = False
        await runner.cleanup()


async def _socket_mode(adapter: SlackAdapter, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(adapter.app, app_token)
    try:
        await handler.connect_async()
        adapter.bot.health.platforms["slack"] = True
        log.info("Slack app connected in Socket Mode")
        await asyncio.Event().wait()
    finally:
        adapter.bot.health.platforms["slack"] = False
        await handler.close_async()

"""A stand-in Slack on 127.0.0.1 (ephemeral port): the Web API methods studybot calls, response_urls,
file uploads and a Socket Mode websocket. It records every call and can be told to fail."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

T = TypeVar("T")
TEAM_ID = "T0TEAM"
BOT_USER = "U0BOT"


@dataclass(frozen=True)
class Call:
    method: str  # a Web API method ("chat.postMessage"), "response_url" or "upload"
    params: dict[str, Any]
    http_method: str = "POST"
    target: str = ""  # the response_url's name or the upload's file id
    # time.perf_counter() once the stand-in had read the whole call: end-to-end latency is measured against it.
    received_at: float = field(default_factory=time.perf_counter, compare=False)


@dataclass
class Failure:
    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1
    delay: float = 0.0  # seconds to hold the answer first: a slow or hung Slack


@dataclass
class SlackStandIn:
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    socket_received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._failures: dict[str, list[Failure]] = {}
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed: asyncio.Condition | None = None
        self._sockets: list[web.WebSocketResponse] = []

    # ---- life cycle ------------------------------------------------------------------------------

    async def start(self) -> SlackStandIn:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/respond/{name}", self._respond),
                web.post("/upload/{file_id}", self._upload),
                web.get("/socket", self._socket),
            ]
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/respond/{name}"

    # ---- set-up by tests -------------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, *, admin: bool = False, owner: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name.lower(),
            "real_name": name,
            "profile": {"display_name": name, "real_name": name},
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
        }

    def fail(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """The next `times` calls of `method` (or "response_url") fail with `error` / HTTP `status`, each after
        `delay` seconds."""
        self._failures.setdefault(method, []).append(Failure(error, status, retry_after, times, delay))

    # ---- reading by tests ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def responses(self, name: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == "response_url" and c.target == name]

    async def wait_for(self, predicate: Callable[[], T], within: float = 10.0) -> T:
        """Wait (bounded) until `predicate()` is truthy, re-checking whenever a call arrives."""
        assert self._changed is not None
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(predicate), within)

    async def wait_call(
        self, method: str, where: Callable[[Call], bool] = lambda c: True, *, count: int = 1
    ) -> list[Call]:
        def found() -> list[Call] | None:
            matching = [c for c in self.calls_to(method) if where(c)]
            return matching if len(matching) >= count else None

        return await self.wait_for(found)

    async def wait_responses(self, name: str, count: int = 1) -> list[dict[str, Any]]:
        return await self.wait_for(lambda: self.responses(name) if len(self.responses(name)) >= count else None)

    @property
    def sockets_open(self) -> int:
        return len(self._sockets)

    async def socket_send(self, message: dict[str, Any]) -> None:
        await self.wait_for(lambda: self._sockets)
        await self._sockets[-1].send_str(json.dumps(message))

    # ---- handlers --------------------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        assert self._changed is not None
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    @staticmethod
    def _failure_response(failure: Failure) -> web.Response:
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        if failure.status >= 500:
            return web.Response(status=failure.status, text="Internal Server Error", headers=headers)
        return web.json_response({"ok": False, "error": failure.error}, status=failure.status, headers=headers)

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(await request.post())
        for key in ("view", "blocks"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        await self._record(Call(method, params, request.method))
        failure = self._take_failure(method)
        if failure:
            await asyncio.sleep(failure.delay)
            return self._failure_response(failure)
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": TEAM_ID,
                "team": "Study",
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
                "user": "studybot",
                "url": "https://study.slack.com/",
            }
        if method == "chat.postMessage":
            channel = str(params.get("channel", ""))
            channel = "D" + channel[1:] if channel.startswith("U") else channel
            ts = f"{1_800_000_000 + next(self._ts)}.000100"
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": params.get("text"), "ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"), "text": params.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_800_000_000 + next(self._ts)}.000200"}
        if method == "chat.getPermalink":
            channel, ts = params.get("channel", ""), str(params.get("message_ts", ""))
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://study.slack.com/archives/{channel}/p{ts.replace('.', '')}",
            }
        if method in ("views.publish", "views.open"):
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **(params.get("view") or {})}}
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.info":
            channel = str(params.get("channel", ""))
            return {"ok": True, "channel": {"id": channel, "name": channel.lower(), "is_member": True}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "")).split(",")[0][1:]}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._files)}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(params.get("files") or "[]")
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.url.rsplit(':', 1)[1]}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record(Call("response_url", await request.json(), "POST", request.match_info["name"]))
        failure = self._take_failure("response_url")
        if failure:
            return web.Response(status=failure.status if failure.status != 200 else 404, text=failure.error)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        await self._record(Call("upload", {"size": len(data), "data": data}, "POST", request.match_info["file_id"]))
        return web.Response(text=f"OK - {len(data)}")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        self._sockets.append(ws)
        async with self._changed:  # type: ignore[union-attr]
            self._changed.notify_all()  # type: ignore[union-attr]
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                async with self._changed:  # type: ignore[union-attr]
                    self.socket_received.append(data)
                    self._changed.notify_all()  # type: ignore[union-attr]
        self._sockets.remove(ws)
        return ws

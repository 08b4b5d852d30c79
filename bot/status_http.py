"""`GET /healthz` and `GET /metrics` as aiohttp routes, for the Slack web process and the Discord process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.health import report

if TYPE_CHECKING:
    from bot.app import StudyBot


def add_status_routes(app: web.Application, bot: StudyBot) -> None:
    async def healthz(_request: web.Request) -> web.Response:
        body = await report(bot)
        return web.json_response(body, status=200 if body["ok"] else 503)

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=bot.metrics.render(), headers={"Content-Type": bot.metrics.content_type})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)


async def serve_status(bot: StudyBot, port: int, host: str = "0.0.0.0") -> web.AppRunner:
    """Serve the two routes alone on `port` (the Discord process's METRICS_PORT); returns the runner to stop."""
    app = web.Application()
    add_status_routes(app, bot)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner

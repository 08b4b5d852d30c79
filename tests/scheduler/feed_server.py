"""A local HTTP server that serves feeds for the tests, and some that fail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def rss(count: int, *, start: datetime = START, prefix: str = "Item") -> str:
    items = "".join(
        f"<item><title>{prefix} {n}</title><link>https://news.example.org/{prefix.lower()}-{n}</link>"
        f"<pubDate>{format_datetime(start + timedelta(days=n))}</pubDate></item>"
        for n in range(1, count + 1)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Backend News</title>'
        f"<link>https://news.example.org/</link><description>d</description>{items}</channel></rss>"
    )


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Weekly</title><id>urn:x</id>
<updated>2026-11-20T00:00:00Z</updated>
<entry><title>Older @everyone post</title><link href="https://atom.example.org/old"/><id>1</id>
<updated>2026-11-10T00:00:00Z</updated></entry>
<entry><title>Newer post</title><link href="https://atom.example.org/new"/><id>2</id>
<updated>2026-11-19T00:00:00Z</updated></entry>
<entry><title>Not a web link</title><link href="javascript:alert(1)"/><id>3</id>
<updated>2026-11-20T00:00:00Z</updated></entry>
</feed>"""


class FeedServer:
    def __init__(self) -> None:
        self.feed = rss(8)
        self.base = ""
        self.hits: dict[str, int] = {}

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def app(self) -> web.Application:
        async def count(request: web.Request) -> None:
            self.hits[request.path] = self.hits.get(request.path, 0) + 1

        async def feed(request: web.Request) -> web.Response:
            await count(request)
            return web.Response(text=self.feed, content_type="application/rss+xml")

        async def atom(request: web.Request) -> web.Response:
            await count(request)
            return web.Response(text=ATOM, content_type="application/atom+xml")

        async def broken(request: web.Request) -> web.Response:
            await count(request)
            return web.Response(status=500, text="boom")

        async def huge(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse()
            await response.prepare(request)
            for _ in range(40):
                await response.write(b"<" * 65536)
            return response

        async def html(request: web.Request) -> web.Response:
            return web.Response(text="<html><body>hello</body></html>", content_type="text/html")

        async def moved(request: web.Request) -> web.Response:
            raise web.HTTPFound("/feed.xml")

        app = web.Application()
        app.router.add_get("/feed.xml", feed)
        app.router.add_get("/atom.xml", atom)
        app.router.add_get("/broken", broken)
        app.router.add_get("/huge", huge)
        app.router.add_get("/page", html)
        app.router.add_get("/moved", moved)
        return app


@asynccontextmanager
async def serve() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    runner = web.AppRunner(server.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.base = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()

"""Reading RSS and Atom feeds for the trends digest: bounded in time and size, and never raising.

Feed addresses come from moderators, so by default the reader refuses addresses that resolve to private,
loopback or link-local networks (the bot's own host and cloud metadata services are not feeds).
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import ipaddress
import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlparse

import aiohttp
import feedparser
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from bot.text import clean, defuse_mentions, shorten

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
MAX_BYTES = 1_000_000
MAX_REDIRECTS = 3
ITEMS_PER_FEED = 10
USER_AGENT = "studybot-feed-reader/1.0"


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    published: datetime | None = None

    @property
    def key(self) -> str:
        """A short stable id of the item, for remembering that it was posted."""
        return hashlib.sha256(self.link.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class FeedResult:
    url: str
    title: str = ""
    items: tuple[FeedItem, ...] = ()
    error: str | None = None  # in words a moderator understands; None when the feed was read

    @property
    def ok(self) -> bool:
        return self.error is None


class FeedError(Exception):
    """A feed could not be read; the message is safe to show to moderators."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


class PublicOnlyResolver(AbstractResolver):
    """A resolver that drops private, loopback and link-local addresses."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        allowed = [r for r in found if _public(r["host"])]
        if not allowed:
            raise OSError(f"{host} is not a public address")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


class FeedReader:
    """Fetches and parses feeds; `allow_private` is for tests that serve a feed on 127.0.0.1."""

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
        allow_private: bool = False,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_private = allow_private

    async def read_many(self, urls: list[str]) -> list[FeedResult]:
        """Every feed read concurrently, in the order given."""
        if not urls:
            return []
        connector = aiohttp.TCPConnector(resolver=None if self.allow_private else PublicOnlyResolver())
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, headers={"User-Agent": USER_AGENT}
        ) as http:
            return list(await asyncio.gather(*(self._read(http, url) for url in urls)))

    async def read(self, url: str) -> FeedResult:
        return (await self.read_many([url]))[0]

    async def _read(self, http: aiohttp.ClientSession, url: str) -> FeedResult:
        try:
            body = await asyncio.wait_for(self._fetch(http, url), self.timeout)
            return await asyncio.to_thread(_parse, url, body)
        except FeedError as exc:
            return FeedResult(url=url, error=str(exc))
        except TimeoutError:
            return FeedResult(url=url, error=f"no answer within {self.timeout:g} seconds")
        except aiohttp.ClientError as exc:
            return FeedResult(url=url, error=f"could not connect ({type(exc).__name__})")
        except OSError as exc:
            return FeedResult(url=url, error=f"could not connect ({shorten(str(exc), 120)})")
        except Exception:
            log.exception("unexpected failure reading a feed")
            return FeedResult(url=url, error="could not be read")

    async def _fetch(self, http: aiohttp.ClientSession, url: str) -> bytes:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self._check_address(current)
            async with http.get(current, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    current = urljoin(current, response.headers["Location"])
                    continue
                if response.status != 200:
                    raise FeedError(f"the server answered HTTP {response.status}")
                declared = response.content_length
                if declared is not None and declared > self.max_bytes:
                    raise FeedError(f"larger than {self.max_bytes // 1000} kB")
                body = bytearray()
                async for chunk in response.content.iter_chunked(65536):
                    body.extend(chunk)
                    if len(body) > self.max_bytes:
                        raise FeedError(f"larger than {self.max_bytes // 1000} kB")
                return bytes(body)
        raise FeedError("too many redirects")

    def _check_address(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise FeedError("not an http or https address")
        if self.allow_private:
            return
        try:
            literal = ipaddress.ip_address(parsed.hostname)
        except ValueError:
            return  # a host name: the resolver checks where it points
        if not _public(str(literal)):
            raise FeedError("points at a private network address")


def _parse(url: str, body: bytes) -> FeedResult:
    parsed: Any = feedparser.parse(body)
    entries = parsed.get("entries") or []
    # feedparser names the format it recognised (rss20, atom10, …); an HTML page has none.
    if not parsed.get("version") and not entries:
        raise FeedError("is not an RSS or Atom feed")
    items: list[FeedItem] = []
    for entry in entries:
        link = str(entry.get("link") or "")
        if urlparse(link).scheme not in ("http", "https") or len(link) > 500 or any(c.isspace() for c in link):
            continue
        title = defuse_mentions(clean(str(entry.get("title") or link), max_length=200)) or link
        items.append(FeedItem(title=shorten(title, 150), link=link, published=_published(entry)))
    items.sort(key=lambda i: i.published or datetime.min.replace(tzinfo=UTC), reverse=True)
    title = defuse_mentions(clean(str(parsed.get("feed", {}).get("title") or ""), max_length=100))
    return FeedResult(url=url, title=title, items=tuple(items[:ITEMS_PER_FEED]))


def _published(entry: Any) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (OverflowError, ValueError, TypeError):
        return None

"""The trends digest: curated links rotating, feed items from a local HTTP server, and a feed that fails."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.content import Content
from bot.feeds import FeedReader
from bot.replies import Tone
from bot.scheduler.service import SchedulerService
from tests.driver import Chat, FakeClock, text_of
from tests.scheduler.feed_server import FeedServer, rss, serve
from tests.scheduler.recording import RecordingPoster


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    async with serve() as server:
        yield server


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_reading_rss_and_atom_newest_first_with_text_made_safe(feeds: FeedServer) -> None:
    reader = FeedReader(allow_private=True)
    rss_result, atom_result, moved = await reader.read_many(
        [feeds.url("/feed.xml"), feeds.url("/atom.xml"), feeds.url("/moved")]
    )
    assert rss_result.ok and rss_result.title == "Backend News"
    assert [i.title for i in rss_result.items[:3]] == ["Item 8", "Item 7", "Item 6"]
    assert atom_result.ok and [i.link for i in atom_result.items] == [
        "https://atom.example.org/new",
        "https://atom.example.org/old",
    ]  # the javascript: link is dropped
    assert "@everyone" not in atom_result.items[1].title and "everyone" in atom_result.items[1].title
    assert moved.ok and moved.items == rss_result.items  # a redirect is followed


async def test_feeds_that_fail_give_a_reason_and_never_raise(feeds: FeedServer) -> None:
    reader = FeedReader(allow_private=True, max_bytes=500_000)
    results = await reader.read_many(
        [
            feeds.url("/broken"),
            feeds.url("/huge"),
            feeds.url("/page"),
            f"http://127.0.0.1:{closed_port()}/feed.xml",
        ]
    )
    assert [r.ok for r in results] == [False] * 4
    assert results[0].error == "the server answered HTTP 500"
    assert results[1].error == "larger than 500 kB"
    assert results[2].error == "is not an RSS or Atom feed"
    assert results[3].error is not None and results[3].error.startswith("could not connect")


async def test_by_default_private_addresses_are_refused(feeds: FeedServer) -> None:
    reader = FeedReader()
    direct, by_name = await reader.read_many(
        [feeds.url("/feed.xml"), feeds.url("/feed.xml").replace("127.0.0.1", "localhost")]
    )
    assert direct.error == "points at a private network address"
    assert by_name.error is not None and "could not connect" in by_name.error
    assert feeds.hits == {}


async def test_the_weekly_digest_has_curated_links_and_new_feed_items_and_reports_a_failing_feed(
    mod: Chat,
    service: SchedulerService,
    poster: RecordingPoster,
    clock: FakeClock,
    feeds: FeedServer,
    content: Content,
) -> None:
    await mod("/schedule set trends 09:00 UTC mon")
    await mod(f"/schedule feed add {feeds.url('/feed.xml')}")
    await mod(f"/schedule feed add {feeds.url('/broken')}")
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    report = await service.run_due(clock())
    assert report.sent == 1
    digest, problem = poster.posts
    assert digest.reply.title == "Trends this week"
    fields = {f.name: f.value for f in digest.reply.fields}
    curated = [t for t in content.trends if t.kind == "link"]
    assert fields["Worth a look"].count(" — https://") == min(3, len(curated))
    assert fields["New from Backend News"].splitlines() == [
        "Item 8 — https://news.example.org/item-8",
        "Item 7 — https://news.example.org/item-7",
        "Item 6 — https://news.example.org/item-6",
    ]
    assert problem.reply.tone is Tone.WARNING and problem.channel_id == "general"
    assert f"the feed {feeds.url('/broken')} could not be read (the server answered HTTP 500)" in problem.reply.text
    shown = text_of(await mod("/schedule show"))
    assert "last read failed: the server answered HTTP 500" in shown
    assert f"{feeds.url('/feed.xml')} — read fine" in shown

    feeds.feed = rss(10)  # two new items this week
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    await service.run_due(clock())
    second = {f.name: f.value for f in poster.posts[-2].reply.fields}
    assert second["New from Backend News"].splitlines()[:2] == [
        "Item 10 — https://news.example.org/item-10",
        "Item 9 — https://news.example.org/item-9",
    ]
    assert "Item 8 " not in second["New from Backend News"]  # never the same item twice
    first_links = set(fields["Worth a look"].splitlines())
    assert first_links.isdisjoint(second["Worth a look"].splitlines())


async def test_when_every_feed_fails_the_digest_falls_back_to_curated_links(
    mod: Chat,
    service: SchedulerService,
    poster: RecordingPoster,
    clock: FakeClock,
    feeds: FeedServer,
    content: Content,
) -> None:
    await mod("/schedule set trends 09:00 UTC mon")
    await mod(f"/schedule feed add {feeds.url('/page')}")
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    await service.run_due(clock())
    digest, problem = poster.posts
    curated = [t for t in content.trends if t.kind == "link"]
    assert [f.name for f in digest.reply.fields] == ["Worth a look"]
    assert digest.reply.fields[0].value.count(" — https://") == min(5, len(curated))
    assert "is not an RSS or Atom feed" in problem.reply.text


async def test_curated_links_do_not_repeat_until_all_were_posted(
    mod: Chat, service: SchedulerService, poster: RecordingPoster, clock: FakeClock, content: Content
) -> None:
    await mod("/schedule set trends 09:00 UTC mon")
    links = [t for t in content.trends if t.kind == "link"]
    weeks = max(1, len(links) // 5)
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    seen: list[str] = []
    for _ in range(weeks + 1):
        await service.run_due(clock())
        seen.extend(poster.posts[-1].reply.fields[0].value.splitlines())
        clock.advance(weeks=1)
    urls = [line.split(" — ", 1)[1].split("\n")[0] for line in seen if " — " in line]
    assert len(set(urls[: weeks * 5])) == len(urls[: weeks * 5])  # no repeat before every link was shown
    assert set(urls) <= {t.url for t in links}

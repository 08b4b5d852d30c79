"""DATABASE_URL as hosting platforms hand it out: `postgres://…` and libpq's `sslmode` are accepted."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.logs import secrets_of
from bot.settings import SettingsError, load_settings, normalise_database_url
from bot.storage.engine import create_engine
from tests.databases import PG_ENV, postgres_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p%40ss@db.example.com:5432/d1", "postgresql+asyncpg://u:p%40ss@db.example.com:5432/d1"),
        ("postgresql://u:pw@db/d1", "postgresql+asyncpg://u:pw@db/d1"),
        ("postgres://u:pw@db/d1?sslmode=require", "postgresql+asyncpg://u:pw@db/d1?ssl=require"),
        ("postgresql+asyncpg://u:pw@db/d1?ssl=verify-full", "postgresql+asyncpg://u:pw@db/d1?ssl=verify-full"),
        # Already right: returned character for character.
        ("postgresql+asyncpg://u:pw@db/d1", "postgresql+asyncpg://u:pw@db/d1"),
        ("sqlite+aiosqlite:///./studybot.db", "sqlite+aiosqlite:///./studybot.db"),
    ],
)
def test_hosting_urls_become_asyncpg_urls(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_settings_accept_a_heroku_url_and_still_mask_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://bot:s3cret-pw@ec2-1-2-3-4.compute-1.amazonaws.com:5432/dabc")
    settings = load_settings(_env_file=None)
    url = make_url(settings.database_url.get_secret_value())
    assert url.drivername == "postgresql+asyncpg"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "bot",
        "s3cret-pw",
        "ec2-1-2-3-4.compute-1.amazonaws.com",
        5432,
        "dabc",
    )
    assert "s3cret-pw" in secrets_of(settings)
    assert "s3cret-pw" not in repr(settings)


def test_other_databases_are_still_refused_without_echoing_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root:hunter22@db/x")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "hunter22" not in str(caught.value)


@pytest.mark.skipif(postgres_url() is None, reason=f"{PG_ENV} is not set: PostgreSQL tests skipped")
async def test_a_heroku_style_url_reaches_the_real_server(monkeypatch: pytest.MonkeyPatch) -> None:
    real = make_url(postgres_url() or "")
    # The test server speaks no TLS, so the platform-style URL says sslmode=disable.
    heroku = real.set(drivername="postgres").update_query_dict({"sslmode": "disable"})
    monkeypatch.setenv("DATABASE_URL", heroku.render_as_string(hide_password=False))
    settings = load_settings(_env_file=None)
    engine = create_engine(settings.database_url.get_secret_value())
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()

"""Every setting, read from the environment and an optional `.env` file, in one object."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


class Settings(BaseSettings):
    """Names are the environment variables in upper case (`DATABASE_URL`, `DISCORD_TOKEN`, ...)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: SecretStr = SecretStr("sqlite+aiosqlite:///./studybot.db")
    content_dir: Path = DEFAULT_CONTENT_DIR
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    default_timezone: str = "UTC"

    # Discord
    discord_token: SecretStr | None = None
    discord_guild_id: int | None = None
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_shard_ids: str | None = None  # comma-separated shard ids this process runs
    discord_api_base_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(default=3000, ge=1, le=65535)

    # Scheduler and operations
    scheduler_enabled: bool = True
    schedule_grace_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    # How often each process checks scheduler leadership and picks up schedule changes made by other processes:
    # after the leader dies, a follower takes over within about this many seconds.
    scheduler_tick_seconds: float = Field(default=30.0, ge=0.5, le=3600)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    rate_limit_per_minute: int = Field(default=30, ge=1, le=10_000)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr) -> SecretStr:
        try:
            normalised = normalise_database_url(value.get_secret_value())
            url = make_url(normalised)
        except Exception:
            raise ValueError("is not a database URL (for example sqlite+aiosqlite:///./studybot.db)") from None
        if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError("must use sqlite+aiosqlite:// or postgresql+asyncpg://")
        return SecretStr(normalised) if normalised != value.get_secret_value() else value

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not an IANA time zone (for example Europe/Berlin)") from None
        return value

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_ids(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        parts = [p.strip() for p in value.split(",")]
        if not all(p.isdigit() for p in parts):
            raise ValueError("must be comma-separated shard numbers, for example 0,1")
        return ",".join(parts)

    @property
    def shard_ids(self) -> list[int] | None:
        return [int(p) for p in self.discord_shard_ids.split(",")] if self.discord_shard_ids else None


def normalise_database_url(raw: str) -> str:
    """Accept the PostgreSQL URLs hosting platforms hand out (`postgres://…`, `postgresql://…?sslmode=require`).

    They become `postgresql+asyncpg://…`, and libpq's `sslmode` becomes asyncpg's `ssl` (same values); any other
    URL is returned unchanged, character for character.
    """
    url = make_url(raw)
    if url.drivername not in ("postgres", "postgresql", "postgresql+asyncpg"):
        return raw
    changed = url.set(drivername="postgresql+asyncpg")
    if "sslmode" in changed.query:
        mode = changed.query["sslmode"]
        changed = changed.difference_update_query(["sslmode"])
        if "ssl" not in changed.query:
            changed = changed.update_query_dict({"ssl": mode})
    if changed == url:
        return raw
    return changed.render_as_string(hide_password=False)


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable and never its value."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "settings"
        message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {name}: {message}") from None


def require(settings: Settings, *names: str) -> None:
    """Stop with one clear line when a platform's required settings are missing."""
    for name in names:
        value = getattr(settings, name)
        if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
            raise SettingsError(f"Missing setting {name.upper()}: set it in the environment or in .env")

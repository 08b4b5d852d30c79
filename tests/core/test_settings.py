from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DEFAULT_TIMEZONE", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url.get_secret_value() == "sqlite+aiosqlite:///./studybot.db"
    assert settings.default_timezone == "UTC"
    assert (settings.content_dir / "roadmap.yaml").exists()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "Invalid setting DEFAULT_TIMEZONE"),
        ("DATABASE_URL", "mysql://root:hunter22@db/x", "Invalid setting DATABASE_URL"),
        ("LOG_LEVEL", "LOUD", "Invalid setting LOG_LEVEL"),
        ("PORT", "eighty", "Invalid setting PORT"),
        ("DISCORD_SHARD_IDS", "0,x", "Invalid setting DISCORD_SHARD_IDS"),
    ],
)
def test_a_malformed_setting_names_the_variable_not_its_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert value not in message


def test_secrets_stay_out_of_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:pa55word@db/studybot")
    settings = load_settings(_env_file=None)
    shown = repr(settings) + str(settings)
    assert "very-secret-token" not in shown and "pa55word" not in shown


def test_env_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DEFAULT_TIMEZONE", raising=False)
    env = tmp_path / ".env"
    env.write_text("DEFAULT_TIMEZONE=Europe/Berlin\n")
    assert load_settings(_env_file=env).default_timezone == "Europe/Berlin"

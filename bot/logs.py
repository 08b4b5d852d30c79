"""Logging to stderr, as text or one JSON object per line, with secrets masked in every record."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

# Fields the core adds with `extra=`; the JSON format writes them out, the text format appends them.
EXTRA_FIELDS = ("community", "platform", "command", "outcome", "latency_ms", "kind", "channel")


class SecretMask(logging.Filter):
    """Replace any configured secret that appears in a log record with asterisks."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        for name in EXTRA_FIELDS:  # fields given with `extra=` are written out as they are
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, self.mask(value))
        return True

    def mask(self, text: str) -> str:
        """`text` with every secret replaced by asterisks."""
        for secret in self.secrets:
            text = text.replace(secret, "********")
        return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: getattr(record, k) for k in EXTRA_FIELDS if hasattr(record, k)})
        if record.exc_info or record.exc_text:
            data["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(data, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{k}={getattr(record, k)}" for k in EXTRA_FIELDS if hasattr(record, k))
        if extras:
            head, _, tail = line.partition("\n")
            line = f"{head} {extras}" + (f"\n{tail}" if tail else "")
        return line


def setup(level: str, fmt: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(SecretMask(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter stays out unless asked for.
    for noisy in ("sqlalchemy.engine", "alembic", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def secrets_of(settings: object) -> list[str]:
    """Every secret value in the settings, plus the password inside the database URL."""
    from pydantic import SecretStr
    from sqlalchemy.engine import make_url

    found = []
    for name in type(settings).model_fields:  # type: ignore[attr-defined]
        value = getattr(settings, name)
        if isinstance(value, SecretStr) and value.get_secret_value():
            found.append(value.get_secret_value())
    try:
        password = make_url(settings.database_url.get_secret_value()).password  # type: ignore[attr-defined]
        if password:
            # As it is, and as it appears inside a URL when it has characters that URLs escape.
            found += [str(password), quote(str(password), safe=""), quote_plus(str(password))]
    except Exception:
        pass
    return found

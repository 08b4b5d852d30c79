"""Slack failures read safely and said in words a member or moderator understands (never a traceback)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackClientError

# Everything a Web API call may raise for reasons outside our code.
SLACK_FAILURES: tuple[type[BaseException], ...] = (SlackApiError, SlackClientError, ClientError, asyncio.TimeoutError)


@dataclass(frozen=True)
class SlackFailure:
    code: str  # Slack's error code ("not_in_channel"), or "http_<status>", or "unreachable"
    status: int | None = None
    retry_after: int | None = None
    needed_scope: str | None = None


def read_failure(exc: BaseException) -> SlackFailure:
    """What went wrong, from a SlackApiError (whatever its response holds) or a network error."""
    if not isinstance(exc, SlackApiError):
        return SlackFailure("unreachable")
    response: Any = exc.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    data = getattr(response, "data", None)
    data = data if isinstance(data, dict) else {}
    code = data.get("error") if isinstance(data.get("error"), str) else None
    needed = data.get("needed") if isinstance(data.get("needed"), str) else None
    return SlackFailure(
        code=code or (f"http_{status}" if status else "unknown"),
        status=status if isinstance(status, int) else None,
        retry_after=_retry_after(getattr(response, "headers", None)),
        needed_scope=needed,
    )


def _retry_after(headers: Any) -> int | None:
    if not headers:
        return None
    for key in headers:
        if str(key).lower() == "retry-after":
            value = headers[key]
            value = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0, int(str(value).strip()))
            except ValueError:
                return None
    return None


def describe(exc: BaseException) -> str:
    """One or two sentences saying what failed and what to do; names no channel, so it reads anywhere."""
    failure = read_failure(exc)
    code = failure.code
    if code == "ratelimited" or failure.status == 429:
        wait = failure.retry_after
        return f"Slack is limiting how fast I may send; try again in {wait or 'a few'} seconds."
    if failure.status is not None and failure.status >= 500:
        return f"Slack had a problem on its side (HTTP {failure.status}). Nothing was sent; try again in a minute."
    if code == "unreachable":
        return "I could not reach Slack. Nothing was sent; try again in a minute."
    if code == "not_in_channel":
        return "I am not a member of that channel. Invite me there (`/invite @studybot`) and try again."
    if code == "channel_not_found":
        return "I cannot see that channel: it may be private (invite me first) or deleted."
    if code == "is_archived":
        return "That channel is archived."
    if code in ("restricted_action", "restricted_action_read_only_channel", "restricted_action_thread_only_channel"):
        return "The workspace settings do not let me post there."
    if code == "missing_scope":
        scope = f" `{failure.needed_scope}`" if failure.needed_scope else ""
        return f"The app lacks the permission{scope}: a workspace admin needs to reinstall it from the manifest."
    if code in ("expired_trigger_id", "exchanged_trigger_id"):
        return "That took too long for Slack to open a form. Run the command again."
    if code in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
        return "The app's token is not accepted by Slack; a workspace admin needs to check the installation."
    return f"Slack refused the request ({code})."

"""Errors a user can cause: the core turns them into a clear reply and undoes the transaction."""

from __future__ import annotations

from bot.replies import Reply, Tone


class UserError(Exception):
    def __init__(self, message: str, *, reply: Reply | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reply = reply or Reply(text=message, tone=Tone.ERROR)

"""The terminal adapter: the whole bot at a prompt (or over a pipe), with no tokens and no network."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.app import StudyBot
from bot.context import Caller
from bot.outbound import PostResult, deliver
from bot.replies import Reply, Tone

TONE_STYLE = {Tone.INFO: "cyan", Tone.SUCCESS: "green", Tone.WARNING: "yellow", Tone.ERROR: "red"}
_BOLD = re.compile(r"\\?\*\\?\*(.+?)\\?\*\\?\*")
QUIT = {"quit", "exit", "/quit", "/exit"}


def _markup(text: str) -> str:
    """Escape text for rich and turn the core's **bold** into rich bold."""
    return _BOLD.sub(r"[bold]\1[/bold]", escape(text))


class ConsoleAdapter:
    """One console session: a user in a community, optionally a moderator, in a channel."""

    platform = "console"

    def __init__(
        self,
        bot: StudyBot,
        *,
        user: str,
        community: str = "local",
        moderator: bool = False,
        channel: str = "general",
        out: TextIO | None = None,
    ) -> None:
        self.bot = bot
        self.caller = Caller(
            platform=self.platform,
            community_id=community,
            community_name=community,
            user_id=user,
            display_name=user,
            channel_id=channel,
            is_admin=moderator,
        )
        self.console = Console(file=out or sys.stdout, highlight=False, soft_wrap=True)
        self.buttons: list[str] = []
        self.posted = 0

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        self.console.print(f"[dim]── posted to #{escape(channel_id)} ──[/dim]")
        self.render(reply)
        self.posted += 1
        return PostResult(
            ok=True, link=f"console://{community_id}/{channel_id}/{self.posted}", message_id=str(self.posted)
        )

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        self.console.print(f"[dim]── message {escape(message_id)} in #{escape(channel_id)} updated ──[/dim]")
        self.render(reply)
        return PostResult(ok=True, link=f"console://{community_id}/{channel_id}/{message_id}", message_id=message_id)

    async def handle(self, line: str) -> Reply | None:
        """Run one input line; a bare number presses that button of the last reply."""
        line = line.strip()
        if not line:
            return None
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            line = self.buttons[int(line) - 1]
        reply = await self.bot.run_line(self.caller, line)
        self.render(reply)
        if reply.posts:
            await deliver(self, self.caller.community_id, reply.posts)
            # The numbers typed next press the buttons of the reply, not of the posts shown after it.
            self.buttons = [b.command for b in reply.buttons]
        return reply

    def render(self, reply: Reply) -> None:
        style = TONE_STYLE[reply.tone]
        print_ = self.console.print
        if reply.title:
            print_(f"[bold {style}]{_markup(reply.title)}[/bold {style}]")
        if reply.text:
            print_(
                _markup(reply.text)
                if reply.tone is Tone.INFO or reply.title
                else f"[{style}]{_markup(reply.text)}[/{style}]"
            )
        if reply.progress:
            print_(escape(reply.progress.render()))
        for field in reply.fields:
            print_(f"[bold]{_markup(field.name)}[/bold]")
            for line in field.value.splitlines():
                print_(f"  {_markup(line)}")
        for item in reply.items:
            print_(f"  • {_markup(item)}")
        if reply.image:
            path = Path.cwd() / "studybot-images" / reply.image.filename
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(reply.image.data)
            print_(f"[dim]image: {escape(str(path))}[/dim]")
        if reply.attachment:
            path = Path.cwd() / "studybot-files" / Path(reply.attachment.filename).name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(reply.attachment.data)
            path.chmod(0o600)  # a member's own data: readable by them only
            print_(f"[dim]file: {escape(str(path))}[/dim]")
        if reply.url:
            print_(f"[dim]{escape(reply.url)}[/dim]")
        if reply.footer:
            print_(f"[dim]{_markup(reply.footer)}[/dim]")
        self.buttons = [b.command for b in reply.buttons]
        if reply.buttons:
            labels = "  ".join(f"[{n}] {escape(b.label)}" for n, b in enumerate(reply.buttons, start=1))
            print_(f"[dim]buttons (type the number):[/dim] {labels}")
        print_()

    async def run(self, stdin: TextIO | None = None) -> None:
        stdin = stdin or sys.stdin
        await self.bot.attach_poster(self)
        if stdin.isatty():
            await self._interactive()
            return
        # Piped: one command a line, replies on stdout, logs on stderr.
        while line := await asyncio.to_thread(stdin.readline):
            if line.strip() in QUIT:
                break
            await self.handle(line)

    async def _interactive(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history = Path.home() / ".studybot_history"
        session: PromptSession[str] = PromptSession(history=FileHistory(str(history)))
        who = f"{self.caller.display_name}{' (moderator)' if self.caller.is_admin else ''}"
        self.console.print(
            f"[bold]studybot[/bold] console as {escape(who)} in {escape(self.caller.community_id)}. "
            "Try /help or /roadmap next; Ctrl-D to leave."
        )
        while True:
            try:
                line = await session.prompt_async("> ")
            except (EOFError, KeyboardInterrupt):
                break
            if line.strip() in QUIT:
                break
            await self.handle(line)


class ConsolePreview:
    """What would be posted to a community of `platform`, printed by a console and posted nowhere (dry runs)."""

    def __init__(self, platform: str, console: ConsoleAdapter) -> None:
        self.platform = platform
        self.console = console

    async def post(
        self, community_id: str, channel_id: str, reply: Reply, *, ping_everyone: bool = False
    ) -> PostResult:
        where = f"#{escape(channel_id)} of {escape(self.platform)} community {escape(community_id)}"
        self.console.console.print(f"[dim]── would post to {where} ──[/dim]")
        self.console.render(reply)
        return PostResult(ok=True)

    async def edit(self, community_id: str, channel_id: str, message_id: str, reply: Reply) -> PostResult:
        self.console.console.print(
            f"[dim]── would update message {escape(message_id)} in #{escape(channel_id)} ──[/dim]"
        )
        self.console.render(reply)
        return PostResult(ok=True)

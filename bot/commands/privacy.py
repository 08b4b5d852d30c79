"""`/privacy …`: a member's own data, sent to them as a file or deleted for good."""

from __future__ import annotations

from typing import Any

from bot import privacy
from bot.context import Context
from bot.errors import UserError
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Attachment, Button, ButtonStyle, Reply, Tone


def register(registry: Registry) -> None:
    registry.describe_group("privacy", "Your data: get a copy, or have it deleted")
    registry.add(Command(("privacy", "export"), "Get everything stored about you here, as a JSON file", _export))
    registry.add(
        Command(
            ("privacy", "forget"),
            "Delete everything stored about you here (asks first)",
            _forget,
            (
                Argument("confirm", ArgKind.CHOICE, "`confirm`, from the button", choices=("confirm",)),
                Argument("token", ArgKind.TEXT, "The confirmation code the button carries", max_length=32),
            ),
            writes=True,
        )
    )


async def _export(ctx: Context, args: dict[str, Any]) -> Reply:
    data = await privacy.export(ctx.session, ctx.community, ctx.member, ctx.now)
    return Reply(
        text="Everything this bot stores about you in this community is in the attached file. "
        "`/privacy forget` deletes it.",
        attachment=Attachment(f"studybot-my-data-{ctx.now:%Y%m%d}.json", data, "application/json"),
    )


def _described(counts: dict[str, int]) -> str:
    parts = [f"{n} {table.replace('_', ' ')}" for table, n in sorted(counts.items())]
    return ", ".join(parts) or "nothing besides your profile"


async def _forget(ctx: Context, args: dict[str, Any]) -> Reply:
    if "confirm" not in args:
        counts = {n: len(rows) for n, rows in (await privacy.member_rows(ctx.session, ctx.member)).items()}
        token = privacy.confirmation_token(ctx.member, ctx.now)
        return Reply(
            title="Delete your data?",
            text="This deletes your profile, progress, points and submissions in this community, for good: "
            f"{_described(counts)}. Leaderboards stop showing you. Press the button within the hour to confirm.",
            buttons=(Button("Delete my data", f"privacy forget confirm {token}", ButtonStyle.DANGER),),
            tone=Tone.WARNING,
        )
    if not privacy.confirmation_valid(ctx.member, args.get("token", ""), ctx.now):
        raise UserError(
            "That confirmation has expired or is not yours. Run `/privacy forget` again. Nothing was deleted."
        )
    counts = await privacy.forget(ctx.session, ctx.member)
    return Reply(
        text=f"Deleted your profile and everything about you here: {_described(counts)}. "
        "If you use the bot again, it starts a new profile.",
        tone=Tone.SUCCESS,
    )

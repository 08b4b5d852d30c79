"""`/moderators …` and `/audit`: who may run the community, and what moderators did."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import audit
from bot.context import Context
from bot.local_time import shown, zone
from bot.members import dialect_insert, find_member
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Reply, Tone
from bot.storage.models import Member

MEMBER_ARG = Argument("member", ArgKind.MEMBER, "A member of this community", True, max_length=100)
PLATFORM_ADMINS = "The platform's own admins (server or workspace admins) are always moderators."


def register(registry: Registry) -> None:
    registry.describe_group("moderators", "Who moderates this community", default="list")
    for command in (
        Command(("moderators", "list"), "Who moderates this community", _list),
        Command(
            ("moderators", "add"), "Make a member a moderator", _add, (MEMBER_ARG,), moderator_only=True, writes=True
        ),
        Command(
            ("moderators", "remove"),
            "Take a member's moderator rights",
            _remove,
            (MEMBER_ARG,),
            moderator_only=True,
            writes=True,
        ),
        Command(
            ("audit",),
            "The latest moderator actions",
            _audit,
            (
                Argument(
                    "count", ArgKind.INTEGER, "How many (1-50, default 10)", min_value=1, max_value=50, max_length=2
                ),
            ),
            moderator_only=True,
        ),
    ):
        registry.add(command)


async def _list(ctx: Context, args: dict[str, Any]) -> Reply:
    names = list(
        await ctx.session.scalars(
            select(Member.display_name)
            .where(Member.community_id == ctx.community.id, Member.is_moderator.is_(True))
            .order_by(Member.display_name)
        )
    )
    text = (
        f"{len(names)} moderator{'s' if len(names) != 1 else ''} named here." if names else "No moderators named yet."
    )
    return Reply(title="Moderators", text=text, items=tuple(names), footer=PLATFORM_ADMINS)


async def _member(ctx: Context, external_id: str) -> Member:
    """The member with this platform id, recorded now if they have not used the bot yet."""
    found = await find_member(ctx.session, ctx.community, external_id)
    if found is not None:
        return found
    await ctx.session.execute(
        dialect_insert(ctx.session, Member)
        .values(
            community_id=ctx.community.id,
            external_id=external_id,
            display_name=external_id,  # their name arrives with their first command
            points=0,
            is_moderator=False,
            created_at=ctx.now,
        )
        .on_conflict_do_nothing(index_elements=["community_id", "external_id"])
    )
    created = await find_member(ctx.session, ctx.community, external_id)
    assert created is not None
    return created


async def _add(ctx: Context, args: dict[str, Any]) -> Reply:
    member = await _member(ctx, args["member"])
    if member.is_moderator:
        return Reply(text=f"**{member.display_name}** is already a moderator.", tone=Tone.WARNING)
    member.is_moderator = True
    await audit.record(
        ctx.session, ctx.community, ctx.member, "moderators.add", f"made {member.display_name} a moderator", ctx.now
    )
    return Reply(text=f"**{member.display_name}** is now a moderator.", tone=Tone.SUCCESS)


async def _remove(ctx: Context, args: dict[str, Any]) -> Reply:
    member = await find_member(ctx.session, ctx.community, args["member"])
    if member is None or not member.is_moderator:
        return Reply(text=f"That member is not a named moderator. {PLATFORM_ADMINS}", tone=Tone.WARNING)
    member.is_moderator = False
    await audit.record(
        ctx.session,
        ctx.community,
        ctx.member,
        "moderators.remove",
        f"removed {member.display_name} as moderator",
        ctx.now,
    )
    return Reply(
        text=f"**{member.display_name}** is no longer a named moderator. {PLATFORM_ADMINS}",
        tone=Tone.SUCCESS,
    )


async def _audit(ctx: Context, args: dict[str, Any]) -> Reply:
    entries = await audit.latest(ctx.session, ctx.community, args.get("count", 10))
    if not entries:
        return Reply(text="No moderator actions yet.")
    tz = zone(ctx.community.timezone)
    return Reply(
        title="Moderator actions, newest first",
        items=tuple(f"{shown(e.at, tz)} · **{e.actor}** · {e.action} · {e.detail}" for e in entries),
    )

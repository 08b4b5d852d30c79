"""A member's own data: everything stored about them, and deleting it.

Both are generic over the schema: a member's data is their `members` row and every row of any table whose
foreign key points at that row. Deleting the row lets the database do the rest: foreign keys to members are
ON DELETE CASCADE (rows about the member: progress, points, submissions…) or ON DELETE SET NULL (rows the
member acted on for the community: an announcement, a review, an audit entry). A test holds every new
foreign key to that rule.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dump import encode_row, encode_value
from bot.storage.models import Community, Member
from bot.storage.schema import metadata

EXPORT_FORMAT = "studybot-member-data"
CONFIRM_WINDOW = timedelta(hours=1)


def references_to_members() -> list[tuple[Table, str]]:
    """(table, column) for every foreign key to members.id, in dependency order."""
    members = metadata.tables["members"]
    return [
        (table, fk.parent.name)
        for table in metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column is members.c.id
    ]


async def member_rows(session: AsyncSession, member: Member) -> dict[str, list[dict[str, Any]]]:
    """{table: rows} of every row that points at `member`, as JSON-ready values; rows pointing twice appear once."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table, column in references_to_members():
        rows = await session.execute(select(table).where(table.c[column] == member.id))
        entries = found.setdefault(table.name, [])
        for row in rows:
            encoded = encode_row(dict(row._mapping))
            if encoded not in entries:
                entries.append(encoded)
    return {name: rows for name, rows in found.items() if rows}


async def export(session: AsyncSession, community: Community, member: Member, now: datetime) -> bytes:
    """The member's data in this community as a JSON document."""
    own = select(metadata.tables["members"]).where(metadata.tables["members"].c.id == member.id)
    member_row = (await session.execute(own)).one()
    document = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "exported_at": encode_value(now),
        "community": {"platform": community.platform, "id": community.external_id, "name": community.name},
        "member": encode_row(dict(member_row._mapping)),
        "rows_about_you": await member_rows(session, member),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


# Text columns that copy a member's display name into a sentence (a foreign key cannot reach those):
# (table, column), each table with a community_id. The name is replaced there when the member is forgotten.
NAME_COPIES = (("audit_log", "detail"),)
FORMER_MEMBER = "a former member"


async def forget(session: AsyncSession, member: Member) -> dict[str, int]:
    """Delete the member and, through the foreign keys, everything about them; return rows removed per table."""
    counts = {name: len(rows) for name, rows in (await member_rows(session, member)).items()}
    await _scrub_name(session, member)
    await session.delete(member)
    await session.flush()
    return counts


async def _scrub_name(session: AsyncSession, member: Member) -> None:
    name = member.display_name
    whole_word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    for table_name, column_name in NAME_COPIES:
        table = metadata.tables[table_name]
        column, key = table.c[column_name], table.primary_key.columns
        rows = await session.execute(
            select(*key, column).where(table.c.community_id == member.community_id, column.contains(name))
        )
        for row in rows.all():
            scrubbed = whole_word.sub(FORMER_MEMBER, row[-1])
            if scrubbed != row[-1]:
                match = [c == row[i] for i, c in enumerate(key)]
                await session.execute(update(table).where(*match).values({column_name: scrubbed}))


def confirmation_token(member: Member, now: datetime) -> str:
    """A short token that proves the member saw the warning in the last hour or so (nothing is stored)."""
    return _token(member, _window(now))


def confirmation_valid(member: Member, token: str, now: datetime) -> bool:
    window = _window(now)
    return token in (_token(member, window), _token(member, window - 1))


def _window(now: datetime) -> int:
    return int(now.timestamp() // CONFIRM_WINDOW.total_seconds())


def _token(member: Member, window: int) -> str:
    seed = f"{member.community_id}:{member.id}:{member.external_id}:{encode_value(member.created_at)}:{window}"
    return hashlib.sha256(seed.encode()).hexdigest()[:10]

"""`/privacy export` sends a member their own data; `/privacy forget` deletes it after a confirmation, through
the foreign keys, so tables added later are covered; leaderboards no longer show the member."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.content import Content
from bot.privacy import EXPORT_FORMAT, FORMER_MEMBER, NAME_COPIES, references_to_members
from bot.replies import ButtonStyle, Tone
from bot.storage.models import Member
from bot.storage.schema import metadata
from tests.driver import Chat, FakeClock
from tests.reliability.invariants import check_reply, check_stored_data, visible_parts
from tests.reliability.population import populate
from tests.reliability.snapshot import snapshot


def test_every_foreign_key_to_members_cascades_or_lets_go() -> None:
    """What makes forgetting generic: deleting a member row must take or release every row pointing at it."""
    found = references_to_members()
    assert {t.name for t, _ in found} >= {"progress", "point_events"}
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != "members":
                continue
            assert fk.ondelete in ("CASCADE", "SET NULL"), f"{table.name}.{fk.parent.name}: ON DELETE {fk.ondelete}"
            if fk.ondelete == "SET NULL":
                assert fk.parent.nullable, f"{table.name}.{fk.parent.name} is SET NULL but not nullable"


async def _member_id(chat: Chat, user_id: str) -> int | None:
    async with chat.bot.sessions() as session:
        return await session.scalar(select(Member.id).where(Member.external_id == user_id))


async def test_export_is_the_members_own_data_and_nobody_elses(chat: Chat, clock: FakeClock, content: Content) -> None:
    await populate(chat, clock, content)
    ada = chat.as_user("ada", name="Ada")
    reply = await ada("/privacy export")
    check_reply(reply)
    assert reply.attachment is not None and reply.attachment.mime == "application/json"
    assert reply.attachment.filename.endswith(".json")
    data = json.loads(reply.attachment.data)
    assert data["format"] == EXPORT_FORMAT and data["member"]["external_id"] == "ada"
    ada_id = data["member"]["id"]
    rows = data["rows_about_you"]
    assert {"progress", "point_events", "challenge_submissions", "activity_days"} <= set(rows)
    assert any(r["note"].startswith("my notes") for r in rows["challenge_submissions"])
    columns = {
        t.name: [fk.parent.name for fk in t.foreign_keys if fk.column.table.name == "members"]
        for t in metadata.sorted_tables
    }
    for table, entries in rows.items():
        for row in entries:
            assert ada_id in (row[c] for c in columns[table]), f"{table} row not about ada: {row}"
    text = reply.attachment.data.decode()
    assert "Bob" not in text and "bob.example" not in text and "Zed" not in text  # nobody else's data
    # Every row about her in the database is in the file.
    everything = await snapshot(chat.bot.engine)
    for table, column in references_to_members():
        about = [r for r in everything[table.name] if r[column] == ada_id]
        assert len(rows.get(table.name, [])) >= len(about) > 0 or not about


async def test_forget_asks_first_then_deletes_everything_about_the_member(
    chat: Chat, clock: FakeClock, content: Content
) -> None:
    await populate(chat, clock, content)
    ada, bob = chat.as_user("ada", name="Ada"), chat.as_user("bob", name="Bob")
    mia = chat.as_user("mia", name="Mia", moderator=True)
    ada_id = await _member_id(chat, "ada")
    before = await snapshot(chat.bot.engine)

    asked = await ada("/privacy forget")
    check_reply(asked)
    assert asked.tone is Tone.WARNING and "for good" in asked.text
    (button,) = asked.buttons
    assert button.style is ButtonStyle.DANGER and button.command.startswith("privacy forget confirm ")
    assert await snapshot(chat.bot.engine) == before  # asking deletes nothing

    # Someone else pressing (or typing) her button deletes nothing of hers, nor of theirs.
    assert (await bob(button.command)).tone is Tone.ERROR
    assert (await ada("/privacy forget confirm 0000000000")).tone is Tone.ERROR
    assert await _member_id(chat, "ada") == ada_id and await _member_id(chat, "bob") is not None

    done = await ada(button.command)
    assert done.tone is Tone.SUCCESS and "Deleted" in done.text
    after = await snapshot(chat.bot.engine)
    assert await _member_id(chat, "ada") is None
    for table, column in references_to_members():
        assert [r for r in after[table.name] if r[column] == ada_id] == [], table.name
    # Everyone else's rows are as they were (rows that only named her as the actor lost that name).
    for table in metadata.sorted_tables:
        unrelated = [
            r for r in before[table.name] if all(r.get(c) != ada_id for t, c in references_to_members() if t is table)
        ]
        if table.name not in ("members", *(name for name, _ in NAME_COPIES)):
            assert [r for r in after[table.name] if r in unrelated] == unrelated, table.name
    assert any(FORMER_MEMBER in r["detail"] for r in after["audit_log"])  # "approved submission … by Ada"
    await check_stored_data(chat.bot)

    # Leaderboards and every other reply stop showing her, to members and moderators alike.
    for who in (bob, mia):
        for command in chat.bot.registry:
            if command.name.startswith("privacy"):
                continue
            reply = await who("/" + command.name)
            assert all("Ada" not in part for part in visible_parts(reply)), (command.name, reply)


async def test_a_forget_button_expires(chat: Chat, clock: FakeClock) -> None:
    await chat("/roadmap next")
    button = (await chat("/privacy forget")).buttons[0].command
    clock.advance(hours=3)
    late = await chat(button)
    assert late.tone is Tone.ERROR and "expired" in late.text
    assert await _member_id(chat, "ada") is not None
    fresh = (await chat("/privacy forget")).buttons[0].command
    assert (await chat(fresh)).tone is Tone.SUCCESS


@pytest.mark.parametrize("line", ["/privacy export", "/privacy forget"])
async def test_privacy_commands_need_a_community(chat: Chat, line: str) -> None:
    reply = await chat.in_community("")(line)
    assert reply.tone is Tone.WARNING and "direct message" in reply.text

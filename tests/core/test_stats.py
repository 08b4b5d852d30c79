"""`/stats`: numbers for organisers, from a small community's real activity."""

from __future__ import annotations

from bot.content import Content
from bot.replies import Tone
from tests.driver import Chat, FakeClock


async def test_stats_show_activity_sections_sticking_points_and_challenges(
    chat: Chat, clock: FakeClock, content: Content
) -> None:
    mia = chat.as_user("mia", name="Mia", moderator=True)
    bob, cy = chat.as_user("bob", name="Bob"), chat.as_user("cy", name="Cy")
    first, second = content.topics[0], content.topics[1]
    second_section = content.section(content.topics[len(content.sections[0].topic_ids)].section_id)
    assert second_section is not None

    # Last week: Ada learns the first topic for two days; Bob skips it.
    await chat(f"/roadmap start {first.id}")
    await bob(f"/roadmap skip {first.id}")
    clock.advance(days=2)
    await chat(f"/roadmap done {first.id}")
    await mia(f"/challenge start {content.challenges[0].id}")
    await chat("/challenge submit https://example.com/ada")
    await bob("/challenge join")
    await mia("/challenge approve 1")
    await mia("/challenge end")

    # This week (from Monday 30 November): Cy learns the second topic and is still on it; Ada skips ahead
    # through the first section.
    clock.advance(days=6)
    await cy(f"/roadmap skip {first.id}")
    await cy(f"/roadmap start {second.id}")
    for topic_id in content.sections[0].topic_ids[1:]:
        await chat(f"/roadmap skip {topic_id}")
    clock.advance(days=1)

    reply = await mia("/stats")
    assert reply.tone is Tone.INFO
    fields = {f.name: f.value for f in reply.fields}
    assert fields["Active members"] == "this week: 2\nlast week: 2"
    where = fields["Where members are"].splitlines()
    assert f"{content.sections[0].title}: 2" in where  # Bob (next: the second topic) and Cy (learning it)
    assert f"{second_section.title}: 1" in where  # Ada
    assert "not started: 1" in where  # Mia only moderates
    slow = fields["Longest in learning"].splitlines()
    assert slow[0] == f"{first.title}: 2.0 days on average (1 members, 0 still learning)"
    assert slow[1] == f"{second.title}: 1.0 days on average (1 members, 1 still learning)"
    skipped = fields["Most skipped"].splitlines()
    assert skipped[0] == f"{first.title}: 2"
    assert fields["Challenges (joined / submitted / finished)"] == (
        f"Wed 25 Nov 09:00 · {content.challenges[0].title}: 2 / 1 / 1"
    )


async def test_stats_of_an_empty_community(chat: Chat) -> None:
    reply = await chat.as_user("mia", moderator=True)("/stats")
    fields = {f.name: f.value for f in reply.fields}
    assert fields["Active members"] == "this week: 0\nlast week: 0"
    assert fields["Where members are"] == "not started: 1"
    assert "no topic started" in fields["Longest in learning"]
    assert fields["Challenges (joined / submitted / finished)"] == "no challenge yet"

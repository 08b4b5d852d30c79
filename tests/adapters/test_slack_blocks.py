"""Rendering core replies as Block Kit: escaping, bold, limits, splitting."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack_blocks import (
    FIELD_TEXT,
    HOME_BLOCKS,
    MESSAGE_BLOCKS,
    SECTION_FIELDS,
    SECTION_TEXT,
    button_blocks,
    clip,
    content_blocks,
    escape,
    home_view,
    link,
    mrkdwn,
    render_messages,
    section,
    split_text,
    unescape,
)
from bot.replies import Button, ButtonStyle, Field, ProgressBar, Reply, Tone

_ENTITY_CUT = re.compile(r"&(a|am|amp|l|lt|g|gt)?$")


def test_escape_makes_every_mention_form_inert() -> None:
    text = "<!channel> <!here> <!everyone> <!subteam^S1|@devs> <@U1> <#C1|general> a & b"
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.startswith("&lt;!channel&gt; &lt;!here&gt;")
    assert "a &amp; b" in escaped
    assert unescape(escaped) == text


def test_core_bold_becomes_slack_bold() -> None:
    assert mrkdwn("Done: **Git** (+10 points).") == "Done: *Git* (+10 points)."
    assert mrkdwn("**a < b**") == "*a &lt; b*"


def test_links_only_for_web_addresses() -> None:
    assert link("https://example.com/a?b=1&c=2", "docs") == "<https://example.com/a?b=1&amp;c=2|docs>"
    assert link("javascript:alert(1)", "x") == "javascript:alert(1)"
    assert link("https://example.com/|<!channel>", "x") == "https://example.com/|&lt;!channel&gt;"


def test_a_full_reply_in_reading_order() -> None:
    reply = Reply(
        title="Topic 3: **SQL**",
        text="Learn **joins**.",
        progress=ProgressBar(1, 4, "(1 of 4 topics)"),
        fields=(Field("Why", "Data lives there."), Field("Time", "about 6 h", inline=True)),
        items=("one", "two"),
        footer="Topic 3 of 4",
        url="https://example.com",
        tone=Tone.WARNING,
    )
    blocks = content_blocks(reply)
    assert [b["type"] for b in blocks] == ["header", "section", "section", "section", "section", "section", "section",
                                           "context"]  # fmt: skip
    assert blocks[0]["text"]["text"] == "Topic 3: SQL"
    assert blocks[1]["text"]["text"] == ":warning: Learn *joins*."
    assert blocks[2]["text"]["text"] == "▰▰▰▰▰▱▱▱▱▱▱▱▱▱▱▱▱▱▱▱ 25% (1 of 4 topics)"
    assert blocks[3]["text"]["text"] == "*Why*\nData lives there."
    assert blocks[4]["fields"] == [{"type": "mrkdwn", "text": "*Time*\nabout 6 h"}]
    assert blocks[5]["text"]["text"] == "• one\n• two"


def test_buttons_carry_their_command_line_with_unique_action_ids() -> None:
    reply = Reply(
        text="x",
        buttons=(
            Button("Mark done", "roadmap done git", ButtonStyle.SUCCESS),
            Button("Skip", "roadmap skip git"),
            Button("Delete", "thing delete", ButtonStyle.DANGER),
        ),
    )
    (message,) = render_messages(reply)
    actions = message.blocks[-1]
    assert actions["type"] == "actions"
    assert [(e["action_id"], e["value"], e.get("style")) for e in actions["elements"]] == [
        ("studybot:0", "roadmap done git", "primary"),
        ("studybot:1", "roadmap skip git", None),
        ("studybot:2", "thing delete", "danger"),
    ]


def test_inline_fields_are_grouped_ten_to_a_section() -> None:
    reply = Reply(fields=tuple(Field(f"f{n}", "v" * 3000, inline=True) for n in range(25)))
    blocks = content_blocks(reply)
    assert [len(b["fields"]) for b in blocks] == [10, 10, 5]
    assert all(len(f["text"]) <= FIELD_TEXT for b in blocks for f in b["fields"])


def test_long_text_splits_at_lines_and_every_section_fits() -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(200))
    blocks = content_blocks(Reply(text=text))
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= SECTION_TEXT for b in blocks)
    assert "\n".join(b["text"]["text"] for b in blocks) == text


def test_a_huge_reply_becomes_a_few_messages_with_buttons_last() -> None:
    reply = Reply(
        fields=tuple(Field(f"Part {n}", "text") for n in range(120)),
        buttons=(Button("Next", "roadmap next"),),
    )
    messages = render_messages(reply)
    assert [len(m.blocks) for m in messages] == [50, 50, 21]
    assert messages[-1].blocks[-1]["type"] == "actions"
    assert all(b["type"] != "actions" for m in messages[:-1] for b in m.blocks)


def test_beyond_three_messages_the_reply_is_shortened_with_a_note() -> None:
    messages = render_messages(Reply(fields=tuple(Field(f"Part {n}", "t") for n in range(400))))
    assert len(messages) == 3 and all(len(m.blocks) <= MESSAGE_BLOCKS for m in messages)
    assert "shortened: 251 more parts" in messages[-1].blocks[-1]["elements"][0]["text"]


def test_ping_everyone_prefixes_the_channel_mention_only() -> None:
    (message,) = render_messages(Reply(text="Meetup <!here> now"), ping_everyone=True)
    assert message.text == "<!channel> Meetup &lt;!here&gt; now"
    assert message.blocks[0]["text"]["text"] == "<!channel> Meetup &lt;!here&gt; now"


def test_notification_text_is_short_and_escaped() -> None:
    (message,) = render_messages(Reply(title="Hi <@U1>", text="x" * 5000))
    assert message.text == "Hi &lt;@U1&gt;"
    (message,) = render_messages(Reply(text="y" * 5000))
    assert len(message.text) <= 300


def test_an_empty_reply_still_says_something() -> None:
    assert content_blocks(Reply()) == [section("Done.")]


def test_home_view_stays_within_one_hundred_blocks_with_unique_action_ids() -> None:
    part = content_blocks(Reply(text="t", fields=tuple(Field(f"f{n}", "v") for n in range(30))))
    part += button_blocks(Reply(buttons=(Button("A", "a"), Button("B", "b"))))
    view = home_view([part, part, part, part], intro="hello")
    assert view["type"] == "home" and len(view["blocks"]) <= HOME_BLOCKS
    ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids))
    assert "More is available" in view["blocks"][-1]["elements"][0]["text"]


@given(st.text(alphabet=st.sampled_from(list("ab &<>\n*")), max_size=3000), st.integers(min_value=10, max_value=300))
def test_split_text_keeps_limits_and_never_cuts_an_entity(raw: str, limit: int) -> None:
    text = mrkdwn(raw)
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert all(not _ENTITY_CUT.search(p) for p in pieces)
    # Only whitespace is lost at the cuts.
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_section_fields_limit_is_ten() -> None:
    assert SECTION_FIELDS == 10


@given(st.text(alphabet=st.sampled_from(list("ab &<>")), max_size=400), st.integers(min_value=2, max_value=200))
def test_clip_keeps_the_limit_and_never_leaves_half_an_entity(raw: str, limit: int) -> None:
    clipped = clip(escape(raw), limit)
    assert len(clipped) <= limit
    assert not _ENTITY_CUT.search(clipped.removesuffix("…"))

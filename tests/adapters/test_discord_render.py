"""Rendering core replies as Discord messages: every limit Discord enforces holds for any reply."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord_render import (
    BUTTON_PREFIX,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    FOOTER_LIMIT,
    MAX_MESSAGES,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
    button_custom_id,
    channel_links,
    render,
    split_text,
)
from bot.replies import Button, ButtonStyle, Field, Image, ProgressBar, Reply, Tone

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=3000)
long_text = st.one_of(text, st.integers(0, 12_000).map(lambda n: ("word " * n)[:n]))
fields = st.lists(st.builds(Field, name=st.text(max_size=300), value=long_text, inline=st.booleans()), max_size=40)
replies = st.builds(
    Reply,
    text=long_text,
    title=st.one_of(st.none(), st.text(max_size=400)),
    fields=fields.map(tuple),
    items=st.lists(st.text(max_size=200), max_size=30).map(tuple),
    footer=st.one_of(st.none(), st.text(max_size=2500)),
    progress=st.one_of(st.none(), st.builds(ProgressBar, st.integers(0, 50), st.integers(1, 50))),
    tone=st.sampled_from(Tone),
)


def embed_size(embed: dict) -> int:
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + len(embed.get("footer", {}).get("text", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    )


@settings(max_examples=150, deadline=None)
@given(replies)
def test_every_rendered_message_is_within_discords_limits(reply: Reply) -> None:
    messages = render(reply)
    assert 1 <= len(messages) <= MAX_MESSAGES
    for message in messages:
        embeds = [e.to_dict() for e in message.embeds]
        assert 1 <= len(embeds) <= EMBEDS_PER_MESSAGE
        assert sum(embed_size(e) for e in embeds) <= MESSAGE_TOTAL_LIMIT
        for embed in embeds:
            assert len(embed.get("title", "")) <= TITLE_LIMIT
            assert len(embed.get("description", "")) <= DESCRIPTION_LIMIT
            assert len(embed.get("footer", {}).get("text", "")) <= FOOTER_LIMIT
            assert len(embed.get("fields", [])) <= FIELDS_PER_EMBED
            for f in embed.get("fields", []):
                assert 1 <= len(f["name"]) <= FIELD_NAME_LIMIT
                assert 1 <= len(f["value"]) <= FIELD_VALUE_LIMIT
            assert embed.get("title") or embed.get("description") or embed.get("fields") or embed.get("footer")


def test_nothing_is_lost_when_a_reply_fits_in_a_few_messages() -> None:
    body = "\n".join(f"line {n} " + "x" * 60 for n in range(150))  # about 10 000 characters
    reply = Reply(title="Long", text=body, fields=(Field("Notes", "y " * 1500),), footer="the end")
    messages = render(reply)
    assert 1 < len(messages) <= MAX_MESSAGES
    shown = "\n".join(
        "\n".join([e.description or "", *(f.value or "" for f in e.fields), e.footer.text or ""])
        for m in messages
        for e in m.embeds
    )
    assert all(f"line {n} " in shown for n in range(150))
    assert shown.count("y") == 1500 and "the end" in shown
    assert messages[0].embeds[0].title == "Long"


def test_split_text_prefers_line_breaks_then_spaces() -> None:
    assert split_text("aaaa\nbbbb\ncccc", 10) == ["aaaa\nbbbb", "cccc"]
    assert split_text("aaaa bbbb cccc", 10) == ["aaaa bbbb", "cccc"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("", 10) == []


def test_the_progress_bar_items_tone_and_link_are_shown() -> None:
    reply = Reply(
        title="Progress",
        url="https://example.com/roadmap",
        text="Keep going.",
        progress=ProgressBar(1, 4, "(1 of 4)"),
        items=("first", "second"),
        tone=Tone.SUCCESS,
    )
    [message] = render(reply)
    [embed] = message.embeds
    assert embed.description == f"Keep going.\n\n{ProgressBar(1, 4, '(1 of 4)').render()}\n\n• first\n• second"
    assert embed.url == "https://example.com/roadmap"
    assert embed.colour is not None and embed.colour.value == 0x57F287


def test_buttons_carry_their_command_and_go_on_the_last_message() -> None:
    reply = Reply(
        text="x " * 5000,
        buttons=(
            Button("Mark done", "/roadmap done git", ButtonStyle.SUCCESS),
            Button("Too long", "roadmap topic " + "z" * 100),
        ),
    )
    messages = render(reply)
    assert len(messages) > 1 and all(m.view is None for m in messages[:-1])
    view = messages[-1].view
    assert view is not None
    assert [(b.label, b.custom_id) for b in view.children] == [("Mark done", "sb:roadmap done git")]  # type: ignore[attr-defined]


def test_custom_ids_are_stable_and_at_most_100_characters() -> None:
    assert button_custom_id("roadmap  next") == f"{BUTTON_PREFIX}roadmap next"
    assert button_custom_id("x" * 97) == BUTTON_PREFIX + "x" * 97
    assert button_custom_id("x" * 98) is None
    assert button_custom_id("  ") is None


def test_an_image_becomes_a_file_shown_in_the_embed() -> None:
    reply = Reply(title="Chart", image=Image("my chart!.png", b"\x89PNG....", "Points per week"))
    [message] = render(reply)
    file = message.file()
    assert file is not None and file.filename == "my_chart_.png" and file.description == "Points per week"
    assert message.embeds[0].image.url == "attachment://my_chart_.png"
    assert message.file() is not file  # a fresh file each send: discord.File is single-use


def test_an_empty_reply_still_says_something() -> None:
    [message] = render(Reply())
    assert message.embeds[0].description == "Done."


def test_channel_ids_become_channel_links() -> None:
    assert channel_links("Posted in #200000000000000002.") == "Posted in <#200000000000000002>."
    assert channel_links("<#200000000000000002> and issue #42 and a#200000000000000002") == (
        "<#200000000000000002> and issue #42 and a#200000000000000002"
    )
    [message] = render(Reply(text="in #200000000000000002", fields=(Field("Where", "#200000000000000003"),)))
    assert message.embeds[0].description == "in <#200000000000000002>"
    assert message.embeds[0].fields[0].value == "<#200000000000000003>"

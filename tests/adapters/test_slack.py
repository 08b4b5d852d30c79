"""The Slack adapter through the real bolt app: signed requests in, Web API calls and response_url posts out."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy import select

from adapters.slack_blocks import FIELD_TEXT, MESSAGE_BLOCKS, SECTION_FIELDS, SECTION_TEXT
from adapters.slack_home import HOME_LINES
from bot.replies import Reply
from bot.storage.delivery_models import HandledEvent
from tests.adapters.extra_commands import PNG
from tests.adapters.slack_rig import ADA, BOB, GRACE, SlackRig, all_text, buttons, mrkdwn_texts
from tests.standins.slack_server import TEAM_ID

# ---- slash commands ------------------------------------------------------------------------------


async def test_roadmap_next_answers_privately_with_blocks_and_buttons(slack: SlackRig) -> None:
    first = slack.bot.content.topics[0]
    answer = await slack.command("/roadmap", "next")
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"Topic 1: {first.title}", "emoji": True},
    }
    assert [b["value"] for b in buttons(answer)] == [
        f"roadmap done {first.id}",
        f"roadmap skip {first.id}",
        "roadmap next",
    ]
    assert len({b["action_id"] for b in buttons(answer)}) == 3
    assert "▱" in all_text(answer)
    assert f"id `{first.id}`" in all_text(answer)


async def test_every_roadmap_command_and_help_answer(slack: SlackRig) -> None:
    topics = slack.bot.content.topics
    first, second, third = topics[0], topics[1], topics[2]
    steps = [
        ("/roadmap", "next", f"Topic 1: {first.title}"),
        ("/roadmap", "done", f"Done: *{first.title}*"),
        ("/roadmap", f"skip {second.id}", f"Skipped: *{second.title}*"),
        ("/roadmap", f"start {third.id}", f"Learning *{third.title}*"),
        ("/roadmap", "undo", f"Undone: *{third.title}*"),
        ("/roadmap", "progress", "Progress of Ada"),
        ("/roadmap", f"topic {first.id}", f"Topic: {first.title}"),
        ("/roadmap", "list", "The backend roadmap"),
        ("/roadmap", "map", "Your roadmap"),
        ("/roadmap", "track python", "Your track is now *Python*"),
        ("/roadmap", "timezone Europe/Berlin", "Your time zone is now *Europe/Berlin*"),
        ("/help", "", "studybot commands"),
        ("/help", "roadmap done", "/roadmap done"),
    ]
    covered = set()
    for command, text, expected in steps:
        slack.bot.clock.advance(minutes=1)  # type: ignore[attr-defined]  # so `undo` finds the latest change
        answer = await slack.command(command, text)
        assert expected in all_text(answer), (command, text, all_text(answer))
        assert ":x:" not in all_text(answer)
        found, _ = slack.bot.registry.match(f"{command} {text}".removeprefix("/").split())
        covered.add(found.path if found else None)
    assert covered == {c.path for c in slack.bot.registry.under(("roadmap",))} | {("help",)}
    progress = await slack.command("/roadmap", "progress")
    assert f"(2 of {len(topics)} topics)" in all_text(progress)


async def test_unknown_sub_command_answers_with_help(slack: SlackRig) -> None:
    answer = await slack.command("/roadmap", "fly away")
    text = all_text(answer)
    assert "is not a command" in text and "/roadmap next" in text
    assert answer["response_type"] == "ephemeral"


async def test_a_command_slack_still_lists_but_the_core_lacks_gets_help(slack: SlackRig) -> None:
    answer = await slack.command("/teleport", "now")
    assert "I don't know" in all_text(answer)


async def test_slash_command_text_arrives_escaped_and_is_read_as_typed(slack: SlackRig) -> None:
    # Slack sends & < > in typed text as entities; the core must see the characters.
    answer = await slack.command("/help", "points &amp; more")
    assert "There is no command or help page called “points &amp; more”" in all_text(answer)


async def test_slow_command_acks_with_a_note_then_answers(slack_extra: SlackRig) -> None:
    ack, name = await slack_extra.requests.command("/crunch")
    assert ack.status == 200
    assert ack.json()["text"] == "Working on it…"
    answer = (await slack_extra.slack.wait_responses(name))[0]
    assert "Crunched." in all_text(answer)


async def test_fast_command_acks_with_an_empty_body(slack: SlackRig) -> None:
    ack, name = await slack.requests.command("/roadmap", "next")
    assert (ack.status, ack.text) == (200, "")
    await slack.slack.wait_responses(name)


async def test_public_reply_goes_in_channel_with_its_image_uploaded(slack_extra: SlackRig) -> None:
    answer = await slack_extra.command("/chart")
    assert answer["response_type"] == "in_channel"
    (upload,) = await slack_extra.slack.wait_call("upload")
    assert upload.params["data"] == PNG
    (complete,) = await slack_extra.slack.wait_call("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C1GENERAL"


async def test_a_private_image_is_shared_in_the_members_dm(slack_extra: SlackRig) -> None:
    answer = await slack_extra.command("/mychart")
    assert answer["response_type"] == "ephemeral"
    (opened,) = await slack_extra.slack.wait_call("conversations.open")
    assert opened.params["users"] == ADA
    (complete,) = await slack_extra.slack.wait_call("files.completeUploadExternal")
    assert complete.params["channel_id"] == "D" + ADA[1:]


async def test_an_image_slack_refuses_is_explained(slack_extra: SlackRig) -> None:
    slack_extra.slack.fail("files.getUploadURLExternal", "not_in_channel")
    _ack, name = await slack_extra.requests.command("/chart")
    answer, note = await slack_extra.slack.wait_responses(name, count=2)
    assert "Here is the chart." in all_text(answer)
    assert "The image “a bar chart” could not be shown: I am not a member of that channel" in all_text(note)


async def test_the_roadmap_map_is_uploaded_as_a_real_png_to_the_members_dm(slack: SlackRig) -> None:
    answer = await slack.command("/roadmap", "map")
    assert "Your roadmap" in all_text(answer)
    (upload,) = await slack.slack.wait_call("upload")
    assert upload.params["data"].startswith(b"\x89PNG\r\n\x1a\n")
    (complete,) = await slack.slack.wait_call("files.completeUploadExternal")
    assert complete.params["channel_id"] == "D" + ADA[1:]


async def test_users_info_is_cached_per_user(slack: SlackRig) -> None:
    await slack.command("/roadmap", "next")
    await slack.command("/roadmap", "progress")
    await slack.command("/roadmap", "next", user=BOB)
    looked_up = [(c.params["user"], c.http_method) for c in slack.slack.calls_to("users.info")]
    assert looked_up == [(ADA, "GET"), (BOB, "GET")]


# ---- moderators and posts ------------------------------------------------------------------------


async def test_moderator_command_by_a_member_is_refused_and_posts_nothing(slack: SlackRig) -> None:
    answer = await slack.command("/announce", "<#C2NEWS|news> Hello all")
    assert "is for moderators" in all_text(answer)
    assert slack.slack.calls_to("chat.postMessage") == []


async def test_a_workspace_admin_announces_and_hears_where_it_went(slack: SlackRig) -> None:
    ack, name = await slack.requests.command("/announce", "<#C2NEWS|news> Hello all", user=GRACE)
    assert ack.json() == {"text": "Working on it…", "response_type": "ephemeral"}  # a slow command
    (answer,) = await slack.slack.wait_responses(name)
    (posted,) = slack.slack.calls_to("chat.postMessage")
    assert posted.params["channel"] == "C2NEWS"
    assert "Hello all" in all_text(posted.params)
    assert "Posted your announcement in #C2NEWS: https://study.slack.com/archives/C2NEWS/p" in all_text(answer)


async def test_a_member_a_moderator_added_may_announce(slack: SlackRig) -> None:
    added = await slack.command("/moderators", f"add <@{BOB}|bob>", user=GRACE)
    assert ":x:" not in all_text(added)
    answer = await slack.command("/announce", "<#C2NEWS|news> From Bob", user=BOB)
    assert "Posted your announcement in #C2NEWS" in all_text(answer)


async def test_without_users_info_an_admin_is_treated_as_a_member(slack: SlackRig) -> None:
    slack.slack.fail("users.info", "internal_error", status=500)
    answer = await slack.command("/announce", "<#C2NEWS|news> Hello", user=GRACE)
    assert "is for moderators" in all_text(answer)
    assert slack.slack.calls_to("chat.postMessage") == []


async def test_posts_a_reply_asks_for_are_made_and_reported(slack_extra: SlackRig) -> None:
    _ack, name = await slack_extra.requests.command("/notice", "<#C2NEWS|news> Hello all", user=GRACE)
    reply, report = await slack_extra.slack.wait_responses(name, count=2)
    assert "Notice handed over." in all_text(reply)
    (posted,) = slack_extra.slack.calls_to("chat.postMessage")
    assert posted.params["channel"] == "C2NEWS" and "Hello all" in all_text(posted.params)
    assert report["response_type"] == "ephemeral"
    assert ":white_check_mark: Posted in <#C2NEWS>: <https://study.slack.com/archives/C2NEWS/p" in all_text(report)


async def test_a_post_slack_refuses_is_reported_in_the_same_words(slack_extra: SlackRig) -> None:
    slack_extra.slack.fail("chat.postMessage", "not_in_channel")
    _ack, name = await slack_extra.requests.command("/notice", "<#C2PRIV|secret> Hello", user=GRACE)
    _reply, report = await slack_extra.slack.wait_responses(name, count=2)
    assert ":x: Could not post in <#C2PRIV>: I am not a member of that channel." in all_text(report)


# ---- mention safety ------------------------------------------------------------------------------

MASS = "<!channel> <!here> <!everyone> <!subteam^S1ABC|@devs> <@U2BOB> & <https://evil.example|click>"


async def test_mentions_in_posted_user_text_are_inert(slack: SlackRig) -> None:
    await slack.command("/announce", f"<#C2NEWS|news> Hi {MASS}", user=GRACE)
    (posted,) = slack.slack.calls_to("chat.postMessage")
    texts = mrkdwn_texts(posted.params)
    assert texts and all("<!" not in t and "<@" not in t for t in texts)
    assert "&lt;" in " ".join(texts) and "&amp;" in " ".join(texts)


async def test_notify_everyone_is_only_the_deliberate_channel_mention(slack: SlackRig) -> None:
    await slack.command("/announce", f"notify=everyone <#C2NEWS|news> Meetup now {MASS}", user=GRACE)
    (posted,) = slack.slack.calls_to("chat.postMessage")
    texts = mrkdwn_texts(posted.params)
    assert posted.params["text"].startswith("<!channel> ")
    assert any(t.startswith("<!channel> ") for t in texts[1:])
    assert all(t.replace("<!channel> ", "", 1).count("<!") == 0 for t in texts)
    assert all("<@" not in t for t in texts)


async def test_a_display_name_with_markup_pings_no_one(slack: SlackRig) -> None:
    slack.slack.add_user("U3EVE", "<!here> Eve")
    answer = await slack.command("/roadmap", "progress", user="U3EVE")
    assert all("<!" not in t for t in mrkdwn_texts(answer))
    assert "Eve" in all_text(answer)


# ---- long replies --------------------------------------------------------------------------------


async def test_a_long_reply_is_split_within_slack_limits(slack_extra: SlackRig) -> None:
    _ack, name = await slack_extra.requests.command("/essay")
    messages = await slack_extra.slack.wait_responses(name, count=3)
    for message in messages:
        assert len(message["blocks"]) <= MESSAGE_BLOCKS
        for block in message["blocks"]:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= SECTION_TEXT
            if block["type"] == "section" and "fields" in block:
                assert len(block["fields"]) <= SECTION_FIELDS
                assert all(len(f["text"]) <= FIELD_TEXT for f in block["fields"])
    assert "shortened" in all_text(messages[-1])
    assert "All work &amp; no play &lt;makes&gt; a dull *learner*." in all_text(messages[0])


# ---- buttons -------------------------------------------------------------------------------------


async def test_pressing_mark_done_runs_the_command_as_the_presser(slack: SlackRig) -> None:
    first = slack.bot.content.topics[0]
    answer = await slack.command("/roadmap", "next")
    done = next(b for b in buttons(answer) if b["text"]["text"] == "Mark done")
    ack, name = await slack.requests.press(done["value"], action_id=done["action_id"])
    assert ack.status == 200
    (result,) = await slack.slack.wait_responses(name)
    assert f"Done: *{first.title}*" in all_text(result)
    assert result["replace_original"] is False
    # The member's own change refreshes their Home.
    published = await slack.slack.wait_call("views.publish", lambda c: c.params["user_id"] == ADA)
    assert f"(1 of {len(slack.bot.content.topics)} topics)" in all_text(published[-1].params["view"])


async def test_a_button_in_the_home_answers_in_the_members_dm(slack: SlackRig) -> None:
    ack, _name = await slack.requests.press("roadmap next", in_home=True)
    assert ack.status == 200
    (dm,) = await slack.slack.wait_call("chat.postMessage")
    assert dm.params["channel"] == ADA
    assert "Topic 1" in all_text(dm.params)


async def test_a_forged_button_value_is_just_a_command_the_presser_may_not_run(slack: SlackRig) -> None:
    _ack, name = await slack.requests.press("announce <#C2NEWS|news> pwned", user=BOB)
    (result,) = await slack.slack.wait_responses(name)
    assert "is for moderators" in all_text(result)
    assert slack.slack.calls_to("chat.postMessage") == []


async def test_a_button_for_a_form_command_opens_the_form(slack: SlackRig) -> None:
    _ack, name = await slack.requests.press("roadmap topic")
    (opened,) = await slack.slack.wait_call("views.open")
    assert opened.params["trigger_id"] == f"trigger-{name}"


# ---- modals --------------------------------------------------------------------------------------


async def _open_form(rig: SlackRig, command: str, text: str = "", user: str = ADA) -> tuple[dict, str]:
    ack, name = await rig.requests.command(command, text, user=user)
    assert (ack.status, ack.text) == (200, "")
    opened = await rig.slack.wait_call("views.open", lambda c: c.params["trigger_id"] == f"trigger-{name}")
    return opened[0].params["view"], name


async def test_roadmap_topic_without_text_opens_a_modal_and_its_submission_answers(slack: SlackRig) -> None:
    first = slack.bot.content.topics[0]
    view, name = await _open_form(slack, "/roadmap", "topic")
    (query,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert query["block_id"] == "query" and query["optional"] is False
    assert query["element"]["type"] == "plain_text_input" and query["element"]["multiline"] is False
    ack = await slack.requests.submit(view, {"query": {"type": "plain_text_input", "value": first.id}})
    assert (ack.status, ack.text) == (200, "")
    (answer,) = await slack.slack.wait_responses(name)
    assert f"Topic: {first.title}" in all_text(answer)


async def test_a_refused_submission_shows_the_error_in_the_modal_and_writes_nothing(slack: SlackRig) -> None:
    view, name = await _open_form(slack, "/roadmap", "topic")
    ack = await slack.requests.submit(view, {"query": {"type": "plain_text_input", "value": "qqqq zzzz xxxx"}})
    assert ack.status == 200
    body = ack.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["query"] and "No topic matches" in body["errors"]["query"]
    # The next valid submission is the only answer the response_url gets.
    ack = await slack.requests.submit(view, {"query": {"type": "plain_text_input", "value": "git"}})
    assert ack.text == ""
    await slack.slack.wait_responses(name)
    assert len(slack.slack.responses(name)) == 1


async def test_a_form_of_every_input_kind_reads_each_element(slack_extra: SlackRig) -> None:
    view, name = await _open_form(slack_extra, "/survey")
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds == {
        "language": "static_select",
        "level": "number_input",
        "buddy": "users_select",
        "channel": "conversations_select",
        "note": "plain_text_input",
    }
    values = {
        "language": {"type": "static_select", "selected_option": {"value": "java"}},
        "level": {"type": "number_input", "value": "3"},
        "buddy": {"type": "users_select", "selected_user": BOB},
        "channel": {"type": "conversations_select", "selected_conversation": "C3TEAM"},
        "note": {"type": "plain_text_input", "value": "two\nlines <!here>"},
    }
    ack = await slack_extra.requests.submit(view, values)
    assert ack.text == ""
    (answer,) = await slack_extra.slack.wait_responses(name)
    text = all_text(answer)
    assert f"language=java; level=3; buddy={BOB}; channel=C3TEAM; note=two\nlines &lt;" in text
    assert "<!here>" not in text


@pytest.mark.parametrize(
    ("field", "element", "message"),
    [
        ("level", {"type": "number_input", "value": "9"}, "`level` must be at most 5."),
        ("note", {"type": "plain_text_input", "value": "refuse"}, "may not be just"),
    ],
)
async def test_field_errors_land_on_the_field_they_name(
    slack_extra: SlackRig, field: str, element: dict, message: str
) -> None:
    view, _name = await _open_form(slack_extra, "/survey")
    values = {
        "language": {"type": "static_select", "selected_option": {"value": "python"}},
        "level": {"type": "number_input", "value": "2"},
        "note": {"type": "plain_text_input", "value": "hello"},
        field: element,
    }
    body = (await slack_extra.requests.submit(view, values)).json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [field] and message in body["errors"][field]


async def test_a_moderator_form_submitted_by_a_member_is_refused_inside_the_modal(slack: SlackRig) -> None:
    view, _name = await _open_form(slack, "/announce")
    values = {
        "channel": {"type": "conversations_select", "selected_conversation": "C2NEWS"},
        "text": {"type": "plain_text_input", "value": "hello"},
    }
    body = (await slack.requests.submit(view, values)).json()
    assert body["response_action"] == "errors"
    assert "is for moderators" in body["errors"]["channel"]
    assert slack.slack.calls_to("chat.postMessage") == []


async def test_the_announce_form_has_a_field_for_every_argument_and_opens_prefilled(slack: SlackRig) -> None:
    view, name = await _open_form(slack, "/announce", "<#C2NEWS|news>", user=GRACE)
    fields = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(fields) == ["channel", "text", "at", "notify"]
    assert fields["channel"]["element"]["initial_conversation"] == "C2NEWS"
    assert fields["text"]["element"]["multiline"] is True
    assert [o["value"] for o in fields["notify"]["element"]["options"]] == ["none", "everyone"]
    assert fields["at"]["optional"] is True and fields["text"]["optional"] is False
    values = {
        "channel": {"type": "conversations_select", "selected_conversation": "C2NEWS"},
        "text": {"type": "plain_text_input", "value": "Line one\nLine two"},
        "at": {"type": "plain_text_input", "value": None},
        "notify": {"type": "static_select", "selected_option": None},
    }
    ack = await slack.requests.submit(view, values, user=GRACE)
    assert ack.text == ""
    (answer,) = await slack.slack.wait_responses(name)
    assert "Posted your announcement in #C2NEWS" in all_text(answer)
    (posted,) = slack.slack.calls_to("chat.postMessage")
    assert "Line one\nLine two" in all_text(posted.params)


async def test_a_time_in_the_past_is_shown_on_its_field(slack: SlackRig) -> None:
    view, _name = await _open_form(slack, "/announce", user=GRACE)
    values = {
        "channel": {"type": "conversations_select", "selected_conversation": "C2NEWS"},
        "text": {"type": "plain_text_input", "value": "Hello"},
        "at": {"type": "plain_text_input", "value": "2001-01-01 10:00"},
    }
    body = (await slack.requests.submit(view, values, user=GRACE)).json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["at"] and "is in the past" in body["errors"]["at"]
    assert slack.slack.calls_to("chat.postMessage") == []


async def test_challenge_submit_without_a_running_challenge_is_refused_in_the_modal(slack: SlackRig) -> None:
    view, _name = await _open_form(slack, "/challenge", "submit")
    values = {"url": {"type": "plain_text_input", "value": "https://example.com/work"}}
    body = (await slack.requests.submit(view, values)).json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["url"]


async def test_a_weekly_challenge_from_start_to_approval_through_slack(slack: SlackRig) -> None:
    challenge = slack.bot.content.challenges[0]
    started = await slack.command("/challenge", f"start {challenge.id}", user=GRACE)
    assert ":x:" not in all_text(started)
    view, name = await _open_form(slack, "/challenge", "submit")
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(fields) == ["url", "note"] and fields["note"]["multiline"] is True
    values = {
        "url": {"type": "plain_text_input", "value": "https://github.com/ada/shortener"},
        "note": {"type": "plain_text_input", "value": "Tests included.\nDeployed too."},
    }
    assert (await slack.requests.submit(view, values)).text == ""
    (submitted,) = await slack.slack.wait_responses(name)
    assert f"Submitted to *{challenge.title}*" in all_text(submitted)
    review = await slack.command("/challenge", "review", user=GRACE)
    approve = next(b for b in buttons(review) if b["text"]["text"].startswith("Approve"))
    _ack, pressed = await slack.requests.press(approve["value"], user=GRACE)
    _result, report = await slack.slack.wait_responses(pressed, count=2)
    # The review notice goes to the channel Ada submitted from, and Grace hears that it did.
    assert ":white_check_mark: Posted in <#C1GENERAL>" in all_text(report)
    (notice,) = [c for c in slack.slack.calls_to("chat.postMessage") if c.params["channel"] == "C1GENERAL"]
    assert challenge.title in all_text(notice.params)


async def test_a_pinned_leaderboard_is_edited_when_the_standings_change(slack: SlackRig) -> None:
    pinned = await slack.command("/leaderboard", "pin", user=GRACE)
    assert "Pinned a live leaderboard" in all_text(pinned)
    (board,) = slack.slack.calls_to("chat.postMessage")
    assert board.params["channel"] == "C1GENERAL"
    await slack.command("/roadmap", "done")
    assert await slack.bot.live_boards.refresh("slack", TEAM_ID) == 1
    (update,) = slack.slack.calls_to("chat.update")
    assert update.params["channel"] == "C1GENERAL"
    assert update.params["ts"] == slack.slack.calls_to("chat.getPermalink")[0].params["message_ts"]
    assert "Ada" in all_text(update.params)


async def test_a_form_slack_cannot_open_is_explained(slack: SlackRig) -> None:
    slack.slack.fail("views.open", "expired_trigger_id")
    _ack, name = await slack.requests.command("/roadmap", "topic")
    (note,) = await slack.slack.wait_responses(name)
    assert "could not open the form" in all_text(note) and "/roadmap topic <query…>" in all_text(note)


# ---- App Home and events -------------------------------------------------------------------------


async def test_opening_the_home_publishes_progress_and_the_next_topic(slack: SlackRig) -> None:
    first = slack.bot.content.topics[0]
    answer = await slack.requests.open_home(ADA, event_id="Ev0001")
    assert answer.status == 200
    (call,) = await slack.slack.wait_call("views.publish")
    assert call.params["user_id"] == ADA
    view = call.params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = all_text(view)
    assert "Progress of Ada" in text and f"Topic 1: {first.title}" in text
    assert "No challenge has run here yet" in text  # the challenge part
    assert [line for line, _ in slack.adapter.home.commands()] == list(HOME_LINES)
    assert [b["value"] for b in buttons(view)][:2] == [f"roadmap done {first.id}", f"roadmap skip {first.id}"]
    ids = [b["action_id"] for b in buttons(view)]
    assert len(ids) == len(set(ids))


async def test_a_retried_event_takes_effect_once(slack: SlackRig) -> None:
    assert (await slack.requests.open_home(ADA, event_id="Ev0002")).status == 200
    await slack.slack.wait_call("views.publish", lambda c: c.params["user_id"] == ADA)
    for retry in (1, 2):
        assert (await slack.requests.open_home(ADA, event_id="Ev0002", retry_num=retry)).status == 200
    # Bob's later event is a barrier: once his Home is published, the retries were handled before it.
    assert (await slack.requests.open_home(BOB, event_id="Ev0003")).status == 200
    await slack.slack.wait_call("views.publish", lambda c: c.params["user_id"] == BOB)
    assert len([c for c in slack.slack.calls_to("views.publish") if c.params["user_id"] == ADA]) == 1
    async with slack.bot.sessions() as session:
        ids = (await session.scalars(select(HandledEvent.event_id))).all()
    assert sorted(ids) == ["Ev0002", "Ev0003"]


async def test_the_messages_tab_publishes_nothing(slack: SlackRig) -> None:
    event = {"type": "app_home_opened", "user": ADA, "channel": "D1", "tab": "messages", "event_ts": "1.2"}
    assert (await slack.requests.event(event, event_id="Ev0004")).status == 200
    assert (await slack.requests.open_home(BOB, event_id="Ev0005")).status == 200
    (call,) = await slack.slack.wait_call("views.publish")
    assert call.params["user_id"] == BOB


async def test_a_failed_home_publish_keeps_the_app_running(slack: SlackRig) -> None:
    slack.slack.fail("views.publish", "internal_error", status=500)
    assert (await slack.requests.open_home(ADA, event_id="Ev0006")).status == 200
    await slack.slack.wait_call("views.publish")
    answer = await slack.command("/roadmap", "next")
    assert "Topic 1" in all_text(answer)


# ---- signatures ----------------------------------------------------------------------------------


def _command_body() -> str:
    return urlencode({"team_id": TEAM_ID, "user_id": ADA, "command": "/roadmap", "text": "next", "channel_id": "C1"})


async def test_a_bad_signature_is_refused_with_401(slack: SlackRig) -> None:
    answer = await slack.requests.send(_command_body(), "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert answer.status == 401
    assert slack.slack.calls == []


async def test_a_stale_timestamp_is_refused_with_401(slack: SlackRig) -> None:
    stale = int(time.time()) - 10 * 60
    answer = await slack.requests.send(_command_body(), "application/x-www-form-urlencoded", timestamp=stale)
    assert answer.status == 401
    assert slack.slack.calls == []


async def test_a_body_changed_after_signing_is_refused(slack: SlackRig) -> None:
    from tests.standins.slack_requests import sign

    ts = str(int(time.time()))
    signature = sign("not-the-secret", ts, _command_body())
    answer = await slack.requests.send(
        _command_body(), "application/x-www-form-urlencoded", timestamp=int(ts), signature=signature
    )
    assert answer.status == 401


# ---- Slack errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "retry_after", "times", "words"),
    [
        ("not_in_channel", 200, None, 1, "I am not a member of that channel. Invite me there"),
        ("channel_not_found", 200, None, 1, "I cannot see that channel"),
        ("ratelimited", 429, 0, 2, "Slack is limiting how fast I may send"),
        ("internal_error", 500, None, 1, "Slack had a problem on its side (HTTP 500)"),
    ],
)
async def test_slack_errors_are_reported_in_words_and_the_app_keeps_running(
    slack: SlackRig, error: str, status: int, retry_after: int | None, times: int, words: str
) -> None:
    slack.slack.fail("chat.postMessage", error, status=status, retry_after=retry_after, times=times)
    answer = await slack.command("/announce", "<#C2NEWS|news> Hello", user=GRACE)
    assert "I could not post in #C2NEWS:" in all_text(answer) and "Nothing was sent." in all_text(answer)
    assert words in all_text(answer)
    assert "Traceback" not in all_text(answer)
    # Nothing was stored (the core rolled back), and the app is still serving.
    assert "No announcements are waiting" in all_text(await slack.command("/announcements", "list", user=GRACE))
    assert "Topic 1" in all_text(await slack.command("/roadmap", "next"))


async def test_a_slack_that_does_not_answer_in_time_is_reported_and_the_app_keeps_running(slack: SlackRig) -> None:
    # The real client's own timeout (30 s by default) shortened, and a Slack that holds the post longer.
    slack.adapter.app.client.timeout = 0.3
    slack.slack.fail("chat.postMessage", "slow", delay=3, times=3)
    answer = await slack.command("/announce", "<#C2NEWS|news> Hello", user=GRACE)
    assert "I could not reach Slack. Nothing was sent" in all_text(answer)
    assert "No announcements are waiting" in all_text(await slack.command("/announcements", "list", user=GRACE))
    assert "Topic 1" in all_text(await slack.command("/roadmap", "next"))


async def test_one_rate_limited_answer_is_retried_after_retry_after(slack: SlackRig) -> None:
    slack.slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
    answer = await slack.command("/announce", "<#C2NEWS|news> Hello", user=GRACE)
    assert "Posted your announcement in #C2NEWS" in all_text(answer)
    assert len(slack.slack.calls_to("chat.postMessage")) == 2


async def test_a_failing_response_url_falls_back_to_a_direct_message(slack: SlackRig) -> None:
    slack.slack.fail("response_url", "expired_url", status=404)
    _ack, _name = await slack.requests.command("/roadmap", "next")
    (dm,) = await slack.slack.wait_call("chat.postMessage")
    assert dm.params["channel"] == ADA
    assert "Topic 1" in all_text(dm.params)


# ---- the ChannelPoster ---------------------------------------------------------------------------


async def test_the_poster_is_attached_and_links_to_what_it_posted(slack: SlackRig) -> None:
    poster = slack.bot.posters["slack"]
    assert poster is slack.adapter.poster and poster.platform == "slack"
    result = await poster.post(TEAM_ID, "C2NEWS", Reply(title="Weekly challenge", text="Build a **cache**."))
    assert result.ok and result.error is None
    assert result.link is not None and result.link.startswith("https://study.slack.com/archives/C2NEWS/p")
    (posted,) = slack.slack.calls_to("chat.postMessage")
    assert "Build a *cache*." in all_text(posted.params)


async def test_the_poster_never_raises_for_slack_errors(slack: SlackRig) -> None:
    slack.slack.fail("chat.postMessage", "is_archived")
    result = await slack.bot.posters["slack"].post(TEAM_ID, "C2OLD", Reply(text="hello"))
    assert not result.ok and result.error == "That channel is archived."


async def test_the_poster_edits_what_it_posted(slack: SlackRig) -> None:
    poster = slack.bot.posters["slack"]
    posted = await poster.post(TEAM_ID, "C2NEWS", Reply(title="Leaderboard", text="1. Ada"))
    assert posted.ok and posted.message_id
    edited = await poster.edit(TEAM_ID, "C2NEWS", posted.message_id, Reply(title="Leaderboard", text="1. **Bob**"))
    assert edited.ok and edited.message_id == posted.message_id and edited.link == posted.link
    (update,) = slack.slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("C2NEWS", posted.message_id)
    assert "1. *Bob*" in all_text(update.params)


async def test_an_edit_slack_refuses_comes_back_in_words(slack: SlackRig) -> None:
    slack.slack.fail("chat.update", "message_not_found")
    result = await slack.bot.posters["slack"].edit(TEAM_ID, "C2NEWS", "1800000000.000100", Reply(text="x"))
    assert not result.ok and result.error == "Slack refused the request (message_not_found)."


async def test_slack_failures_are_counted_in_metrics_served_by_the_slack_app(slack: SlackRig) -> None:
    slack.slack.fail("chat.postMessage", "not_in_channel")
    await slack.bot.posters["slack"].post(TEAM_ID, "C2PRIV", Reply(text="x"))
    async with aiohttp.ClientSession() as http, http.get(slack.base_url + "metrics") as response:
        assert response.status == 200
        metrics = await response.text()
    assert 'studybot_platform_errors_total{kind="not_in_channel",platform="slack"} 1.0' in metrics


async def test_requests_are_json_where_slack_expects_json(slack: SlackRig) -> None:
    await slack.bot.posters["slack"].post(TEAM_ID, "C2NEWS", Reply(text="x"))
    (posted,) = slack.slack.calls_to("chat.postMessage")
    assert isinstance(posted.params["blocks"], list)
    json.dumps(posted.params)  # everything the client sent is plain JSON data


async def test_a_privacy_export_is_sent_as_a_json_file_in_the_members_dm(slack: SlackRig) -> None:
    await slack.command("/roadmap", "next")
    answer = await slack.command("/privacy", "export")
    assert answer["response_type"] == "ephemeral"
    (upload,) = await slack.slack.wait_call("upload")
    exported = json.loads(upload.params["data"])
    assert exported["member"]["external_id"] == ADA
    (complete,) = await slack.slack.wait_call("files.completeUploadExternal")
    assert complete.params["channel_id"] == "D" + ADA[1:]

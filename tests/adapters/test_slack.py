"""The Slack adapter through the real bolt app: signed requests in, Web API calls and response_url posts out."""

from __future__ import annotations

from tests.adapters.slack_rig import SlackRig, all_text, buttons


async def test_roadmap_next_answers_privately_with_blocks_and_buttons(slack: SlackRig) -> None:
    answer = await slack.command("/roadmap", "next")
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Topic 1: Git", "emoji": True},
    }
    values = [b["value"] for b in buttons(answer)]
    assert values == ["roadmap done git", "roadmap skip git", "roadmap next"]
    assert len({b["action_id"] for b in buttons(answer)}) == 3
    assert "▱" in all_text(answer)

"""`/roadmap …`: the learning roadmap and a member's progress through it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot import progress
from bot.content import TRACK_NAMES, TRACKS, Content, Topic
from bot.context import Context
from bot.errors import UserError
from bot.images import roadmap_pictures
from bot.points import RULES, award, revoke
from bot.progress import Status, TopicState
from bot.registry import ArgKind, Argument, Command, Registry
from bot.replies import Button, ButtonStyle, Field, ProgressBar, Reply, Tone
from bot.topic_search import search

TOPIC_ARG = Argument("topic", ArgKind.TOPIC, "A topic id or a few words from its title", rest=True)
MARKS = {Status.DONE: "✅", Status.SKIPPED: "⏭", Status.LEARNING: "📖"}


def register(registry: Registry) -> None:
    registry.describe_group("roadmap", "The backend roadmap and your progress through it")
    for command in (
        Command(("roadmap", "next"), "Show your next topic", _next),
        Command(
            ("roadmap", "done"),
            "Mark a topic done (default: the one `next` showed)",
            _done,
            (TOPIC_ARG,),
            writes=True,
            activity=True,
        ),
        Command(("roadmap", "skip"), "Skip a topic you already know", _skip, (TOPIC_ARG,), writes=True, activity=True),
        Command(
            ("roadmap", "start"), "Mark a topic as being learned", _start, (TOPIC_ARG,), writes=True, activity=True
        ),
        Command(("roadmap", "undo"), "Undo your latest change, or a topic's", _undo, (TOPIC_ARG,), writes=True),
        Command(("roadmap", "progress"), "Your progress, overall and per section", _progress),
        Command(
            ("roadmap", "topic"),
            "Look up a topic by id or words",
            _topic,
            (Argument("query", ArgKind.TEXT, "A topic id or words to search for", required=True, rest=True),),
            needs_community=False,
        ),
        Command(("roadmap", "list"), "Every topic by section, with your marks", _list, needs_community=False),
        Command(
            ("roadmap", "map"),
            "The whole roadmap as a picture, with your progress on it",
            _map,
            needs_community=False,
            slow=True,
        ),
        Command(
            ("roadmap", "track"),
            "Choose your language track",
            _track,
            (Argument("language", ArgKind.CHOICE, "Your language", choices=TRACKS),),
            writes=True,
        ),
        Command(
            ("roadmap", "timezone"),
            "Set your time zone (IANA name, e.g. Europe/Berlin)",
            _timezone,
            (Argument("zone", ArgKind.TIMEZONE, "An IANA time zone such as Europe/Berlin", max_length=64),),
            writes=True,
        ),
    ):
        registry.add(command)


# ---- rendering -----------------------------------------------------------------------------------


def overall_bar(ctx: Context, states: Mapping[str, TopicState]) -> ProgressBar:
    total = len(ctx.bot.content.topics)
    done = progress.counts(ctx.bot.content, states)
    return ProgressBar(done, total, f"({done} of {total} topics)")


def topic_fields(ctx: Context, topic: Topic) -> tuple[Field, ...]:
    return fields_for(ctx.bot.content, topic, ctx.member.track)


def fields_for(content: Content, topic: Topic, track: str | None) -> tuple[Field, ...]:
    """A topic's why, resources (the track's first), practice task, section, hours and prerequisites."""
    resources = "\n".join(f"{r.title}: {r.url}" for r in topic.resources_for(track))
    prereqs = ", ".join(content.by_id[p].title for p in topic.prerequisites) or "none"
    section = content.section(topic.section_id)
    return (
        Field("Why it matters", topic.why),
        Field("Resources", resources),
        Field("Practice", topic.practice),
        Field("Section", section.title if section else topic.section_id, inline=True),
        Field("Time", f"about {topic.hours} h", inline=True),
        Field("Builds on", prereqs, inline=True),
    )


def topic_reply(ctx: Context, topic: Topic, states: Mapping[str, TopicState], heading: str) -> Reply:
    state = states.get(topic.id)
    status = f" · {state.status.value}" if state else ""
    buttons: tuple[Button, ...] = ()
    if ctx.member.id is not None and not progress.finished(states, topic.id):
        buttons = (
            Button("Mark done", f"roadmap done {topic.id}", ButtonStyle.SUCCESS),
            Button("Skip", f"roadmap skip {topic.id}"),
            Button("Next topic", "roadmap next", ButtonStyle.PRIMARY),
        )
    return Reply(
        title=f"{heading}: {topic.title}",
        text=topic.summary,
        fields=topic_fields(ctx, topic),
        progress=overall_bar(ctx, states) if ctx.member.id is not None else None,
        buttons=buttons,
        footer=f"Topic {topic.index + 1} of {len(ctx.bot.content.topics)} · id `{topic.id}`{status}",
    )


# ---- handlers ------------------------------------------------------------------------------------


async def _next(ctx: Context, args: dict[str, Any]) -> Reply:
    states = await progress.load(ctx.session, ctx.member)
    topic = progress.next_topic(ctx.bot.content, states)
    if topic is None:
        return Reply(
            title="Roadmap complete",
            text="You have finished every topic on the roadmap. Try the weekly challenge, or help someone "
            "who is just starting.",
            progress=overall_bar(ctx, states),
            tone=Tone.SUCCESS,
        )
    ctx.member.current_topic_id = topic.id
    return topic_reply(ctx, topic, states, f"Topic {topic.index + 1}")


async def _default_topic(ctx: Context, args: dict[str, Any], states: Mapping[str, TopicState]) -> Topic:
    """The topic argument, else the one `next` showed last, else the next one."""
    if "topic" in args:
        return args["topic"]
    current = ctx.bot.content.topic(ctx.member.current_topic_id or "")
    if current and not progress.finished(states, current.id):
        return current
    topic = progress.next_topic(ctx.bot.content, states)
    if topic is None:
        raise UserError("Every topic is already finished. Name one to change it, e.g. `/roadmap undo git`.")
    return topic


async def _finish(ctx: Context, args: dict[str, Any], status: Status) -> Reply:
    states = await progress.load(ctx.session, ctx.member)
    topic = await _default_topic(ctx, args, states)
    before = states.get(topic.id)
    if before and before.status is status:
        return Reply(
            text=f"**{topic.title}** is already {status.value}. Use `/roadmap undo {topic.id}` to change that.",
            tone=Tone.WARNING,
        )
    await progress.set_status(ctx.session, ctx.member, topic.id, status, ctx.now)
    states = {**states, topic.id: TopicState(status, ctx.now)}
    earned = ""
    if status is Status.DONE:
        gained = await award(ctx.session, ctx.member, "topic_done", topic.id, RULES.topic_done, ctx.now)
        earned = f" (+{gained} points)" if gained else " (no points: this topic earned them before)"
    elif before and before.status is Status.DONE:
        taken = await revoke(ctx.session, ctx.member, "topic_done", topic.id, ctx.now)
        earned = f" (−{taken} points)" if taken else ""
    following = progress.next_topic(ctx.bot.content, states)
    ctx.member.current_topic_id = following.id if following else None
    verb = "Done" if status is Status.DONE else "Skipped"
    text = f"{verb}: **{topic.title}**{earned}."
    if following:
        text += f"\nUp next: **{following.title}**."
    return Reply(
        text=text,
        progress=overall_bar(ctx, states),
        buttons=(Button("Next topic", "roadmap next", ButtonStyle.PRIMARY),) if following else (),
        footer=f"{ctx.member.points} points",
        tone=Tone.SUCCESS,
    )


async def _done(ctx: Context, args: dict[str, Any]) -> Reply:
    return await _finish(ctx, args, Status.DONE)


async def _skip(ctx: Context, args: dict[str, Any]) -> Reply:
    return await _finish(ctx, args, Status.SKIPPED)


async def _start(ctx: Context, args: dict[str, Any]) -> Reply:
    states = await progress.load(ctx.session, ctx.member)
    topic = await _default_topic(ctx, args, states)
    before = states.get(topic.id)
    if before and before.status is Status.LEARNING:
        # Starting again would reset when the learning began (what `/stats` measures) and make a free active day.
        return Reply(
            text=f"You are already learning **{topic.title}**. Mark it done with `/roadmap done` when the practice "
            "task works.",
            tone=Tone.WARNING,
        )
    if before:
        return Reply(
            text=f"**{topic.title}** is already {before.status.value}. Use `/roadmap undo {topic.id}` first "
            "to learn it again.",
            tone=Tone.WARNING,
        )
    await progress.set_status(ctx.session, ctx.member, topic.id, Status.LEARNING, ctx.now)
    ctx.member.current_topic_id = topic.id
    return Reply(
        text=f"Learning **{topic.title}**. Mark it done with `/roadmap done` when the practice task works.",
        buttons=(Button("Mark done", f"roadmap done {topic.id}", ButtonStyle.SUCCESS),),
        tone=Tone.SUCCESS,
    )


async def _undo(ctx: Context, args: dict[str, Any]) -> Reply:
    states = await progress.load(ctx.session, ctx.member)
    if "topic" in args:
        topic: Topic = args["topic"]
    elif states:
        latest = max(states, key=lambda t: states[t].updated_at)
        found = ctx.bot.content.topic(latest)
        if found is None:
            raise UserError("Your latest change is on a topic that is no longer on the roadmap.")
        topic = found
    else:
        raise UserError("There is nothing to undo yet: you have not started, finished or skipped a topic.")
    before = states.get(topic.id)
    if before is None:
        raise UserError(f"**{topic.title}** has no progress to undo.")
    await progress.clear(ctx.session, ctx.member, topic.id)
    taken = await revoke(ctx.session, ctx.member, "topic_done", topic.id, ctx.now)
    states = {k: v for k, v in states.items() if k != topic.id}
    ctx.member.current_topic_id = topic.id
    note = f" (−{taken} points)" if taken else ""
    return Reply(
        text=f"Undone: **{topic.title}** is no longer {before.status.value}{note}.",
        progress=overall_bar(ctx, states),
        tone=Tone.SUCCESS,
    )


async def _progress(ctx: Context, args: dict[str, Any]) -> Reply:
    content = ctx.bot.content
    states = await progress.load(ctx.session, ctx.member)
    fields = []
    for section in content.sections:
        done = progress.counts(content, states, section.topic_ids)
        fields.append(
            Field(
                section.title,
                ProgressBar(done, len(section.topic_ids), f"{done}/{len(section.topic_ids)}").render(10),
            )
        )
    learning = [content.by_id[t].title for t, s in states.items() if s.status is Status.LEARNING and t in content.by_id]
    upcoming = progress.next_topic(content, states)
    text = f"Next: **{upcoming.title}**" if upcoming else "Every topic is finished."
    if learning:
        text += "\nLearning now: " + ", ".join(learning)
    track = TRACK_NAMES.get(ctx.member.track or "", "none chosen (`/roadmap track`)")
    return Reply(
        title=f"Progress of {ctx.member.display_name}",
        text=text,
        progress=overall_bar(ctx, states),
        fields=tuple(fields),
        footer=f"{ctx.member.points} points · track: {track}",
        image=await roadmap_pictures.card_image(ctx.bot.images, content, states, ctx.member.display_name),
    )


async def _topic(ctx: Context, args: dict[str, Any]) -> Reply:
    query: str = args["query"]
    results = search(ctx.bot.content, query)
    if not results or results[0][1] < 50:
        raise UserError(f"No topic matches “{query[:60]}”. `/roadmap list` shows them all.")
    best, score = results[0]
    states = await progress.load(ctx.session, ctx.member)
    reply = topic_reply(ctx, best, states, "Topic")
    others = [t for t, s in results[1:] if s >= 60 and s < score + 1][:3]
    if score < 100 and others:
        reply = replace(reply, items=tuple(f"Also: {t.title} (`{t.id}`)" for t in others))
    return reply


async def _list(ctx: Context, args: dict[str, Any]) -> Reply:
    content = ctx.bot.content
    states = await progress.load(ctx.session, ctx.member)
    fields = []
    for section in content.sections:
        lines = []
        for topic_id in section.topic_ids:
            topic = content.by_id[topic_id]
            state = states.get(topic_id)
            mark = MARKS[state.status] if state else "▫️"
            lines.append(f"{mark} {topic.index + 1}. {topic.title} (`{topic.id}`)")
        fields.append(Field(section.title, "\n".join(lines)))
    return Reply(
        title="The backend roadmap",
        text=f"{len(content.topics)} topics in {len(content.sections)} sections. "
        "✅ done · ⏭ skipped · 📖 learning · ▫️ to do",
        fields=tuple(fields),
        progress=overall_bar(ctx, states) if ctx.member.id is not None else None,
    )


async def _map(ctx: Context, args: dict[str, Any]) -> Reply:
    content = ctx.bot.content
    states = await progress.load(ctx.session, ctx.member)
    image = await roadmap_pictures.map_image(ctx.bot.images, content, states, ctx.member.display_name)
    finished = progress.counts(content, states)
    upcoming = progress.next_topic(content, states)
    text = f"{finished} of {len(content.topics)} topics finished."
    if upcoming:
        text += f" Next: **{upcoming.title}** (`/roadmap next`)."
    return Reply(title="Your roadmap", text=text, image=image, progress=overall_bar(ctx, states))


async def _track(ctx: Context, args: dict[str, Any]) -> Reply:
    if "language" not in args:
        current = TRACK_NAMES.get(ctx.member.track or "", "none")
        options = ", ".join(f"`{key}` ({name})" for key, name in TRACK_NAMES.items())
        return Reply(text=f"Your track: **{current}**. Choose one of {options} with `/roadmap track <language>`.")
    ctx.member.track = args["language"]
    return Reply(
        text=f"Your track is now **{TRACK_NAMES[args['language']]}**: topics show resources for it first.",
        tone=Tone.SUCCESS,
    )


async def _timezone(ctx: Context, args: dict[str, Any]) -> Reply:
    if "zone" not in args:
        current = ctx.member.timezone or f"{ctx.community.timezone} (the community's)"
        return Reply(text=f"Your time zone: **{current}**. Set it with `/roadmap timezone Europe/Berlin`.")
    ctx.member.timezone = args["zone"]
    return Reply(text=f"Your time zone is now **{args['zone']}**: your days and streaks follow it.", tone=Tone.SUCCESS)

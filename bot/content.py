"""Load and validate the teaching content in `content/` (roadmap, challenges, meetups, trends)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic import Field as PField

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TRACKS = ("python", "java", "node", "ruby", "php", "csharp")
TRACK_NAMES = {
    "python": "Python",
    "java": "Java",
    "node": "Node.js",
    "ruby": "Ruby",
    "php": "PHP",
    "csharp": "C#",
}


class ContentError(Exception):
    """Content is invalid; `problems` name the file and the entry of each error."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _check_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value:
        raise ValueError(f"malformed URL {value!r}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Resource(_Strict):
    title: str = PField(min_length=1, max_length=120)
    url: str

    _url = field_validator("url")(_check_url)


class Topic(_Strict):
    id: str = PField(pattern=ID_PATTERN.pattern, max_length=64)
    title: str = PField(min_length=1, max_length=80)
    summary: str = PField(min_length=1, max_length=400)
    why: str = PField(min_length=1, max_length=400)
    prerequisites: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = PField(min_length=2)
    track_resources: dict[Literal["python", "java", "node", "ruby", "php", "csharp"], tuple[Resource, ...]] = {}
    practice: str = PField(min_length=1, max_length=600)
    hours: int = PField(ge=1, le=200)
    tags: tuple[str, ...] = ()
    # Filled in by the loader from the enclosing section.
    section_id: str = ""
    index: int = 0

    def resources_for(self, track: str | None) -> tuple[Resource, ...]:
        """Track-specific resources first, then the general ones."""
        extra = self.track_resources.get(track, ()) if track else ()  # type: ignore[call-overload]
        return tuple(extra) + self.resources


class Section(_Strict):
    id: str = PField(pattern=ID_PATTERN.pattern, max_length=64)
    title: str = PField(min_length=1, max_length=80)
    summary: str = PField(default="", max_length=400)
    topics: tuple[dict[str, Any], ...] = PField(min_length=1)


class Challenge(_Strict):
    id: str = PField(pattern=ID_PATTERN.pattern, max_length=64)
    title: str = PField(min_length=1, max_length=100)
    brief: str = PField(min_length=1, max_length=1500)
    criteria: tuple[str, ...] = PField(min_length=1)
    difficulty: Literal["easy", "medium", "hard"]
    points: int = PField(ge=1, le=1000)
    topics: tuple[str, ...] = ()


class Meetup(_Strict):
    id: str = PField(pattern=ID_PATTERN.pattern, max_length=64)
    kind: Literal["discussion", "pairing"]
    prompt: str = PField(min_length=1, max_length=600)
    topics: tuple[str, ...] = ()


class Trend(_Strict):
    id: str = PField(pattern=ID_PATTERN.pattern, max_length=64)
    kind: Literal["link", "feed"]
    title: str = PField(min_length=1, max_length=150)
    url: str
    summary: str = PField(default="", max_length=400)
    tags: tuple[str, ...] = ()

    _url = field_validator("url")(_check_url)


@dataclass(frozen=True)
class SectionInfo:
    id: str
    title: str
    summary: str
    topic_ids: tuple[str, ...]


@dataclass(frozen=True)
class Content:
    """All content, validated. Topics keep file order: the order a learner takes them in."""

    sections: tuple[SectionInfo, ...]
    topics: tuple[Topic, ...]
    challenges: tuple[Challenge, ...]
    meetups: tuple[Meetup, ...]
    trends: tuple[Trend, ...]
    tracks: tuple[str, ...] = TRACKS
    by_id: dict[str, Topic] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({t.id: t for t in self.topics})

    def topic(self, topic_id: str) -> Topic | None:
        return self.by_id.get(topic_id)

    def section(self, section_id: str) -> SectionInfo | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def challenge(self, challenge_id: str) -> Challenge | None:
        return next((c for c in self.challenges if c.id == challenge_id), None)


FILES = ("roadmap.yaml", "challenges.yaml", "meetups.yaml", "trends.yaml")
# libyaml's safe loader where PyYAML was built with it: the same documents, read about ten times faster, which
# is most of the time content takes at start-up.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_content(directory: Path) -> Content:
    """Read and validate every content file; raise ContentError listing every problem found."""
    problems: list[str] = []
    raw: dict[str, Any] = {}
    for name in FILES:
        path = directory / name
        try:
            raw[name] = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
        except FileNotFoundError:
            problems.append(f"{path}: file is missing")
            raw[name] = {}
        except yaml.YAMLError as exc:
            problems.append(f"{path}: not valid YAML ({exc})")
            raw[name] = {}
        if not isinstance(raw[name], dict):
            problems.append(f"{path}: must be a mapping at the top level")
            raw[name] = {}

    sections, topics = _roadmap(raw["roadmap.yaml"], problems)
    topic_ids = {t.id for t in topics}
    challenges = _entries(raw["challenges.yaml"], "challenges", Challenge, "challenges.yaml", problems)
    meetups = _entries(raw["meetups.yaml"], "meetups", Meetup, "meetups.yaml", problems)
    trends = _entries(raw["trends.yaml"], "trends", Trend, "trends.yaml", problems)
    for file, entries in (("challenges.yaml", challenges), ("meetups.yaml", meetups)):
        for entry in entries:
            for ref in entry.topics:
                if ref not in topic_ids:
                    problems.append(f"{file}: {entry.id}: unknown topic id {ref!r}")
    if problems:
        raise ContentError(problems)
    return Content(
        sections=tuple(sections),
        topics=tuple(topics),
        challenges=tuple(challenges),
        meetups=tuple(meetups),
        trends=tuple(trends),
    )


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "entry"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is missing"
        parts.append(f"field {where!r} {message}" if err["type"] == "missing" else f"{where}: {message}")
    return "; ".join(parts)


def _label(entry: Any, position: int) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return entry["id"]
    return f"entry #{position}"


def _entries(data: dict[str, Any], key: str, model: type[Any], file: str, problems: list[str]) -> list[Any]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        problems.append(f"{file}: needs a non-empty list under {key!r}")
        return []
    result = []
    seen: set[str] = set()
    for position, entry in enumerate(items, start=1):
        label = _label(entry, position)
        if not isinstance(entry, dict):
            problems.append(f"{file}: {label}: must be a mapping")
            continue
        try:
            parsed = model(**entry)
        except ValidationError as exc:
            problems.append(f"{file}: {label}: {_describe(exc)}")
            continue
        if parsed.id in seen:
            problems.append(f"{file}: {label}: duplicate id")
            continue
        seen.add(parsed.id)
        result.append(parsed)
    return result


def _roadmap(data: dict[str, Any], problems: list[str]) -> tuple[list[SectionInfo], list[Topic]]:
    file = "roadmap.yaml"
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.append(f"{file}: needs a non-empty list under 'sections'")
        return [], []
    sections: list[SectionInfo] = []
    topics: list[Topic] = []
    seen_sections: set[str] = set()
    seen_topics: set[str] = set()
    for s_pos, raw_section in enumerate(raw_sections, start=1):
        s_label = f"section {_label(raw_section, s_pos)}"
        if not isinstance(raw_section, dict):
            problems.append(f"{file}: {s_label}: must be a mapping")
            continue
        try:
            section = Section(**raw_section)
        except ValidationError as exc:
            problems.append(f"{file}: {s_label}: {_describe(exc)}")
            continue
        if section.id in seen_sections:
            problems.append(f"{file}: {s_label}: duplicate section id")
            continue
        seen_sections.add(section.id)
        ids: list[str] = []
        for t_pos, raw_topic in enumerate(section.topics, start=1):
            t_label = f"topic {_label(raw_topic, t_pos)}"
            if not isinstance(raw_topic, dict):
                problems.append(f"{file}: {s_label}: {t_label}: must be a mapping")
                continue
            try:
                topic = Topic(**raw_topic, section_id=section.id, index=len(topics))
            except (ValidationError, TypeError) as exc:
                detail = _describe(exc) if isinstance(exc, ValidationError) else str(exc)
                problems.append(f"{file}: {t_label}: {detail}")
                continue
            if topic.id in seen_topics:
                problems.append(f"{file}: {t_label}: duplicate topic id")
                continue
            seen_topics.add(topic.id)
            topics.append(topic)
            ids.append(topic.id)
        sections.append(SectionInfo(section.id, section.title, section.summary, tuple(ids)))
    for topic in topics:
        for ref in topic.prerequisites:
            if ref not in seen_topics:
                problems.append(f"{file}: topic {topic.id}: unknown prerequisite {ref!r}")
            elif ref == topic.id:
                problems.append(f"{file}: topic {topic.id}: lists itself as a prerequisite")
    cycle = _find_cycle({t.id: [p for p in t.prerequisites if p in seen_topics] for t in topics})
    if cycle:
        problems.append(f"{file}: topic {cycle[0]}: prerequisite cycle {' -> '.join(cycle)}")
    return sections, topics


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle in the prerequisite graph as a list of ids, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state and (found := visit(node)):
            return found
    return None

"""Prerequisite lines on the roadmap map, routed through the gaps between boxes like lines on a metro map.

A line leaves its prerequisite's box, runs along the gap below that row, crosses down through a free column
(the box's own column when nothing is in the way, else a gap between columns) and enters the topic from above.
Lines sharing a gap get lanes of their own, and lines sharing a box side get ports of their own, so no two run
on top of each other for long.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.images.canvas import Box

Point = tuple[float, float]

CHANNEL = 22  # from a box edge to the middle of the gap next to it
LANE = 8
PORT = 26
CORNER = 10


@dataclass(frozen=True)
class Route:
    source: str
    target: str
    points: tuple[Point, ...]  # corners already rounded; the last point is the arrow's tip


def essential_edges(prerequisites: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(prerequisite, topic) pairs without the ones another path already implies (a transitive reduction)."""
    ancestors: dict[str, set[str]] = {}

    def collect(topic: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if topic in ancestors:
            return ancestors[topic]
        found: set[str] = set()
        for parent in prerequisites.get(topic, ()):
            if parent in prerequisites and parent not in seen:
                found.add(parent)
                found |= collect(parent, seen | {topic})
        ancestors[topic] = found
        return found

    edges = []
    for topic, parents in prerequisites.items():
        known = [p for p in dict.fromkeys(parents) if p in prerequisites and p != topic]
        for parent in known:
            implied = any(parent in collect(other) for other in known if other != parent)
            if not implied:
                edges.append((parent, topic))
    return edges


@dataclass
class _Plan:
    source: str
    target: str
    out_side: str  # "bottom", "top", "right"
    in_side: str  # "top", "bottom", "left"
    first_y: float | None = None  # the gap the line runs along after leaving its source
    cross_x: float | None = None  # where it crosses down between the two gaps
    last_y: float | None = None  # the gap it runs along before entering its target
    out_x: float = 0
    in_x: float = 0


def route(
    edges: Iterable[tuple[str, str]],
    boxes: Mapping[str, Box],
    gutters: tuple[float, ...],
    obstacles: tuple[Box, ...] = (),
) -> list[Route]:
    """A path for every (source, target) edge whose ends both have a box."""
    plans = [_plan(s, t, boxes) for s, t in edges if s in boxes and t in boxes and s != t]
    _assign_ports(plans, boxes)
    used: dict[float, list[tuple[float, float]]] = defaultdict(list)
    for plan in plans:
        if plan.first_y is not None and plan.last_y is not None and plan.first_y != plan.last_y:
            plan.cross_x = _crossing(plan, boxes, gutters, obstacles, used)
            used[plan.cross_x].append(tuple(sorted((plan.first_y, plan.last_y))))  # type: ignore[arg-type]
    offsets = _lanes(plans)
    return [_path(i, plan, boxes, offsets) for i, plan in enumerate(plans)]


def _plan(source: str, target: str, boxes: Mapping[str, Box]) -> _Plan:
    s, t = boxes[source], boxes[target]
    if t.top >= s.bottom:
        return _Plan(source, target, "bottom", "top", s.bottom + CHANNEL, None, t.top - CHANNEL)
    if t.bottom <= s.top:
        return _Plan(source, target, "top", "bottom", s.top - CHANNEL, None, t.bottom + CHANNEL)
    if 0 < t.left - s.right <= 2 * CHANNEL:
        return _Plan(source, target, "right", "left")
    return _Plan(source, target, "bottom", "bottom", s.bottom + CHANNEL, None, t.bottom + CHANNEL)


def _assign_ports(plans: list[_Plan], boxes: Mapping[str, Box]) -> None:
    """Spread the lines meeting one side of a box along it, ordered by where their other end lies."""
    sides: dict[tuple[str, str], list[tuple[float, _Plan, bool]]] = defaultdict(list)
    for plan in plans:
        sides[(plan.source, plan.out_side)].append((boxes[plan.target].center[0], plan, True))
        sides[(plan.target, plan.in_side)].append((boxes[plan.source].center[0], plan, False))
    for (box_id, _side), members in sides.items():
        box = boxes[box_id]
        members.sort(key=lambda m: m[0])
        spacing = min(PORT, (box.width - 60) / max(1, len(members)))
        for i, (_, plan, outgoing) in enumerate(members):
            x = box.center[0] + (i - (len(members) - 1) / 2) * spacing
            if outgoing:
                plan.out_x = x
            else:
                plan.in_x = x


def _crossing(
    plan: _Plan,
    boxes: Mapping[str, Box],
    gutters: tuple[float, ...],
    obstacles: tuple[Box, ...],
    used: Mapping[float, list[tuple[float, float]]],
) -> float:
    """Where to go from the first gap to the last: straight down the target's port if free, else the
    source's, else a free gap between columns that is near and not crowded already."""
    assert plan.first_y is not None and plan.last_y is not None
    low, high = sorted((plan.first_y, plan.last_y))
    blockers = [b for key, b in boxes.items() if key not in (plan.source, plan.target)] + list(obstacles)

    def free(x: float, margin: float) -> bool:
        return not any(b.left - margin <= x <= b.right + margin and b.top < high and b.bottom > low for b in blockers)

    for x in (plan.in_x, plan.out_x):
        if free(x, 6):
            return x

    def crowding(gutter: float) -> int:
        return sum(1 for a, b in used.get(gutter, []) if a < high and b > low)

    by_cost = sorted(gutters, key=lambda g: abs(g - plan.in_x) + abs(g - plan.out_x) / 2 + 120 * crowding(g))
    return next((g for g in by_cost if free(g, 0)), by_cost[0])


def _lanes(plans: list[_Plan]) -> dict[tuple[int, str], float]:
    """An offset for each line's run along a shared gap, so runs that overlap sit side by side."""
    channels: dict[tuple[str, float], list[tuple[float, float, int, str]]] = defaultdict(list)
    for index, plan in enumerate(plans):
        if plan.first_y is None or plan.last_y is None:
            continue
        if plan.cross_x is None or plan.cross_x == plan.in_x:
            channels[("h", plan.first_y)].append((*sorted((plan.out_x, plan.in_x)), index, "first"))
        elif plan.cross_x == plan.out_x:
            channels[("h", plan.last_y)].append((*sorted((plan.out_x, plan.in_x)), index, "last"))
        else:
            channels[("h", plan.first_y)].append((*sorted((plan.out_x, plan.cross_x)), index, "first"))
            channels[("v", plan.cross_x)].append((*sorted((plan.first_y, plan.last_y)), index, "cross"))
            channels[("h", plan.last_y)].append((*sorted((plan.cross_x, plan.in_x)), index, "last"))
    offsets: dict[tuple[int, str], float] = {}
    for (_axis, _where), runs in channels.items():
        runs.sort()
        lane_ends: list[float] = []
        chosen: list[int] = []
        for low, high, _index, _part in runs:
            lane = next((i for i, end in enumerate(lane_ends) if end + 14 < low), None)
            if lane is None:
                lane_ends.append(high)
                lane = len(lane_ends) - 1
            else:
                lane_ends[lane] = high
            chosen.append(lane)
        count = len(lane_ends)
        for (_low, _high, index, part), lane in zip(runs, chosen, strict=True):
            offsets[(index, part)] = (lane - (count - 1) / 2) * LANE
    return offsets


def _path(index: int, plan: _Plan, boxes: Mapping[str, Box], offsets: Mapping[tuple[int, str], float]) -> Route:
    s, t = boxes[plan.source], boxes[plan.target]
    if plan.out_side == "right":
        y = (max(s.top, t.top) + min(s.bottom, t.bottom)) / 2
        return Route(plan.source, plan.target, ((s.right, y), (t.left, y)))
    assert plan.first_y is not None and plan.last_y is not None
    start = (plan.out_x, s.bottom if plan.out_side == "bottom" else s.top)
    end = (plan.in_x, t.top if plan.in_side == "top" else t.bottom)
    first_y = plan.first_y + offsets.get((index, "first"), 0)
    last_y = plan.last_y + offsets.get((index, "last"), 0)
    if plan.cross_x is None or plan.cross_x == plan.in_x:
        points: list[Point] = [start, (plan.out_x, first_y), (plan.in_x, first_y)]
    elif plan.cross_x == plan.out_x:
        points = [start, (plan.out_x, last_y), (plan.in_x, last_y)]
    else:
        cross_x = plan.cross_x + offsets.get((index, "cross"), 0)
        points = [start, (plan.out_x, first_y), (cross_x, first_y), (cross_x, last_y), (plan.in_x, last_y)]
    points.append(end)
    return Route(plan.source, plan.target, rounded(_simplify(points)))


def _simplify(points: list[Point]) -> list[Point]:
    """Drop repeated points and the middle of three points on one straight line."""
    kept: list[Point] = []
    for point in points:
        if kept and abs(kept[-1][0] - point[0]) < 0.5 and abs(kept[-1][1] - point[1]) < 0.5:
            continue
        if len(kept) >= 2 and _collinear(kept[-2], kept[-1], point):
            kept[-1] = point
            continue
        kept.append(point)
    return kept


def _collinear(a: Point, b: Point, c: Point) -> bool:
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) < 0.5


def rounded(points: list[Point], radius: float = CORNER) -> tuple[Point, ...]:
    """The polyline with each corner replaced by a short curve."""
    if len(points) < 3:
        return tuple(points)
    result: list[Point] = [points[0]]
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        r = min(radius, _distance(before, corner) / 2, _distance(corner, after) / 2)
        a = _towards(corner, before, r)
        b = _towards(corner, after, r)
        for step in range(7):
            u = step / 6
            result.append(
                (
                    (1 - u) ** 2 * a[0] + 2 * (1 - u) * u * corner[0] + u**2 * b[0],
                    (1 - u) ** 2 * a[1] + 2 * (1 - u) * u * corner[1] + u**2 * b[1],
                )
            )
    result.append(points[-1])
    return tuple(result)


def _distance(a: Point, b: Point) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _towards(origin: Point, other: Point, length: float) -> Point:
    d = _distance(origin, other)
    if d == 0:
        return origin
    return (origin[0] + (other[0] - origin[0]) * length / d, origin[1] + (other[1] - origin[1]) * length / d)

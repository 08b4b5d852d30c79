"""Pairing members for a meetup round: a pure function, deterministic for a given seed.

Everyone who opted in is placed: pairs, and one group of three when the count is odd; a single member is
returned as `alone` so the caller can tell them. Partners in nearby time zones and at a similar point of the
roadmap are preferred, and pairs of recent rounds are avoided (the more recent, the more strongly).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

# A repeat of last round's pair costs more than any difference of zone or progress can.
REPEAT_COST = 1000
HOUR_COST = 10  # per hour of difference between UTC offsets (on the 24-hour circle)
TOPIC_COST = 2  # per roadmap topic of difference in progress
TOPIC_COST_CAP = 40
MAX_PASSES = 50
# How many earlier rounds the pairing remembers: enough that a group of a dozen rarely meets the same partner twice.
RECENT_ROUNDS = 12
RESTARTS = 6
RESTART_LIMIT = 80  # members; above it one pass is good enough and restarts cost too much

Cost = Callable[[int, int], float]


@dataclass(frozen=True)
class Candidate:
    member_id: int
    utc_offset_minutes: int = 0
    progress: int = 0  # roadmap topics finished


@dataclass(frozen=True)
class Pairing:
    groups: tuple[tuple[int, ...], ...]  # member ids; pairs, and at most one group of three
    alone: tuple[int, ...] = ()  # the only member who opted in, with nobody to meet this round


def pair(
    candidates: Sequence[Candidate],
    recent_rounds: Sequence[Iterable[Iterable[int]]] = (),
    *,
    seed: int = 0,
) -> Pairing:
    """Group every candidate; `recent_rounds` holds the groups of earlier rounds, most recent first."""
    people = list({c.member_id: c for c in candidates}.values())
    if len(people) < 2:
        return Pairing(groups=(), alone=tuple(c.member_id for c in people))
    rng = random.Random(seed)
    rng.shuffle(people)
    history = _history(recent_rounds)
    by_id = {c.member_id: c for c in people}

    def cost(a: int, b: int) -> float:
        return _pair_cost(by_id[a], by_id[b], history)

    ids = [c.member_id for c in people]
    best: list[tuple[int, ...]] = []
    best_cost = float("inf")
    # A few restarts from differently shuffled ties find a better local optimum for small groups.
    for _ in range(RESTARTS if len(ids) <= RESTART_LIMIT else 1):
        groups = _arrange(ids, cost, rng)
        total = sum(_group_cost(g, cost) for g in groups)
        if total < best_cost:
            best, best_cost = groups, total
    groups = best
    return Pairing(groups=tuple(tuple(sorted(g)) for g in groups))


def _history(recent_rounds: Sequence[Iterable[Iterable[int]]]) -> dict[frozenset[int], int]:
    """How strongly each earlier pair should be avoided: the latest round weighs most."""
    weights: dict[frozenset[int], int] = {}
    depth = len(recent_rounds)
    for age, groups in enumerate(recent_rounds):
        for group in groups:
            for a, b in combinations(sorted(set(group)), 2):
                key = frozenset((a, b))
                weights[key] = weights.get(key, 0) + (depth - age)
    return weights


def _pair_cost(a: Candidate, b: Candidate, history: dict[frozenset[int], int]) -> float:
    minutes = abs(a.utc_offset_minutes - b.utc_offset_minutes) % (24 * 60)
    hours = min(minutes, 24 * 60 - minutes) / 60
    topics = min(abs(a.progress - b.progress) * TOPIC_COST, TOPIC_COST_CAP)
    return REPEAT_COST * history.get(frozenset((a.member_id, b.member_id)), 0) + HOUR_COST * hours + topics


def _arrange(ids: list[int], cost: Cost, rng: random.Random) -> list[tuple[int, ...]]:
    pairs, leftover = _greedy(ids, cost, rng)
    groups = [tuple(p) for p in pairs]
    if leftover is not None:
        groups = _place_leftover(groups, leftover, cost)
    return _improve(groups, cost)


def _greedy(ids: list[int], cost: Cost, rng: random.Random) -> tuple[list[list[int]], int | None]:
    edges = sorted(combinations(ids, 2), key=lambda e: (cost(*e), rng.random()))
    free = set(ids)
    pairs: list[list[int]] = []
    for a, b in edges:
        if a in free and b in free:
            pairs.append([a, b])
            free -= {a, b}
            if len(free) < 2:
                break
    leftover = next(iter(free)) if free else None
    return pairs, leftover


def _group_cost(group: tuple[int, ...], cost: Cost) -> float:
    return sum(cost(a, b) for a, b in combinations(group, 2))


def _improve(groups: list[tuple[int, ...]], cost: Cost) -> list[tuple[int, ...]]:
    """Swap members between two groups while that lowers the total cost (covers the group of three too)."""
    for _ in range(MAX_PASSES):
        changed = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                better = _best_swap(groups[i], groups[j], cost)
                if better is not None:
                    groups[i], groups[j] = better
                    changed = True
        if not changed:
            break
    return groups


def _best_swap(g1: tuple[int, ...], g2: tuple[int, ...], cost: Cost) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    current = _group_cost(g1, cost) + _group_cost(g2, cost)
    best: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    for x in range(len(g1)):
        for y in range(len(g2)):
            n1 = (*g1[:x], g2[y], *g1[x + 1 :])
            n2 = (*g2[:y], g1[x], *g2[y + 1 :])
            total = _group_cost(n1, cost) + _group_cost(n2, cost)
            if total < current:
                current, best = total, (n1, n2)
    return best


def _place_leftover(groups: list[tuple[int, ...]], leftover: int, cost: Cost) -> list[tuple[int, ...]]:
    """The odd one out joins the pair it fits best, making the round's one group of three."""
    best = min(range(len(groups)), key=lambda i: sum(cost(leftover, m) for m in groups[i]))
    groups[best] = (*groups[best], leftover)
    return groups


def repeats(rounds: Sequence[Iterable[Iterable[int]]]) -> int:
    """How many pairs of people met again in a later round of `rounds` (for tests and statistics)."""
    seen: set[frozenset[int]] = set()
    count = 0
    for groups in rounds:
        for group in groups:
            for a, b in combinations(sorted(set(group)), 2):
                key = frozenset((a, b))
                if key in seen:
                    count += 1
                seen.add(key)
    return count

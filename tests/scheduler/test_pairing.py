"""Meetup pairing: everyone placed every round, one group of three when odd, repeats kept to the minimum."""

from __future__ import annotations

from itertools import combinations, pairwise

import pytest

from bot.meetups import RECENT_ROUNDS, Candidate, pair, repeats


def run_rounds(members: list[Candidate], rounds: int, seed: int = 7) -> list[tuple[tuple[int, ...], ...]]:
    """Pair `members` for `rounds` rounds, remembering earlier rounds as the scheduler does."""
    history: list[tuple[tuple[int, ...], ...]] = []
    for number in range(rounds):
        recent = list(reversed(history[-RECENT_ROUNDS:]))
        history.append(pair(members, recent, seed=seed * 1000 + number).groups)
    return history


def everyone(n: int) -> list[Candidate]:
    # Spread over a few zones and progress levels, as a real group is.
    return [Candidate(i, 60 * ((i * 7) % 5), (i * 3) % 8) for i in range(n)]


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 25])
def test_everyone_is_placed_every_round_with_one_group_of_three_when_odd(n: int) -> None:
    for groups in run_rounds(everyone(n), 12):
        placed = sorted(m for g in groups for m in g)
        assert placed == list(range(n))  # nobody left out, nobody twice
        expected = [2] * (n // 2 - 1) + [3] if n % 2 else [2] * (n // 2)
        assert sorted(len(g) for g in groups) == expected


@pytest.mark.parametrize("n", [4, 6, 7, 8, 9, 10, 11, 13])
def test_repeats_over_twelve_weeks_are_the_fewest_possible(n: int) -> None:
    history = run_rounds(everyone(n), 12)
    pairs_per_round = (n // 2 - 1) + 3 if n % 2 else n // 2  # a group of three is three pairs
    distinct = n * (n - 1) // 2
    fewest = max(0, 12 * pairs_per_round - distinct)
    assert repeats(history) == fewest


@pytest.mark.parametrize("n", [16, 25])
def test_larger_groups_almost_never_meet_the_same_partner_twice(n: int) -> None:
    assert repeats(run_rounds(everyone(n), 12)) <= 2


@pytest.mark.parametrize("n", [4, 6, 7, 8, 10, 11])
def test_no_pair_of_the_previous_round_meets_again(n: int) -> None:
    history = run_rounds(everyone(n), 12)
    for earlier, later in pairwise(history):
        before = {frozenset(p) for g in earlier for p in combinations(g, 2)}
        assert not any(frozenset(p) in before for g in later for p in combinations(g, 2))


def test_nearby_time_zones_are_preferred() -> None:
    members = [
        Candidate(1, utc_offset_minutes=540),  # Tokyo
        Candidate(2, utc_offset_minutes=-300),  # New York
        Candidate(3, utc_offset_minutes=540),
        Candidate(4, utc_offset_minutes=-300),
    ]
    for seed in range(10):
        assert set(pair(members, seed=seed).groups) == {(1, 3), (2, 4)}


def test_similar_progress_is_preferred_when_zones_are_equal() -> None:
    members = [Candidate(1, progress=0), Candidate(2, progress=20), Candidate(3, progress=1), Candidate(4, progress=19)]
    assert set(pair(members, seed=3).groups) == {(1, 3), (2, 4)}


def test_a_recent_partner_weighs_more_than_a_nearby_zone() -> None:
    members = [Candidate(1, 540), Candidate(2, -300), Candidate(3, 540), Candidate(4, -300)]
    for seed in range(10):
        groups = set(pair(members, [[(1, 3), (2, 4)]], seed=seed).groups)
        assert groups.isdisjoint({(1, 3), (2, 4)}) and len(groups) == 2


def test_one_member_is_returned_alone_and_none_is_nothing() -> None:
    assert pair([Candidate(5)]).alone == (5,)
    assert pair([Candidate(5)]).groups == ()
    assert pair([]) == pair([], seed=3)
    assert pair([]).groups == () and pair([]).alone == ()


def test_the_same_seed_gives_the_same_pairs() -> None:
    members = everyone(12)
    assert pair(members, seed=42) == pair(members, seed=42)

"""The benchmark's own arithmetic and table (the benchmark itself is never run by the tests)."""

from __future__ import annotations

import pytest

from bench.common import percentile
from bench.report import Figures, render_table


def test_percentiles_are_nearest_rank_values() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_the_table_judges_targets_and_says_skipped() -> None:
    figures = Figures({"core_vs_raw": 0.4, "cold_start_s": 1.2, "pg_core_vs_raw": None, "quick": True})
    table = render_table(figures)
    assert figures.misses() == ["core_vs_raw"]
    line = {row.split()[0]: row for row in table.splitlines() if row.strip()}
    assert "MISS" in line["core_vs_raw"]
    assert "PASS" in line["cold_start_s"]
    assert "skipped" in line["pg_core_vs_raw"]
    assert "skipped" in line["slack_e2e_p99_ms"]  # not measured in this run

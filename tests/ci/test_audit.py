"""The CI audit step fails on a known vulnerability and only then (its input is pip-audit's JSON report)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

AUDIT = Path(__file__).resolve().parents[2] / ".ci" / "audit.py"
spec = importlib.util.spec_from_file_location("ci_audit", AUDIT)
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_vulnerable_dependency_fails_with_its_advisory() -> None:
    code, lines = audit.summarize(
        [
            {"name": "jinja2", "version": "2.10", "vulns": [{"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"]}]},
            {"name": "rich", "version": "13.0", "vulns": []},
        ]
    )
    assert code == 1
    assert "VULNERABLE jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)" in lines


def test_clean_and_unauditable_dependencies_pass_and_say_which() -> None:
    assert audit.summarize([{"name": "rich", "version": "13.0", "vulns": []}]) == (
        0,
        ["pip-audit: no known vulnerabilities in 1 dependencies"],
    )
    code, lines = audit.summarize([{"name": "rich", "skip_reason": "Dependency not found on PyPI"}])
    assert code == 0 and "could not audit any of 1 dependencies" in lines[0] and "Not blocking" in lines[0]

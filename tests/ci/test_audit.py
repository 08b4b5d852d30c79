"""The CI audit step fails on a known vulnerability and only then (its input is pip-audit's JSON report)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
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


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_pins_every_dependency_the_project_declares() -> None:
    root = AUDIT.parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pinned: dict[str, str] = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version.strip(), f"not pinned: {line}"
            pinned[_canonical(name)] = version
    for requirement in declared:
        name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
        assert _canonical(name) in pinned, f"{name} is declared in pyproject.toml but missing from requirements.lock"

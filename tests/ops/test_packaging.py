"""The installed package (what the Docker image runs) holds every module and data file the source tree has."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOTS = ("bot", "adapters", "migrations")
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def source_packages() -> set[str]:
    """Every directory under the package roots that holds Python modules, as a dotted name."""
    found = set()
    for root in PACKAGE_ROOTS:
        for module in (ROOT / root).rglob("*.py"):
            if "__pycache__" not in module.parts:
                found.add(".".join(module.parent.relative_to(ROOT).parts))
    return found


def test_every_package_of_the_source_tree_is_installed() -> None:
    listed = set(SETUPTOOLS["packages"])
    missing = source_packages() - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    assert "content" in listed


def test_every_data_file_is_installed_with_its_package() -> None:
    listed = set(SETUPTOOLS["packages"])
    patterns: dict[str, list[str]] = SETUPTOOLS.get("package-data", {})
    for package in sorted(listed):
        folder = ROOT / package.replace(".", "/")
        for path in folder.rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            # A file belongs to the nearest listed package above it (fonts/ belongs to bot.images).
            owner = path.parent
            while ".".join(owner.relative_to(ROOT).parts) not in listed:
                owner = owner.parent
            if owner != folder:
                continue
            inside = path.relative_to(folder).as_posix()
            assert any(fnmatch.fnmatch(inside, g) for g in patterns.get(package, [])), (
                f"{package.replace('.', '/')}/{inside} is not in [tool.setuptools.package-data]"
            )


def test_the_docker_build_stage_copies_every_top_level_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set()
    for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.M):
        *sources, _destination = line.split()
        copied |= {source.strip("./").split("/")[0] for source in sources}
    top_level = {p.split(".")[0] for p in SETUPTOOLS["packages"]}
    assert top_level | {"pyproject.toml", "README.md"} <= copied
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert not (top_level | {"pyproject.toml", "README.md"}) & ignored

"""Content validation: every error names the file and the entry; the real content is valid and complete."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, load_content
from bot.settings import DEFAULT_CONTENT_DIR

THEMES = {
    "language": ["python", "java", "ruby", "php", "node"],
    "web": ["http", "html", "css", "javascript"],
    "git": ["git"],
    "sql": ["sql", "postgresql", "mysql"],
    "nosql": ["mongodb", "cassandra"],
    "frameworks": ["django", "flask", "rails", "spring", "laravel", "express", ".net"],
    "api": ["rest"],
    "web servers": ["nginx", "apache"],
    "security": ["authentication", "authorization", "encrypt", "sql injection", "xss"],
    "testing": ["test", "debug"],
    "performance": ["cach"],
    "scale": ["load balanc", "scal"],
    "cloud": ["aws", "azure", "google cloud", "heroku", "deploy"],
    "integration": ["third-party", "webhook"],
    "cms": ["cms", "wordpress"],
    "portfolio": ["portfolio", "open source"],
    "career": ["freelanc", "contract", "consult"],
    "community": ["meetup", "network"],
}


def test_the_shipped_content_is_valid_and_covers_every_theme() -> None:
    content = load_content(DEFAULT_CONTENT_DIR)
    assert len(content.topics) >= 20
    assert len(content.challenges) >= 10
    assert len(content.meetups) >= 12
    assert len(content.trends) >= 15
    corpus = " ".join(f"{t.title} {t.summary} {t.why} {t.practice} {' '.join(t.tags)}" for t in content.topics).lower()
    missing = [theme for theme, words in THEMES.items() if not any(w in corpus for w in words)]
    assert missing == []
    for topic in content.topics:
        assert len(topic.resources) >= 2 and topic.practice and topic.hours > 0
    assert not content.topics[0].prerequisites
    frameworks = next(t for t in content.topics if "django" in (t.title + t.summary).lower() or "framework" in t.id)
    assert set(frameworks.track_resources) == set(content.tracks)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(directory)
    return caught.value.problems


def test_duplicate_topic_id_is_named(content_copy: Path) -> None:
    def duplicate(data):  # type: ignore[no-untyped-def]
        topics = data["sections"][0]["topics"]
        topics.append(dict(topics[0]))

    _edit(content_copy / "roadmap.yaml", duplicate)
    first_id = yaml.safe_load((content_copy / "roadmap.yaml").read_text())["sections"][0]["topics"][0]["id"]
    assert any(
        p.startswith("roadmap.yaml: topic ") and first_id in p and "duplicate" in p for p in _problems(content_copy)
    )


def test_unknown_prerequisite_and_cycle_are_named(content_copy: Path) -> None:
    def break_it(data):  # type: ignore[no-untyped-def]
        topics = [t for s in data["sections"] for t in s["topics"]]
        topics[1]["prerequisites"] = ["no-such-topic"]
        topics[0]["prerequisites"] = [topics[2]["id"]]
        topics[2]["prerequisites"] = [topics[0]["id"]]

    _edit(content_copy / "roadmap.yaml", break_it)
    problems = _problems(content_copy)
    assert any("unknown prerequisite 'no-such-topic'" in p for p in problems)
    assert any("prerequisite cycle" in p for p in problems)


def test_missing_field_and_bad_url_are_named(content_copy: Path) -> None:
    def break_it(data):  # type: ignore[no-untyped-def]
        topic = data["sections"][0]["topics"][0]
        del topic["practice"]
        topic["resources"][0]["url"] = "not a url"

    _edit(content_copy / "roadmap.yaml", break_it)
    problems = _problems(content_copy)
    assert any("'practice' is missing" in p for p in problems)
    assert any("malformed URL" in p for p in problems)


def test_challenge_with_unknown_topic_is_named(content_copy: Path) -> None:
    def break_it(data):  # type: ignore[no-untyped-def]
        data["challenges"][0]["topics"] = ["ghost-topic"]

    _edit(content_copy / "challenges.yaml", break_it)
    cid = yaml.safe_load((content_copy / "challenges.yaml").read_text())["challenges"][0]["id"]
    assert f"challenges.yaml: {cid}: unknown topic id 'ghost-topic'" in _problems(content_copy)


def test_missing_file_and_broken_yaml(content_copy: Path) -> None:
    (content_copy / "meetups.yaml").unlink()
    (content_copy / "trends.yaml").write_text("trends: [unclosed")
    problems = _problems(content_copy)
    assert any("meetups.yaml: file is missing" in p for p in problems)
    assert any("trends.yaml: not valid YAML" in p for p in problems)

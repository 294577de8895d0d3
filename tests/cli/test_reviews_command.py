"""`migration-hub reviews cycles|import` as a user runs them: a real process on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import run

SET_UP = (
    "from migration_hub.accounts.models import Organization;"
    "from migration_hub.core.services import load_countries;"
    "load_countries();"
    "Organization.objects.create(code='MIN', name='Ministry of Migration', kind='ministry')"
)
COUNT_REVIEWS = (
    "from migration_hub.reviews.models import Review;"
    "print(Review.objects.count(), *Review.objects.values_list('status', flat=True))"
)
REVIEW = {
    "cycle": {"kind": "imrf", "year": 2026},
    "title": "Ghana: voluntary GCM review 2026",
    "level": "national",
    "entity_name": "Ghana",
    "country": "GHA",
    "language": "en",
    "sections": {
        "challenges": {"text": "Data gaps."},
        "objective-2": {"progress": "planned", "text": "Climate adaptation."},
    },
}


@pytest.fixture(autouse=True)
def ministry(env: dict[str, str]) -> None:
    result = run("manage", "shell", "-v", "0", "-c", SET_UP, env=env)
    assert result.returncode == 0, result.stderr


def test_cycles_creates_the_schedule_once_and_prints_it(env: dict[str, str]) -> None:
    first = run("reviews", "cycles", "--until", "2026", env=env)
    assert first.returncode == 0, first.stderr
    assert "16 review cycles created" in first.stdout  # 2 x 5 regional, 4 reports, 2 IMRFs
    assert "IMRF 2022" in first.stdout and "(confirmed)" in first.stdout
    assert "Regional review 2024 (ECLAC)" in first.stdout
    again = run("reviews", "cycles", "--until", "2026", env=env)
    assert again.returncode == 0 and "0 review cycles created" in again.stdout
    bad = run("reviews", "cycles", "--until", "99999", env=env)
    assert bad.returncode == 1 and "between 2020 and 2100" in bad.stderr


def test_import_a_good_file_in_draft(env: dict[str, str], tmp_path: Path) -> None:
    assert run("reviews", "cycles", env=env).returncode == 0
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([REVIEW]), encoding="utf-8")
    result = run("reviews", "import", str(path), "--organization", "MIN", env=env)
    assert result.returncode == 0, result.stderr
    assert "1 reviews imported in draft from reviews.json" in result.stdout
    assert "Ministry of Migration" in result.stdout
    count = run("manage", "shell", "-v", "0", "-c", COUNT_REVIEWS, env=env)
    assert count.stdout.split() == ["1", "draft"]


def test_a_bad_file_lists_every_problem_and_imports_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert run("reviews", "cycles", env=env).returncode == 0
    bad = json.loads(json.dumps(REVIEW))
    bad["sections"]["objective-24"] = {"text": "x"}
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([REVIEW, bad | {"country": "XXX"}]), encoding="utf-8")
    result = run("reviews", "import", str(path), "--organization", "MIN", env=env)
    assert result.returncode == 1
    assert "reviews.json has 2 problem(s); nothing was imported" in result.stderr
    assert "reviews[1].sections.objective-24: objective number outside 1-23" in result.stderr
    assert "reviews[1].country: unknown ISO alpha-3 code 'XXX'" in result.stderr
    count = run("manage", "shell", "-v", "0", "-c", COUNT_REVIEWS, env=env)
    assert count.stdout.split() == ["0"]


def test_an_unknown_organization_or_missing_file_says_what_to_fix(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "reviews.json"
    path.write_text("[]", encoding="utf-8")
    unknown = run("reviews", "import", str(path), "--organization", "NOPE", env=env)
    assert unknown.returncode == 1
    assert "no organization with the code 'NOPE' (known codes: MIN)" in unknown.stderr
    missing = run("reviews", "import", str(tmp_path / "x.json"), "--organization", "MIN", env=env)
    assert missing.returncode == 1 and "is not a file" in missing.stderr
    usage = run("reviews", env=env)
    assert usage.returncode == 2 and "ACTION" in usage.stderr

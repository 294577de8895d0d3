"""Importing reviews from a JSON file: a good file imports every review in draft; a file with
any problem imports nothing and reports every problem with its place."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from migration_hub.core.choices import Role
from migration_hub.reviews import services
from migration_hub.reviews.choices import ReviewStatus
from migration_hub.reviews.importers import ReviewImportRejected, import_reviews
from migration_hub.reviews.models import Review, Section, SectionVersion

pytestmark = pytest.mark.django_db

KENYA = {
    "cycle": {"kind": "imrf", "year": 2026, "commission": ""},
    "title": "Kenya: voluntary GCM review 2026",
    "level": "national",
    "entity_name": "Kenya",
    "country": "KEN",
    "language": "en",
    "stakeholder": "",
    "sections": {
        "methodology": {
            "text": "A task force drafted the review.",
            "data": {"government_bodies": ["Ministry of Labour"], "stakeholders": ["migrants"]},
        },
        "principles": {"data": {"GCM-GP-F": "Rights-based screening."}},
        "challenges": {"text": "Data gaps."},
        "next_steps": {"text": "A national plan by 2027."},
        "objective-5": {
            "progress": "in_progress",
            "text": "Labour agreements.",
            "evidence": "Registered 2024.",
            "data": {"practices": [{"title": "Skills partnership", "url": "https://x.org"}]},
        },
        "objective-23": {"progress": "planned", "text": "Regional cooperation."},
    },
}
CITIES = {
    "cycle": {"kind": "regional", "year": 2024, "commission": "ECE"},
    "title": "Mayors' network review",
    "level": "stakeholder",
    "stakeholder": "local_authorities",
    "entity_name": "Mayors Migration Council",
    "language": "fr",
    "sections": {"challenges": {"text": "Housing."}},
}


def write(tmp_path: Path, document, name: str = "reviews.json") -> Path:
    path = tmp_path / name
    path.write_text(
        document if isinstance(document, str) else json.dumps(document), encoding="utf-8"
    )
    return path


def test_a_good_file_imports_every_review_in_draft(
    tmp_path, organization, countries, objectives, cycles
) -> None:
    calls = []
    report = import_reviews(
        write(tmp_path, [KENYA, CITIES]),
        organization=organization,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert len(report.reviews) == 2 and report.sections == 7
    assert calls == [(1, 2), (2, 2)]
    assert "2 reviews imported in draft" in str(report)
    kenya = Review.objects.get(entity_name="Kenya")
    assert kenya.status == ReviewStatus.DRAFT and kenya.organization == organization
    assert kenya.commission == "ECA"
    objective = Section.objects.get(review=kenya, key="objective-5")
    assert objective.objective == objectives[5] and objective.progress == "in_progress"
    assert objective.data["practices"][0]["title"] == "Skills partnership"
    assert services.missing_sections(kenya) == []
    assert SectionVersion.objects.filter(section__review=kenya).count() == 6
    # The imported sections keep the conflict guard working: version 2, then edits go on.
    methodology = Section.objects.get(review=kenya, key="methodology")
    assert methodology.version == 2
    cities = Review.objects.get(entity_name="Mayors Migration Council")
    assert cities.commission == "ECE" and cities.cycle.year == 2024


def test_an_objective_outside_1_23_is_reported_with_its_place_and_nothing_is_imported(
    tmp_path, organization, countries, objectives, cycles
) -> None:
    bad = copy.deepcopy(KENYA)
    bad["title"] = "Another"
    bad["sections"]["objective-24"] = {"text": "x"}
    bad["sections"]["objective-0"] = {"text": "x"}
    with pytest.raises(ReviewImportRejected) as error:
        import_reviews(
            write(tmp_path, [KENYA, CITIES, KENYA | {"title": "B"}, bad]), organization=organization
        )
    lines = error.value.lines()
    assert "reviews[3].sections.objective-24: objective number outside 1-23" in lines
    assert "reviews[3].sections.objective-0: objective number outside 1-23" in lines
    assert "nothing was imported" in error.value.summary()
    assert not Review.objects.exists() and not Section.objects.exists()


def test_every_problem_is_reported_with_its_place(
    tmp_path, organization, countries, objectives, cycles
) -> None:
    records = [
        KENYA | {"country": "XYZ"},
        KENYA | {"title": "T2", "level": "galactic"},
        KENYA | {"title": "T3", "cycle": {"kind": "imrf", "year": 2027}},
        KENYA | {"title": "T4", "colour": "red"},
        {k: v for k, v in KENYA.items() if k != "language"},
        KENYA | {"title": "T6", "sections": {"summary": {"text": "x"}}},
        KENYA
        | {"title": "T7", "sections": {"methodology": {"data": {"stakeholders": ["aliens"]}}}},
        KENYA | {"title": "T8", "sections": {"challenges": {"progress": "achieved"}}},
        KENYA | {"title": "T9", "sections": {"objective-3": {"progress": "done"}}},
        CITIES
        | {"cycle": {"kind": "regional", "year": 2024, "commission": "ECE"}, "stakeholder": ""},
        KENYA | {"title": "T11", "country": None},
        KENYA,  # the same as the first once its problem is fixed: reported as a duplicate
    ]
    with pytest.raises(ReviewImportRejected) as error:
        import_reviews(write(tmp_path, records), organization=organization)
    text = "\n".join(error.value.lines())
    for expected in (
        "reviews[0].country: unknown ISO alpha-3 code 'XYZ'",
        "reviews[1].level: 'galactic' is not one of",
        "reviews[2].cycle: there is no imrf 2027 cycle",
        "reviews[3]: unknown field(s) ('colour' was unexpected)",
        "reviews[4]: 'language' is required",
        "reviews[5].sections.summary: unknown section 'summary'",
        "reviews[6].sections.methodology.data.stakeholders: Unknown values: aliens.",
        "reviews[7].sections.challenges.progress: only an objective's section",
        "reviews[8].sections.objective-3.progress: 'done' is not one of",
        "reviews[9].stakeholder: A stakeholder review names its stakeholder group.",
        "reviews[10].country: A national or local review names its country.",
    ):
        assert expected in text, (expected, text)
    assert not Review.objects.exists()


def test_a_file_that_is_not_json_or_not_a_list_says_so(tmp_path, organization, cycles) -> None:
    with pytest.raises(ReviewImportRejected) as error:
        import_reviews(write(tmp_path, '[{"title": "x",\n  oops}]'), organization=organization)
    assert error.value.lines()[0].startswith("reviews.json, line 2 column 3:")
    with pytest.raises(ReviewImportRejected) as error:
        import_reviews(write(tmp_path, {"reviews": []}), organization=organization)
    assert "is not of type 'array'" in error.value.lines()[0]
    with pytest.raises(ReviewImportRejected) as error:
        import_reviews(tmp_path / "missing.json", organization=organization)
    assert "no such file" in error.value.lines()[0]
    path = tmp_path / "latin1.json"
    path.write_bytes('[{"title": "Côte"}]'.encode("latin-1"))
    with pytest.raises(ReviewImportRejected) as error:
        import_reviews(path, organization=organization)
    assert "not UTF-8" in error.value.lines()[0]


def test_importing_the_same_file_twice_imports_nothing_the_second_time(
    tmp_path, organization, countries, objectives, cycles
) -> None:
    path = write(tmp_path, [KENYA])
    import_reviews(path, organization=organization)
    with pytest.raises(ReviewImportRejected) as error:
        import_reviews(path, organization=organization)
    assert "already has a review titled" in error.value.lines()[0]
    assert Review.objects.count() == 1


def test_the_actor_needs_to_write_reviews_for_the_organization(
    tmp_path, organization, other_organization, make_member, countries, objectives, cycles
) -> None:
    outsider = make_member(Role.EDITOR, other_organization)
    with pytest.raises(PermissionDenied):
        import_reviews(write(tmp_path, [KENYA]), organization=organization, actor=outsider)
    assert not Review.objects.exists()
    writer = make_member(Role.CONTRIBUTOR, organization)
    report = import_reviews(write(tmp_path, [KENYA]), organization=organization, actor=writer)
    review = report.reviews[0]
    assert review.authors.get().user == writer
    assert Section.objects.get(review=review, key="challenges").updated_by == writer

"""The figures of a compiled GCM report, checked against reviews whose answers we know."""

from __future__ import annotations

import pytest

from migration_hub.reviews import compilation, services
from migration_hub.reviews.choices import (
    ReportScopeKind,
    Stakeholder,
)
from migration_hub.reviews.compilation import NOT_STATED, ReportInputError, compile_report, excerpt

from .conftest import PRACTICE


def by_number(report):
    return {objective.number: objective for objective in report.objectives}


def test_global_coverage_matrix_counts_each_commission(season, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        report = compile_report(2026, "global")
    assert [column.key for column in report.columns] == [
        "ECA",
        "ECE",
        "ECLAC",
        "ESCAP",
        "ESCWA",
        "",
    ]
    assert [column.reviews for column in report.columns] == [1, 1, 1, 0, 0, 1]
    assert report.total == 4  # the draft and the other cycles are left out
    rows = by_number(report)
    assert rows[1].cells == [1, 1, 1, 0, 0, 0]
    assert rows[5].cells == [1, 0, 1, 0, 0, 1]
    assert rows[7].cells == [1, 0, 0, 0, 0, 0]
    assert rows[9].cells == [0] * 6  # whitespace is not a report
    assert (rows[1].reported, rows[1].share) == (3, 75.0)
    assert sum(row.reported for row in report.objectives) == 7


def test_progress_distribution_ranking_and_participation(season):
    report = compile_report(2026, "global")
    rows = by_number(report)
    assert rows[1].progress == {
        "not_started": 0,
        "planned": 1,
        "in_progress": 1,
        "achieved": 1,
        NOT_STATED: 0,
    }
    assert rows[7].progress[NOT_STATED] == 1
    assert [o.number for o in report.most_reported] == [1, 5, 7]
    assert [o.number for o in report.least_reported] == [2, 3, 4, 6, 8]
    consulted = {count.key: count.count for count in report.stakeholders}
    assert consulted[Stakeholder.MIGRANTS] == 2
    assert consulted[Stakeholder.CIVIL_SOCIETY] == 1
    assert consulted[Stakeholder.ACADEMIA] == 0
    levels = {count.key: count.count for count in report.levels}
    assert levels == {"national": 3, "local": 0, "regional": 0, "stakeholder": 1}
    assert [(c.key, c.count) for c in report.stakeholder_groups] == [("migrants", 1)]


def test_practices_quotes_and_comparison(season):
    report = compile_report(2026, "global", base_url="https://hub.example.org/")
    [practice] = report.practices
    assert practice.title == PRACTICE["title"]
    assert practice.reviews == 2
    assert sorted(practice.objectives) == [1, 5]
    rows = by_number(report)
    [quote] = rows[1].quotes[:1]
    # Germany sorts before Kenya; Mexico said nothing in words on objective 1.
    assert [q.entity for q in rows[1].quotes] == ["Germany", "Kenya"]
    kenya = rows[1].quotes[1]
    assert kenya.text == "Kenya opened five one-stop centres."
    assert kenya.url.startswith("https://hub.example.org/")
    assert kenya.url.endswith(f"{season.kenya.pk}/#objective-1")
    assert quote.url.endswith(f"{season.germany.pk}/#objective-1")
    assert report.previous_year == 2022
    assert report.previous_total == 1
    assert (rows[1].previous, rows[1].previous_share) == (1, 100.0)
    assert (rows[2].previous, rows[2].share) == (1, 0.0)
    assert rows[5].previous == 0


@pytest.mark.parametrize(
    ("scope", "kind", "columns", "entities"),
    [
        ("ECA", ReportScopeKind.COMMISSION, ["Sub-Saharan Africa"], ["Kenya"]),
        ("002", ReportScopeKind.REGION, ["Sub-Saharan Africa"], ["Kenya"]),
        ("019", ReportScopeKind.REGION, ["Latin America and the Caribbean"], ["Mexico"]),
        (
            "ke",
            ReportScopeKind.COUNTRY,
            ["national", "local", "regional", "stakeholder"],
            ["Kenya"],
        ),
        (
            "DEU",
            ReportScopeKind.COUNTRY,
            ["national", "local", "regional", "stakeholder"],
            ["Germany"],
        ),
    ],
)
def test_regional_and_country_scopes(season, scope, kind, columns, entities):
    report = compile_report(2026, scope)
    assert report.scope.kind == kind
    assert [
        c.label if kind != ReportScopeKind.COUNTRY else c.key for c in report.columns
    ] == columns
    assert [review.entity for review in report.reviews] == entities
    if kind == ReportScopeKind.COUNTRY:
        assert report.columns[0].reviews == 1
        assert by_number(report)[1].cells == [1, 0, 0, 0]


def test_regional_cycle_compares_with_the_previous_regional_year(season, cycles):
    report = compile_report(2024, "ECA")
    assert report.total == 1
    assert report.previous_year == 2020
    assert report.previous_total == 0
    assert by_number(report)[1].previous_share == 0.0


def test_a_cycle_with_no_reviews_is_an_empty_report(season):
    report = compile_report(2030, "global")
    assert report.is_empty
    assert report.total == 0
    assert all(cell == 0 for o in report.objectives for cell in o.cells)
    assert report.most_reported == [] and report.least_reported == []
    assert report.previous_year == 2026
    assert report.previous_total == 4


def test_unknown_scope_and_cycle_say_what_is_accepted(season):
    with pytest.raises(ReportInputError) as error:
        compile_report(2026, "Atlantis")
    assert error.value.field == "scope"
    assert "global" in error.value.message and "ECLAC" in error.value.message
    with pytest.raises(ReportInputError, match="no M49 region with the code 999"):
        compile_report(2026, "999")
    with pytest.raises(ReportInputError) as error:
        compile_report(1999, "global")
    assert error.value.field == "cycle_year"
    assert "2026" in error.value.message


def test_a_review_written_through_the_services_is_compiled(complete_review, focal_point):
    services.submit_review(focal_point, complete_review)
    report = compile_report(2026, "global")
    assert report.total == 1
    eca = [column.key for column in report.columns].index("ECA")
    assert by_number(report)[5].cells[eca] == 1
    consulted = {count.key: count.count for count in report.stakeholders}
    assert consulted[Stakeholder.MIGRANTS] == consulted[Stakeholder.CIVIL_SOCIETY] == 1


def test_progress_is_reported_step_by_step(season):
    steps = []
    compile_report(2026, "global", progress=lambda step, total, message: steps.append(step))
    assert steps == list(range(compilation.STEPS + 1))


def test_excerpt_keeps_the_first_sentence_and_cuts_at_a_word():
    assert excerpt("First one. Second one.") == "First one."
    assert excerpt("  spread \n over lines  ") == "spread over lines"
    long = "word " * 100
    cut = excerpt(long)
    assert len(cut) <= compilation.QUOTE_MAX_CHARACTERS
    assert cut.endswith("word\u2026")
    assert excerpt("") == ""

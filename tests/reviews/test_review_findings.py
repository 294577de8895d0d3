"""Findings of the security and data-integrity review of `migration_hub.reviews`.

Each test asserts the CORRECT behaviour, so each fails against the code as reviewed; the
docstring says what goes wrong and where.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from migration_hub.core.choices import Role
from migration_hub.reviews import compilation, services
from migration_hub.reviews.importers import ReviewImportRejected, import_reviews
from migration_hub.reviews.models import Section

SECRET = "CONFIDENTIAL-DRAFT-the-minister-wants-objective-5-dropped"


def _publish(review, focal_point, secretariat_editor):
    services.submit_review(focal_point, review)
    services.publish_review(secretariat_editor, review)
    review.refresh_from_db()
    return review


# 1 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_objective_key_with_leading_zero_does_not_create_a_second_section_for_the_objective(
    complete_review, focal_point, secretariat_editor, api_client
):
    """services.parse_section_key accepts `objective-05` (or `objective-0005`) as objective 5 but
    the section is stored under the raw key, so the (review, key) constraint does not stop a
    second section for the same objective. Through the API (and the page URL) a writer adds
    `objective-05` next to `objective-5`, and the compiled report counts the objective twice
    for one review (reported 2 of 1 review, share 200%)."""
    api_client.force_authenticate(focal_point)
    response = api_client.put(
        f"/api/reviews/reviews/{complete_review.pk}/sections/objective-05/",
        {"expected_version": 0, "progress": "achieved", "text": "Reported a second time."},
        format="json",
    )
    assert response.status_code in (200, 400, 404, 409)
    _publish(complete_review, focal_point, secretariat_editor)

    assert Section.objects.filter(review=complete_review, objective_number=5).count() == 1
    report = compilation.compile_report(2026, "global")
    objective_5 = report.objectives[4]
    assert objective_5.reported <= report.total == 1


# 2 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_submit_refuses_a_methodology_holding_only_empty_lists(
    complete_review, focal_point, api_client
):
    """services.missing_sections treats a section as written when `data` is a non-empty dict;
    clean_section_data keeps `{"government_bodies": [], "stakeholders": []}` (blank entries are
    dropped, the keys stay), so a methodology with no text, no body and no stakeholder counts
    as complete and the review is submitted with a required section empty."""
    api_client.force_authenticate(focal_point)
    emptied = api_client.put(
        f"/api/reviews/reviews/{complete_review.pk}/sections/methodology/",
        {
            "expected_version": 2,
            "text": "",
            "data": {"government_bodies": ["   "], "stakeholders": []},
        },
        format="json",
    )
    assert emptied.status_code == 200, emptied.content

    response = api_client.post(f"/api/reviews/reviews/{complete_review.pk}/submit/")

    assert response.status_code == 400, response.content
    assert "methodology" in [row["key"] for row in response.json()["missing"]]
    complete_review.refresh_from_db()
    assert complete_review.status == "draft"


# 3 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_section_history_of_a_published_review_does_not_show_draft_text_to_outsiders(
    complete_review, focal_point, secretariat_editor, make_member, other_organization, client_for
):
    """SectionHistoryView (views/reviews.py) lets anyone who can read the review read every
    saved version. Once a review is published that is every signed-in person, so text that
    only ever existed in the draft (seen by the organization and its co-authors only) is
    readable by a member of any other organization."""
    good_text = "A whole-of-government task force drafted the review with stakeholders."
    data = {"government_bodies": ["Ministry of Labour"], "stakeholders": ["migrants"]}
    services.save_section(
        focal_point, complete_review, "methodology", expected_version=2, text=SECRET, data=data
    )
    services.save_section(
        focal_point, complete_review, "methodology", expected_version=3, text=good_text, data=data
    )
    _publish(complete_review, focal_point, secretariat_editor)
    outsider = make_member(Role.EDITOR, other_organization, username="outsider")

    response = client_for(outsider).get(
        reverse("reviews:section_history", kwargs={"pk": complete_review.pk, "key": "methodology"})
    )

    assert response.status_code in (200, 403, 404)
    assert SECRET not in response.content.decode()


# 4 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_drafting_comments_are_not_readable_by_outsiders_once_published(
    complete_review, focal_point, secretariat_editor, make_member, other_organization, api_client
):
    """The co-authors' comments (written while drafting) are served by the API's
    `reviews/{id}/comments/` (and shown on the page) to anyone who may read the review: after
    publication, to every signed-in person of every organization."""
    services.add_comment(focal_point, complete_review, SECRET, section_key="methodology")
    _publish(complete_review, focal_point, secretariat_editor)
    outsider = make_member(Role.EDITOR, other_organization, username="outsider")
    api_client.force_authenticate(outsider)

    response = api_client.get(f"/api/reviews/reviews/{complete_review.pk}/comments/")

    assert response.status_code in (200, 403, 404)
    assert SECRET not in response.content.decode()


# 5 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_section_page_with_a_non_ascii_digit_key_is_a_404(review, focal_point, client_for):
    """services.parse_section_key checks `number.isdigit()` then calls `int(number)`;
    `"²".isdigit()` is True but `int("²")` raises ValueError, which escapes every handler:
    GET or POST /reviews/<pk>/sections/objective-²/ (and a comment with that section key)
    answer 500 instead of 404/400."""
    client = client_for(focal_point)

    response = client.get(f"/reviews/{review.pk}/sections/objective-%C2%B2/")

    assert response.status_code == 404


# 6 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_indicator_year_in_non_ascii_digits_is_a_400(review, focal_point, api_client):
    """clean_section_data (services.py) checks an indicator's year with `str(year).isdigit()`
    then `int(year)`: a year of "²" raises ValueError, a 500 from the API (and an uncaught
    crash of `migration-hub reviews import`) instead of a 400 naming the field."""
    api_client.force_authenticate(focal_point)

    response = api_client.put(
        f"/api/reviews/reviews/{review.pk}/sections/objective-5/",
        {"expected_version": 0, "data": {"indicator_values": [{"indicator": "x", "year": "²"}]}},
        format="json",
    )

    assert response.status_code == 400


# 7 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_pages_with_a_non_ascii_digit_cycle_parameter_do_not_crash(
    review, focal_point, client_for
):
    """PledgeCreateView.get and ReviewCreateView.make_form read `?cycle=` with `isdigit()`
    then `int()`: `?cycle=²` is a 500 instead of the form without a preselected cycle."""
    client = client_for(focal_point)

    assert client.get("/reviews/pledges/new/?cycle=%C2%B2").status_code == 200
    assert client.get("/reviews/new/?cycle=%C2%B2").status_code == 200


# 8 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_objective_form_refuses_null_characters_in_indicator_rows(review, focal_point, client_for):
    """ObjectiveSectionForm._rows reads the indicator/practice rows straight from POST, past
    every form field (and so past Django's null-character validator), and the service does not
    check `data` for NUL either (only the API serializer does). The NUL is stored: on
    PostgreSQL, whose jsonb cannot hold \\u0000, the save is a 500."""
    client = client_for(focal_point)
    response = client.post(
        reverse("reviews:section_save", kwargs={"pk": review.pk, "key": "objective-5"}),
        {
            "objective-5-expected_version": "0",
            "objective-5-text": "Labour agreements.",
            "objective-5-indicator-0-indicator": "remit\x00tances",
            "objective-5-indicator-0-value": "3",
            "objective-5-indicator-0-year": "2024",
        },
    )

    assert response.status_code == 400
    assert not Section.objects.filter(review=review, key="objective-5").exists()


# 9 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_refuses_null_characters_in_review_fields(
    tmp_path, organization, countries, imrf_2026
):
    """importers._check_record looks for NUL only in a section's text, evidence and progress;
    a title, entity name or structured value with NUL passes every check and is written (on
    PostgreSQL the import then dies with a database error rather than a listed problem)."""
    path = tmp_path / "reviews.json"
    path.write_text(
        json.dumps(
            [
                {
                    "cycle": {"kind": "imrf", "year": 2026, "commission": ""},
                    "title": "Kenya\x00 review",
                    "level": "national",
                    "entity_name": "Ken\x00ya",
                    "country": "KEN",
                    "language": "en",
                    "sections": {
                        "methodology": {"text": "ok", "data": {"government_bodies": ["a\x00b"]}}
                    },
                }
            ]
        ),
        encoding="utf-8",
    )

    with pytest.raises(ReviewImportRejected):
        import_reviews(path, organization=organization)


# 10 -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_practice_links_refuse_protocol_relative_addresses(review, focal_point):
    """clean_section_data accepts a practice link starting with "/" to allow site paths, which
    also lets `//evil.example/...` (and `/\\evil.example`) through: the review page and the
    compiled HTML/PDF/DOCX report then carry a link to another site dressed as a local one."""
    with pytest.raises(ValidationError):
        services.save_section(
            focal_point,
            review,
            "objective-5",
            expected_version=0,
            text="Practices.",
            data={"practices": [{"title": "Sign in to read", "url": "//evil.example/login"}]},
        )


# 11 -------------------------------------------------------------------------------------------


def _detail_queries(client, review) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_review_page_queries_do_not_grow_with_the_objectives_reported(
    review, focal_point, client_for
):
    """section_block calls selectors.objective_links for every objective section: one query
    for the pledges and one for the trust-fund programmes per objective, so a review reporting
    on all 23 objectives costs ~46 extra queries per page view (and per htmx reload)."""
    client = client_for(focal_point)
    services.save_section(focal_point, review, "objective-1", expected_version=0, text="One.")
    one = _detail_queries(client, review)
    for number in range(2, 12):
        services.save_section(
            focal_point, review, f"objective-{number}", expected_version=0, text="More."
        )
    eleven = _detail_queries(client, review)

    assert eleven - one <= 4, f"{one} queries with 1 objective, {eleven} with 11"

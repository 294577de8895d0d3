"""The reviews API as a ministry, its co-author and the secretariat call it: the public
schedule, a review written section by section, conflicts answered 409 with both texts, bad
input 400 naming the field, reviews out of reach 404, the workflow, comments and pledges."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from migration_hub.core.choices import Role
from migration_hub.reviews.choices import ReviewStatus, SectionKey
from migration_hub.reviews.models import Comment, Pledge, Review, Section, SectionVersion

pytestmark = pytest.mark.django_db

API = "/api/reviews"
CYCLES = f"{API}/cycles/"
REVIEWS = f"{API}/reviews/"
PLEDGES = f"{API}/pledges/"


@pytest.fixture
def as_user(api_client):
    def sign_in(user):
        api_client.force_authenticate(user)
        return api_client

    return sign_in


def section_url(review, key: str) -> str:
    return f"{REVIEWS}{review.pk}/sections/{key}/"


# Cycles -----------------------------------------------------------------------------------------


def test_the_schedule_is_public_and_filterable(api_client, cycles) -> None:
    response = api_client.get(CYCLES, {"kind": "imrf"})
    assert response.status_code == 200
    years = [row["year"] for row in response.json()["results"]]
    assert years == [2022, 2026, 2030]
    imrf = response.json()["results"][0]
    assert imrf["title"] == "IMRF 2022" and imrf["status"] == "completed"
    assert imrf["dates_confirmed"] is True
    detail = api_client.get(f"{CYCLES}{imrf['id']}/")
    assert detail.status_code == 200 and detail.json()["starts_on"] == "2022-05-17"
    assert api_client.get(CYCLES, {"year": "99999999999"}).status_code == 400
    assert api_client.get(f"{CYCLES}999999/").status_code == 404


# Reading reviews --------------------------------------------------------------------------------


def test_anonymous_gets_401(api_client, review) -> None:
    assert api_client.get(REVIEWS).status_code == 401
    assert api_client.get(f"{REVIEWS}{review.pk}/").status_code == 401


def test_drafts_are_out_of_reach_of_other_organizations(
    as_user, review, focal_point, coauthor, make_member, other_organization, secretariat_viewer
) -> None:
    outsider = make_member(Role.EDITOR, other_organization)
    for person, visible in (
        (focal_point, True),
        (coauthor, True),
        (outsider, False),
        (secretariat_viewer, False),
    ):
        client = as_user(person)
        listed = [row["id"] for row in client.get(REVIEWS).json()["results"]]
        assert (review.pk in listed) is visible
        assert client.get(f"{REVIEWS}{review.pk}/").status_code == (200 if visible else 404)
        status = client.get(section_url(review, "challenges")).status_code
        assert status == (200 if visible else 404)
    client = as_user(outsider)
    response = client.put(
        section_url(review, "challenges"), {"expected_version": 1, "text": "x"}, format="json"
    )
    assert response.status_code == 404
    assert client.post(f"{REVIEWS}{review.pk}/submit/").status_code == 404


def test_review_detail_has_sections_and_authors(as_user, review, focal_point) -> None:
    body = as_user(focal_point).get(f"{REVIEWS}{review.pk}/").json()
    assert body["organization"] == "HOME" and body["country"] == "KEN"
    assert body["status"] == "draft" and body["commission"] == "ECA"
    assert {s["key"] for s in body["sections"]} == set(SectionKey.values)
    assert {(a["user"], a["is_lead"]) for a in body["authors"]} == {
        ("focal-point", True),
        ("coauthor", False),
    }


def test_list_filters_and_query_budget(
    as_user, review, focal_point, django_assert_max_num_queries
) -> None:
    client = as_user(focal_point)
    assert client.get(REVIEWS, {"country": "KEN"}).json()["count"] == 1
    assert client.get(REVIEWS, {"country": "FRA"}).json()["count"] == 0
    assert client.get(REVIEWS, {"status": "submitted"}).json()["count"] == 0
    assert client.get(REVIEWS, {"cycle": "2026"}).json()["count"] == 1
    assert client.get(REVIEWS, {"q": "Kenya"}).json()["count"] == 1
    assert client.get(REVIEWS, {"level": "galactic"}).status_code == 400
    with django_assert_max_num_queries(8):
        assert client.get(REVIEWS).status_code == 200


# Creating a review ------------------------------------------------------------------------------


def test_a_writer_creates_a_review_and_becomes_its_lead_author(
    as_user, focal_point, imrf_2026, countries
) -> None:
    response = as_user(focal_point).post(
        REVIEWS,
        {
            "cycle": imrf_2026.pk,
            "organization": "HOME",
            "title": "Ghana review",
            "level": "national",
            "entity_name": "Ghana",
            "country": "GHA",
            "language": "fr",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["commission"] == "ECA"
    assert body["authors"] == [{"user": "focal-point", "is_lead": True, "sections": []}]


def test_creating_names_the_bad_field_and_writes_nothing(
    as_user, focal_point, viewer, imrf_2026, cycles, countries
) -> None:
    client = as_user(focal_point)
    base = {
        "cycle": imrf_2026.pk,
        "organization": "HOME",
        "title": "T",
        "level": "national",
        "entity_name": "Kenya",
        "country": "KEN",
        "language": "en",
    }
    sg_report = next(c for c in cycles.values() if c.kind == "sg_report")
    for change, field in (
        ({"country": None}, "country"),
        ({"country": "XXX"}, "country"),
        ({"language": "tlh"}, "language"),
        ({"level": "stakeholder"}, "stakeholder"),
        ({"cycle": sg_report.pk}, "cycle"),
        ({"organization": "NOPE"}, "organization"),
        ({"colour": "red"}, "colour"),
        ({"period_from": 2024, "period_to": 2020}, "period_to"),
    ):
        response = client.post(REVIEWS, {**base, **change}, format="json")
        assert response.status_code == 400, change
        assert field in response.json(), (change, response.json())
    assert as_user(viewer).post(REVIEWS, base, format="json").status_code == 403
    assert not Review.objects.exists()


# Sections ---------------------------------------------------------------------------------------


def test_put_saves_a_section_and_patch_changes_only_what_is_sent(
    as_user, review, focal_point
) -> None:
    client = as_user(focal_point)
    url = section_url(review, "methodology")
    response = client.put(
        url,
        {
            "expected_version": 1,
            "text": "Task force.",
            "data": {"government_bodies": ["Ministry of Labour"]},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["updated_by"] == "focal-point"
    response = client.patch(url, {"expected_version": 2, "evidence": "Minutes."}, format="json")
    body = response.json()
    assert body["text"] == "Task force." and body["evidence"] == "Minutes."
    assert body["data"] == {"government_bodies": ["Ministry of Labour"]}
    assert client.get(url).json()["version"] == 3


def test_an_objective_section_not_written_yet_reads_as_version_0(
    as_user, review, focal_point
) -> None:
    client = as_user(focal_point)
    url = section_url(review, "objective-9")
    assert client.get(url).json()["version"] == 0
    response = client.put(
        url, {"expected_version": 0, "progress": "planned", "text": "Smuggling law."}, format="json"
    )
    assert response.status_code == 200 and response.json()["objective_number"] == 9


def test_a_stale_save_gets_409_with_both_texts_and_overwrites_nothing(
    as_user, review, focal_point, coauthor
) -> None:
    url = section_url(review, "challenges")
    first = as_user(focal_point).put(url, {"expected_version": 1, "text": "Mine."}, format="json")
    assert first.status_code == 200
    versions = SectionVersion.objects.count()
    response = as_user(coauthor).put(url, {"expected_version": 1, "text": "Theirs."}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["theirs"]["text"] == "Mine." and body["mine"]["text"] == "Theirs."
    assert (body["expected_version"], body["current_version"]) == (1, 2)
    assert body["saved_by"] == "focal-point"
    assert Section.objects.get(review=review, key="challenges").text == "Mine."
    assert SectionVersion.objects.count() == versions


def test_bad_section_input_is_a_400_naming_the_field(as_user, review, focal_point) -> None:
    client = as_user(focal_point)
    url = section_url(review, "methodology")
    cases = [
        ({"text": "no version"}, "expected_version"),
        ({"expected_version": "one"}, "expected_version"),
        ({"expected_version": 1, "progress": "done"}, "progress"),
        ({"expected_version": 1, "data": ["x"]}, "data"),
        ({"expected_version": 1, "data": {"budget": 1}}, "data"),
        ({"expected_version": 1, "data": {"stakeholders": ["aliens"]}}, "stakeholders"),
        ({"expected_version": 1, "title": "x"}, "title"),
        ({"expected_version": 1, "data": {"government_bodies": ["a\x00b"]}}, "data"),
    ]
    for body, field in cases:
        response = client.put(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    for key in ("objective-24", "objective-0", "summary"):
        response = client.put(section_url(review, key), {"expected_version": 0}, format="json")
        assert response.status_code == 400 and "key" in response.json()
    assert all(s.is_empty for s in Section.objects.filter(review=review))


def test_a_coauthor_writes_only_the_given_sections(as_user, review, coauthor) -> None:
    client = as_user(coauthor)
    ok = client.put(section_url(review, "challenges"), {"expected_version": 1, "text": "Mine."})
    assert ok.status_code == 200
    refused = client.put(
        section_url(review, "methodology"), {"expected_version": 1, "text": "Mine."}
    )
    assert refused.status_code == 403
    assert Section.objects.get(review=review, key="methodology").text == ""


# Workflow ---------------------------------------------------------------------------------------


def test_submit_with_sections_missing_lists_them_and_changes_nothing(
    as_user, review, focal_point
) -> None:
    response = as_user(focal_point).post(f"{REVIEWS}{review.pk}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert [row["key"] for row in body["missing"]] == [
        "methodology",
        "objectives",
        "principles",
        "challenges",
        "next_steps",
    ]
    assert "Methodology and process" in body["detail"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


def test_the_workflow_through_the_api(
    as_user, complete_review, focal_point, coauthor, secretariat_editor, secretariat_viewer
) -> None:
    url = f"{REVIEWS}{complete_review.pk}"
    client = as_user(focal_point)
    assert client.post(f"{url}/internal-review/").json()["status"] == "internal_review"
    assert client.post(f"{url}/internal-review/").status_code == 400
    assert client.post(f"{url}/return-to-draft/").json()["status"] == "draft"
    assert as_user(coauthor).post(f"{url}/submit/").status_code == 403
    submitted = as_user(focal_point).post(f"{url}/submit/").json()
    assert submitted["status"] == "submitted" and submitted["is_late"] is True  # deadline passed
    assert as_user(focal_point).post(f"{url}/publish/").status_code == 403
    assert as_user(secretariat_viewer).post(f"{url}/publish/").status_code == 403
    published = as_user(secretariat_editor).post(f"{url}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    refused = as_user(focal_point).put(
        f"{url}/sections/support/", {"expected_version": 1, "text": "x"}
    )
    assert refused.status_code == 400


def test_comments(as_user, review, coauthor, focal_point) -> None:
    url = f"{REVIEWS}{review.pk}/comments/"
    response = as_user(coauthor).post(url, {"body": "Add 2024 data.", "section_key": "objective-5"})
    assert response.status_code == 201 and response.json()["author"] == "coauthor"
    assert as_user(focal_point).post(url, {"body": " "}).status_code == 400
    bad_key = as_user(focal_point).post(url, {"body": "x", "section_key": "objective-99"})
    assert bad_key.status_code == 400 and "key" in bad_key.json()
    listed = as_user(focal_point).get(url).json()
    assert [c["body"] for c in listed] == ["Add 2024 data."]
    assert Comment.objects.count() == 1


# Pledges ----------------------------------------------------------------------------------------


def test_pledges_are_created_and_their_status_reported(
    as_user, focal_point, viewer, objectives, imrf_2022, imrf_2026, countries, review
) -> None:
    client = as_user(focal_point)
    response = client.post(
        PLEDGES,
        {
            "organization": "HOME",
            "cycle": imrf_2022.pk,
            "title": "Ratify C189",
            "entity_name": "Kenya",
            "level": "national",
            "objectives": [6, 16],
            "country": "KEN",
            "review": review.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pledge = response.json()
    assert pledge["objectives"] == [6, 16] and pledge["status"] == "announced"
    status_url = f"{PLEDGES}{pledge['id']}/status/"
    response = client.post(status_url, {"cycle": imrf_2026.pk, "status": "fulfilled"})
    assert response.status_code == 201
    assert [u["status"] for u in response.json()["updates"]] == ["announced", "fulfilled"]
    assert response.json()["status"] == "fulfilled"
    back = client.post(status_url, {"cycle": imrf_2022.pk - 100000, "status": "fulfilled"})
    assert back.status_code == 400 and "cycle" in back.json()
    assert client.post(status_url, {"cycle": imrf_2026.pk, "status": "x"}).status_code == 400
    assert (
        as_user(viewer).post(status_url, {"cycle": imrf_2026.pk, "status": "withdrawn"}).status_code
        == 403
    )
    listed = as_user(viewer).get(PLEDGES, {"objective": 6}).json()
    assert listed["count"] == 1
    assert as_user(viewer).get(PLEDGES, {"objective": 24}).status_code == 400


def test_bad_pledges_name_the_field(as_user, focal_point, objectives, imrf_2026) -> None:
    client = as_user(focal_point)
    base = {
        "organization": "HOME",
        "cycle": imrf_2026.pk,
        "title": "T",
        "entity_name": "Kenya",
        "level": "national",
        "objectives": [5],
    }
    for change, field in (
        ({"objectives": [24]}, "objectives"),
        ({"objectives": []}, "objectives"),
        ({"review": 999999}, "review"),
        ({"level": "x"}, "level"),
    ):
        response = client.post(PLEDGES, {**base, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), change
    assert not Pledge.objects.exists()


# Schema -----------------------------------------------------------------------------------------


def test_the_schema_describes_the_reviews_api_without_warnings(client) -> None:
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "reviews" in message.lower() or "enum naming" in message
    ]
    GENERATOR_STATS.reset()
    assert problems == []
    assert {
        "/api/reviews/cycles/",
        "/api/reviews/reviews/",
        "/api/reviews/reviews/{id}/sections/{key}/",
        "/api/reviews/reviews/{id}/submit/",
        "/api/reviews/reviews/{id}/publish/",
        "/api/reviews/reviews/{id}/comments/",
        "/api/reviews/pledges/{id}/status/",
    } <= set(schema["paths"])

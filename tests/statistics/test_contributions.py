"""Regional data contributions: an office sends figures, a reviewer sees the diff and approves;
nothing reaches the data set before that, and every merged figure says where it came from."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from migration_hub.accounts.choices import Role
from migration_hub.core.models import AuditEvent
from migration_hub.statistics import services
from migration_hub.statistics.choices import ContributionStatus
from migration_hub.statistics.errors import ImportRejected
from migration_hub.statistics.models import Contribution, Observation

from .conftest import CHANGE, submit, write

pytestmark = pytest.mark.django_db


def test_nothing_is_merged_before_review_and_the_diff_says_what_changes(
    regional, organization, contributor, tmp_path
) -> None:
    before = list(Observation.objects.filter(dataset=regional).values_list("area", "year", "value"))
    contribution = submit(regional, organization, contributor, write(tmp_path, CHANGE))
    assert contribution.status == ContributionStatus.SUBMITTED
    assert (
        list(Observation.objects.filter(dataset=regional).values_list("area", "year", "value"))
        == before
    )
    diff = {
        (c.area, c.year): (c.before, c.after, c.change)
        for c in services.contribution_diff(contribution)
    }
    assert diff == {
        ("404", 2020): (1050147, 1100000, "changed"),
        ("404", 2021): (None, 1150000, "added"),
        ("800", 2020): (1720300, 1720300, "unchanged"),
    }


def test_approval_merges_with_provenance(
    regional, organization, contributor, reviewer, tmp_path
) -> None:
    contribution = submit(regional, organization, contributor, write(tmp_path, CHANGE))
    services.review_contribution(contribution, actor=reviewer, approve=True)
    kenya = Observation.objects.get(dataset=regional, area="404", year=2020)
    assert kenya.value == 1100000
    assert kenya.contribution == contribution
    assert (
        Observation.objects.get(dataset=regional, area="404", year=2021).contribution
        == contribution
    )
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.APPROVED
    assert contribution.reviewed_by == reviewer
    assert AuditEvent.objects.filter(target_id=str(contribution.pk), action="update").exists()


def test_rejection_needs_a_reason_and_merges_nothing(
    regional, organization, contributor, reviewer, tmp_path
) -> None:
    contribution = submit(regional, organization, contributor, write(tmp_path, CHANGE))
    with pytest.raises(ValidationError):
        services.review_contribution(contribution, actor=reviewer, approve=False, note="  ")
    services.review_contribution(
        contribution, actor=reviewer, approve=False, note="2021 is not final yet"
    )
    assert not Observation.objects.filter(dataset=regional, year=2021).exists()
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.REJECTED
    assert contribution.review_note == "2021 is not final yet"


def test_a_contribution_is_reviewed_once(
    regional, organization, contributor, reviewer, tmp_path
) -> None:
    contribution = submit(regional, organization, contributor, write(tmp_path, CHANGE))
    services.review_contribution(contribution, actor=reviewer, approve=True)
    with pytest.raises(ValidationError, match="already reviewed"):
        services.review_contribution(contribution, actor=reviewer, approve=False, note="no")


def test_submitter_cannot_approve_their_own(regional, organization, make_member, tmp_path) -> None:
    both = make_member(Role.CONTRIBUTOR, organization, username="both")
    from tests.factories import MembershipFactory

    MembershipFactory(user=both, organization=organization, role=Role.REVIEWER)
    contribution = submit(regional, organization, both, write(tmp_path, CHANGE))
    with pytest.raises(PermissionDenied):
        services.review_contribution(contribution, actor=both, approve=True)


def test_viewer_cannot_contribute(regional, organization, viewer, tmp_path) -> None:
    with pytest.raises(PermissionDenied):
        submit(regional, organization, viewer, write(tmp_path, CHANGE))
    assert not Contribution.objects.exists()


def test_publishers_releases_take_no_contributions(
    stock_2020, organization, contributor, tmp_path
) -> None:
    path = write(tmp_path, "area,indicator,year,value\nKEN,international-migrant-stock,2020,1\n")
    with pytest.raises(ImportRejected, match="publisher's release"):
        submit(stock_2020.dataset, organization, contributor, path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("country,year,value\nKEN,2020,1\n", "missing columns area, indicator"),
        ("area,indicator,year,value\nKEN,labour-migrants,2020,lots\n", "'lots' is not a number"),
        ("area,indicator,year,value\nKenia,labour-migrants,2020,1\n", "did you mean Kenya"),
        ("area,indicator,year,value\nKEN,refugees,2020,1\n", "does not hold refugees"),
        (
            "area,indicator,year,value\nKEN,labour-migrants,2020,1\nKEN,labour-migrants,2020,2\n",
            "appears 2 times",
        ),
    ],
)
def test_bad_contributions_are_refused_whole(
    regional, organization, contributor, tmp_path, text, message
) -> None:
    with pytest.raises(ImportRejected) as rejected:
        submit(regional, organization, contributor, write(tmp_path, text))
    assert message in "\n".join(rejected.value.lines())
    assert not Contribution.objects.exists()


# --- the same through the API ----------------------------------------------------------------


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("kenya.csv", text.encode(), content_type="text/csv")


def test_api_round_trip(api_client, regional, organization, contributor, reviewer) -> None:
    api_client.force_authenticate(contributor)
    response = api_client.post(
        "/api/statistics/contributions/",
        {"dataset": regional.pk, "organization": organization.code, "file": upload(CHANGE)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["figures"] == 3
    assert api_client.post(f"/api/statistics/contributions/{pk}/approve/").status_code == 403

    api_client.force_authenticate(reviewer)
    diff = api_client.get(f"/api/statistics/contributions/{pk}/diff/").json()
    assert {row["change"] for row in diff} == {"added", "changed", "unchanged"}
    response = api_client.post(f"/api/statistics/contributions/{pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"


def test_api_bad_file_gives_row_level_errors(
    api_client, regional, organization, contributor
) -> None:
    api_client.force_authenticate(contributor)
    response = api_client.post(
        "/api/statistics/contributions/",
        {
            "dataset": regional.pk,
            "organization": organization.code,
            "file": upload("area,indicator,year,value\nKEN,labour-migrants,2020,x\n"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "line 2" in str(response.json()["file"])
    assert not Contribution.objects.exists()


def test_api_other_organizations_contributions_are_hidden(
    api_client, regional, organization, other_organization, contributor, make_member, tmp_path
) -> None:
    contribution = submit(regional, organization, contributor, write(tmp_path, CHANGE))
    outsider = make_member(Role.CONTRIBUTOR, other_organization, username="outsider")
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/statistics/contributions/{contribution.pk}/").status_code == 404
    assert api_client.get("/api/statistics/contributions/").json()["count"] == 0


def test_api_anonymous_cannot_contribute(api_client, regional, organization) -> None:
    response = api_client.post(
        "/api/statistics/contributions/",
        {"dataset": regional.pk, "organization": organization.code, "file": upload(CHANGE)},
        format="multipart",
    )
    assert response.status_code in (401, 403)

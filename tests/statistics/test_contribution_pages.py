"""The contribution pages as an office and a reviewer use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from migration_hub.accounts.choices import Role
from migration_hub.statistics.models import Contribution, Observation

from .conftest import CHANGE

pytestmark = pytest.mark.django_db


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("kenya.csv", text.encode(), content_type="text/csv")


def send(client, regional, organization, text: str):
    return client.post(
        "/statistics/contributions/new/",
        {"dataset": regional.pk, "organization": organization.pk, "file": upload(text)},
    )


def test_office_sends_figures_and_reviewer_approves(
    client, regional, organization, contributor, reviewer
) -> None:
    client.force_login(contributor)
    page = client.get("/statistics/contributions/new/")
    assert page.status_code == 200
    assert regional.title in page.content.decode()
    response = send(client, regional, organization, CHANGE)
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    detail = client.get(response.url).content.decode()
    assert "Added: 1, changed: 1, unchanged: 1." in detail
    assert "Approve and merge" not in detail  # not a reviewer

    client.force_login(reviewer)
    detail = client.get(response.url).content.decode()
    assert "Approve and merge" in detail
    approved = client.post(response.url, {"approve": "1", "note": ""})
    assert approved.status_code == 302
    assert Observation.objects.get(dataset=regional, area="404", year=2020).value == 1100000
    contribution.refresh_from_db()
    assert contribution.status == "approved"


def test_bad_file_lists_the_rows_to_fix_and_keeps_nothing(
    client, regional, organization, contributor
) -> None:
    client.force_login(contributor)
    response = send(
        client, regional, organization, "area,indicator,year,value\nKenia,labour-migrants,2020,1\n"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "line 2" in body
    assert "did you mean Kenya" in body
    assert not Contribution.objects.exists()


def test_reject_without_a_reason_is_refused(
    client, regional, organization, contributor, reviewer
) -> None:
    client.force_login(contributor)
    url = send(client, regional, organization, CHANGE).url
    client.force_login(reviewer)
    response = client.post(url, {"reject": "1", "note": ""})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert Contribution.objects.get().status == "submitted"


def test_pages_need_sign_in_and_hide_other_organizations(
    client, regional, organization, other_organization, contributor, make_member
) -> None:
    assert client.get("/statistics/contributions/").status_code == 302
    client.force_login(contributor)
    url = send(client, regional, organization, CHANGE).url
    outsider = make_member(Role.CONTRIBUTOR, other_organization, username="outsider")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert "kenya.csv" not in client.get("/statistics/contributions/").content.decode()


def test_viewer_cannot_open_the_form(client, viewer) -> None:
    client.force_login(viewer)
    assert client.get("/statistics/contributions/new/").status_code == 403


def test_list_filters_and_exports(client, regional, organization, contributor, reviewer) -> None:
    client.force_login(contributor)
    send(client, regional, organization, CHANGE)
    client.force_login(reviewer)
    page = client.get("/statistics/contributions/", {"status": "submitted"}).content.decode()
    assert "kenya.csv" in page
    assert (
        "kenya.csv"
        not in client.get("/statistics/contributions/", {"status": "approved"}).content.decode()
    )
    export = client.get("/statistics/contributions/", {"export": "csv"})
    assert export.status_code == 200
    lines = b"".join(export.streaming_content if export.streaming else [export.content]).decode()
    assert "kenya.csv" in lines and "submitted" in lines

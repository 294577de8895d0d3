"""The pledge pages through the Django test client: who may read and write, making a pledge and
reporting its status (bad input kept and shown, nothing written), the list's filters and
exports, and the dashboard's figures."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from migration_hub.core.choices import Role
from migration_hub.reviews import services
from migration_hub.reviews.choices import CycleKind, PledgeStatus, ReviewLevel
from migration_hub.reviews.models import Pledge, PledgeUpdate

pytestmark = pytest.mark.django_db

LIST = reverse("reviews:pledge_list")
DASHBOARD = reverse("reviews:pledge_dashboard")
CREATE = reverse("reviews:pledge_create")


@pytest.fixture
def pledges(focal_point, organization, countries, objectives, cycles):
    """Three pledges of the ministry: two for the 2022 IMRF (one of them fulfilled since), one
    for the 2026 IMRF."""
    imrf_2022 = cycles[(CycleKind.IMRF, 2022, "")]
    imrf_2026 = cycles[(CycleKind.IMRF, 2026, "")]
    made = [
        services.create_pledge(
            focal_point,
            organization=organization,
            cycle=imrf_2022,
            title="Bilateral labour agreements with three countries",
            entity_name="Kenya",
            level=ReviewLevel.NATIONAL,
            country=countries["KEN"],
            objectives=[5, 6],
            due_year=2025,
        ),
        services.create_pledge(
            focal_point,
            organization=organization,
            cycle=imrf_2022,
            title="End child immigration detention",
            entity_name="Kenya",
            level=ReviewLevel.NATIONAL,
            country=countries["KEN"],
            objectives=[13],
        ),
        services.create_pledge(
            focal_point,
            organization=organization,
            cycle=imrf_2026,
            title="A city welcome centre",
            entity_name="Nairobi",
            level=ReviewLevel.LOCAL,
            country=countries["KEN"],
            objectives=[15, 16],
        ),
    ]
    services.update_pledge_status(
        focal_point, made[0], cycle=imrf_2026, status=PledgeStatus.FULFILLED, note="Signed."
    )
    return made


def pledge_form(organization, cycle, **overrides):
    data = {
        "organization": organization.pk,
        "cycle": cycle.pk,
        "title": "Regular pathways for 10,000 workers",
        "entity_name": "Kenya",
        "level": ReviewLevel.NATIONAL,
        "country": "KEN",
        "objectives": ["5", "18"],
        "due_year": "2030",
        "description": "Through bilateral agreements.",
    }
    data.update(overrides)
    return data


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pledge_list", "pledge_dashboard", "pledge_create"])
def test_anonymous_people_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name if ":" in name else f"reviews:{name}"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_anonymous_people_cannot_open_a_pledge(client, pledges):
    response = client.get(pledges[0].get_absolute_url())
    assert response.status_code == 302


def test_a_viewer_reads_pledges_but_cannot_make_or_update_them(client_for, viewer, pledges):
    client = client_for(viewer)
    assert client.get(LIST).status_code == 200
    assert client.get(DASHBOARD).status_code == 200
    response = client.get(pledges[0].get_absolute_url())
    assert response.status_code == 200
    assert 'id="update-heading"' not in response.content.decode()
    assert client.get(CREATE).status_code == 403
    status_url = reverse("reviews:pledge_status", kwargs={"pk": pledges[0].pk})
    before = PledgeUpdate.objects.count()
    response = client.post(status_url, {"status": "withdrawn", "cycle": pledges[0].cycle_id})
    assert response.status_code == 403
    assert PledgeUpdate.objects.count() == before


def test_a_writer_of_another_organization_cannot_update_the_pledge(
    client_for, make_member, other_organization, pledges
):
    other = make_member(Role.CONTRIBUTOR, other_organization, username="other-writer")
    client = client_for(other)
    pledge = pledges[1]
    response = client.post(
        reverse("reviews:pledge_status", kwargs={"pk": pledge.pk}),
        {"status": PledgeStatus.FULFILLED, "cycle": pledge.cycle_id},
    )
    assert response.status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ANNOUNCED


def test_an_unknown_pledge_is_404(client_for, viewer):
    assert (
        client_for(viewer).get(reverse("reviews:pledge_detail", args=[999999])).status_code == 404
    )


# --- Making a pledge ---------------------------------------------------------------------------


def test_a_focal_point_makes_a_pledge(
    client_for, focal_point, organization, countries, objectives, imrf_2026
):
    client = client_for(focal_point)
    page = client.get(CREATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Objective 23" in html
    assert f'value="{organization.pk}" selected' in html  # the only organization offered

    response = client.post(CREATE, pledge_form(organization, imrf_2026))
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == pledge.get_absolute_url()
    assert pledge.organization == organization
    assert pledge.country == countries["KEN"]
    assert sorted(pledge.objectives.values_list("code", flat=True)) == ["GCM-O18", "GCM-O5"]
    assert pledge.due_year == 2030
    assert pledge.updates.count() == 1

    html = client.get(response["Location"]).content.decode()
    assert "Regular pathways for 10,000 workers" in html
    assert "Pledge recorded." in html
    assert 'id="update-heading"' in html


def test_bad_input_is_shown_and_nothing_is_written(
    client_for, focal_point, organization, other_organization, objectives, imrf_2026, countries
):
    client = client_for(focal_point)
    response = client.post(CREATE, pledge_form(organization, imrf_2026, objectives=[], title=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Choose at least one GCM objective." in html
    assert "Through bilateral agreements." in html  # what was typed is kept
    # Another organization's name cannot be used.
    response = client.post(CREATE, pledge_form(other_organization, imrf_2026))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(CREATE, pledge_form(organization, imrf_2026, objectives=["24"]))
    assert response.status_code == 400
    assert Pledge.objects.count() == 0


# --- Reporting its status ----------------------------------------------------------------------


def test_the_pledging_organization_reports_its_status(client_for, focal_point, pledges, cycles):
    client = client_for(focal_point)
    pledge = pledges[1]
    url = reverse("reviews:pledge_status", kwargs={"pk": pledge.pk})
    imrf_2026 = cycles[(CycleKind.IMRF, 2026, "")]
    response = client.post(
        url, {"status": PledgeStatus.IN_PROGRESS, "cycle": imrf_2026.pk, "note": "Half done."}
    )
    assert response.status_code == 302
    assert response["Location"] == pledge.get_absolute_url()
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.IN_PROGRESS
    html = client.get(pledge.get_absolute_url()).content.decode()
    assert 'data-status="in_progress"' in html
    history = html.split('id="pledge-history"', 1)[1].split("</table>", 1)[0]
    assert history.count("<tr>") == 3  # the header, announced, in progress
    assert "Half done." in history
    assert client.get(url).status_code == 302  # a GET goes to the pledge


def test_a_status_before_the_pledges_cycle_is_refused(client_for, focal_point, pledges, cycles):
    client = client_for(focal_point)
    pledge = pledges[2]  # made for 2026
    earlier = cycles[(CycleKind.IMRF, 2022, "")]
    response = client.post(
        reverse("reviews:pledge_status", kwargs={"pk": pledge.pk}),
        {"status": PledgeStatus.FULFILLED, "cycle": earlier.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        reverse("reviews:pledge_status", kwargs={"pk": pledge.pk}),
        {"status": "done", "cycle": pledge.cycle_id},
    )
    assert response.status_code == 400
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ANNOUNCED
    assert pledge.updates.count() == 1


# --- List, exports, dashboard ------------------------------------------------------------------


def test_the_list_filters_paginates_and_stays_within_its_query_budget(
    client_for, viewer, pledges, django_assert_max_num_queries
):
    client = client_for(viewer)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for pledge in pledges:
        assert pledge.get_absolute_url() in html
    assert "3 results" in html
    html = client.get(LIST, {"status": PledgeStatus.FULFILLED}).content.decode()
    assert "1 result" in html
    assert pledges[0].title in html
    assert pledges[1].title not in html
    html = client.get(LIST, {"cycle": "2026", "level": "local"}).content.decode()
    assert "1 result" in html
    assert pledges[2].title in html
    html = client.get(LIST, {"objective": "13", "country": "ken"}).content.decode()
    assert "1 result" in html
    assert pledges[1].title in html
    response = client.get(LIST, {"objective": "24"})
    assert "0 results" in response.content.decode()
    partial = client.get(LIST, {"q": "welcome"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert pledges[2].title in partial.content.decode()


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
def test_the_list_exports(client_for, viewer, pledges, export_format):
    response = client_for(viewer).get(LIST, {"export": export_format})
    assert response.status_code == 200
    assert f"pledges.{export_format}" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if export_format == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    elif export_format == "json":
        rows = json.loads(content)
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        header, *values = list(sheet.values)
        rows = [dict(zip(header, row, strict=True)) for row in values]
    assert len(rows) == 3
    first = next(row for row in rows if row["Title"] == pledges[0].title)
    assert first["GCM objectives"] == "GCM-O5, GCM-O6"
    assert first["Status"] == PledgeStatus.FULFILLED
    assert str(first["Cycle year"]) == "2022"


def test_the_dashboard_counts_pledges(client_for, viewer, pledges):
    html = client_for(viewer).get(DASHBOARD).content.decode()
    assert 'id="total-pledges"' in html
    total = html.split('id="total-pledges"', 1)[1].split("</li>", 1)[0]
    assert ">3<" in total
    fulfilled = html.split('id="fulfilled-pledges"', 1)[1].split("</li>", 1)[0]
    assert ">1<" in fulfilled

    def row(table: str, key: str) -> str:
        part = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
        return part.split(f'data-key="{key}"', 1)[1].split("</tr>", 1)[0]

    assert '<td class="num">2</td>' in row("by-status", "announced")
    assert '<td class="num">1</td>' in row("by-status", "fulfilled")
    assert '<td class="num">1</td>' in row("by-objective", "5")
    assert '<td class="num">0</td>' in row("by-objective", "1")
    assert '<td class="num">2</td>' in row("by-cycle", "2022")
    assert '<td class="num">1</td>' in row("by-cycle", "2026")


def test_the_dashboard_follows_the_filters(client_for, viewer, pledges):
    html = client_for(viewer).get(DASHBOARD, {"status": PledgeStatus.FULFILLED}).content.decode()
    total = html.split('id="total-pledges"', 1)[1].split("</li>", 1)[0]
    assert ">1<" in total
    html = client_for(viewer).get(DASHBOARD, {"cycle": "2022"}).content.decode()
    total = html.split('id="total-pledges"', 1)[1].split("</li>", 1)[0]
    assert ">2<" in total

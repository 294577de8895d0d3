# ruff: noqa: F811  (each test takes the imported `hub` fixture as an argument)
"""The Connection Hub's pages: public lists with filters and exports, a demand with its ranked
offers and experts and the steps its status allows, the forms, and who may do what."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from migration_hub.knowledge.choices import DemandStatus, ResourceKind
from migration_hub.knowledge.models import Demand, Offer, Resource
from migration_hub.knowledge.services import connection

# `hub` is the services tests' fixture, shared by importing it.
from .test_connection import NEED, hub, offer_by, post  # noqa: F401


def detail(demand: Demand) -> str:
    return reverse("knowledge:demand_detail", kwargs={"pk": demand.pk})


def step(name: str, demand: Demand) -> str:
    return reverse(f"knowledge:demand_{name}", kwargs={"pk": demand.pk})


# --- lists --------------------------------------------------------------------------------------


def test_the_demand_list_is_public_with_filters(client, hub, django_assert_max_num_queries):
    first = post(hub)
    second = post(hub, title="Remittance costs", need="Fees", objectives=[20], country="UGA")
    connection.close_demand(hub.writer, second, reason="Solved")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("knowledge:demand_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert first.title in text and "Remittance costs" in text
    assert "Sign in to post a demand" in text
    assert text.count("Export this list:") == 1  # one set of links, keeping the filters

    def titles(query: str) -> list[str]:
        page = client.get(reverse("knowledge:demand_list") + query)
        return [demand.title for demand in page.context["object_list"]]

    assert titles("?status=closed") == ["Remittance costs"]
    assert titles("?objective=GCM-O10") == [first.title]
    assert titles("?country=UGA") == ["Remittance costs"]
    assert titles("?q=remittance") == ["Remittance costs"]
    assert titles("?status=nonsense") == []  # an invalid filter shows its error, not every row


def test_the_demand_list_exports_csv_and_json(client, hub):
    demand = post(hub)
    response = client.get(reverse("knowledge:demand_list") + "?export=csv&status=open")
    assert response.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [(row["id"], row["objectives"]) for row in rows] == [(str(demand.pk), "10")]
    response = client.get(reverse("knowledge:demand_list") + "?export=json")
    assert response.json()[0]["themes"] == ["MIGOF-TA-05"]


def test_the_offer_list_filters_by_country_covered(client, hub):
    kenya = offer_by(hub)
    anywhere = offer_by(hub, title="Anywhere", countries=[])
    offer_by(hub, title="Peru only", countries=["PER"])
    response = client.get(reverse("knowledge:offer_list") + "?country=KEN")
    assert response.status_code == 200
    assert set(response.context["object_list"]) == {kenya, anywhere}
    assert "Every country" in response.content.decode()


# --- one demand ---------------------------------------------------------------------------------


def test_the_demand_page_ranks_offers_and_experts_with_reasons(client, hub):
    demand = post(hub)
    offer = offer_by(hub)
    response = client.get(detail(demand))
    assert response.status_code == 200
    text = response.content.decode()
    assert [match.item for match in response.context["offers"]] == [offer]
    assert [match.item for match in response.context["experts"]] == [hub.expert]
    assert "Why this offer:" in text and "Covers Kenya" in text
    assert "Why this expert:" in text and "Speaks English" in text
    assert "Match with this offer" not in text  # anonymous people see no action
    client.force_login(hub.writer)
    text = client.get(detail(demand)).content.decode()
    assert "Match with this offer" in text and "Match with this expert" in text
    assert "Close the demand" in text


def test_html_in_a_demand_is_shown_as_text(client, hub):
    demand = post(hub, title="<script>alert(1)</script>Training", need="<b>bold</b> need")
    text = client.get(detail(demand)).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Training" in text
    assert "&lt;b&gt;bold&lt;/b&gt; need" in text
    listing = client.get(reverse("knowledge:demand_list")).content.decode()
    assert "<script>alert(1)" not in listing


def test_a_demand_is_seen_through_to_a_practice_in_pages(
    client, hub, mailoutbox, django_capture_on_commit_callbacks
):
    demand = post(hub)
    offer = offer_by(hub)
    client.force_login(hub.writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step("match", demand), {"version": 1, "offer": offer.pk})
    assert response.status_code == 302
    response = client.post(step("match", demand), {"version": 2, "expert": hub.expert.pk})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert (demand.status, demand.matched_offer, demand.matched_expert) == (
        DemandStatus.MATCHED,
        offer,
        hub.expert,
    )
    response = client.post(step("start", demand), {"version": 3}, follow=True)
    assert "The work has started." in response.content.decode()
    response = client.post(step("outcome", demand), {"version": 4, "outcome": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(
        step("outcome", demand), {"version": 4, "outcome": "120 officials trained."}, follow=True
    )
    text = response.content.decode()
    assert "Outcome reported: the demand is completed." in text
    assert "120 officials trained." in text
    assert 'data-status="completed"' in text
    assert "Turn the outcome into a practice" in text
    response = client.post(step("practice", demand), {"version": 5})
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == resource.get_absolute_url()
    assert resource.kind == ResourceKind.PRACTICE
    text = client.get(detail(demand)).content.decode()
    assert "Written up as a practice:" in text
    assert "Turn the outcome into a practice" not in text
    assert sorted(address for message in mailoutbox for address in message.to) == sorted(
        [hub.writer.email, hub.partner_writer.email]
    )


def test_reporting_an_outcome_before_the_match_is_refused_on_the_page(client, hub):
    demand = post(hub)
    client.force_login(hub.writer)
    response = client.post(step("outcome", demand), {"version": 1, "outcome": "Done."})
    assert response.status_code == 400
    assert (
        "The outcome cannot be reported before the demand is matched with an offer or an expert."
        in response.content.decode()
    )
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN


def test_closing_needs_a_reason_and_a_stale_page_is_refused(client, hub):
    demand = post(hub)
    client.force_login(hub.writer)
    response = client.post(step("close", demand), {"version": 1, "reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    connection.match_demand(hub.writer, demand, expert=hub.expert)  # someone else, meanwhile
    response = client.post(step("close", demand), {"version": 1, "reason": "No longer needed"})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    response = client.post(step("close", demand), {"version": 2, "reason": "No longer needed"})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == DemandStatus.CLOSED
    text = client.get(detail(demand)).content.decode()
    assert "Why the demand was closed" in text and "No longer needed" in text


def test_who_may_take_the_steps(client, hub):
    demand = post(hub)
    response = client.post(step("match", demand), {"version": 1, "expert": hub.expert.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for outsider in (hub.partner_writer, hub.viewer):
        client.force_login(outsider)
        response = client.post(step("match", demand), {"version": 1, "expert": hub.expert.pk})
        assert response.status_code == 403
        assert (
            client.get(reverse("knowledge:demand_edit", kwargs={"pk": demand.pk})).status_code
            == 403
        )
    client.force_login(hub.writer)
    response = client.post(step("match", demand), {"version": 1, "expert": hub.hidden.pk})
    assert response.status_code == 400  # an unlisted expert cannot be chosen
    response = client.post(step("match", demand), {"version": 1})
    assert response.status_code == 400
    assert "Name the offer or the expert" in response.content.decode()
    assert client.get(reverse("knowledge:demand_detail", kwargs={"pk": 999999})).status_code == 404
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN


# --- the forms ----------------------------------------------------------------------------------


def test_post_a_demand_with_the_form(client, hub):
    url = reverse("knowledge:demand_create")
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(hub.viewer)
    assert client.get(url).status_code == 403
    client.force_login(hub.writer)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["organization"] == hub.ministry
    response = client.post(
        url,
        {
            "organization": hub.ministry.pk,
            "title": "",
            "need": NEED,
            "country": "XXX",
            "language": "en",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was saved" in text
    assert not Demand.objects.exists()
    response = client.post(
        url,
        {
            "organization": hub.ministry.pk,
            "title": "Training on trafficking screening",
            "need": NEED,
            "objectives": [hub.objectives[10].pk],
            "themes": [hub.themes[5].pk],
            "country": "KEN",
            "language": "en",
            "deadline": "2999-01-01",
        },
        follow=True,
    )
    demand = Demand.objects.get()
    assert response.redirect_chain[-1][0] == detail(demand)
    assert "Demand posted." in response.content.decode()
    assert demand.created_by == hub.writer


def test_edit_a_demand_with_the_version_seen(client, hub):
    demand = post(hub)
    url = reverse("knowledge:demand_edit", kwargs={"pk": demand.pk})
    client.force_login(hub.writer)
    form = client.get(url).context["form"]
    assert form.initial["version"] == 1
    data = {
        "version": 1,
        "title": "New title",
        "need": NEED,
        "objectives": [hub.objectives[10].pk],
        "country": "KEN",
        "language": "fr",
    }
    connection.update_demand(
        hub.writer, demand, expected_version=1, title="Other", need=NEED, country="KEN"
    )
    response = client.post(url, data)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    response = client.post(url, {**data, "version": 2})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert (demand.title, demand.language, demand.version) == ("New title", "fr", 3)


def test_post_and_edit_an_offer(client, hub):
    url = reverse("knowledge:offer_create")
    client.force_login(hub.partner_writer)
    response = client.post(
        url,
        {
            "organization": hub.partner.pk,
            "title": "Peer exchange on labour migration",
            "description": "Study visits.",
            "objectives": [hub.objectives[6].pk],
            "countries": ["KEN", "UGA"],
            "languages": ["en", "fr"],
        },
    )
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == offer.get_absolute_url()
    assert offer.languages == ["en", "fr"]
    page = client.get(offer.get_absolute_url())
    assert page.status_code == 200 and "Edit the offer" in page.content.decode()
    edit = reverse("knowledge:offer_edit", kwargs={"pk": offer.pk})
    response = client.post(
        edit, {"version": 1, "title": offer.title, "description": "Study visits.", "active": ""}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.active is False
    assert "This offer has been withdrawn." in client.get(offer.get_absolute_url()).content.decode()
    client.force_login(hub.writer)
    assert client.get(edit).status_code == 403
    assert "Edit the offer" not in client.get(offer.get_absolute_url()).content.decode()


@pytest.mark.parametrize("name", ["demand_list", "offer_list", "demand_create", "offer_create"])
def test_pages_render_in_arabic(client, hub, name):
    client.force_login(hub.writer)
    response = client.get(
        reverse(name if ":" in name else f"knowledge:{name}"), HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 200


def test_the_demand_page_reads_a_fixed_number_of_queries(
    client, hub, django_assert_max_num_queries
):
    demand = post(hub)
    client.force_login(hub.writer)
    offer_by(hub)
    with django_assert_max_num_queries(60) as few:
        client.get(detail(demand))
    for number in range(8):
        offer_by(hub, title=f"Training number {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail(demand))
    assert len(response.context["offers"]) == 9

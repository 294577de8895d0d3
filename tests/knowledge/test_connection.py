"""The Connection Hub's services: posting demands and offers, ranking offers and experts with
reasons, and a demand's workflow with its e-mails, audit trail and version checks."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.core.choices import AuditAction, Role
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError
from migration_hub.knowledge.choices import DemandStatus, ResourceKind, ResourceStatus
from migration_hub.knowledge.models import Demand, Offer, Resource
from migration_hub.knowledge.services import connection, experts
from migration_hub.knowledge.services import resources as resource_services

from ..factories import OrganizationFactory, UserFactory

NEED = (
    "Our ministry needs training for border officials on screening and referral of "
    "trafficking victims, and a referral mechanism with shelters."
)


@pytest.fixture
def hub(db, countries, objectives, themes, organization, other_organization, make_member):
    """A ministry (HOME, in Kenya) asking, a partner (OTHER) offering, and three experts."""
    organization.country = countries["KEN"]
    organization.save()
    ministry_writer = make_member(Role.CONTRIBUTOR, organization, username="ministry-writer")
    ministry_viewer = make_member(Role.VIEWER, organization, username="ministry-viewer")
    partner_writer = make_member(Role.EDITOR, other_organization, username="partner-writer")
    expert_user = UserFactory(username="expert-anna", first_name="Anna", last_name="Okafor")
    expert = experts.save_profile(
        None,
        user=expert_user,
        display_name="Anna Okafor",
        headline="Counter-trafficking trainer",
        bio="I train border officials on screening and referral of trafficking victims.",
        objectives=[objectives[10]],
        themes=[themes[5]],
        languages=["en", "fr"],
        countries=["KEN"],
        opted_in=True,
    )
    # Listed, works on the same objective, but a member of the requesting ministry.
    insider = make_member(Role.VIEWER, organization, username="insider")
    insider_profile = experts.save_profile(
        None,
        user=insider,
        display_name="Ministry Insider",
        bio="Trafficking victims referral.",
        objectives=[objectives[10]],
        languages=["en"],
        opted_in=True,
    )
    # Works on the objective but never opted in.
    hidden = experts.save_profile(
        None,
        user=UserFactory(username="hidden-expert"),
        display_name="Hidden Expert",
        objectives=[objectives[10]],
        opted_in=False,
    )
    # Shares only the language and the country: no match.
    linguist = experts.save_profile(
        None,
        user=UserFactory(username="linguist"),
        display_name="Only Speaks English",
        bio="Urban planning and housing.",
        languages=["en"],
        countries=["KEN"],
        opted_in=True,
    )
    return SimpleNamespace(
        ministry=organization,
        partner=other_organization,
        writer=ministry_writer,
        viewer=ministry_viewer,
        partner_writer=partner_writer,
        expert=expert,
        insider=insider_profile,
        hidden=hidden,
        linguist=linguist,
        kenya=countries["KEN"],
        objectives=objectives,
        themes=themes,
    )


def events_for(obj):
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
    ).order_by("created_at", "id")


def post(hub, **changes):
    values = {
        "organization": hub.ministry,
        "title": "Training on trafficking screening at borders",
        "need": NEED,
        "objectives": [10],
        "themes": ["MIGOF-TA-05"],
        "country": "KEN",
        "deadline": timezone.localdate() + timedelta(days=90),
        "language": "en",
    }
    values.update(changes)
    return connection.post_demand(hub.writer, **values)


def offer_by(hub, **changes):
    values = {
        "organization": hub.partner,
        "title": "Counter-trafficking training for border officials",
        "description": "Two-week training on screening and referral of trafficking victims.",
        "objectives": [hub.objectives[10]],
        "themes": [hub.themes[5]],
        "countries": ["KEN", "UGA"],
        "languages": ["en"],
    }
    values.update(changes)
    return connection.post_offer(hub.partner_writer, **values)


# --- posting ------------------------------------------------------------------------------------


def test_post_demand_opens_it_with_its_tags_and_audits(hub):
    demand = post(hub)
    assert demand.status == DemandStatus.OPEN
    assert demand.version == 1
    assert [item.code for item in demand.objectives.all()] == ["GCM-O10"]
    assert [item.code for item in demand.themes.all()] == ["MIGOF-TA-05"]
    assert demand.country == hub.kenya
    assert demand.created_by == hub.writer
    event = events_for(demand).get(action=AuditAction.CREATE)
    assert event.actor == hub.writer
    assert event.organization_ref == str(hub.ministry.pk)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required."),
        ({"need": ""}, "need", "This field is required."),
        ({"title": "x" * 301}, "title", "at most 300 characters"),
        ({"country": "XXX"}, "country", "Choose a country"),
        ({"country": ""}, "country", "Choose a country"),
        ({"objectives": [24]}, "objectives", "Unknown codes: GCM-O24"),
        ({"objectives": ["MIGOF-TA-05"]}, "objectives", "Unknown codes"),
        ({"themes": [99]}, "themes", "Unknown codes: MIGOF-TA-99"),
        ({"language": "de"}, "language", "UN languages"),
        ({"deadline": timezone.localdate() - timedelta(days=1)}, "deadline", "has passed"),
        ({"need": "a\x00b"}, "need", "null character"),
    ],
)
def test_post_demand_refuses_bad_input_naming_the_field(hub, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        post(hub, **changes)
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert not Demand.objects.exists()


def test_only_states_local_governments_and_networks_post_demands(hub, make_member):
    ngo = OrganizationFactory(code="NGO1", name="An NGO", kind=OrganizationKind.NGO)
    writer = make_member(Role.CONTRIBUTOR, ngo, username="ngo-writer")
    with pytest.raises(ValidationError) as caught:
        connection.post_demand(
            writer, organization=ngo, title="Help", need="Help us", country="KEN"
        )
    assert "states, local governments and networks" in caught.value.message_dict["organization"][0]
    network = OrganizationFactory(kind=OrganizationKind.NETWORK_SECRETARIAT)
    writer = make_member(Role.EDITOR, network, username="network-writer")
    demand = connection.post_demand(
        writer, organization=network, title="Peer exchange", need="Peer exchange", country="KE"
    )
    assert demand.country == hub.kenya


def test_a_viewer_or_another_organizations_writer_cannot_post_for_the_ministry(hub):
    with pytest.raises(PermissionDenied):
        connection.post_demand(
            hub.viewer, organization=hub.ministry, title="t", need="n", country="KEN"
        )
    with pytest.raises(ValidationError) as caught:
        connection.post_demand(
            hub.partner_writer, organization=hub.ministry, title="t", need="n", country="KEN"
        )
    assert "organization" in caught.value.message_dict
    assert not Demand.objects.exists()


def test_post_offer_checks_its_languages_and_countries(hub):
    offer = offer_by(hub)
    assert offer.languages == ["en"]
    assert sorted(country.alpha3 for country in offer.countries.all()) == ["KEN", "UGA"]
    with pytest.raises(ValidationError) as caught:
        offer_by(hub, languages=["xx"])
    assert "languages" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        offer_by(hub, countries=["ATLANTIS"])
    assert "countries" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        offer_by(hub, description=" ")
    assert "description" in caught.value.message_dict
    assert Offer.objects.count() == 1


# --- ranking ------------------------------------------------------------------------------------


def test_rank_offers_best_first_with_reasons(hub, countries):
    demand = post(hub)
    best = offer_by(hub)
    words_only = offer_by(
        hub,
        title="Referral mechanisms for shelters",
        description="We help set up a referral mechanism between shelters and police.",
        objectives=[],
        themes=[],
        countries=[],
        languages=["fr"],
    )
    elsewhere = offer_by(hub, title="Same training in Peru", countries=["PER"])
    withdrawn = offer_by(hub, title="Withdrawn training")
    Offer.objects.filter(pk=withdrawn.pk).update(active=False)
    unrelated = offer_by(
        hub,
        title="Urban housing",
        description="Housing finance.",
        objectives=[hub.objectives[3]],
        themes=[],
        countries=[],
    )
    own = connection.post_offer(
        hub.writer,
        organization=hub.ministry,
        title="Our own training",
        description="Trafficking screening training.",
        objectives=[10],
    )
    matches = connection.rank_offers(demand)
    assert [match.item for match in matches] == [best, words_only]
    assert matches[0].score > matches[1].score
    assert matches[0].reasons == [
        "Works on objective 10",
        "Works on the thematic area Thematic area 5",
        "Its description mentions “training”, “trafficking”, “screening”, “border”, "
        "“officials”, “referral”, “victims”",
        "Covers Kenya",
        "Works in English",
    ]
    assert "Open to every country" in matches[1].reasons
    assert any("shelters" in reason for reason in matches[1].reasons)
    ranked_items = {match.item for match in matches}
    assert not ranked_items & {elsewhere, withdrawn, unrelated, own}


def test_rank_experts_leaves_out_own_people_unlisted_and_language_only(hub):
    demand = post(hub)
    matches = connection.rank_experts(demand)
    assert [match.item for match in matches] == [hub.expert]
    reasons = matches[0].reasons
    assert "Works on objective 10" in reasons
    assert "Speaks English" in reasons
    assert "Works in Kenya" in reasons
    assert all(match.item not in (hub.insider, hub.hidden, hub.linguist) for match in matches)


def test_ranking_a_demand_sharing_nothing_finds_nothing(hub):
    offer_by(hub)
    demand = post(
        hub, title="Remittance costs", need="Lower remittance fees.", objectives=[20], themes=[]
    )
    assert connection.rank_offers(demand) == []
    assert connection.rank_experts(demand) == []


# --- the workflow -------------------------------------------------------------------------------


def test_a_demand_goes_from_open_to_completed_with_emails_and_audit(
    hub, django_capture_on_commit_callbacks
):
    demand = post(hub)
    offer = offer_by(hub)
    with django_capture_on_commit_callbacks(execute=True):
        demand = connection.match_demand(hub.writer, demand, offer=offer, expert=hub.expert)
    assert demand.status == DemandStatus.MATCHED
    assert (demand.matched_offer, demand.matched_expert) == (offer, hub.expert)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([hub.writer.email, hub.partner_writer.email, hub.expert.user.email])
    assert hub.viewer.email not in recipients  # a viewer does not act for the ministry
    assert mail.outbox[0].subject == (
        "Demand “Training on trafficking screening at borders”: Matched"
    )
    assert "Counter-trafficking training for border officials" in mail.outbox[0].body
    assert demand.get_absolute_url() in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demand = connection.start_work(hub.writer, demand)
    assert demand.status == DemandStatus.IN_PROGRESS
    assert "has started" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demand = connection.report_outcome(
            hub.writer, demand, outcome="120 officials trained; referral SOPs adopted."
        )
    assert demand.status == DemandStatus.COMPLETED
    assert demand.outcome == "120 officials trained; referral SOPs adopted."
    assert "120 officials trained" in mail.outbox[0].body
    assert demand.version == 4

    statuses = [
        event.changes["status"]
        for event in events_for(demand).filter(action=AuditAction.UPDATE)
        if "status" in event.changes
    ]
    assert statuses == [
        ["open", "matched"],
        ["matched", "in_progress"],
        ["in_progress", "completed"],
    ]


def test_outcome_cannot_be_reported_before_the_demand_is_matched(hub):
    demand = post(hub)
    with pytest.raises(ValidationError) as caught:
        connection.report_outcome(hub.writer, demand, outcome="Done.")
    assert caught.value.message_dict["outcome"] == [
        "The outcome cannot be reported before the demand is matched with an offer or an expert."
    ]
    demand.refresh_from_db()
    assert (demand.status, demand.outcome, demand.version) == (DemandStatus.OPEN, "", 1)


def test_outcome_needs_the_work_started_and_a_report(hub):
    demand = connection.match_demand(hub.writer, post(hub), expert=hub.expert)
    with pytest.raises(ValidationError, match="Start the work before reporting"):
        connection.report_outcome(hub.writer, demand, outcome="Done.")
    demand = connection.start_work(hub.writer, demand)
    with pytest.raises(ValidationError) as caught:
        connection.report_outcome(hub.writer, demand, outcome="   ")
    assert "outcome" in caught.value.message_dict
    demand.refresh_from_db()
    assert demand.status == DemandStatus.IN_PROGRESS


def test_matching_needs_an_offer_or_an_expert_that_can_answer(hub):
    demand = post(hub)
    with pytest.raises(ValidationError, match="Name the offer or the expert"):
        connection.match_demand(hub.writer, demand)
    own = connection.post_offer(
        hub.writer, organization=hub.ministry, title="Ours", description="Ours"
    )
    with pytest.raises(ValidationError, match="its own offer"):
        connection.match_demand(hub.writer, demand, offer=own)
    withdrawn = offer_by(hub)
    Offer.objects.filter(pk=withdrawn.pk).update(active=False)
    withdrawn.refresh_from_db()
    with pytest.raises(ValidationError, match="withdrawn"):
        connection.match_demand(hub.writer, demand, offer=withdrawn)
    with pytest.raises(ValidationError, match="not listed"):
        connection.match_demand(hub.writer, demand, expert=hub.hidden)
    with pytest.raises(ValidationError, match="before starting the work"):
        connection.start_work(hub.writer, demand)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN


def test_close_from_any_open_state_with_a_reason(hub, django_capture_on_commit_callbacks):
    demand = post(hub)
    with pytest.raises(ValidationError) as caught:
        connection.close_demand(hub.writer, demand, reason=" ")
    assert "reason" in caught.value.message_dict
    demand = connection.start_work(
        hub.writer, connection.match_demand(hub.writer, demand, expert=hub.expert)
    )
    with django_capture_on_commit_callbacks(execute=True):
        demand = connection.close_demand(
            hub.writer, demand, reason="The ministry found funding elsewhere."
        )
    assert demand.status == DemandStatus.CLOSED
    assert demand.outcome == "The ministry found funding elsewhere."
    assert "found funding elsewhere" in mail.outbox[-1].body
    event = events_for(demand).last()
    assert event.metadata == {
        "closed_from": "in_progress",
        "reason": "The ministry found funding elsewhere.",
    }
    for step in (
        lambda: connection.close_demand(hub.writer, demand, reason="again"),
        lambda: connection.match_demand(hub.writer, demand, expert=hub.expert),
        lambda: connection.start_work(hub.writer, demand),
        lambda: connection.report_outcome(hub.writer, demand, outcome="x"),
    ):
        with pytest.raises(ValidationError, match="closed"):
            step()


def test_a_completed_demand_cannot_be_closed_or_reopened(hub):
    demand = connection.start_work(
        hub.writer, connection.match_demand(hub.writer, post(hub), expert=hub.expert)
    )
    demand = connection.report_outcome(hub.writer, demand, outcome="Done.")
    with pytest.raises(ValidationError, match="already completed"):
        connection.close_demand(hub.writer, demand, reason="x")
    with pytest.raises(ValidationError, match="already completed"):
        connection.match_demand(hub.writer, demand, expert=hub.expert)


def test_only_the_ministrys_writers_and_hub_editors_move_a_demand(hub, hub_editor):
    demand = post(hub)
    for outsider in (hub.partner_writer, hub.viewer):
        with pytest.raises(PermissionDenied):
            connection.match_demand(outsider, demand, expert=hub.expert)
    demand = connection.match_demand(hub_editor, demand, expert=hub.expert)
    assert demand.status == DemandStatus.MATCHED


def test_a_stale_version_is_refused_and_nothing_changes(hub):
    demand = post(hub)
    stale = Demand.objects.get(pk=demand.pk)
    connection.match_demand(hub.writer, demand, expert=hub.expert)
    with pytest.raises(ConflictError):
        connection.close_demand(hub.writer, stale, reason="Changed my mind")
    with pytest.raises(ConflictError):
        connection.update_demand(
            hub.writer,
            stale,
            expected_version=1,
            title="New title",
            need=NEED,
            country="KEN",
        )
    demand.refresh_from_db()
    assert (demand.status, demand.title) == (DemandStatus.MATCHED, stale.title)


def test_update_demand_and_offer_with_the_version_seen(hub):
    demand = post(hub)
    demand = connection.update_demand(
        hub.writer,
        demand,
        expected_version=1,
        title="Training for 200 border officials",
        need=NEED,
        objectives=[10, 11],
        themes=[],
        country="UGA",
        language="fr",
    )
    assert demand.version == 2
    assert demand.country.alpha3 == "UGA"
    assert sorted(item.code for item in demand.objectives.all()) == ["GCM-O10", "GCM-O11"]
    event = events_for(demand).last()
    assert event.changes["objectives"] == [["GCM-O10"], ["GCM-O10", "GCM-O11"]]
    offer = offer_by(hub)
    offer = connection.update_offer(
        hub.partner_writer,
        offer,
        expected_version=1,
        title=offer.title,
        description=offer.description,
        active=False,
    )
    assert (offer.version, offer.active) == (2, False)
    with pytest.raises(PermissionDenied):
        connection.update_offer(hub.writer, offer, expected_version=2, title="x", description="y")


def test_outcome_becomes_a_draft_practice_once(hub):
    demand = post(hub)
    with pytest.raises(ValidationError, match="Only a completed demand"):
        connection.outcome_to_practice(hub.writer, demand)
    demand = connection.match_demand(hub.writer, demand, offer=offer_by(hub))
    demand = connection.start_work(hub.writer, demand)
    demand = connection.report_outcome(
        hub.writer, demand, outcome="120 officials trained; referral SOPs adopted."
    )
    resource = connection.outcome_to_practice(hub.writer, demand)
    assert resource.kind == ResourceKind.PRACTICE
    assert resource.status == ResourceStatus.DRAFT
    assert resource.organization == hub.ministry
    assert resource.title == demand.title
    assert "120 officials trained" in resource.summary
    assert "Other Agency for Refugees" in resource.summary
    assert [c.alpha3 for c in resource.countries.all()] == ["KEN"]
    assert [i.code for i in resource.objectives.all()] == ["GCM-O10"]
    assert [i.code for i in resource.themes.all()] == ["MIGOF-TA-05"]
    assert resource.versions.count() == 1
    demand.refresh_from_db()
    assert demand.outcome_resource == resource
    with pytest.raises(ValidationError, match="already been turned into a practice"):
        connection.outcome_to_practice(hub.writer, demand)
    assert Resource.objects.count() == 1


# --- Found in review: no e-mail flood through matches, no draft through a demand --------------


def test_an_expert_hears_of_a_match_once(hub, mailoutbox, django_capture_on_commit_callbacks):
    demand = post(hub)
    offer = offer_by(hub)
    with django_capture_on_commit_callbacks(execute=True):
        demand = connection.match_demand(hub.writer, demand, offer=offer, expert=hub.expert)
        with pytest.raises(ValidationError):  # the same match again changes nothing
            connection.match_demand(hub.writer, demand, offer=offer, expert=hub.expert)
        demand = connection.match_demand(hub.writer, demand, offer=None, expert=hub.expert)
    to_expert = [message for message in mailoutbox if message.to == [hub.expert.user.email]]
    assert len(to_expert) == 1


def test_an_expert_whose_account_is_disabled_cannot_be_matched(hub):
    hub.expert.user.is_active = False
    hub.expert.user.save()
    with pytest.raises(ValidationError) as error:
        connection.match_demand(hub.writer, post(hub), expert=hub.expert)
    assert "not listed" in error.value.message_dict["expert"][0]


def test_a_draft_practice_from_an_outcome_stays_out_of_public_pages(hub, client):
    demand = post(hub)
    demand = connection.match_demand(hub.writer, demand, offer=offer_by(hub))
    demand = connection.start_work(hub.writer, demand)
    demand = connection.report_outcome(hub.writer, demand, outcome="Done.")
    resource = connection.outcome_to_practice(hub.writer, demand)
    resource_services.update_resource(
        hub.writer,
        resource,
        expected_version=resource.version,
        translations={"en": {"title": "Confidential draft title", "summary": "s"}},
    )
    assert client.get(resource.get_absolute_url()).status_code == 404
    page = client.get(f"/hub/connection/demands/{demand.pk}/")
    assert page.status_code == 200 and b"Confidential draft title" not in page.content
    assert client.get(f"/api/knowledge/demands/{demand.pk}/").json()["outcome_resource"] is None
    export = b"".join(client.get("/hub/export/demands.csv").streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(export)))
    assert row["status"] == "completed" and row["outcome_resource"] == ""

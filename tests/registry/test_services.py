"""Editing the registry: a cited source for every change, history, audit, permissions."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from migration_hub.accounts.choices import Role
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.registry import services
from migration_hub.registry.loader import load_reference
from migration_hub.registry.models import Crosswalk, FrameworkItem, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world, reference_dir: Path) -> None:
    load_reference(reference_dir)


def test_an_editor_corrects_a_record_with_a_source_kept_in_history(loaded, editor) -> None:
    iom = Organization.objects.get(code="IOM")
    iom.headquarters_city = "Genève"
    services.save_record(iom, actor=editor, change_source="https://www.iom.int/about-iom")
    latest = iom.history.first()
    assert latest.history_change_reason == "https://www.iom.int/about-iom"
    assert latest.history_user == editor
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("headquarters_city", "Geneva", "Genève")
    ]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(iom.pk))
    assert event.metadata["source"] == "https://www.iom.int/about-iom"
    assert event.changes["headquarters_city"] == ["Geneva", "Genève"]


@pytest.mark.parametrize("citation", ["", "   ", "x"])
def test_a_change_without_a_source_is_refused(loaded, editor, citation: str) -> None:
    iom = Organization.objects.get(code="IOM")
    iom.name = "Renamed"
    with pytest.raises(ValidationError) as error:
        services.save_record(iom, actor=editor, change_source=citation)
    assert "change_source" in error.value.message_dict
    assert Organization.objects.get(code="IOM").name == "International Organization for Migration"


def test_a_viewer_cannot_edit(loaded, viewer) -> None:
    iom = Organization.objects.get(code="IOM")
    iom.name = "Renamed"
    with pytest.raises(PermissionDenied):
        services.save_record(iom, actor=viewer, change_source="https://example.org")
    assert Organization.objects.get(code="IOM").name == "International Organization for Migration"


def test_a_duplicate_code_is_refused_by_the_service(loaded, editor) -> None:
    with pytest.raises(ValidationError) as error:
        services.save_record(
            Organization(code="IOM", name="Copy", kind="ngo", source="x" * 5),
            actor=editor,
            change_source="https://example.org",
        )
    assert "code" in error.value.message_dict


def test_a_crosswalk_closing_a_cycle_is_refused(loaded, make_member, organization) -> None:
    admin = make_member(Role.ADMINISTRATOR, organization)
    items = {item.code: item for item in FrameworkItem.objects.all()}
    with pytest.raises(ValidationError, match="cycle"):
        services.save_record(
            Crosswalk(
                from_item=items["MIGOF-TA-04"],
                to_item=items["GCM-O10"],
                source="https://example.org",
            ),
            actor=admin,
            change_source="https://example.org",
        )
    with pytest.raises(ValidationError, match="two different frameworks"):
        services.save_record(
            Crosswalk(
                from_item=items["GCM-O10"], to_item=items["GCM-O20"], source="https://example.org"
            ),
            actor=admin,
            change_source="https://example.org",
        )
    assert Crosswalk.objects.count() == 2


def test_an_editor_records_a_ratification_from_the_country_page(
    loaded, client, editor, viewer
) -> None:
    from migration_hub.registry.models import Instrument, Participation

    url = "/registry/countries/DEU/participations/new/"
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(editor)
    assert "Record a treaty action" in client.get("/registry/countries/DEU/").content.decode()
    icrmw = Instrument.objects.get(code="ICRMW")
    missing_source = client.post(
        url, {"instrument": icrmw.pk, "action": "ratification", "date": "2020-01-01"}
    )
    assert missing_source.status_code == 400 and "source" in missing_source.context["form"].errors
    future = client.post(
        url,
        {
            "instrument": icrmw.pk,
            "action": "ratification",
            "date": "2999-01-01",
            "source": "https://treaties.un.org",
        },
    )
    assert future.status_code == 400 and "date" in future.context["form"].errors
    duplicate = client.post(
        url, {"instrument": icrmw.pk, "action": "signature", "source": "https://treaties.un.org"}
    )
    assert duplicate.status_code == 400
    assert Participation.objects.filter(country__alpha3="DEU").count() == 1
    saved = client.post(
        url,
        {
            "instrument": icrmw.pk,
            "action": "ratification",
            "date": "2020-01-01",
            "source": "https://treaties.un.org",
        },
    )
    assert saved.status_code == 302
    from migration_hub.core.models import Country
    from migration_hub.registry import selectors

    deu = Country.objects.get(alpha3="DEU")
    gaps = {row.instrument.code: row.status for row in selectors.gap_analysis(deu)}
    assert gaps["ICRMW"] == "party"
    record = Participation.objects.get(country__alpha3="DEU", action="ratification")
    assert record.history.first().history_change_reason == "https://treaties.un.org"


def test_two_editors_on_the_same_version_the_second_gets_a_conflict(
    loaded, client, editor, make_member, organization
) -> None:
    other_editor = make_member(Role.ADMINISTRATOR, organization)
    url = "/registry/organizations/EU/edit/"
    form = {
        "name": "European Union",
        "kind": "union",
        "scope": "regional",
        "version": 1,
        "change_source": "https://european-union.europa.eu",
    }
    client.force_login(editor)
    assert client.post(url, {**form, "headquarters_city": "Brussels"}).status_code == 302
    client.force_login(other_editor)
    response = client.post(url, {**form, "headquarters_city": "Strasbourg"})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    eu = Organization.objects.get(code="EU")
    assert (eu.headquarters_city, eu.version) == ("Brussels", 2)


def test_a_long_cited_source_is_kept_whole(loaded, editor) -> None:
    citation = "https://www.iom.int/about-iom?" + "x" * 200
    iom = Organization.objects.get(code="IOM")
    iom.acronym = "OIM"
    services.save_record(iom, actor=editor, change_source=citation)
    assert iom.history.first().history_change_reason == citation


def test_editors_correct_instruments_rights_and_items_with_a_source(
    loaded, client, editor, viewer
) -> None:
    from migration_hub.registry.models import Instrument, Right

    url = "/registry/instruments/ICRMW/edit/"
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(editor)
    assert client.get("/registry/volcanoes/ICRMW/edit/").status_code == 404
    assert client.get("/registry/instruments/NOPE/edit/").status_code == 404
    page = client.get(url)
    assert page.status_code == 200 and 'name="change_source"' in page.content.decode()
    form = {
        "title": "International Convention on the Protection of the Rights of All Migrant Workers",
        "short_title": "ICRMW",
        "kind": "convention",
        "binding": "on",
        "core_migration": "on",
        "adopted_on": "1990-12-18",
        "entry_into_force_on": "2003-07-01",
        "symbol": "A/RES/45/158",
        "url": "",
        "source": "https://example.org/source",
        "version": 1,
    }
    bad_dates = client.post(
        url, {**form, "entry_into_force_on": "1980-01-01", "change_source": "https://www.ohchr.org"}
    )
    assert bad_dates.status_code == 400
    assert Instrument.objects.get(code="ICRMW").entry_into_force_on is None
    no_source = client.post(url, form)
    assert no_source.status_code == 400 and "change_source" in no_source.context["form"].errors
    saved = client.post(url, {**form, "change_source": "https://www.ohchr.org"})
    assert saved.status_code == 302
    icrmw = Instrument.objects.get(code="ICRMW")
    assert (icrmw.entry_into_force_on.isoformat(), icrmw.version) == ("2003-07-01", 2)
    assert icrmw.history.first().history_change_reason == "https://www.ohchr.org"
    stale = client.post(url, {**form, "symbol": "X", "change_source": "https://www.ohchr.org"})
    assert stale.status_code == 409
    history = client.get("/registry/instruments/ICRMW/history/").content.decode()
    assert "https://www.ohchr.org" in history
    right = client.post(
        "/registry/rights/NON-REFOULEMENT/edit/",
        {
            "name": "Non-refoulement",
            "description": "No return to danger.",
            "source": "https://example.org/s",
            "version": 1,
            "change_source": "https://www.unhcr.org",
        },
    )
    assert (
        right.status_code == 302
        and Right.objects.get(code="NON-REFOULEMENT").description == "No return to danger."
    )

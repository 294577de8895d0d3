import pytest
from django.core.exceptions import ValidationError

from migration_hub.accounts.models import Organization
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent, Country, Region
from migration_hub.core.services import ConflictError, load_countries, update_versioned
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_load_countries_loads_iso_and_m49_and_is_idempotent() -> None:
    first = load_countries()
    assert first.added == 249 + Region.objects.count()
    kenya = Country.objects.select_related("region", "sub_region", "intermediate_region").get(
        alpha3="KEN"
    )
    assert (kenya.alpha2, kenya.m49_code) == ("KE", "404")
    assert kenya.region.name == "Africa" and kenya.region.m49_code == "002"
    assert kenya.sub_region.name == "Sub-Saharan Africa"
    assert kenya.intermediate_region.name == "Eastern Africa"
    assert kenya.official_name == "Republic of Kenya"
    second = load_countries()
    assert (second.added, second.changed) == (0, 0)
    assert Country.objects.count() == 249


def test_load_countries_rejects_a_bad_file_and_changes_nothing(tmp_path) -> None:
    bad = tmp_path / "m49.csv"
    bad.write_text(
        "name,alpha-2,alpha-3,country-code,iso_3166-2,region,sub-region,intermediate-region,"
        "region-code,sub-region-code,intermediate-region-code\n"
        "Kenya,KE,KEN,404,ISO 3166-2:KE,Africa,Sub-Saharan Africa,Eastern Africa,002,202,014\n"
        "Broken,XXX,KE,,,,,,,,\n"
    )
    with pytest.raises(ValidationError, match="line 3"):
        load_countries(path=bad)
    assert Country.objects.count() == 0


def test_update_versioned_writes_and_audits_before_and_after() -> None:
    actor = UserFactory()
    organization = OrganizationFactory(name="Old name")
    updated = update_versioned(
        organization, actor=actor, expected_version=1, changes={"name": "New name"}
    )
    assert (updated.name, updated.version) == ("New name", 2)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == actor and event.target_id == str(organization.pk)
    assert event.changes["name"] == ["Old name", "New name"]
    assert event.changes["version"] == [1, 2]


def test_stale_version_raises_conflict_and_overwrites_nothing() -> None:
    actor = UserFactory()
    organization = OrganizationFactory(name="Original")
    update_versioned(organization, actor=actor, expected_version=1, changes={"name": "First"})
    with pytest.raises(ConflictError, match="changed by someone else"):
        update_versioned(organization, actor=actor, expected_version=1, changes={"name": "Second"})
    organization.refresh_from_db()
    assert (organization.name, organization.version) == ("First", 2)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_invalid_change_names_the_field_and_writes_nothing() -> None:
    organization = OrganizationFactory(name="Valid")
    with pytest.raises(ValidationError) as error:
        update_versioned(
            organization, actor=None, expected_version=1, changes={"website": "not a url"}
        )
    assert "website" in error.value.message_dict
    organization.refresh_from_db()
    assert organization.version == 1
    assert not AuditEvent.objects.exists()


def test_unknown_field_is_refused() -> None:
    organization = OrganizationFactory()
    with pytest.raises(ValidationError) as error:
        update_versioned(organization, actor=None, expected_version=1, changes={"colour": "red"})
    assert "colour" in error.value.message_dict
    assert Organization.objects.get(pk=organization.pk).version == 1

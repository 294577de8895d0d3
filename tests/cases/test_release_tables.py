"""Release tables of case management (`cases.release_tables`): only cases of persons whose
consent to statistical use is in force, attributes from public code lists, persons named by
their public id (requirements ST-02 and ST-04)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pycountry
import pytest
from django.utils import timezone

from migration_hub.cases import release_tables, services
from migration_hub.cases.choices import CaseType, ConsentPurpose, ProtectionService, Sex
from migration_hub.cases.models import Case, Consent
from migration_hub.statistics import releases

from .conftest import person_data

CT = CaseType.COUNTER_TRAFFICKING


def open_case(world: SimpleNamespace, *, consent: bool = True, **person: Any) -> Case:
    """A counter-trafficking case of HOME opened by cw1 (no documents, so no duplicates)."""
    case_type = person.pop("case_type", CT)
    actor = person.pop("actor", world.cw1)
    case = services.open_case(
        actor=actor, case_type=case_type, person=person_data(documents=[], **person)
    )
    if consent:
        child = case.person.is_child_on(timezone.localdate())
        services.record_consent(
            actor=actor,
            person=case.person,
            purpose=ConsentPurpose.STATISTICS,
            child_assent=True if child else None,
            guardian_name="A guardian" if child else "",
        )
    return case


def birth_date_for_age(age: int, *, birthday_tomorrow: bool = False) -> str:
    """A date of birth giving `age` completed years today (the opening day of a new case),
    or, with `birthday_tomorrow`, one turning `age` tomorrow (so `age - 1` today)."""
    today = timezone.localdate()
    day = today + datetime.timedelta(days=1) if birthday_tomorrow else today
    if (day.month, day.day) == (2, 29):
        day = day + datetime.timedelta(days=1)
    return day.replace(year=day.year - age).isoformat()


def by_person(records: list) -> dict[str, dict[str, str]]:
    return dict(records)


def test_only_persons_consenting_to_statistics_are_in_the_table(world):
    consenting = open_case(world, given_name="Yes")
    silent = open_case(world, given_name="No", consent=False)
    services.record_consent(
        actor=world.cw1, person=silent.person, purpose=ConsentPurpose.SERVICES
    )  # consent to services only: not to statistics
    records = release_tables.release_records(world.home, CT)
    assert [pid for pid, _attrs in records] == [str(consenting.person.public_id)]
    for case in Case.objects.filter(case_type=CT, organization=world.home):
        included = str(case.person.public_id) in by_person(records)
        assert included == services.has_consent(case.person, ConsentPurpose.STATISTICS)


def test_a_withdrawn_consent_takes_the_person_out_at_once(world):
    stays = open_case(world, given_name="Stays")
    leaves = open_case(world, given_name="Leaves")
    before = timezone.now()
    consent = Consent.objects.get(person=leaves.person, purpose=ConsentPurpose.STATISTICS)
    services.withdraw_consent(actor=world.cw1, consent=consent, reason="asked")
    ids = set(by_person(release_tables.release_records(world.home, CT)))
    assert ids == {str(stays.person.public_id)}
    # A table read as of before the withdrawal still had them (the rule of has_consent).
    earlier = set(by_person(release_tables.release_records(world.home, CT, at=before)))
    assert str(leaves.person.public_id) in earlier


def test_persons_are_named_by_public_id_never_by_primary_key(world):
    case = open_case(world)
    [(person_id, attributes)] = release_tables.release_records(world.home, CT)
    assert person_id == str(case.person.public_id)
    assert person_id != str(case.person.pk)
    assert "Amina" not in repr(attributes) and "ZZ-CANARY" not in repr(attributes)


def test_other_organizations_and_case_types_are_not_in_the_table(world):
    mine = open_case(world)
    open_case(world, case_type=CaseType.AVRR, given_name="Avrr")
    open_case(world, actor=world.cwb, given_name="Other org")
    ids = set(by_person(release_tables.release_records(world.home, CT)))
    assert ids == {str(mine.person.public_id)}
    assert len(release_tables.release_records(world.home, CaseType.AVRR)) == 1
    assert len(release_tables.release_records(world.other, CT)) == 1


def test_a_person_with_two_cases_gives_two_records_of_one_person(world):
    first = open_case(world)
    services.open_case(actor=world.cw1, case_type=CT, person=first.person)
    records = release_tables.release_records(world.home, CT)
    assert len(records) == 2
    assert len(by_person(records)) == 1


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, "unknown"),
        (-1, "unknown"),
        (0, "0-17"),
        (17, "0-17"),
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-34"),
        (34, "25-34"),
        (35, "35-49"),
        (49, "35-49"),
        (50, "50+"),
        (97, "50+"),
    ],
)
def test_age_bands_at_their_boundaries(age, band):
    assert release_tables.age_band(age) == band


def test_the_age_band_is_the_age_on_the_day_the_case_was_opened(world):
    expected = {}
    for age, band, tomorrow in [
        (18, "18-24", False),
        (18, "0-17", True),  # eighteen tomorrow: still 17 on the day of opening
        (25, "25-34", False),
        (25, "18-24", True),
        (35, "35-49", False),
        (50, "50+", False),
        (50, "35-49", True),
    ]:
        case = open_case(
            world,
            given_name=f"Age {age} {tomorrow}",
            date_of_birth=birth_date_for_age(age, birthday_tomorrow=tomorrow),
        )
        expected[str(case.person.public_id)] = band
    unknown = open_case(world, given_name="No date", date_of_birth="")
    expected[str(unknown.person.public_id)] = "unknown"
    records = by_person(release_tables.release_records(world.home, CT))
    assert {pid: attrs["age_band"] for pid, attrs in records.items()} == expected


def test_attributes_are_codes_from_the_code_lists(world):
    case = open_case(world, sex="male", nationalities=["SN", "GM"])
    open_case(world, given_name="No nationality", nationalities=[], sex="unknown")
    case.refresh_from_db()
    services.transition(actor=world.cw1, case=case, event="assess", version=case.version)
    case.refresh_from_db()
    services.transition(
        actor=world.cw1,
        case=case,
        event="plan_protection",
        version=case.version,
        services=["shelter", "legal"],
    )
    declined = open_case(world, given_name="Declined")
    services.transition(actor=world.cw1, case=declined, event="decline", version=declined.version)
    codes = release_tables.categories(CT)
    records = by_person(release_tables.release_records(world.home, CT))
    for attributes in records.values():
        assert set(attributes) == set(codes)
        for name, value in attributes.items():
            assert value in codes[name], (name, value)
    planned = records[str(case.person.public_id)]
    assert planned["nationality"] == "SEN"  # the first nationality, in ISO alpha-3
    assert planned["sex"] == "male"
    assert planned["year"] == str(timezone.localdate().year)
    assert planned["case_type"] == CT
    assert planned["state_group"] == "open"
    assert planned["protection_shelter"] == "planned"
    assert planned["protection_legal"] == "planned"
    assert planned["protection_medical"] == "not_planned"
    assert records[str(declined.person.public_id)]["state_group"] == "closed"
    nationalities = sorted(attrs["nationality"] for attrs in records.values())
    assert nationalities.count("unknown") == 1
    assert release_tables.nationality_code(["XX"]) == "unknown"
    assert release_tables.nationality_code("NG") == "unknown"  # not a list
    assert release_tables.nationality_code(["ng"]) == "NGA"


def test_code_lists_are_complete_and_independent_of_the_data(db):
    at = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    codes = release_tables.categories(CT, at=at)
    assert codes["year"][0] == "before-2000"
    assert codes["year"][1:] == [str(year) for year in range(2000, 2027)]
    assert codes["sex"] == list(Sex.values)
    assert codes["age_band"] == ["0-17", "18-24", "25-34", "35-49", "50+", "unknown"]
    assert codes["state_group"] == ["open", "closed"]
    assert set(codes["nationality"]) == {c.alpha_3 for c in pycountry.countries} | {"unknown"}
    for service in ProtectionService.values:
        assert codes[f"protection_{service}"] == ["planned", "not_planned"]
    assert not any(name.startswith("protection_") for name in release_tables.categories("avrr"))
    for values in codes.values():
        assert len(values) == len(set(values))
        assert all(isinstance(value, str) and value for value in values)
        # Nothing a spreadsheet would read as a formula.
        assert not any(value.startswith(("=", "+", "-", "@")) for value in values)
    assert release_tables.year_code(1998) == "before-2000"


def test_every_case_type_has_a_data_set_per_organization(world):
    keys = release_tables.datasets_for(world.home)
    assert set(keys) == {f"cases.HOME.{case_type}" for case_type in CaseType.values}
    assert release_tables.parse_dataset_key("cases.HOME.counter_trafficking") == ("HOME", CT)
    for bad in ["cases.counter_trafficking", "cases.home.avrr", "cases.HOME.all", "x.HOME.avrr"]:
        assert release_tables.parse_dataset_key(bad) is None
    dimensions = {a.name for a in release_tables.DATASETS[CT].dimensions}
    assert "case_type" not in dimensions and "protection_shelter" in dimensions


def test_the_records_and_code_lists_make_a_release(world):
    for number in range(12):
        open_case(world, given_name=f"Person {number}", sex="female" if number % 3 else "male")
    key = release_tables.dataset_key(world.home, CT)
    release = releases.build_release(
        world.dpo,
        key,
        release_tables.release_records(world.home, CT),
        ["sex"],
        "k_suppression",
        categories=release_tables.categories(CT),
    )
    rows = {row["sex"]: row for row in releases.release_table(release)}
    assert rows[None]["value"] == 12
    assert rows["female"]["suppressed"] and rows["male"]["suppressed"]  # 8 and 4: below 11
    assert release.categories["sex"] == list(Sex.values)

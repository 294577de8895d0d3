"""Release tables of case management: the only input of published statistics about people
(`statistics.releases.build_release`).

A release table is one record ``(person public id, {attribute: code})`` per case of one type
in one organization, taken ONLY from cases whose person has a consent for the purpose
`statistics` in force (requirement ST-02): a withdrawal takes the person's cases out of every
release built after it. Every attribute is a code from a public code list (`categories`),
never free text and never a list derived from the data (ST-04):

==================  =============================================================
attribute           codes
==================  =============================================================
year                year the case was opened: ``before-2000``, ``2000`` ... this year
case_type           the case type (one per data set)
state_group         ``open`` or ``closed`` (closed by the time the table is read)
sex                 ``female``, ``male``, ``other``, ``unknown``
age_band            age at opening: ``0-17``, ``18-24``, ``25-34``, ``35-49``, ``50+``,
                    ``unknown`` (no date of birth recorded)
nationality         ISO 3166 alpha-3 of the first nationality recorded, or ``unknown``
protection_<name>   counter-trafficking only, one per service of a protection plan
                    (shelter, medical, legal, psychosocial): ``planned`` or
                    ``not_planned``
==================  =============================================================

Persons are named by their opaque public id, never by the primary key. A person with several
cases of the type gives several records: the releases count distinct persons.

Data sets: one per organization and case type, keyed ``cases.<organization code>.<case type>``
(`dataset_key`). The differencing defence and the privacy budget of `statistics.releases` work
per data set key, so there is deliberately no data set spanning several case types or
organizations: two overlapping data sets under different keys would never be compared, and
subtracting a table of one from a table of the other could single a person out. Case types
do not overlap (a case has one type), so tables of different types share no count.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pycountry
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .choices import CaseType, ConsentPurpose, ProtectionService, Sex
from .models import Case, Consent
from .workflows import CLOSED

DATASET_PREFIX = "cases"
FIRST_YEAR = 2000
BEFORE_FIRST_YEAR = f"before-{FIRST_YEAR}"
UNKNOWN = "unknown"
OPEN, CLOSED_GROUP = "open", "closed"
PLANNED, NOT_PLANNED = "planned", "not_planned"

# (code, first age, last age or None for no upper bound)
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-49", 35, 49),
    ("50+", 50, None),
)

Record = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Attribute:
    """One column of a release table."""

    name: str
    label: str | Promise


COMMON_ATTRIBUTES = (
    Attribute("year", _("Year opened")),
    Attribute("case_type", _("Case type")),
    Attribute("state_group", _("Open or closed")),
    Attribute("sex", _("Sex")),
    Attribute("age_band", _("Age at opening")),
    Attribute("nationality", _("Nationality")),
)


def protection_attribute(service: str) -> str:
    return f"protection_{service}"


PROTECTION_ATTRIBUTES = tuple(
    Attribute(
        protection_attribute(service.value),
        format_lazy("{}: {}", _("Protection plan"), service.label),
    )
    for service in ProtectionService
)


@dataclass(frozen=True)
class ReleaseDataset:
    """The release table of one case type (the same for every organization)."""

    case_type: str
    label: str | Promise
    attributes: tuple[Attribute, ...]

    @property
    def dimensions(self) -> tuple[Attribute, ...]:
        """The attributes a table may be built on (the case type is the same in every record
        of the data set, so it makes no table)."""
        return tuple(attribute for attribute in self.attributes if attribute.name != "case_type")


DATASETS: dict[str, ReleaseDataset] = {
    case_type.value: ReleaseDataset(
        case_type.value,
        case_type.label,
        COMMON_ATTRIBUTES
        + (PROTECTION_ATTRIBUTES if case_type == CaseType.COUNTER_TRAFFICKING else ()),
    )
    for case_type in CaseType
}


# A case-management data set key: the organization code's shape is `accounts.Organization.code`.
DATASET_KEY_PATTERN = r"^{prefix}\.([A-Z0-9][A-Z0-9-]{{0,31}})\.({types})$".format(
    prefix=DATASET_PREFIX, types="|".join(DATASETS)
)


def dataset_key(organization: Any, case_type: str) -> str:
    """``cases.<organization code>.<case type>``."""
    if case_type not in DATASETS:
        raise ValueError(f"unknown case type {case_type!r}")
    return f"{DATASET_PREFIX}.{organization.code}.{case_type}"


def parse_dataset_key(key: Any) -> tuple[str, str] | None:
    """(organization code, case type) of a case-management data set key, else None."""
    match = re.fullmatch(DATASET_KEY_PATTERN, key) if isinstance(key, str) else None
    return (match.group(1), match.group(2)) if match else None


def datasets_for(organization: Any) -> dict[str, ReleaseDataset]:
    """{data set key: data set} of one organization."""
    return {dataset_key(organization, case_type): data for case_type, data in DATASETS.items()}


# --- code lists ------------------------------------------------------------------------------


def nationality_codes() -> list[str]:
    """Every ISO 3166-1 alpha-3 code (pycountry's reference data), then ``unknown``."""
    return [*sorted(country.alpha_3 for country in pycountry.countries), UNKNOWN]


def categories(case_type: str, *, at: datetime.datetime | None = None) -> dict[str, list[str]]:
    """The public code list of every attribute of the data set, in display order. Nothing here
    depends on the data: only on the case type and the year of `at` (now by default)."""
    at = at or timezone.now()
    year = timezone.localtime(at).year
    lists: dict[str, list[str]] = {
        "year": [BEFORE_FIRST_YEAR, *(str(y) for y in range(FIRST_YEAR, year + 1))],
        "case_type": [case_type],
        "state_group": [OPEN, CLOSED_GROUP],
        "sex": list(Sex.values),
        "age_band": [code for code, _first, _last in AGE_BANDS] + [UNKNOWN],
        "nationality": nationality_codes(),
    }
    if case_type == CaseType.COUNTER_TRAFFICKING:
        for service in ProtectionService.values:
            lists[protection_attribute(service)] = [PLANNED, NOT_PLANNED]
    return lists


def category_label(attribute: str, code: str) -> str:
    """How a code reads on a page (the code itself where it says enough)."""
    if attribute == "sex" and code in Sex.values:
        return str(Sex(code).label)
    if attribute == "case_type" and code in CaseType.values:
        return str(CaseType(code).label)
    if attribute == "state_group":
        return str({OPEN: _("Open"), CLOSED_GROUP: _("Closed")}.get(code, code))
    if attribute.startswith("protection_"):
        return str({PLANNED: _("Planned"), NOT_PLANNED: _("Not planned")}.get(code, code))
    if attribute == "year" and code == BEFORE_FIRST_YEAR:
        return str(_("Before %(year)d") % {"year": FIRST_YEAR})
    if attribute == "age_band" and code == "50+":
        return str(_("50 and over"))
    if attribute == "nationality" and code != UNKNOWN:
        country = pycountry.countries.get(alpha_3=code)
        return f"{country.name} ({code})" if country else code
    if code == UNKNOWN:
        return str(_("Unknown"))
    return code


def attribute_label(case_type: str, name: str) -> str:
    for attribute in DATASETS[case_type].attributes:
        if attribute.name == name:
            return str(attribute.label)
    return name


# --- records ---------------------------------------------------------------------------------


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    for code, first, last in AGE_BANDS:
        if age >= first and (last is None or age <= last):
            return code
    return UNKNOWN  # pragma: no cover (the last band has no upper bound)


def year_code(year: int) -> str:
    return BEFORE_FIRST_YEAR if year < FIRST_YEAR else str(year)


def nationality_code(nationalities: Any) -> str:
    """Alpha-3 of the first recorded nationality (alpha-2), else ``unknown``."""
    if not isinstance(nationalities, list | tuple) or not nationalities:
        return UNKNOWN
    first = str(nationalities[0] or "").strip().upper()
    country = pycountry.countries.get(alpha_2=first) if len(first) == 2 else None
    return country.alpha_3 if country else UNKNOWN


def planned_services(case: Case) -> set[str]:
    details = case.trafficking_details if isinstance(case.trafficking_details, Mapping) else {}
    plan = details.get("protection_plan") if isinstance(details, Mapping) else None
    services = plan.get("services") if isinstance(plan, Mapping) else None
    return {str(code) for code in services or () if code in ProtectionService.values}


def consenting_person_ids(at: datetime.datetime) -> QuerySet[Consent]:
    """Person pks with a `statistics` consent in force at `at`: the same rule as
    `cases.services.has_consent` (recorded by then, not withdrawn by then), in one query."""
    return (
        Consent.objects.filter(purpose=ConsentPurpose.STATISTICS, recorded_at__lte=at)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
        .values("person_id")
    )


def release_cases(
    organization: Any, case_type: str, *, at: datetime.datetime | None = None
) -> QuerySet[Case]:
    """The organization's cases of `case_type` opened by `at` whose person consents to
    statistical use at `at`."""
    at = at or timezone.now()
    return (
        Case.objects.filter(
            organization=organization,
            case_type=case_type,
            opened_at__lte=at,
            person_id__in=consenting_person_ids(at),
        )
        .select_related("person")
        .order_by("pk")
    )


def _record(case: Case, at: datetime.datetime) -> Record:
    person = case.person
    opened = timezone.localtime(case.opened_at)
    closed = case.state == CLOSED and (case.closed_at is None or case.closed_at <= at)
    attributes = {
        "year": year_code(opened.year),
        "case_type": case.case_type,
        "state_group": CLOSED_GROUP if closed else OPEN,
        "sex": person.sex if person.sex in Sex.values else UNKNOWN,
        "age_band": age_band(person.age_on(opened.date())),
        "nationality": nationality_code(person.nationalities),
    }
    if case.case_type == CaseType.COUNTER_TRAFFICKING:
        planned = planned_services(case)
        for service in ProtectionService.values:
            attributes[protection_attribute(service)] = (
                PLANNED if service in planned else NOT_PLANNED
            )
    return str(person.public_id), attributes


def iter_release_records(
    organization: Any, case_type: str, *, at: datetime.datetime | None = None
) -> Iterator[Record]:
    at = at or timezone.now()
    for case in release_cases(organization, case_type, at=at).iterator(chunk_size=500):
        yield _record(case, at)


def release_records(
    organization: Any, case_type: str, *, at: datetime.datetime | None = None
) -> list[Record]:
    """The records ``(person public id, {attribute: code})`` of the organization's release
    table of `case_type`, for `statistics.releases.build_release` (with `categories`)."""
    if case_type not in DATASETS:
        raise ValueError(f"unknown case type {case_type!r}")
    return list(iter_release_records(organization, case_type, at=at))

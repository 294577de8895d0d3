"""The requirements engine: from a person's profile to what the destination's protocol requires.

`validate_profile` turns a JSON-like mapping into a `Profile`, naming every field to fix.
`Engine` holds the compiled protocols and the reference data their rules read (country lists,
WHO TB incidence); `requirements_for` applies the version in force on the exam date.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pycountry
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from .choices import ApplicantCategory, Destination
from .rules import BASE_FACTS, Condition, compile_condition

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries) | {"XK"}
PROFILE_FIELDS = frozenset(
    {
        "destination",
        "protocol",
        "category",
        "date_of_birth",
        "exam_date",
        "age",
        "sex",
        "pregnant",
        "intends_to_give_birth_in_destination",
        "citizenship",
        "residence_history",
        "exam_country",
        "intended_stay_months",
        "symptoms",
        "conditions",
        "occupation",
    }
)
SEXES = frozenset({"female", "male", "other", "unknown"})


class ProfileError(ValueError):
    """A profile that cannot be assessed; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


@dataclass(frozen=True)
class Stay:
    country: str
    start: datetime.date
    end: datetime.date | None


@dataclass(frozen=True)
class Profile:
    destination: str
    category: str
    exam_date: datetime.date
    age: int
    age_months: int
    citizenship: str
    exam_country: str
    date_of_birth: datetime.date | None = None
    protocol: str | None = None
    sex: str = "unknown"
    pregnant: bool = False
    intends_to_give_birth_in_destination: bool = False
    residence_history: tuple[Stay, ...] = ()
    intended_stay_months: int | None = None
    symptoms: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    occupations: frozenset[str] = frozenset()

    @property
    def residence_country(self) -> str:
        """Where the person lives on the exam date: the stay covering it, else the latest stay,
        else the examination country."""
        covering = [
            stay
            for stay in self.residence_history
            if stay.start <= self.exam_date and (stay.end is None or stay.end >= self.exam_date)
        ]
        if covering:
            return max(covering, key=lambda stay: stay.start).country
        if self.residence_history:
            return max(self.residence_history, key=lambda stay: stay.start).country
        return self.exam_country


def _date(value: Any, name: str, errors: dict[str, str]) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[name] = f"{value!r} is not a date: write it as YYYY-MM-DD"
        return None


def _country(value: Any, name: str, errors: dict[str, str]) -> str:
    code = str(value or "").strip().upper()
    if not code:
        errors[name] = "is required: an ISO 3166 alpha-2 country code such as PH"
    elif code not in COUNTRY_CODES:
        errors[name] = f"{value!r} is not an ISO 3166 alpha-2 country code (such as PH or IN)"
    return code


def _words(value: Any, name: str, errors: dict[str, str]) -> frozenset[str]:
    if value in (None, ""):
        return frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors[name] = 'must be a list of words such as ["cough"]'
        return frozenset()
    return frozenset(item.strip().lower() for item in value if item.strip())


def _flag(value: Any, name: str, errors: dict[str, str]) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    errors[name] = "must be true or false"
    return False


def months_between(start: datetime.date, end: datetime.date) -> float:
    """Calendar months from `start` to `end`: whole months, plus leftover days as a fraction."""
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months + delta.days / 31


def completed_age(born: datetime.date, on: datetime.date) -> tuple[int, int]:
    """(years, months) completed on `on`. Someone born on 29 February completes a year on
    1 March in a common year: the birthday has not come while (month, day) is before it."""
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return years, months


def validate_profile(data: Any, *, today: datetime.date | None = None) -> Profile:
    """Check a profile mapping and return it typed; raises ProfileError naming every problem."""
    today = today or timezone.localdate()
    if not isinstance(data, Mapping):
        raise ProfileError({"profile": "must be a JSON object of fields"})
    errors: dict[str, str] = {}
    for name in sorted(set(data) - PROFILE_FIELDS):
        errors[name] = f"is not a profile field (fields: {', '.join(sorted(PROFILE_FIELDS))})"

    destination = str(data.get("destination") or "").strip().upper()
    if not destination:
        errors["destination"] = f"is required: one of {', '.join(Destination.values)}"
    elif destination not in Destination.values:
        errors["destination"] = (
            f"{data['destination']!r} has no protocol here: one of {', '.join(Destination.values)}"
        )
    category = str(data.get("category") or "").strip().lower()
    if not category:
        errors["category"] = f"is required: one of {', '.join(ApplicantCategory.values)}"
    elif category not in ApplicantCategory.values:
        errors["category"] = (
            f"{data['category']!r} is not a category: one of {', '.join(ApplicantCategory.values)}"
        )

    exam_date = _date(data.get("exam_date"), "exam_date", errors) or today
    date_of_birth = _date(data.get("date_of_birth"), "date_of_birth", errors)
    age = age_months = 0
    if date_of_birth is not None:
        if date_of_birth > today:
            errors["date_of_birth"] = f"{date_of_birth} is in the future"
        elif date_of_birth > exam_date:
            errors["exam_date"] = f"{exam_date} is before the date of birth ({date_of_birth})"
        else:
            age, age_months = completed_age(date_of_birth, exam_date)
    elif "date_of_birth" not in errors:
        raw_age = data.get("age")
        if raw_age is None:
            errors["date_of_birth"] = "is required (YYYY-MM-DD), or give the age in years as age"
        elif isinstance(raw_age, bool) or not isinstance(raw_age, int) or not 0 <= raw_age <= 130:
            errors["age"] = f"{raw_age!r} is not an age in whole years between 0 and 130"
        else:
            age, age_months = raw_age, raw_age * 12

    citizenship = _country(data.get("citizenship"), "citizenship", errors)
    stays: list[Stay] = []
    history = data.get("residence_history") or []
    if not isinstance(history, list):
        errors["residence_history"] = "must be a list of {country, from, to}"
        history = []
    for index, period in enumerate(history):
        name = f"residence_history[{index}]"
        if not isinstance(period, Mapping):
            errors[name] = "must be an object {country, from, to}"
            continue
        period_errors: dict[str, str] = {}
        country = _country(period.get("country"), "country", period_errors)
        start = _date(period.get("from"), "from", period_errors)
        end = _date(period.get("to"), "to", period_errors)
        if start is None and "from" not in period_errors:
            period_errors["from"] = "is required (YYYY-MM-DD)"
        if start and end and end < start:
            period_errors["to"] = f"{end} is before the start of the period ({start})"
        if start and start > exam_date:
            period_errors["from"] = f"{start} is after the exam date ({exam_date})"
        for key, message in period_errors.items():
            errors[f"{name}.{key}"] = message
        if not period_errors and start is not None:
            stays.append(Stay(country, start, end))

    exam_country = (
        _country(data.get("exam_country"), "exam_country", errors)
        if data.get("exam_country")
        else ""
    )
    stay_months = data.get("intended_stay_months")
    if stay_months is not None and (
        isinstance(stay_months, bool) or not isinstance(stay_months, int) or stay_months < 0
    ):
        errors["intended_stay_months"] = f"{stay_months!r} is not a whole number of months"
        stay_months = None
    sex = str(data.get("sex") or "unknown").strip().lower()
    if sex not in SEXES:
        errors["sex"] = f"{data['sex']!r} is not one of {', '.join(sorted(SEXES))}"
    pregnant = _flag(data.get("pregnant"), "pregnant", errors)
    gives_birth = _flag(
        data.get("intends_to_give_birth_in_destination"),
        "intends_to_give_birth_in_destination",
        errors,
    )
    symptoms = _words(data.get("symptoms"), "symptoms", errors)
    conditions = _words(data.get("conditions"), "conditions", errors)
    occupations = _words(data.get("occupation"), "occupation", errors)
    protocol = data.get("protocol")
    if protocol is not None and not isinstance(protocol, str):
        errors["protocol"] = "must be a protocol code such as us-panel"
    if errors:
        raise ProfileError(errors)

    profile = Profile(
        destination=destination,
        category=category,
        exam_date=exam_date,
        age=age,
        age_months=age_months,
        citizenship=citizenship,
        exam_country=exam_country,
        date_of_birth=date_of_birth,
        protocol=protocol,
        sex=sex,
        pregnant=pregnant,
        intends_to_give_birth_in_destination=gives_birth,
        residence_history=tuple(stays),
        intended_stay_months=stay_months,
        symptoms=symptoms,
        conditions=conditions,
        occupations=occupations,
    )
    if not exam_country:
        object.__setattr__(
            profile, "exam_country", profile.residence_country if stays else citizenship
        )
    return profile


@dataclass(frozen=True)
class Requirement:
    item: str
    rule: str
    reason: str
    source: str
    condition: str = ""

    def as_dict(self) -> dict[str, str]:
        data = {"item": self.item, "rule": self.rule, "reason": self.reason, "source": self.source}
        if self.condition:
            data["if"] = self.condition
        return data


@dataclass(frozen=True)
class Alternative:
    for_item: str
    options: tuple[dict[str, str], ...]
    rule: str
    reason: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "for": self.for_item,
            "options": [dict(option) for option in self.options],
            "rule": self.rule,
            "reason": self.reason,
            "source": self.source,
        }


@dataclass
class Requirements:
    """What a protocol requires of one profile, each item with the rule and source behind it."""

    protocol: str
    version: str
    version_id: int | None
    required: list[Requirement]
    conditional: list[Requirement]
    alternatives: list[Alternative]
    valid_until: datetime.date
    validity: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    in_scope: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "version": self.version,
            "in_scope": self.in_scope,
            "required": [item.as_dict() for item in self.required],
            "conditional": [item.as_dict() for item in self.conditional],
            "alternatives": [item.as_dict() for item in self.alternatives],
            "valid_until": self.valid_until.isoformat(),
            "validity": self.validity,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class DatedList:
    start: datetime.date
    end: datetime.date | None
    countries: frozenset[str]


class NoProtocolError(ProfileError):
    """No protocol version is in force for the destination on the exam date."""


class CompiledProtocol:
    """One protocol version with every condition compiled once."""

    def __init__(self, version_id: int | None, document: Mapping[str, Any]):
        self.version_id = version_id
        self.document = document
        self.code: str = document["protocol"]
        self.version: str = document["version"]
        self.destination: str = document["destination"]
        self.effective_from = datetime.date.fromisoformat(document["effective_from"])
        end = document.get("effective_to")
        self.effective_to = datetime.date.fromisoformat(end) if end else None
        self.sources = {source["id"]: source["url"] for source in document["sources"]}
        self.facts: dict[str, dict[str, Any]] = dict(document.get("facts", {}))
        known = set(BASE_FACTS) | set(self.facts)
        self.applies = (
            compile_condition(document["applies_when"], known)
            if "applies_when" in document
            else None
        )
        self.rules = [(compile_condition(r["when"], known), r) for r in document["rules"]]
        self.conditional = [
            (compile_condition(r["when"], known), r) for r in document.get("conditional", [])
        ]
        self.alternatives = [
            (compile_condition(r["when"], known), r) for r in document.get("alternatives", [])
        ]
        self.validity = [
            (compile_condition(r["when"], known) if "when" in r else None, r)
            for r in document["validity"]
        ]

    def in_force(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def conditions(self) -> Iterable[Condition]:
        if self.applies:
            yield self.applies
        for group in (self.rules, self.conditional, self.alternatives, self.validity):
            for condition, _rule in group:
                if condition is not None:
                    yield condition


class Engine:
    """Compiled protocols plus the reference data they read, as of one load."""

    def __init__(
        self,
        protocols: Iterable[CompiledProtocol],
        country_lists: Mapping[str, list[DatedList]],
        incidence: Mapping[str, tuple[Decimal | None, int, str]],
    ):
        self.protocols: dict[str, list[CompiledProtocol]] = {}
        for protocol in protocols:
            self.protocols.setdefault(protocol.destination, []).append(protocol)
        self.country_lists = dict(country_lists)
        self.incidence = dict(incidence)

    @classmethod
    def from_database(cls) -> Engine:
        from .models import CountryList, ProtocolVersion, TbIncidence

        protocols = [
            CompiledProtocol(version.pk, version.document)
            for version in ProtocolVersion.objects.all()
        ]
        lists: dict[str, list[DatedList]] = {}
        for entry in CountryList.objects.order_by("code", "-effective_from"):
            lists.setdefault(entry.code, []).append(
                DatedList(entry.effective_from, entry.effective_to, frozenset(entry.countries))
            )
        incidence: dict[str, tuple[Decimal | None, int, str]] = {}
        for row in TbIncidence.objects.order_by("country", "-year"):
            incidence.setdefault(row.country, (row.per_100k, row.year, row.release))
        return cls(protocols, lists, incidence)

    def protocol_for(self, profile: Profile) -> CompiledProtocol:
        candidates = [
            protocol
            for protocol in self.protocols.get(profile.destination, [])
            if profile.protocol in (None, protocol.code)
        ]
        for protocol in candidates:
            if protocol.in_force(profile.exam_date):
                return protocol
        known = (
            ", ".join(f"{p.code} {p.version} from {p.effective_from}" for p in candidates)
            or "none is loaded (run migration-hub load-reference)"
        )
        field_name = "protocol" if profile.protocol else "exam_date"
        raise NoProtocolError(
            {
                field_name: f"no {profile.destination} protocol is in force on "
                f"{profile.exam_date}: versions: {known}"
            }
        )

    # Derived facts -----------------------------------------------------------------------
    def _list(self, code: str, day: datetime.date) -> frozenset[str] | None:
        for dated in self.country_lists.get(code, []):
            if dated.start <= day and (dated.end is None or day < dated.end):
                return dated.countries
        return None

    def _derive(
        self, name: str, spec: Mapping[str, Any], profile: Profile, notes: list[str]
    ) -> bool:
        if "incidence_at_least" in spec:
            rule = spec["incidence_at_least"]
            country = getattr(profile, rule["country"])
            estimate = self.incidence.get(country)
            if estimate is None or estimate[0] is None:
                notes.append(
                    f"{name}: no WHO TB incidence estimate is loaded for {country}, so it counts "
                    f"as at least {rule['per_100k']} per 100,000 (the conservative choice)."
                )
                return True
            value, year, release = estimate
            verdict = value >= Decimal(str(rule["per_100k"]))
            notes.append(
                f"{name}: {country} has an estimated TB incidence of {value} per 100,000 "
                f"({year}, {release}); the threshold is {rule['per_100k']}."
            )
            return verdict
        kind = "listed" if "listed" in spec else "recent_stay"
        rule = spec[kind]
        members = self._list(rule["list"], profile.exam_date)
        if members is None:
            notes.append(
                f"{name}: no version of the country list {rule['list']} is in force on "
                f"{profile.exam_date}, so the condition is taken as met (the conservative choice)."
            )
            return True

        def matches(country: str) -> bool:
            return (country in members) == rule["member"]

        if kind == "recent_stay":
            for stay in profile.residence_history:
                end = min(stay.end or profile.exam_date, profile.exam_date)
                if (
                    matches(stay.country)
                    and months_between(stay.start, end) >= rule["months"]
                    and months_between(end, profile.exam_date) <= rule["ended_within_months"]
                ):
                    return True
            return False
        for field_name in rule.get("countries", ["citizenship"]):
            if matches(getattr(profile, field_name)):
                return True
        stay_rule = rule.get("stay")
        if not stay_rule:
            return False
        window_start = profile.exam_date - relativedelta(years=stay_rule["within_years"])
        periods: dict[str, list[list[datetime.date]]] = {}
        for stay in sorted(profile.residence_history, key=lambda s: s.start):
            if not matches(stay.country):
                continue
            start = max(stay.start, window_start)
            end = min(stay.end or profile.exam_date, profile.exam_date)
            if end <= start:
                continue
            joined = periods.setdefault(stay.country, [])
            # Two records of the same country that touch (or overlap) are one stay.
            if joined and start <= joined[-1][1] + datetime.timedelta(days=1):
                joined[-1][1] = max(joined[-1][1], end)
            else:
                joined.append([start, end])
        for spans in periods.values():
            durations = [months_between(start, end) for start, end in spans]
            months = max(durations) if stay_rule.get("consecutive") else sum(durations)
            if (
                months > stay_rule["months"]
                if stay_rule.get("more_than")
                else months >= stay_rule["months"]
            ):
                return True
        return False

    def facts(
        self, protocol: CompiledProtocol, profile: Profile, notes: list[str]
    ) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "age": profile.age,
            "age_months": profile.age_months,
            "category": profile.category,
            "sex": profile.sex,
            "pregnant": profile.pregnant,
            "intends_to_give_birth_in_destination": profile.intends_to_give_birth_in_destination,
            "citizenship": profile.citizenship,
            "exam_country": profile.exam_country,
            "residence_country": profile.residence_country,
            "intended_stay_months": (
                profile.intended_stay_months if profile.intended_stay_months is not None else 0
            ),
            "stay_known": profile.intended_stay_months is not None,
            "symptoms": tuple(sorted(profile.symptoms)),
            "conditions": tuple(sorted(profile.conditions)),
            "occupations": tuple(sorted(profile.occupations)),
        }
        for name, spec in protocol.facts.items():
            facts[name] = self._derive(name, spec, profile, notes)
        return facts

    def requirements_for(self, profile: Profile) -> Requirements:
        protocol = self.protocol_for(profile)
        notes: list[str] = []
        facts = self.facts(protocol, profile, notes)
        sources = protocol.sources
        in_scope = protocol.applies is None or protocol.applies(facts)
        required: list[Requirement] = []
        conditional: list[Requirement] = []
        alternatives: list[Alternative] = []
        if in_scope:
            seen: set[str] = set()
            for condition, rule in protocol.rules:
                if condition(facts):
                    for item in rule["require"]:
                        if item not in seen:
                            seen.add(item)
                            required.append(
                                Requirement(
                                    item, rule["id"], rule["reason"], sources[rule["source"]]
                                )
                            )
            for condition, rule in protocol.conditional:
                if condition(facts):
                    for item in rule["require"]:
                        conditional.append(
                            Requirement(
                                item,
                                rule["id"],
                                rule["reason"],
                                sources[rule["source"]],
                                rule["if"],
                            )
                        )
            for condition, rule in protocol.alternatives:
                if condition(facts) and rule["for"] in seen:
                    alternatives.append(
                        Alternative(
                            rule["for"],
                            tuple(rule["options"]),
                            rule["id"],
                            rule["reason"],
                            sources[rule["source"]],
                        )
                    )
        else:
            scope = protocol.document.get("scope", "")
            notes.insert(
                0,
                f"{protocol.code} {protocol.version} requires no examination for this profile"
                + (f": {scope}" if scope else "."),
            )
        validity = next(
            rule for condition, rule in protocol.validity if condition is None or condition(facts)
        )
        return Requirements(
            protocol=protocol.code,
            version=protocol.version,
            version_id=protocol.version_id,
            required=required,
            conditional=conditional,
            alternatives=alternatives,
            valid_until=profile.exam_date + relativedelta(months=validity["months"]),
            validity={
                "months": validity["months"],
                "from": validity["from"],
                "rule": validity["id"],
                "reason": validity["reason"],
                "source": sources[validity["source"]],
            },
            notes=notes,
            in_scope=in_scope,
        )


_lock = threading.Lock()
_cached: tuple[tuple, Engine] | None = None


def _signature() -> tuple:
    from django.db.models import Count, Max

    from .models import CountryList, ProtocolVersion, TbIncidence

    return (
        tuple(ProtocolVersion.objects.aggregate(n=Count("id"), at=Max("loaded_at")).values()),
        tuple(CountryList.objects.aggregate(n=Count("id"), at=Max("updated_at")).values()),
        tuple(TbIncidence.objects.aggregate(n=Count("id"), at=Max("imported_at")).values()),
    )


def current_engine() -> Engine:
    """The engine for the data now in the database, rebuilt only when that data has changed."""
    global _cached
    signature = _signature()
    with _lock:
        if _cached is None or _cached[0] != signature:
            _cached = (signature, Engine.from_database())
        return _cached[1]


def requirements_for(data: Any, *, today: datetime.date | None = None) -> Requirements:
    """Validate a profile mapping and return what its destination's protocol requires."""
    return current_engine().requirements_for(validate_profile(data, today=today))

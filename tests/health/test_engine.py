"""The engine on its own: profile validation, derived facts, version choice, memoised rules."""

from __future__ import annotations

import datetime

import pytest

from migration_hub.health import engine
from migration_hub.health.engine import (
    CompiledProtocol,
    DatedList,
    Engine,
    ProfileError,
    months_between,
    validate_profile,
)
from migration_hub.health.rules import parse_protocol

TODAY = datetime.date(2026, 11, 24)
BASE = {
    "destination": "US",
    "category": "immigrant",
    "date_of_birth": "1990-05-01",
    "exam_date": "2026-11-01",
    "citizenship": "PH",
}

PROTOCOL = """
protocol: xx-test
destination: AU
title: Test protocol
version: "1"
effective_from: 2024-01-01
sources:
  - {id: s, title: Source, url: "https://example.org/s"}
facts:
  risk:
    description: citizen of, or 3 consecutive months in the last 5 years in, a listed country
    listed: {list: high, member: true, stay: {months: 3, within_years: 5, consecutive: true}}
    source: s
  recent_low:
    description: 6 months or more in a non-listed country, left at most 6 months ago
    recent_stay: {list: high, member: false, months: 6, ended_within_months: 6}
    source: s
  burden:
    description: examined where incidence is 20 or more
    incidence_at_least: {country: exam_country, per_100k: 20}
    source: s
rules:
  - {id: R-RISK, when: risk, require: [chest_xray], reason: risk, source: s}
  - {id: R-RECENT, when: recent_low, require: [medical_exam], reason: recent, source: s}
  - {id: R-BURDEN, when: burden, require: [sputum], reason: burden, source: s}
validity:
  - {id: V, months: 12, from: exam, reason: twelve months, source: s}
"""


def make_engine(incidence=None) -> Engine:
    protocol = CompiledProtocol(None, parse_protocol(PROTOCOL, "test.yaml"))
    lists = {"high": [DatedList(datetime.date(2020, 1, 1), None, frozenset({"IN", "PH"}))]}
    return Engine([protocol], lists, incidence or {})


def items(result) -> set[str]:
    return {requirement.item for requirement in result.required}


def profile(**changes):
    data = {**BASE, "destination": "AU", **changes}
    return validate_profile({k: v for k, v in data.items() if v is not None}, today=TODAY)


class TestValidation:
    def test_a_valid_profile_computes_age_on_the_exam_date(self):
        one_day_before = validate_profile(
            {**BASE, "date_of_birth": "2011-11-02", "exam_date": "2026-11-01"}, today=TODAY
        )
        on_the_birthday = validate_profile(
            {**BASE, "date_of_birth": "2011-11-02", "exam_date": "2026-11-02"}, today=TODAY
        )
        assert (one_day_before.age, on_the_birthday.age) == (14, 15)

    def test_a_birthday_on_29_february_turns_over_on_1_march(self):
        born = {**BASE, "date_of_birth": "2008-02-29"}
        assert validate_profile({**born, "exam_date": "2026-02-28"}, today=TODAY).age == 17
        assert validate_profile({**born, "exam_date": "2026-03-01"}, today=TODAY).age == 18

    def test_missing_destination_and_date_of_birth_are_both_named(self):
        with pytest.raises(ProfileError) as caught:
            validate_profile({"category": "immigrant", "citizenship": "PH"}, today=TODAY)
        assert set(caught.value.errors) == {"destination", "date_of_birth"}
        assert "required" in caught.value.errors["destination"]

    def test_an_unknown_country_code_is_named_with_an_example(self):
        with pytest.raises(ProfileError) as caught:
            validate_profile({**BASE, "citizenship": "XX", "exam_country": "Philippines"})
        assert set(caught.value.errors) == {"citizenship", "exam_country"}
        assert "alpha-2" in caught.value.errors["citizenship"]

    def test_a_future_date_of_birth_is_refused(self):
        with pytest.raises(ProfileError) as caught:
            validate_profile({**BASE, "date_of_birth": "2027-01-01"}, today=TODAY)
        assert "future" in caught.value.errors["date_of_birth"]

    def test_an_exam_date_before_birth_is_refused(self):
        with pytest.raises(ProfileError) as caught:
            validate_profile(
                {**BASE, "date_of_birth": "2020-01-01", "exam_date": "2019-12-31"}, today=TODAY
            )
        assert "before the date of birth" in caught.value.errors["exam_date"]

    def test_a_residence_period_ending_before_it_starts_is_refused(self):
        history = [
            {"country": "IN", "from": "2019-01-01", "to": "2020-01-01"},
            {"country": "PH", "from": "2021-06-01", "to": "2021-01-01"},
        ]
        with pytest.raises(ProfileError) as caught:
            validate_profile({**BASE, "residence_history": history}, today=TODAY)
        assert list(caught.value.errors) == ["residence_history[1].to"]

    def test_every_problem_is_reported_at_once(self):
        with pytest.raises(ProfileError) as caught:
            validate_profile(
                {
                    "destination": "FR",
                    "category": "tourist",
                    "date_of_birth": "not a date",
                    "citizenship": "",
                    "pregnant": "yes",
                    "intended_stay_months": -3,
                    "symptoms": "cough",
                    "dob": "1990-01-01",
                },
                today=TODAY,
            )
        assert set(caught.value.errors) == {
            "destination",
            "category",
            "date_of_birth",
            "citizenship",
            "pregnant",
            "intended_stay_months",
            "dob",
        }

    @pytest.mark.parametrize("value", [-1, 131, "12", 1.5, True])
    def test_an_age_must_be_whole_years(self, value):
        data = {key: val for key, val in BASE.items() if key != "date_of_birth"}
        with pytest.raises(ProfileError) as caught:
            validate_profile({**data, "age": value}, today=TODAY)
        assert "age" in caught.value.errors

    def test_not_an_object(self):
        with pytest.raises(ProfileError) as caught:
            validate_profile(["US"], today=TODAY)
        assert "profile" in caught.value.errors

    def test_the_residence_country_is_the_stay_covering_the_exam_date(self):
        history = [
            {"country": "IN", "from": "2015-01-01", "to": "2024-12-31"},
            {"country": "AE", "from": "2025-01-01"},
        ]
        result = validate_profile({**BASE, "residence_history": history}, today=TODAY)
        assert result.residence_country == "AE"
        assert result.exam_country == "AE"  # not given: where the person lives


class TestDerivedFacts:
    def test_citizenship_of_a_listed_country(self):
        assert "chest_xray" in items(make_engine().requirements_for(profile(citizenship="IN")))
        assert "chest_xray" not in items(make_engine().requirements_for(profile(citizenship="FR")))

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            ("2024-01-01", "2024-04-01", True),  # exactly 3 months
            ("2024-01-01", "2024-03-31", False),  # 2 months 30 days
            ("2020-06-01", "2021-12-31", False),  # long, but more than 5 years before the exam
            ("2021-09-01", "2021-12-31", False),  # only the part inside 5 years counts: 2 months
            ("2021-06-01", "2022-02-01", True),  # inside the 5 years: 2021-11-01 to 2022-02-01
        ],
    )
    def test_consecutive_months_in_a_listed_country_within_five_years(self, start, end, expected):
        history = [{"country": "IN", "from": start, "to": end}]
        result = make_engine().requirements_for(
            profile(citizenship="FR", residence_history=history, exam_date="2026-11-01")
        )
        assert ("chest_xray" in items(result)) is expected

    def test_consecutive_means_one_stay_not_the_sum(self):
        history = [
            {"country": "IN", "from": "2024-01-01", "to": "2024-02-15"},
            {"country": "FR", "from": "2024-02-16", "to": "2024-05-01"},
            {"country": "IN", "from": "2024-05-02", "to": "2024-06-30"},
        ]
        result = make_engine().requirements_for(
            profile(citizenship="FR", residence_history=history)
        )
        assert "chest_xray" not in items(result)

    @pytest.mark.parametrize(("left", "expected"), [("2026-05-01", True), ("2026-04-30", False)])
    def test_a_recent_stay_outside_the_list(self, left, expected):
        history = [{"country": "SA", "from": "2023-01-01", "to": left}]
        result = make_engine().requirements_for(
            profile(citizenship="IN", residence_history=history, exam_date="2026-11-01")
        )
        assert ("medical_exam" in items(result)) is expected

    def test_incidence_threshold_is_inclusive_and_cited(self):
        from decimal import Decimal

        estimates = {
            "FR": (Decimal("19.99"), 2024, "WHO 2025"),
            "PH": (Decimal("20"), 2024, "WHO 2025"),
        }
        low = make_engine(estimates).requirements_for(profile(exam_country="FR"))
        high = make_engine(estimates).requirements_for(profile(exam_country="PH"))
        assert "sputum" not in items(low)
        assert "sputum" in items(high)
        assert any("19.99 per 100,000 (2024, WHO 2025)" in note for note in low.notes)

    def test_a_country_without_an_estimate_counts_as_high_burden_and_says_so(self):
        result = make_engine({}).requirements_for(profile(exam_country="KP"))
        assert "sputum" in items(result)
        assert any("no WHO TB incidence estimate" in note and "KP" in note for note in result.notes)

    def test_a_list_not_in_force_on_the_exam_date_is_taken_as_met_and_said(self):
        engine_ = make_engine()
        engine_.country_lists["high"] = [
            DatedList(datetime.date(2026, 12, 1), None, frozenset({"IN"}))
        ]
        result = engine_.requirements_for(profile(citizenship="FR"))
        assert "chest_xray" in items(result)
        assert any("no version of the country list high" in note for note in result.notes)


class TestVersions:
    def test_the_version_in_force_on_the_exam_date_is_used(self):
        old = parse_protocol(
            PROTOCOL.replace('version: "1"', 'version: "0"').replace(
                "effective_from: 2024-01-01", "effective_from: 2020-01-01\neffective_to: 2024-01-01"
            ),
            "old.yaml",
        )
        new = parse_protocol(PROTOCOL, "new.yaml")
        engine_ = Engine([CompiledProtocol(1, old), CompiledProtocol(2, new)], {"high": []}, {})
        assert engine_.requirements_for(profile(exam_date="2023-12-31")).version == "0"
        assert engine_.requirements_for(profile(exam_date="2024-01-01")).version == "1"

    def test_no_version_in_force_names_the_exam_date(self):
        with pytest.raises(ProfileError) as caught:
            make_engine().requirements_for(
                profile(exam_date="2019-06-01", date_of_birth="1990-01-01")
            )
        assert "no AU protocol is in force on 2019-06-01" in caught.value.errors["exam_date"]


class TestMemo:
    def test_a_rule_is_evaluated_once_per_combination_of_the_facts_it_reads(self):
        engine_ = make_engine()
        protocol = engine_.protocols["AU"][0]
        condition = protocol.rules[0][0]
        for year in range(1950, 2000):
            engine_.requirements_for(profile(date_of_birth=f"{year}-01-01", citizenship="IN"))
        assert condition.names == ("risk",)
        assert len(condition.memo) == 1

    def test_memoised_and_fresh_evaluation_agree(self):
        engine_ = make_engine()
        first = engine_.requirements_for(profile(citizenship="IN")).as_dict()
        again = engine_.requirements_for(profile(citizenship="IN")).as_dict()
        fresh = make_engine().requirements_for(profile(citizenship="IN")).as_dict()
        assert first == again == fresh


def test_months_between_counts_calendar_months():
    assert months_between(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)) < 3
    assert months_between(datetime.date(2024, 1, 1), datetime.date(2024, 4, 1)) == 3
    assert months_between(datetime.date(2024, 1, 1), datetime.date(2024, 7, 1)) == 6


@pytest.mark.django_db
def test_the_engine_is_rebuilt_when_a_protocol_is_loaded():
    from migration_hub.health import services

    with pytest.raises(ProfileError):
        engine.requirements_for(BASE)
    services.load_protocols()
    assert engine.requirements_for(BASE).protocol == "us-panel"

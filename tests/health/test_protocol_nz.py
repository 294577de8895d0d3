"""nz-health: INZ Operational Manual A4, rule by rule at its boundaries."""

from __future__ import annotations

import datetime

import pytest

from migration_hub.health import engine

from .conftest import alternatives, born, conditional, required, rule_ids

pytestmark = pytest.mark.django_db

EXAM = datetime.date(2026, 11, 2)


def profile(age: int = 30, *, eve: bool = False, exam: datetime.date = EXAM, **changes):
    data = {
        "destination": "NZ",
        "category": "permanent",
        "date_of_birth": born(age, exam, eve=eve),
        "exam_date": exam.isoformat(),
        "citizenship": "IN",
    }
    data.update(changes)
    return data


def temporary(age: int = 30, *, stay: int = 9, **changes):
    """A temporary worker; by default Indian, so with TB risk factors."""
    return profile(age, **{"category": "worker", "intended_stay_months": stay, **changes})


def lived(*periods: tuple[str, str, str | None]) -> list[dict]:
    return [{"country": country, "from": start, "to": end} for country, start, end in periods]


SCREEN = ("chest_xray", "NZ-TB-SCREEN-6-12")
EXAM_ = ("medical_exam", "NZ-EXAM-FULL")
CXR = ("chest_xray", "NZ-TB-CXR-FULL-11")
CREATININE = ("creatinine", "NZ-CREATININE-15")
FULL = {EXAM_, CXR, CREATININE}

# A French citizen's time in India (not on the low-incidence list) in the last 5 years: "more than
# 3 months", in total (not necessarily consecutive).
THREE_MONTHS_IN_INDIA = lived(("IN", "2024-01-01", "2024-04-01"), ("FR", "2024-04-02", None))
THREE_MONTHS_1_DAY_IN_INDIA = lived(("IN", "2024-01-01", "2024-04-02"), ("FR", "2024-04-03", None))
TWO_VISITS_OF_2_MONTHS = lived(
    ("IN", "2023-01-01", "2023-03-01"),
    ("FR", "2023-03-02", "2024-01-01"),
    ("IN", "2024-01-02", "2024-03-02"),
)

# (case, profile, exact required (item, rule) pairs; None when the profile is out of scope)
REQUIRED = [
    ("residence-adult", profile(30), FULL),
    ("residence-low-incidence-citizen", profile(30, citizenship="FR"), FULL),
    ("immigrant", profile(30, category="immigrant"), FULL),
    ("refugee", profile(30, category="refugee"), FULL),
    ("provisional", profile(30, category="provisional"), FULL),
    ("turns-15", profile(15), FULL),
    ("14-the-day-before", profile(15, eve=True), {EXAM_, CXR}),
    ("turns-11", profile(11), {EXAM_, CXR}),
    ("10-the-day-before", profile(11, eve=True), {EXAM_}),
    ("residence-pregnant", profile(30, sex="female", pregnant=True), {EXAM_, CREATININE}),
    # temporary stays: more than 6 and not more than 12 months with TB risk factors
    ("temporary-7-months", temporary(stay=7), {SCREEN}),
    ("temporary-6-months", temporary(stay=6), None),
    ("temporary-12-months", temporary(stay=12), {SCREEN}),
    ("temporary-13-months", temporary(stay=13), FULL),
    ("temporary-13-months-low-risk", temporary(stay=13, citizenship="FR"), FULL),
    ("temporary-12-months-low-risk", temporary(stay=12, citizenship="FR"), None),
    ("temporary-pregnant", temporary(stay=9, sex="female", pregnant=True), None),
    ("temporary-11", temporary(11, stay=9), {SCREEN}),
    ("temporary-10", temporary(11, eve=True, stay=9), None),
    ("temporary-13-months-child", temporary(11, eve=True, stay=13), {EXAM_}),
    (
        "temporary-13-months-pregnant",
        temporary(stay=13, sex="female", pregnant=True),
        {EXAM_, CREATININE},
    ),
    ("visitor-with-risk", temporary(stay=9, category="visitor"), {SCREEN}),
    ("fiance-is-temporary", temporary(stay=9, category="fiance"), {SCREEN}),
    # fee-paying students are exempt from the full medical, but still screened for TB
    ("student-24-months-with-risk", temporary(stay=24, category="student"), {SCREEN}),
    ("student-24-months-low-risk", temporary(stay=24, category="student", citizenship="FR"), None),
    # TB risk from time spent in a country not on the list
    (
        "3-months-in-india",
        temporary(citizenship="FR", residence_history=THREE_MONTHS_IN_INDIA),
        None,
    ),
    (
        "3-months-1-day-in-india",
        temporary(citizenship="FR", residence_history=THREE_MONTHS_1_DAY_IN_INDIA),
        {SCREEN},
    ),
    (
        "two-visits-adding-up",
        temporary(citizenship="FR", residence_history=TWO_VISITS_OF_2_MONTHS),
        {SCREEN},
    ),
]


@pytest.mark.parametrize(
    ("profile_data", "expected"), [c[1:] for c in REQUIRED], ids=[c[0] for c in REQUIRED]
)
def test_required_items_and_their_rules(assess, profile_data, expected):
    result = assess(profile_data)
    assert result.protocol == "nz-health"
    if expected is None:
        assert not result.in_scope
        assert result.required == []
        assert result.notes[0].startswith(
            "nz-health 2023-03-01 requires no examination for this profile"
        )
    else:
        assert result.in_scope
        assert required(result) == expected
    assert alternatives(result) == {}


SPECIAL_REPORT = ("chest_xray", "NZ-PREGNANCY-CXR", "a special report is needed")


@pytest.mark.parametrize(
    ("profile_data", "expected"),
    [
        (profile(30, sex="female", pregnant=True), {SPECIAL_REPORT}),
        (temporary(stay=13, sex="female", pregnant=True), {SPECIAL_REPORT}),
        (profile(30, sex="female"), set()),
        (profile(11, eve=True, sex="female", pregnant=True), set()),
    ],
    ids=["residence-pregnant", "long-stay-pregnant", "not-pregnant", "pregnant-under-11"],
)
def test_a_pregnant_applicant_has_the_x_ray_only_for_a_special_report(
    assess, profile_data, expected
):
    assert conditional(assess(profile_data)) == expected


def test_certificates_must_be_under_3_months_old(assess):
    result = assess(profile(30))
    assert result.valid_until == datetime.date(2027, 2, 2)
    assert result.validity["rule"] == "NZ-VALID-3M"
    assert result.validity["from"] == "exam"


def test_no_version_before_1_march_2023(assess):
    with pytest.raises(engine.NoProtocolError):
        assess(profile(30, exam=datetime.date(2023, 2, 28)))


@pytest.mark.parametrize("country", ["IN", "PH", "NG", "PK", "CN", "VN", "ID", "ZA", "BD"])
def test_high_incidence_countries_are_not_on_the_low_incidence_list(assess, country):
    assert required(assess(temporary(stay=9, citizenship=country))) == {SCREEN}


@pytest.mark.parametrize("country", ["FR", "DE", "US", "CA", "AU", "GB", "JP", "IT", "ES"])
def test_low_incidence_countries_are_on_it(assess, country):
    assert not assess(temporary(stay=9, citizenship=country)).in_scope


def test_every_rule_id_is_exercised(reference):
    declared = set()
    for section in ("rules", "conditional", "alternatives", "validity"):
        declared |= rule_ids("nz-health", "2023-03-01", section)
    seen = {rule for case in REQUIRED for _item, rule in case[2] or ()}
    seen |= {"NZ-PREGNANCY-CXR", "NZ-VALID-3M"}
    assert declared == seen

"""au-health: Australia's Required Medical Assessment, rule by rule at its boundaries."""

from __future__ import annotations

import datetime

import pytest

from migration_hub.health import engine

from .conftest import alternatives, born, conditional, required, rule_ids

pytestmark = pytest.mark.django_db

EXAM = datetime.date(2026, 11, 2)


def profile(age: int = 30, *, eve: bool = False, exam: datetime.date = EXAM, **changes):
    data = {
        "destination": "AU",
        "category": "permanent",
        "date_of_birth": born(age, exam, eve=eve),
        "exam_date": exam.isoformat(),
        "citizenship": "IN",
    }
    data.update(changes)
    return data


def temporary(age: int = 30, *, stay: int = 12, **changes):
    """A temporary worker; by default French, so at lower TB risk."""
    return profile(
        age,
        **{"category": "worker", "citizenship": "FR", "intended_stay_months": stay, **changes},
    )


def lived(*periods: tuple[str, str, str | None]) -> list[dict]:
    return [{"country": country, "from": start, "to": end} for country, start, end in periods]


EXAM_ = ("medical_exam", "AU-EXAM-PERM")
CXR = ("chest_xray", "AU-TB-CXR-PERM-11")
HIV = ("hiv_test", "AU-HIV-PERM-15")
IGRA = ("tb_infection_test", "AU-TB-IGRA-2-10")
HEP_B = ("hepatitis_b_test", "AU-HEPB-PERM-15")
TEMP_EXAM = ("medical_exam", "AU-TB-TEMP-6M")
TEMP_CXR = ("chest_xray", "AU-TB-TEMP-CXR-11")
HEALTH_CARE = {("medical_exam", "AU-SS-HEALTH-CARE"), ("chest_xray", "AU-SS-HEALTH-CARE")}
HEALTH_CARE_15 = {
    ("hiv_test", "AU-SS-HEALTH-CARE-15"),
    ("hepatitis_b_test", "AU-SS-HEALTH-CARE-15"),
    ("hepatitis_c_test", "AU-SS-HEALTH-CARE-15"),
}
CHILDCARE = {("medical_exam", "AU-SS-CHILDCARE"), ("chest_xray", "AU-SS-CHILDCARE")}
PREGNANCY_HEP_B = ("hepatitis_b_test", "AU-SS-PREGNANCY-HEPB")
VISITOR_75 = ("medical_exam", "AU-SS-VISITOR-75")

# A French citizen's stays in India (not on Schedule 1, not in Schedule 5) in the last 5 years.
THREE_MONTHS_IN_INDIA = lived(("IN", "2024-01-01", "2024-04-01"), ("FR", "2024-04-02", None))
TWO_MONTHS_30_DAYS_IN_INDIA = lived(("IN", "2024-01-01", "2024-03-31"), ("FR", "2024-04-01", None))
INDIA_OVER_5_YEARS_AGO = lived(("IN", "2020-01-01", "2021-06-01"), ("FR", "2021-06-02", None))

# (case, profile, exact required (item, rule) pairs; None when the profile is out of scope)
REQUIRED = [
    ("permanent-adult-higher-risk", profile(30), {EXAM_, CXR, HIV, HEP_B}),
    ("permanent-adult-lower-risk", profile(30, citizenship="FR"), {EXAM_, CXR, HIV}),
    ("provisional", profile(30, category="provisional"), {EXAM_, CXR, HIV, HEP_B}),
    ("immigrant", profile(30, category="immigrant"), {EXAM_, CXR, HIV, HEP_B}),
    ("refugee", profile(30, category="refugee"), {EXAM_, CXR, HIV, HEP_B}),
    ("fiance", profile(30, category="fiance", citizenship="FR"), {EXAM_, CXR, HIV}),
    ("turns-15", profile(15), {EXAM_, CXR, HIV, HEP_B}),
    ("14-the-day-before", profile(15, eve=True), {EXAM_, CXR}),
    ("turns-11", profile(11), {EXAM_, CXR}),
    ("10-the-day-before-higher-risk", profile(11, eve=True), {EXAM_, IGRA}),
    ("turns-2-higher-risk", profile(2), {EXAM_, IGRA}),
    ("1-the-day-before-higher-risk", profile(2, eve=True), {EXAM_}),
    ("child-lower-risk", profile(6, citizenship="FR"), {EXAM_}),
    ("child-lower-risk-refugee", profile(6, citizenship="FR", category="refugee"), {EXAM_, IGRA}),
    (
        "child-lower-risk-tb-contact",
        profile(6, citizenship="FR", conditions=["tb_contact"]),
        {EXAM_, IGRA},
    ),
    (
        "child-3-consecutive-months-in-india",
        profile(6, citizenship="FR", residence_history=THREE_MONTHS_IN_INDIA),
        {EXAM_, IGRA},
    ),
    (
        "child-2-months-30-days-in-india",
        profile(6, citizenship="FR", residence_history=TWO_MONTHS_30_DAYS_IN_INDIA),
        {EXAM_},
    ),
    (
        "child-india-over-5-years-ago",
        profile(6, citizenship="FR", residence_history=INDIA_OVER_5_YEARS_AGO),
        {EXAM_},
    ),
    # hepatitis B risk follows citizenship or 3 consecutive months, as for Schedule 1
    (
        "adult-3-months-in-india",
        profile(30, citizenship="FR", residence_history=THREE_MONTHS_IN_INDIA),
        {EXAM_, CXR, HIV, HEP_B},
    ),
    (
        "adult-2-months-30-days-in-india",
        profile(30, citizenship="FR", residence_history=TWO_MONTHS_30_DAYS_IN_INDIA),
        {EXAM_, CXR, HIV},
    ),
    # temporary: higher TB risk and "six months or more"
    ("temporary-higher-risk-6-months", temporary(stay=6, citizenship="IN"), {TEMP_EXAM, TEMP_CXR}),
    ("temporary-higher-risk-5-months", temporary(stay=5, citizenship="IN"), None),
    ("temporary-higher-risk-stay-not-given", temporary(stay=None, citizenship="IN"), None),
    (
        "temporary-3-months-in-india",
        temporary(stay=6, residence_history=THREE_MONTHS_IN_INDIA),
        {TEMP_EXAM, TEMP_CXR},
    ),
    (
        "temporary-2-months-30-days-in-india",
        temporary(stay=6, residence_history=TWO_MONTHS_30_DAYS_IN_INDIA),
        None,
    ),
    ("temporary-lower-risk-12-months", temporary(stay=12), None),
    ("temporary-child-11", temporary(11, stay=6, citizenship="IN"), {TEMP_EXAM, TEMP_CXR}),
    ("temporary-child-10", temporary(11, eve=True, stay=6, citizenship="IN"), {TEMP_EXAM}),
    (
        "student-higher-risk",
        temporary(stay=24, category="student", citizenship="PH"),
        {TEMP_EXAM, TEMP_CXR},
    ),
    # special significance, whatever the stay and the risk
    (
        "health-care-worker",
        temporary(stay=3, occupation=["health_care"]),
        HEALTH_CARE | HEALTH_CARE_15,
    ),
    (
        "health-care-student-15",
        temporary(15, stay=3, category="student", occupation=["health_care"]),
        HEALTH_CARE | HEALTH_CARE_15,
    ),
    (
        "health-care-student-14",
        temporary(15, eve=True, stay=3, category="student", occupation=["health_care"]),
        HEALTH_CARE,
    ),
    ("childcare-worker", temporary(stay=3, occupation=["childcare"]), CHILDCARE),
    ("teacher", temporary(stay=3, occupation=["teacher"]), None),
    (
        "pregnant-giving-birth-in-australia",
        temporary(
            stay=3,
            category="visitor",
            sex="female",
            pregnant=True,
            intends_to_give_birth_in_destination=True,
        ),
        {PREGNANCY_HEP_B},
    ),
    (
        "pregnant-not-giving-birth-in-australia",
        temporary(stay=3, category="visitor", sex="female", pregnant=True),
        None,
    ),
    ("visitor-75", temporary(75, stay=1, category="visitor"), {VISITOR_75}),
    ("visitor-74", temporary(75, eve=True, stay=1, category="visitor"), None),
    ("worker-75", temporary(75, stay=1), None),
]


@pytest.mark.parametrize(
    ("profile_data", "expected"), [c[1:] for c in REQUIRED], ids=[c[0] for c in REQUIRED]
)
def test_required_items_and_their_rules(assess, profile_data, expected):
    result = assess(profile_data)
    assert (result.protocol, result.version) == ("au-health", "2024-07-01")
    if expected is None:
        assert not result.in_scope
        assert result.required == []
        assert result.notes[0].startswith(
            "au-health 2024-07-01 requires no examination for this profile"
        )
    else:
        assert result.in_scope
        assert required(result) == expected
    assert conditional(result) == set()


@pytest.mark.parametrize(
    ("profile_data", "expected"),
    [
        (
            profile(30, sex="female", pregnant=True),
            {"chest_xray": ("AU-PREGNANCY-CXR", ["deferral"])},
        ),
        (
            temporary(stay=6, citizenship="IN", sex="female", pregnant=True),
            {"chest_xray": ("AU-PREGNANCY-CXR", ["deferral"])},
        ),
        (profile(30, sex="female"), {}),
        (profile(11, eve=True, sex="female", pregnant=True), {}),
    ],
    ids=["pregnant-permanent", "pregnant-temporary", "not-pregnant", "pregnant-no-xray-required"],
)
def test_pregnancy_alternatives(assess, profile_data, expected):
    assert alternatives(assess(profile_data)) == expected


def test_pregnant_permanent_applicant_giving_birth_in_australia(assess):
    result = assess(
        profile(
            30,
            citizenship="FR",
            sex="female",
            pregnant=True,
            intends_to_give_birth_in_destination=True,
        )
    )
    assert required(result) == {EXAM_, CXR, HIV, PREGNANCY_HEP_B}
    assert "chest_xray" in alternatives(result)


def test_valid_for_12_months(assess):
    result = assess(profile(30))
    assert result.valid_until == datetime.date(2027, 11, 2)
    assert result.validity["rule"] == "AU-VALID-12M"


@pytest.mark.parametrize(
    ("exam", "version", "expected"),
    [
        (datetime.date(2024, 6, 30), "2023-07-01", {EXAM_, CXR, HIV}),
        (datetime.date(2024, 7, 1), "2024-07-01", {EXAM_, CXR, HIV, HEP_B}),
    ],
)
def test_the_hepatitis_b_test_starts_on_1_july_2024(assess, exam, version, expected):
    result = assess(profile(30, exam=exam))
    assert result.version == version
    assert required(result) == expected


def test_the_2023_version_has_the_same_tb_rules(assess):
    result = assess(temporary(stay=6, citizenship="IN", exam=datetime.date(2023, 7, 1)))
    assert result.version == "2023-07-01"
    assert required(result) == {TEMP_EXAM, TEMP_CXR}


def test_no_version_before_1_july_2023(assess):
    with pytest.raises(engine.NoProtocolError):
        assess(profile(30, exam=datetime.date(2023, 6, 30)))


@pytest.mark.parametrize("country", ["IN", "PH", "NG", "PK", "CN", "VN", "ID", "ZA", "BD"])
def test_high_incidence_countries_are_not_on_schedule_1(assess, country):
    result = assess(temporary(stay=6, citizenship=country))
    assert required(result) == {TEMP_EXAM, TEMP_CXR}


@pytest.mark.parametrize("country", ["FR", "DE", "US", "CA", "AU", "GB", "JP", "IT", "ES"])
def test_low_incidence_countries_are_on_schedule_1(assess, country):
    result = assess(temporary(stay=6, citizenship=country))
    assert not result.in_scope


def test_every_rule_id_is_exercised(reference):
    declared = set()
    for version in ("2023-07-01", "2024-07-01"):
        for section in ("rules", "conditional", "alternatives", "validity"):
            declared |= rule_ids("au-health", version, section)
    seen = {rule for case in REQUIRED for _item, rule in case[2] or ()}
    seen |= {"AU-PREGNANCY-CXR", "AU-VALID-12M"}
    assert declared == seen

"""ca-ime: Canada's Immigration Medical Examination, rule by rule at its boundaries."""

from __future__ import annotations

import datetime

import pytest

from migration_hub.health import engine

from .conftest import alternatives, born, conditional, required, rule_ids

pytestmark = pytest.mark.django_db

EXAM = datetime.date(2026, 11, 2)


def profile(age: int = 30, *, eve: bool = False, exam: datetime.date = EXAM, **changes):
    data = {
        "destination": "CA",
        "category": "immigrant",
        "date_of_birth": born(age, exam, eve=eve),
        "exam_date": exam.isoformat(),
        "citizenship": "IN",
    }
    data.update(changes)
    return data


def temporary(age: int = 30, *, stay: int = 12, **changes):
    """A temporary worker; by default French, living in France, so not designated."""
    return profile(
        age,
        **{"category": "worker", "citizenship": "FR", "intended_stay_months": stay, **changes},
    )


def lived(*periods: tuple[str, str, str | None]) -> list[dict]:
    return [{"country": country, "from": start, "to": end} for country, start, end in periods]


EXAM_ = ("medical_exam", "CA-EXAM")
URINE = ("urinalysis", "CA-URINALYSIS-5")
CXR = ("chest_xray", "CA-TB-CXR-11")
CXR_CHILD = ("chest_xray", "CA-TB-CXR-CHILD")
SYPHILIS = ("syphilis_test", "CA-SYPHILIS-15")
HIV = ("hiv_test", "CA-HIV-15")
HIV_CHILD = ("hiv_test", "CA-HIV-CHILD")
CREATININE = ("creatinine", "CA-CREATININE-15")
ADULT = {EXAM_, URINE, CXR, SYPHILIS, HIV, CREATININE}
IN_INDIA = lived(("IN", "2015-01-01", None))

# (case, profile, exact required (item, rule) pairs; None when the profile is out of scope)
REQUIRED = [
    ("adult-immigrant", profile(30), ADULT),
    ("permanent", profile(30, category="permanent"), ADULT),
    ("refugee-like-permanent", profile(30, category="refugee"), ADULT),
    ("turns-15", profile(15), ADULT),
    ("14-the-day-before", profile(15, eve=True), {EXAM_, URINE, CXR}),
    ("turns-11", profile(11), {EXAM_, URINE, CXR}),
    ("10-the-day-before", profile(11, eve=True), {EXAM_, URINE}),
    ("turns-5", profile(5), {EXAM_, URINE}),
    ("4-the-day-before", profile(5, eve=True), {EXAM_}),
    (
        "child-tb-contact",
        profile(11, eve=True, conditions=["tb_contact"]),
        {EXAM_, URINE, CXR_CHILD},
    ),
    ("child-tb-history", profile(3, conditions=["tb_history"]), {EXAM_, CXR_CHILD}),
    ("child-hiv", profile(8, conditions=["hiv_positive"]), {EXAM_, URINE, CXR_CHILD}),
    ("11-tb-contact", profile(11, conditions=["tb_contact"]), {EXAM_, URINE, CXR}),
    (
        "14-blood-products",
        profile(15, eve=True, conditions=["blood_products"]),
        {EXAM_, URINE, CXR, HIV_CHILD},
    ),
    (
        "14-mother-hiv",
        profile(15, eve=True, conditions=["hiv_positive_mother"]),
        {EXAM_, URINE, CXR, HIV_CHILD},
    ),
    ("infant-adoptee", profile(1, conditions=["adoptee"]), {EXAM_, HIV_CHILD}),
    ("15-blood-products", profile(15, conditions=["blood_products"]), ADULT),
    ("fiance", profile(30, category="fiance"), None),
    ("provisional", profile(30, category="provisional"), None),
    # temporary residents: more than 6 months after 6 consecutive months in a designated country
    ("worker-living-in-india-7-months", temporary(stay=7, residence_history=IN_INDIA), ADULT),
    ("worker-living-in-india-6-months", temporary(stay=6, residence_history=IN_INDIA), None),
    ("student-living-in-india", temporary(category="student", residence_history=IN_INDIA), ADULT),
    ("visitor-living-in-india", temporary(category="visitor", residence_history=IN_INDIA), ADULT),
    (
        "child-student-living-in-india",
        temporary(10, category="student", residence_history=IN_INDIA),
        {EXAM_, URINE},
    ),
    (
        "worker-living-in-france",
        temporary(residence_history=lived(("FR", "2015-01-01", None))),
        None,
    ),
    (
        "6-consecutive-months-in-india",
        temporary(
            residence_history=lived(("FR", "2015-01-01", "2026-05-01"), ("IN", "2026-05-02", None))
        ),
        ADULT,
    ),
    (
        "5-months-29-days-in-india",
        temporary(
            residence_history=lived(("FR", "2015-01-01", "2026-05-02"), ("IN", "2026-05-03", None))
        ),
        None,
    ),
    (
        "6-months-in-india-ended-within-the-year",
        temporary(
            residence_history=lived(("IN", "2026-01-01", "2026-07-01"), ("FR", "2026-07-02", None))
        ),
        ADULT,
    ),
    (
        "india-stay-ended-over-a-year-ago",
        temporary(
            residence_history=lived(("IN", "2015-01-01", "2025-10-01"), ("FR", "2025-10-02", None))
        ),
        None,
    ),
    # no residence history: the country of residence on record (else citizenship) stands in
    ("indian-worker-without-history", temporary(citizenship="IN"), ADULT),
    ("french-worker-without-history", temporary(), None),
    ("french-worker-examined-in-india", temporary(exam_country="IN"), ADULT),
    # occupations where public health must be protected: whatever the stay
    ("teacher-3-months", temporary(stay=3, occupation=["teacher"]), ADULT),
    ("health-care-3-months", temporary(stay=3, occupation=["health_care"]), ADULT),
    ("childcare-3-months", temporary(stay=3, occupation=["childcare"]), ADULT),
    ("visitor-3-months", temporary(stay=3, category="visitor"), None),
]


@pytest.mark.parametrize(
    ("profile_data", "expected"), [c[1:] for c in REQUIRED], ids=[c[0] for c in REQUIRED]
)
def test_required_items_and_their_rules(assess, profile_data, expected):
    result = assess(profile_data)
    assert result.protocol == "ca-ime"
    if expected is None:
        assert not result.in_scope
        assert result.required == []
        assert result.notes[0].startswith(
            "ca-ime 2020-01-01 requires no examination for this profile"
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
            {"chest_xray": ("CA-PREGNANCY-CXR", ["chest_xray", "deferral"])},
        ),
        (profile(30, sex="female"), {}),
    ],
    ids=["pregnant", "not-pregnant"],
)
def test_pregnancy_does_not_waive_the_exam(assess, profile_data, expected):
    result = assess(profile_data)
    assert required(result) == ADULT
    assert alternatives(result) == expected


def test_valid_for_12_months_from_the_exam(assess):
    result = assess(profile(30))
    assert result.valid_until == datetime.date(2027, 11, 2)
    assert result.validity["rule"] == "CA-VALID-12M"
    assert result.validity["from"] == "exam"


@pytest.mark.parametrize("country", ["IN", "PH", "NG", "PK", "CN", "VN", "ID", "ZA", "BD"])
def test_high_incidence_countries_are_designated(assess, country):
    result = assess(temporary(residence_history=lived((country, "2015-01-01", None))))
    assert required(result) == ADULT


@pytest.mark.parametrize("country", ["FR", "DE", "US", "AU", "GB", "JP", "IT", "ES"])
def test_low_incidence_countries_are_not(assess, country):
    result = assess(temporary(residence_history=lived((country, "2015-01-01", None))))
    assert not result.in_scope


def test_no_version_before_2020(assess):
    with pytest.raises(engine.NoProtocolError):
        assess(profile(30, exam=datetime.date(2019, 12, 31)))


def test_every_rule_id_is_exercised(reference):
    declared = set()
    for section in ("rules", "conditional", "alternatives", "validity"):
        declared |= rule_ids("ca-ime", "2020-01-01", section)
    seen = {rule for case in REQUIRED for _item, rule in case[2] or ()}
    seen |= {"CA-PREGNANCY-CXR", "CA-VALID-12M"}
    assert declared == seen

"""gb-tb: UK pre-entry TB screening (Appendix T), rule by rule at its boundaries."""

from __future__ import annotations

import datetime

import pytest

from migration_hub.health import engine

from .conftest import alternatives, born, conditional, required, rule_ids

pytestmark = pytest.mark.django_db

EXAM = datetime.date(2026, 11, 2)


def profile(age: int = 30, *, eve: bool = False, exam: datetime.date = EXAM, **changes):
    data = {
        "destination": "GB",
        "category": "worker",
        "date_of_birth": born(age, exam, eve=eve),
        "exam_date": exam.isoformat(),
        "citizenship": "IN",
        "intended_stay_months": 12,
    }
    data.update(changes)
    return data


def lived(*periods: tuple[str, str, str | None]) -> list[dict]:
    return [{"country": country, "from": start, "to": end} for country, start, end in periods]


CXR = ("chest_xray", "GB-TB-CXR-11")
CHILD = ("tb_clinical_assessment", "GB-TB-CHILD-UNDER-11")
SPUTUM_HISTORY = ("sputum", "GB-TB-SPUTUM-HISTORY")

# (case, profile, exact required (item, rule) pairs; None when the profile is out of scope).
# Without a residence history the country of residence is the citizenship (IN: on Appendix T).
REQUIRED = [
    ("adult-resident-in-india", profile(30), {CXR}),
    ("turns-11-on-exam-day", profile(11), {CXR}),
    ("10-the-day-before", profile(11, eve=True), {CHILD}),
    ("stay-7-months", profile(30, intended_stay_months=7), {CXR}),
    ("stay-6-months", profile(30, intended_stay_months=6), None),
    ("fiance-short-stay", profile(30, category="fiance", intended_stay_months=3), {CXR}),
    ("visitor-short-stay", profile(30, category="visitor", intended_stay_months=3), None),
    (
        "settlement-stay-not-given",
        profile(30, category="immigrant", intended_stay_months=None),
        {CXR},
    ),
    ("worker-stay-not-given", profile(30, intended_stay_months=None), None),
    ("history-of-tb", profile(30, conditions=["tb_history"]), {CXR, SPUTUM_HISTORY}),
    ("child-history-of-tb", profile(8, conditions=["tb_history"]), {CHILD, SPUTUM_HISTORY}),
    # residence decides, whatever the nationality
    (
        "indian-resident-in-france",
        profile(30, residence_history=lived(("FR", "2015-01-01", None))),
        None,
    ),
    (
        "french-resident-in-india",
        profile(30, citizenship="FR", residence_history=lived(("IN", "2015-01-01", None))),
        {CXR},
    ),
    # the worked example: 2 months in India after 2 years in Saudi Arabia
    (
        "two-months-in-india-after-saudi-arabia",
        profile(
            30,
            residence_history=lived(("SA", "2024-09-01", "2026-09-01"), ("IN", "2026-09-02", None)),
        ),
        None,
    ),
    (
        "left-non-listed-country-6-months-ago",
        profile(
            30,
            residence_history=lived(("SA", "2020-01-01", "2026-05-02"), ("IN", "2026-05-03", None)),
        ),
        None,
    ),
    (
        "left-non-listed-country-7-months-ago",
        profile(
            30,
            residence_history=lived(("SA", "2020-01-01", "2026-04-02"), ("IN", "2026-04-03", None)),
        ),
        {CXR},
    ),
    (
        "six-months-in-non-listed-country",
        profile(
            30,
            residence_history=lived(("SA", "2025-11-02", "2026-05-02"), ("IN", "2026-05-03", None)),
        ),
        None,
    ),
    (
        "five-months-29-days-in-non-listed-country",
        profile(
            30,
            residence_history=lived(("SA", "2025-11-03", "2026-05-02"), ("IN", "2026-05-03", None)),
        ),
        {CXR},
    ),
]


@pytest.mark.parametrize(
    ("profile_data", "expected"), [c[1:] for c in REQUIRED], ids=[c[0] for c in REQUIRED]
)
def test_required_items_and_their_rules(assess, profile_data, expected):
    result = assess(profile_data)
    assert result.protocol == "gb-tb"
    if expected is None:
        assert not result.in_scope
        assert result.required == []
        assert result.notes[0].startswith(
            "gb-tb 2014-03-31 requires no examination for this profile"
        )
        assert "Appendix T" in result.notes[0]
    else:
        assert result.in_scope
        assert required(result) == expected


SPUTUM_AFTER_CXR = ("sputum", "GB-TB-SPUTUM-AFTER-CXR", "the chest X-ray is not clear")
CXR_CHILD = ("chest_xray", "GB-TB-CXR-CHILD", "the clinician decides the child needs one")
CONDITIONAL = [
    ("adult", profile(11), {SPUTUM_AFTER_CXR}),
    ("adult-history-of-tb", profile(30, conditions=["tb_history"]), set()),
    ("child", profile(11, eve=True), {CXR_CHILD}),
    ("out-of-scope", profile(30, intended_stay_months=6), set()),
]


@pytest.mark.parametrize(
    ("profile_data", "expected"), [c[1:] for c in CONDITIONAL], ids=[c[0] for c in CONDITIONAL]
)
def test_conditional_follow_ups(assess, profile_data, expected):
    assert conditional(assess(profile_data)) == expected


@pytest.mark.parametrize(
    ("profile_data", "expected"),
    [
        (
            profile(30, sex="female", pregnant=True),
            {"chest_xray": ("GB-PREGNANCY-CXR", ["chest_xray", "sputum", "deferral"])},
        ),
        (profile(30, sex="female"), {}),
    ],
    ids=["pregnant", "not-pregnant"],
)
def test_pregnant_applicants_are_not_exempt_but_get_alternatives(assess, profile_data, expected):
    result = assess(profile_data)
    assert CXR in required(result)
    assert alternatives(result) == expected


@pytest.mark.parametrize(
    ("age", "eve", "rule", "start"),
    [(11, False, "GB-VALID-6M-CXR", "chest_xray"), (11, True, "GB-VALID-6M", "exam")],
    ids=["from-the-x-ray", "child-from-the-exam"],
)
def test_certificate_valid_for_six_months(assess, age, eve, rule, start):
    result = assess(profile(age, eve=eve))
    assert result.valid_until == datetime.date(2027, 5, 2)
    assert result.validity["rule"] == rule
    assert result.validity["from"] == start


@pytest.mark.parametrize("country", ["IN", "PH", "NG", "PK", "CN", "VN", "ID", "ZA", "BD"])
def test_residents_of_high_incidence_countries_are_screened(assess, country):
    result = assess(
        profile(30, citizenship="FR", residence_history=lived((country, "2015-01-01", None)))
    )
    assert required(result) == {CXR}


@pytest.mark.parametrize("country", ["FR", "DE", "US", "CA", "AU", "JP", "IT", "ES"])
def test_residents_of_low_incidence_countries_are_not(assess, country):
    result = assess(profile(30, residence_history=lived((country, "2015-01-01", None))))
    assert not result.in_scope


def test_no_version_before_the_2014_list(assess):
    with pytest.raises(engine.NoProtocolError):
        assess(profile(30, exam=datetime.date(2014, 3, 30)))


def test_every_rule_id_is_exercised(reference):
    declared = set()
    for section in ("rules", "conditional", "alternatives", "validity"):
        declared |= rule_ids("gb-tb", "2014-03-31", section)
    seen = {rule for case in REQUIRED for _item, rule in case[2] or ()}
    seen |= {rule for case in CONDITIONAL for _item, rule, _if in case[2]}
    seen |= {"GB-PREGNANCY-CXR", "GB-VALID-6M-CXR", "GB-VALID-6M"}
    assert declared == seen

"""us-panel: CDC Technical Instructions for panel physicians, rule by rule at its boundaries."""

from __future__ import annotations

import datetime

import pytest
import yaml

from migration_hub.health import engine, services
from migration_hub.health.models import CountryList

from .conftest import WHO_RELEASE, alternatives, born, conditional, required, rule_ids

pytestmark = pytest.mark.django_db

EXAM = datetime.date(2026, 11, 2)
URL_COVID_REMOVED = (
    "https://bal.com/perspectives/bal-news/"
    "united-states-immigrant-visa-applicants-no-longer-required-to-have-covid-19-vaccination"
)
URL_VACCINATION_TI = (
    "https://www.cdc.gov/immigrantrefugeehealth/exams/ti/panel/"
    "vaccination-panel-technical-instructions.html"
)


def profile(age: int = 30, *, eve: bool = False, exam: datetime.date = EXAM, **changes):
    data = {
        "destination": "US",
        "category": "immigrant",
        "date_of_birth": born(age, exam, eve=eve),
        "exam_date": exam.isoformat(),
        "citizenship": "FR",
    }
    data.update(changes)
    return data


EXAM_ = ("medical_exam", "US-EXAM")
CXR = ("chest_xray", "US-TB-CXR-15")
SYPHILIS = ("syphilis_test", "US-SYPHILIS-15")
GONORRHEA = ("gonorrhea_test", "US-GONORRHEA-18-24")
VACCINATION = ("vaccination_assessment", "US-VACCINATION-IV")
IGRA = ("tb_infection_test", "US-TB-IGRA-2-14")
CHILD_SIGNS = {
    ("tb_infection_test", "US-TB-CHILD-SIGNS"),
    ("chest_xray", "US-TB-CHILD-SIGNS"),
    ("sputum", "US-TB-CHILD-SIGNS"),
}
SPUTUM_SIGNS = ("sputum", "US-TB-SPUTUM-SIGNS")

# (case, profile, the exact required (item, rule) pairs). "eve" is the day before a birthday, so
# age 15 with eve=True is 14 on the exam date. FR is a low, IN a high TB burden exam country.
REQUIRED = [
    ("adult-low-burden", profile(30), {EXAM_, CXR, SYPHILIS, VACCINATION}),
    ("turns-15-on-exam-day", profile(15), {EXAM_, CXR, SYPHILIS, VACCINATION}),
    ("14-the-day-before", profile(15, eve=True), {EXAM_, VACCINATION}),
    ("14-high-burden", profile(15, eve=True, exam_country="IN"), {EXAM_, IGRA, VACCINATION}),
    ("15-high-burden", profile(15, exam_country="IN"), {EXAM_, CXR, SYPHILIS, VACCINATION}),
    ("2-high-burden", profile(2, exam_country="IN"), {EXAM_, IGRA, VACCINATION}),
    ("1-high-burden", profile(2, eve=True, exam_country="IN"), {EXAM_, VACCINATION}),
    ("18-gonorrhea", profile(18), {EXAM_, CXR, SYPHILIS, GONORRHEA, VACCINATION}),
    ("17-no-gonorrhea", profile(18, eve=True), {EXAM_, CXR, SYPHILIS, VACCINATION}),
    ("24-gonorrhea", profile(25, eve=True), {EXAM_, CXR, SYPHILIS, GONORRHEA, VACCINATION}),
    ("25-no-gonorrhea", profile(25), {EXAM_, CXR, SYPHILIS, VACCINATION}),
    ("child-symptoms", profile(10, symptoms=["cough"]), {EXAM_, *CHILD_SIGNS, VACCINATION}),
    (
        "child-hiv",
        profile(10, conditions=["hiv_positive"]),
        {EXAM_, *CHILD_SIGNS, VACCINATION},
    ),
    (
        "14-symptoms-high-burden",
        profile(15, eve=True, exam_country="IN", symptoms=["cough"]),
        {
            EXAM_,
            IGRA,
            ("chest_xray", "US-TB-CHILD-SIGNS"),
            ("sputum", "US-TB-CHILD-SIGNS"),
            VACCINATION,
        },
    ),
    (
        "adult-symptoms",
        profile(30, symptoms=["cough"]),
        {EXAM_, CXR, SPUTUM_SIGNS, SYPHILIS, VACCINATION},
    ),
    (
        "15-hiv",
        profile(15, conditions=["hiv_positive"]),
        {EXAM_, CXR, SPUTUM_SIGNS, SYPHILIS, VACCINATION},
    ),
    (
        "refugee-no-vaccination",
        profile(30, category="refugee", citizenship="IN"),
        {EXAM_, CXR, SYPHILIS},
    ),
    ("fiance-no-vaccination", profile(20, category="fiance"), {EXAM_, CXR, SYPHILIS, GONORRHEA}),
    (
        "exam-country-not-citizenship",
        profile(10, citizenship="IN", exam_country="FR"),
        {EXAM_, VACCINATION},
    ),
    (
        "exam-country-defaults-to-citizenship",
        profile(10, citizenship="PH"),
        {EXAM_, IGRA, VACCINATION},
    ),
    (
        "exam-country-defaults-to-residence",
        profile(10, citizenship="FR", residence_history=[{"country": "IN", "from": "2020-01-01"}]),
        {EXAM_, IGRA, VACCINATION},
    ),
]


@pytest.mark.parametrize(
    ("profile_data", "expected"), [c[1:] for c in REQUIRED], ids=[c[0] for c in REQUIRED]
)
def test_required_items_and_their_rules(assess, profile_data, expected):
    result = assess(profile_data)
    assert result.protocol == "us-panel"
    assert result.in_scope
    assert required(result) == expected


SPUTUM_AFTER_CXR = ("sputum", "US-TB-SPUTUM-AFTER-CXR", "the chest X-ray suggests TB")
CXR_AFTER_IGRA = ("chest_xray", "US-TB-CXR-AFTER-IGRA", "the TB infection test is positive")
CONDITIONAL = [
    ("child-high-burden", profile(10, exam_country="IN"), {CXR_AFTER_IGRA, SPUTUM_AFTER_CXR}),
    ("15-high-burden", profile(15, exam_country="IN"), {SPUTUM_AFTER_CXR}),
    # no chest X-ray can be taken under 2 in a high-burden country, nor under 15 in a low one:
    # nothing for a sputum test to follow
    ("1-high-burden", profile(2, eve=True, exam_country="IN"), set()),
    ("2-high-burden", profile(2, exam_country="IN"), {CXR_AFTER_IGRA, SPUTUM_AFTER_CXR}),
    ("adult-low-burden", profile(30), {SPUTUM_AFTER_CXR}),
    ("child-low-burden", profile(10), set()),
    ("14-low-burden", profile(15, eve=True), set()),
    ("15-low-burden", profile(15), {SPUTUM_AFTER_CXR}),
    ("adult-symptoms", profile(30, symptoms=["cough"]), set()),
    ("child-high-burden-hiv", profile(10, exam_country="IN", conditions=["hiv_positive"]), set()),
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
            {"chest_xray": ("US-PREGNANCY-CXR", ["chest_xray", "deferral"])},
        ),
        (profile(30, sex="female"), {}),
        # no chest X-ray is required at 14 in a low-burden country, so there is nothing to replace
        (profile(15, eve=True, sex="female", pregnant=True), {}),
    ],
    ids=["pregnant", "not-pregnant", "pregnant-no-xray-required"],
)
def test_pregnancy_alternatives(assess, profile_data, expected):
    assert alternatives(assess(profile_data)) == expected


def test_valid_for_six_months_from_the_exam(assess):
    result = assess(profile(30))
    assert result.valid_until == datetime.date(2027, 5, 2)
    assert result.validity["rule"] == "US-VALID-6M"
    assert result.validity["from"] == "exam"
    assert (
        result.validity["source"]
        == "https://jp.usembassy.gov/visas/immigrant-visas/medical-examinations/"
    )


@pytest.mark.parametrize("category", ["visitor", "student", "worker", "temporary"])
def test_out_of_scope_categories_get_nothing_and_a_note(assess, category):
    result = assess(profile(30, category=category, citizenship="IN"))
    assert not result.in_scope
    assert result.required == [] and result.conditional == [] and result.alternatives == []
    assert result.notes[0].startswith(
        "us-panel 2025-03-11 requires no examination for this profile"
    )
    assert "panel physician" in result.notes[0]


def test_the_brief_boundary_dates_give_14_then_15(assess):
    day_before = assess(profile(30, date_of_birth="2011-11-02", exam_date="2026-11-01"))
    birthday = assess(profile(30, date_of_birth="2011-11-02", exam_date="2026-11-02"))
    assert CXR not in required(day_before)
    assert CXR in required(birthday)


@pytest.mark.parametrize(
    ("exam", "version", "vaccination_source", "covid"),
    [
        (datetime.date(2025, 3, 10), "2021-09-03", URL_VACCINATION_TI, True),
        (datetime.date(2025, 3, 11), "2025-03-11", URL_COVID_REMOVED, False),
    ],
)
def test_the_version_in_force_on_the_exam_date_is_applied(
    assess, exam, version, vaccination_source, covid
):
    result = assess(profile(30, exam=exam))
    assert result.version == version
    (vaccination,) = [entry for entry in result.required if entry.rule == "US-VACCINATION-IV"]
    assert vaccination.source == vaccination_source
    assert ("COVID-19 included" in vaccination.reason) is covid


def test_no_version_before_the_first_is_an_error_naming_the_exam_date(assess):
    with pytest.raises(engine.NoProtocolError) as raised:
        assess(profile(30, exam=datetime.date(2021, 9, 2)))
    assert "exam_date" in raised.value.errors


@pytest.mark.parametrize("country", ["KP", "TV"], ids=["listed-without-estimate", "no-row"])
def test_a_country_without_a_who_estimate_counts_as_high_burden_and_says_so(assess, country):
    result = assess(profile(10, citizenship=country))
    assert IGRA in required(result)
    assert any(
        f"no WHO TB incidence estimate is loaded for {country}" in note for note in result.notes
    )
    assert any("conservative" in note for note in result.notes)


def test_the_burden_note_cites_the_newest_estimate_and_release(assess):
    result = assess(profile(10, exam_country="FR"))
    (note,) = [note for note in result.notes if note.startswith("high_burden")]
    assert "FR has an estimated TB incidence of 8" in note
    assert "2023" in note and WHO_RELEASE in note
    assert "9.5" not in note


def test_every_shipped_file_loads(reference):
    """Country lists first, then every protocol file: none is rejected."""
    assert reference.protocols.rejected == []
    shipped = sorted(
        path.relative_to(services.PROTOCOL_DIR).as_posix()
        for path in services.PROTOCOL_DIR.rglob("*.yaml")
    )
    assert sorted(reference.protocols.loaded) == shipped
    assert {
        "us-panel/2025-03-11.yaml",
        "gb-tb/2014-03-31.yaml",
        "ca-ime/2020-01-01.yaml",
        "au-health/2024-07-01.yaml",
        "nz-health/2023-03-01.yaml",
    } <= set(shipped)
    versions = sum(
        len(yaml.safe_load(path.read_text(encoding="utf-8"))["versions"])
        for path in services.COUNTRY_LIST_DIR.glob("*.yaml")
    )
    assert reference.lists["created"] == versions
    assert CountryList.objects.filter(code="au-schedule-1").count() == 2


def test_every_rule_id_is_exercised(reference):
    declared = set()
    for version in ("2021-09-03", "2025-03-11"):
        for section in ("rules", "conditional", "alternatives", "validity"):
            declared |= rule_ids("us-panel", version, section)
    seen = {rule for case in REQUIRED for _item, rule in case[2]}
    seen |= {rule for case in CONDITIONAL for _item, rule, _if in case[2]}
    seen |= {"US-PREGNANCY-CXR", "US-VALID-6M"}
    assert declared == seen

"""Protocol files and reference data: checked on load, broken ones rejected with file, line and
reason while the versions in force stay."""

from __future__ import annotations

import pytest

from migration_hub.core.models import AuditEvent
from migration_hub.health import engine, services
from migration_hub.health.models import ProtocolVersion, TbIncidence
from migration_hub.health.rules import ProtocolFileError, parse_protocol
from migration_hub.health.services import PROTOCOL_DIR, ReferenceFileError

pytestmark = pytest.mark.django_db

US_CURRENT = (PROTOCOL_DIR / "us-panel" / "2025-03-11.yaml").read_text()
PROFILE = {
    "destination": "US",
    "category": "immigrant",
    "date_of_birth": "1990-05-01",
    "exam_date": "2026-11-01",
    "citizenship": "PH",
}


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def broken(old: str, new: str) -> str:
    assert old in US_CURRENT
    return US_CURRENT.replace(old, new, 1)


@pytest.fixture
def loaded() -> None:
    services.load_country_lists()
    report = services.load_protocols()
    assert report.rejected == []


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(ProtocolFileError) as caught:
        parse_protocol(text, "us-panel.yaml")
    return caught.value.problems


def test_a_syntax_error_in_a_condition_names_its_line():
    text = broken("when: age >= 15\n", "when: age >= && 15\n")
    [(line, reason)] = problems(text)
    assert line == line_of(text, "age >= && 15")
    assert "syntax error" in reason


def test_an_unknown_name_in_a_condition_is_named():
    text = broken("when: age >= 15\n", "when: agee >= 15\n")
    [(line, reason)] = problems(text)
    assert line == line_of(text, "agee")
    assert "agee" in reason and "no profile has" in reason


def test_a_type_error_in_a_condition_is_caught_on_load():
    text = broken("when: age >= 15\n", "when: age >= 15.0\n")
    [(_line, reason)] = problems(text)
    assert "cannot be evaluated" in reason


def test_an_unknown_item_code_names_its_line():
    text = broken("require: [syphilis_test]", "require: [syphilis_tset]")
    [(line, reason)] = problems(text)
    assert line == line_of(text, "syphilis_tset")
    assert "syphilis_tset" in reason


def test_a_missing_field_and_an_unknown_source_are_both_reported():
    text = broken('title: "United States', 'titel: "United States').replace(
        "    source: ti-syphilis\n", "    source: nowhere\n", 1
    )
    reasons = [reason for _line, reason in problems(text)]
    assert any("'title' is a required property" in reason for reason in reasons)
    assert len(reasons) == 2 or any("titel" in reason for reason in reasons)


def test_not_yaml_at_all():
    [(line, reason)] = problems("protocol: [unclosed\n  rules: {")
    assert line is not None and "not valid YAML" in reason


def test_a_repeated_rule_id():
    text = broken("id: US-SYPHILIS-15", "id: US-EXAM")
    assert any("repeats" in reason for _line, reason in problems(text))


def test_a_broken_file_is_rejected_and_the_version_in_force_stays(loaded, tmp_path):
    before = engine.requirements_for(PROFILE).as_dict()
    folder = tmp_path / "us-panel"
    folder.mkdir()
    changed = broken("when: age >= 15\n", "when: age >= && 15\n")
    (folder / "2025-03-11.yaml").write_text(changed)
    report = services.load_protocols(tmp_path)
    [error] = report.rejected
    assert error.file_name == "us-panel/2025-03-11.yaml"
    assert error.problems[0][0] == line_of(changed, "age >= && 15")
    assert ProtocolVersion.objects.get(protocol="us-panel", version="2025-03-11").text == US_CURRENT
    assert engine.requirements_for(PROFILE).as_dict() == before


def test_overlapping_versions_are_refused(loaded, tmp_path):
    overlapping = broken('version: "2025-03-11"', 'version: "2024-01-01"').replace(
        "effective_from: 2025-03-11", "effective_from: 2024-01-01", 1
    )
    (tmp_path / "2024-01-01.yaml").write_text(overlapping)
    [error] = services.load_protocols(tmp_path).rejected
    assert "overlap" in str(error)
    assert not ProtocolVersion.objects.filter(version="2024-01-01").exists()


def test_a_version_that_reads_an_unloaded_list_is_refused(tmp_path):
    text = broken(
        "    incidence_at_least: {country: exam_country, per_100k: 20}",
        "    listed: {list: nowhere-list, member: true}",
    )
    (tmp_path / "x.yaml").write_text(text)
    [error] = services.load_protocols(tmp_path).rejected
    assert "nowhere-list" in str(error)


def test_loading_twice_changes_nothing_and_each_load_is_audited(loaded):
    loads = AuditEvent.objects.filter(action="load").count()
    again = services.load_protocols()
    assert again.loaded == [] and len(again.unchanged) >= 2
    assert AuditEvent.objects.filter(action="load").count() == loads


WHO_HEADER = "country,g_whoregion,iso_numeric,iso2,iso3,year,e_inc_100k,e_inc_num\n"


def who_file(*rows: str) -> bytes:
    return (WHO_HEADER + "".join(row + "\n" for row in rows)).encode()


def test_who_estimates_keep_the_newest_year_and_unquote_namibia():
    content = who_file(
        "France,EUR,250,FR,FRA,2023,8.1,5400",
        "France,EUR,250,FR,FRA,2024,7.9,5300",
        "Namibia,AFR,516,'NA',NAM,2024,442,13000",
        "Democratic People's Republic of Korea,SEA,408,KP,PRK,2024,,",
    )
    report = services.import_who_tb_burden(content, release="WHO 2025")
    assert report.countries == 3 and report.without_estimate == ["KP"]
    assert str(TbIncidence.objects.get(country="FR").per_100k) == "7.90"
    assert TbIncidence.objects.get(country="NA").per_100k == 442
    assert TbIncidence.objects.filter(country="FR").count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"country,year\nFrance,2024\n", "lacks the column(s) iso2, e_inc_100k"),
        (who_file("France,EUR,250,FR,FRA,2024,lots,1"), "line 2: e_inc_100k 'lots'"),
        (who_file("France,EUR,250,FR,FRA,2024,8,1", "X,EUR,1,ZZ,ZZZ,2024,8,1"), "line 3: iso2"),
        (who_file("France,EUR,250,FR,FRA,twenty,8,1"), "year 'twenty'"),
        (who_file(), "no rows"),
        ("pays\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_a_bad_who_file_imports_nothing(content, message):
    with pytest.raises(ReferenceFileError) as caught:
        services.import_who_tb_burden(content, release="bad")
    assert message in str(caught.value)
    assert not TbIncidence.objects.exists()


def test_a_macro_variable_is_not_taken_for_a_fact():
    text = broken(
        "when: age >= 15\n",
        'when: age >= 15 && occupations.exists(o, o in ["health_care", "childcare"])\n',
    )
    document = parse_protocol(text, "us-panel.yaml")
    rule = next(rule for rule in document["rules"] if rule["id"] == "US-TB-CXR-15")
    assert "exists(o" in rule["when"]


def test_adjacent_records_of_one_country_are_one_consecutive_stay():
    import datetime

    from migration_hub.health.engine import CompiledProtocol, DatedList, Engine, validate_profile

    text = broken(
        "    incidence_at_least: {country: exam_country, per_100k: 20}",
        "    listed: {list: high, member: true, countries: [], "
        "stay: {months: 6, within_years: 1, consecutive: true}}",
    )
    protocol = CompiledProtocol(None, parse_protocol(text, "x.yaml"))
    lists = {"high": [DatedList(datetime.date(2000, 1, 1), None, frozenset({"IN"}))]}
    checker = Engine([protocol], lists, {})
    two_records = [
        {"country": "IN", "from": "2026-01-01", "to": "2026-03-31"},
        {"country": "IN", "from": "2026-04-01", "to": "2026-07-01"},
    ]
    child = {key: value for key, value in PROFILE.items() if key != "date_of_birth"}

    def igra(history):
        profile = validate_profile({**child, "age": 10, "residence_history": history})
        return "tb_infection_test" in {
            item.item for item in checker.requirements_for(profile).required
        }

    assert igra(two_records)
    assert not igra(two_records[:1])
    gap = [two_records[0], {**two_records[1], "from": "2026-04-02"}]
    assert not igra(gap)

"""Loading the reference files: all or nothing, with errors that name file, line and record."""

from __future__ import annotations

from pathlib import Path

import pytest

from migration_hub.registry.errors import ReferenceDataError
from migration_hub.registry.loader import REFERENCE_DIR, find_cycle, load_reference
from migration_hub.registry.models import (
    Crosswalk,
    FrameworkItem,
    Membership,
    NetworkMembership,
    Organization,
    Participation,
)

pytestmark = pytest.mark.django_db


def break_file(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def assert_nothing_loaded() -> None:
    assert not Organization.objects.exists()
    assert not FrameworkItem.objects.exists()
    assert not Membership.objects.exists()


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ReferenceDataError) as error:
        load_reference(directory)
    return error.value.problems


def test_minimal_set_loads_and_a_second_run_changes_nothing(world, reference_dir: Path) -> None:
    first = load_reference(reference_dir)
    assert first.reports["organizations"].added == 4
    iom = Organization.objects.get(code="IOM")
    assert (iom.founded_year, iom.headquarters_country.alpha3) == (1951, "CHE")
    assert iom.founding_instrument.code == "IOM-CONSTITUTION"
    assert iom.facts.get(name="Member states").value == "173"
    assert FrameworkItem.objects.get(code="MIGOF-TA-04").parent.code == "MIGOF-O1"
    assert NetworkMembership.objects.get(organization__code="IOM").roles == [
        "member",
        "executive-committee",
        "coordinator",
        "secretariat",
    ]
    assert iom.history.first().history_change_reason == "reference data test"
    second = load_reference(reference_dir)
    assert all(report.added == report.changed == 0 for report in second.reports.values()), (
        second.lines()
    )
    assert second.reports["organizations"].unchanged == 4
    assert Organization.objects.count() == 4 and Participation.objects.count() == 3


def test_a_changed_record_is_counted_and_kept_in_history(world, reference_dir: Path) -> None:
    load_reference(reference_dir)
    break_file(reference_dir, "organizations.yaml", "founded_year: 1951", "founded_year: 1953")
    result = load_reference(reference_dir)
    assert result.reports["organizations"].changed == 1
    iom = Organization.objects.get(code="IOM")
    assert iom.founded_year == 1953
    assert [h.founded_year for h in iom.history.order_by("history_date")] == [1951, 1953]


def test_duplicate_code_is_named_and_nothing_loads(world, reference_dir: Path) -> None:
    break_file(reference_dir, "organizations.yaml", "  - code: UNODC", "  - code: IOM")
    problems = problems_of(reference_dir)
    assert any(
        p.startswith("organizations.yaml:") and "duplicate code IOM" in p for p in problems
    ), problems
    assert_nothing_loaded()


def test_unknown_country_code_is_named(world, reference_dir: Path) -> None:
    break_file(reference_dir, "memberships.yaml", "country: DEU", "country: XYZ")
    problems = problems_of(reference_dir)
    assert problems == ["memberships.yaml:5: unknown country XYZ"]
    assert_nothing_loaded()


def test_membership_ending_before_it_starts_is_named(world, reference_dir: Path) -> None:
    break_file(reference_dir, "memberships.yaml", "end: 2020-01-31", "end: 1960-01-31")
    problems = problems_of(reference_dir)
    assert problems == ["memberships.yaml:6: ends (1960-01-31) before it starts (1973-01-01)"]
    assert_nothing_loaded()


def test_crosswalk_cycle_is_refused(world, reference_dir: Path) -> None:
    path = reference_dir / "crosswalks.yaml"
    path.write_text(
        path.read_text() + "  - {from: MIGOF-TA-04, to: SDG-10.C, source: https://example.org/s}\n"
        "  - {from: SDG-10.C, to: GCM-O10, source: https://example.org/s}\n"
    )
    problems = problems_of(reference_dir)
    assert any(
        "cycle" in p and "GCM-O10 → MIGOF-TA-04 → SDG-10.C → GCM-O10" in p for p in problems
    ), problems
    assert not Crosswalk.objects.exists()


def test_crosswalk_to_a_missing_item_is_named(world, reference_dir: Path) -> None:
    break_file(reference_dir, "crosswalks.yaml", "to: SDG-10.C", "to: SDG-99.9")
    assert problems_of(reference_dir) == ["crosswalks.yaml:4: link to a missing item SDG-99.9"]
    assert_nothing_loaded()


def test_yaml_syntax_error_names_file_and_line(world, reference_dir: Path) -> None:
    break_file(reference_dir, "networks.yaml", "kind: global", "kind: [global")
    problems = problems_of(reference_dir)
    assert len(problems) == 1 and problems[0].startswith("networks.yaml:")
    assert "YAML syntax error" in problems[0]
    assert_nothing_loaded()


def test_missing_source_names_the_record(world, reference_dir: Path) -> None:
    break_file(
        reference_dir,
        "organizations.yaml",
        "    thematic_areas: [GCM-O10]\n    source: https://example.org/source\n",
        "    thematic_areas: [GCM-O10]\n",
    )
    problems = problems_of(reference_dir)
    assert problems == ["organizations.yaml:20: UNODC: 'source' is required"]
    assert_nothing_loaded()


def test_wrong_values_are_named_with_their_field(world, reference_dir: Path) -> None:
    break_file(reference_dir, "instruments.yaml", "binding: false", "binding: maybe")
    break_file(reference_dir, "participations.yaml", "date: 1999-03-08", "date: 1999-13-08")
    problems = problems_of(reference_dir)
    assert any(p.startswith("instruments.yaml:3: UDHR: binding:") for p in problems), problems
    assert any(p.startswith("participations.yaml:3: MEX: date:") for p in problems), problems
    assert_nothing_loaded()


def test_a_failure_after_a_first_load_keeps_the_loaded_data(world, reference_dir: Path) -> None:
    load_reference(reference_dir)
    break_file(reference_dir, "organizations.yaml", "name: European Union", "name: Changed Union")
    break_file(reference_dir, "memberships.yaml", "country: DEU", "country: XYZ")
    problems_of(reference_dir)
    assert Organization.objects.get(code="EU").name == "European Union"


def test_missing_file_is_named(world, reference_dir: Path) -> None:
    (reference_dir / "rights.yaml").unlink()
    problems = problems_of(reference_dir)
    assert problems[0].startswith("rights.yaml: file missing")


def test_find_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": {"x"}}) == ["x", "x"]


def test_shipped_reference_files_exist_with_sources() -> None:
    names = sorted(path.name for path in REFERENCE_DIR.glob("*.yaml"))
    assert names == sorted(
        [
            "crosswalks.yaml",
            "frameworks.yaml",
            "instruments.yaml",
            "memberships.yaml",
            "networks.yaml",
            "organizations.yaml",
            "participations.yaml",
            "rights.yaml",
        ]
    )


def test_two_records_for_the_same_row_are_refused(world, reference_dir: Path) -> None:
    path = reference_dir / "participations.yaml"
    path.write_text(
        path.read_text()
        + "  - {country: MEX, instrument: ICRMW, action: ratification, date: 2001-01-01, source: https://example.org/s}\n"
    )
    assert problems_of(reference_dir) == [
        "participations.yaml:6: duplicate of line 3 (MEX, ICRMW, ratification)"
    ]
    assert_nothing_loaded()


def test_a_bad_value_found_while_writing_names_file_line_and_field_and_rolls_back(
    world, reference_dir: Path
) -> None:
    load_reference(reference_dir)
    break_file(reference_dir, "organizations.yaml", "name: European Union", "name: " + "E" * 400)
    break_file(reference_dir, "rights.yaml", "name: Non-refoulement", "name: Changed right")
    problems = problems_of(reference_dir)
    assert len(problems) == 1 and problems[0].startswith(
        "organizations.yaml:26: EU: name: Ensure this value has at most 300"
    )
    assert Organization.objects.get(code="EU").name == "European Union"
    from migration_hub.registry.models import Right

    assert Right.objects.get(code="NON-REFOULEMENT").name == "Non-refoulement"  # rolled back


def test_a_change_of_network_roles_is_counted(world, reference_dir: Path) -> None:
    load_reference(reference_dir)
    break_file(
        reference_dir, "networks.yaml", "roles: [executive-committee], source", "roles: [], source"
    )
    result = load_reference(reference_dir)
    assert result.reports["network memberships"].changed == 1
    assert NetworkMembership.objects.get(organization__code="UNODC").roles == ["member"]


def test_rows_no_longer_in_the_files_are_reported_and_kept(world, reference_dir: Path) -> None:
    load_reference(reference_dir)
    break_file(
        reference_dir,
        "memberships.yaml",
        "  - {organization: UN, country: VAT, kind: observer, source: https://example.org/source}\n",
        "",
    )
    result = load_reference(reference_dir)
    assert (
        str(result.reports["memberships"])
        == "0 added, 0 changed, 3 unchanged, 1 not in the files (kept)"
    )
    assert Membership.objects.filter(member_country__alpha3="VAT").exists()

"""`migration-hub import` as a user runs it: a real process on a real SQLite data directory."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from migration_hub.statistics.services import SAMPLES_DIR

from .test_cli import run

STOCK_2020 = SAMPLES_DIR / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
COUNT_FIGURES = (
    "from migration_hub.statistics.models import Dataset, Observation;"
    "print(Dataset.objects.count(), Observation.objects.count())"
)


def test_import_prints_what_it_added_and_a_second_run_adds_nothing(
    env: dict[str, str],
) -> None:
    first = run("import", "undesa-stock", str(STOCK_2020), env=env)
    assert first.returncode == 0, first.stderr
    assert "International Migrant Stock (2020) - 11844 added, 0 changed" in first.stdout

    second = run("import", "undesa-stock", str(STOCK_2020), env=env)
    assert second.returncode == 0, second.stderr
    assert "0 added, 0 changed, 11844 unchanged, 0 removed" in second.stdout

    counts = run("manage", "shell", "-v", "0", "-c", COUNT_FIGURES, env=env)
    assert counts.stdout.split() == ["1", "11844"], counts.stderr


def test_a_bad_file_exits_1_lists_the_problems_and_writes_the_report(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "stock_2020_edited.xlsx"
    workbook = openpyxl.load_workbook(STOCK_2020)
    workbook["Table 1"]["L200"] = "8 524 876 (est.)"  # France, 2020
    workbook["Table 2"]["F35"] = "n/a?"  # Burundi, 1990
    workbook.save(bad)
    report = tmp_path / "problems.csv"

    result = run("import", "undesa-stock", str(bad), "--report", str(report), env=env)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "error: stock_2020_edited.xlsx: 2 problems, nothing was imported. Fix these and run again:"
    )
    assert "  Table 1 L200: France 2020 total: '8 524 876 (est.)' is not a number" in lines
    assert "  Table 2 F35: Burundi 1990 total: 'n/a?' is not a number" in lines
    assert lines[-1] == f"  full report: {report}"
    assert "Traceback" not in result.stderr

    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["where", "problem"],
        ["Table 1 L200", "France 2020 total: '8 524 876 (est.)' is not a number"],
        ["Table 2 F35", "Burundi 1990 total: 'n/a?' is not a number"],
    ]

    counts = run("manage", "shell", "-v", "0", "-c", COUNT_FIGURES, env=env)
    assert counts.stdout.split() == ["0", "0"], counts.stderr

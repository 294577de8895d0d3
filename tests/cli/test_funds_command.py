"""`migration-hub funds rates|check` as a user runs them: a real process on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli import run

MAKE_ORGANIZATION = (
    "from migration_hub.accounts.models import Organization;"
    "Organization.objects.create(code='AA', name='Fund unit', kind='un_entity')"
)
COUNT_RATES = (
    "from migration_hub.funds.models import ExchangeRate; print(ExchangeRate.objects.count())"
)


@pytest.fixture(autouse=True)
def fund_unit(env: dict[str, str]) -> None:
    """The organization whose rate table the imports fill."""
    result = run("manage", "shell", "-v", "0", "-c", MAKE_ORGANIZATION, env=env)
    assert result.returncode == 0, result.stderr


def test_rates_import_then_a_rerun_updates_in_place(env: dict[str, str], tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "currency,quote_currency,date,rate,source\n"
        "EUR,USD,2024-03-01,1.0850,UN operational rates\n"
        "GBP,USD,2024-03-01,1.2630,UN operational rates\n",
        encoding="utf-8",
    )
    first = run("funds", "rates", str(rates), "--organization", "AA", env=env)
    assert first.returncode == 0, first.stderr
    assert "2 exchange rates imported or updated for Fund unit" in first.stdout
    again = run("funds", "rates", str(rates), "--organization", "AA", env=env)
    assert again.returncode == 0, again.stderr
    count = run("manage", "shell", "-v", "0", "-c", COUNT_RATES, env=env)
    assert count.stdout.strip() == "2"


def test_a_bad_line_names_the_line_and_imports_nothing(env: dict[str, str], tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "currency,quote_currency,date,rate\nEUR,USD,2024-03-01,1.0850\nCHF,USD,2024-03-01,-1\n",
        encoding="utf-8",
    )
    result = run("funds", "rates", str(rates), "--organization", "AA", env=env)
    assert result.returncode == 1
    assert "rates.csv, line 3" in result.stderr
    assert "above zero" in result.stderr
    assert "Nothing was imported" in result.stderr
    count = run("manage", "shell", "-v", "0", "-c", COUNT_RATES, env=env)
    assert count.stdout.strip() == "0"


def test_missing_columns_and_missing_file_say_what_to_fix(
    env: dict[str, str], tmp_path: Path
) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,date,rate\nEUR,2024-03-01,1.08\n", encoding="utf-8")
    result = run("funds", "rates", str(rates), "--organization", "AA", env=env)
    assert result.returncode == 1
    assert "missing columns quote_currency" in result.stderr
    missing = run("funds", "rates", str(tmp_path / "nope.csv"), "--organization", "AA", env=env)
    assert missing.returncode == 1
    assert "is not a file" in missing.stderr


def test_check_reports_each_fund_and_refuses_an_unknown_code(env: dict[str, str]) -> None:
    empty = run("funds", "check", env=env)
    assert empty.returncode == 0, empty.stderr
    unknown = run("funds", "check", "--fund", "NOPE", env=env)
    assert unknown.returncode == 1
    assert "no fund with the code 'NOPE'" in unknown.stderr


def test_rates_for_an_unknown_organization_list_the_known_codes(
    env: dict[str, str], tmp_path: Path
) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,quote_currency,date,rate\nEUR,USD,2024-03-01,1.08\n")
    result = run("funds", "rates", str(rates), "--organization", "NOPE", env=env)
    assert result.returncode == 1
    assert "no organization with the code 'NOPE' (known codes: AA)" in result.stderr

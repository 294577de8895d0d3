"""`migration-hub report compile` as the secretariat runs it: a real process on a real
database, no user signed in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from .test_cli import run

# The 2026 IMRF with one submitted review reporting on objective 3 (no country needed).
MAKE_REVIEW = """
from migration_hub.accounts.models import Organization
from migration_hub.reviews import services
from migration_hub.reviews.models import Cycle, Review, Section
services.ensure_cycles(until_year=2030)
org = Organization.objects.create(code='MW', name='Migrant workers', kind='ngo')
review = Review.objects.create(
    cycle=Cycle.objects.get(kind='imrf', year=2026), organization=org, title='Workers 2026',
    level='stakeholder', stakeholder='migrants', entity_name='Migrant workers network',
    language='en', status='submitted')
Section.objects.create(review=review, key='objective-3', objective_number=3,
    progress='achieved', text='An information portal in six languages.')
"""


@pytest.fixture(autouse=True)
def one_review(env: dict[str, str]) -> None:
    result = run("manage", "shell", "-v", "0", "-c", MAKE_REVIEW, env=env)
    assert result.returncode == 0, result.stderr


def test_compile_writes_a_docx_and_says_what_it_wrote(env: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "global.docx"
    result = run(
        "report",
        "compile",
        "--cycle",
        "2026",
        "--scope",
        "global",
        "--format",
        "docx",
        "--output",
        str(output),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert f"1 reviews; DOCX written to {output}" in result.stdout
    document = Document(io.BytesIO(output.read_bytes()))
    matrix = document.tables[0]
    objective_3 = [cell.text for cell in matrix.rows[3].cells]
    assert objective_3[0].startswith("Objective 3")
    assert objective_3[-2:] == ["1", "1"]  # no commission; all reviews


def test_an_empty_cycle_writes_an_empty_report(env: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "empty.html"  # the format follows the extension
    result = run(
        "report", "compile", "--cycle", "2030", "--scope", "ECA", "--output", str(output), env=env
    )
    assert result.returncode == 0, result.stderr
    assert "an empty report" in result.stdout
    assert "No review was submitted" in output.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--cycle", "2026", "--scope", "Atlantis"], "Unknown scope 'Atlantis': give global"),
        (["--cycle", "1999", "--scope", "global"], "no IMRF or regional review in 1999"),
    ],
)
def test_bad_input_fails_with_what_to_fix(
    env: dict[str, str], tmp_path: Path, arguments: list[str], message: str
) -> None:
    output = tmp_path / "report.pdf"
    result = run("report", "compile", *arguments, "--output", str(output), env=env)
    assert result.returncode == 1
    assert message in result.stderr
    assert not output.exists()


def test_a_missing_folder_or_format_is_refused_before_compiling(
    env: dict[str, str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "report.pdf"
    result = run(
        "report",
        "compile",
        "--cycle",
        "2026",
        "--scope",
        "global",
        "--output",
        str(missing),
        env=env,
    )
    assert result.returncode == 1
    assert "does not exist: create it" in result.stderr
    unknown = run(
        "report",
        "compile",
        "--cycle",
        "2026",
        "--scope",
        "global",
        "--output",
        str(tmp_path / "report.odt"),
        env=env,
    )
    assert unknown.returncode == 1
    assert "pass --format html|docx|pdf" in unknown.stderr

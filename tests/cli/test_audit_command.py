"""`migration-hub audit verify|head` and `manage verify_audit_chain` as an operator runs them:
real processes on a real database file, tampered with from outside the application."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from .test_cli import assert_one_line_error, run

WRITE_ROWS = (
    "from migration_hub.core import audit;"
    "[audit.record(None, 'load', None, metadata={'n': n, 'text': 'Données'}) for n in range(4)]"
)


def database(env: dict[str, str]) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(Path(env["MIGRATION_HUB_DATA_DIR"]) / "migration-hub.sqlite3"))


def write_rows(env: dict[str, str]) -> None:
    result = run("manage", "shell", "-v", "0", "-c", WRITE_ROWS, env=env)
    assert result.returncode == 0, result.stderr


def test_verify_passes_then_names_the_row_altered_in_the_database(env: dict[str, str]) -> None:
    write_rows(env)

    intact = run("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("Audit chain intact: 4 rows, head 4 ")
    assert run("manage", "verify_audit_chain", env=env).returncode == 0

    # The trigger refuses a change from outside the application too.
    with database(env) as db, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE core_auditevent SET action = 'view' WHERE sequence = 2")

    with database(env) as db, db:
        db.execute("DROP TRIGGER core_auditevent_append_only_update")
        db.execute("""UPDATE core_auditevent SET metadata = '{"n": 99}' WHERE sequence = 2""")
        (row_id,) = db.execute("SELECT id FROM core_auditevent WHERE sequence = 2").fetchone()

    broken = run("audit", "verify", env=env)
    assert broken.returncode == 1
    assert_one_line_error(broken, f"Row {row_id} (sequence 2) was altered")
    command = run("manage", "verify_audit_chain", env=env)
    assert command.returncode == 1
    assert f"Row {row_id} (sequence 2) was altered" in command.stderr


def test_an_exported_head_shows_a_truncated_tail(env: dict[str, str], tmp_path: Path) -> None:
    write_rows(env)
    head_file = tmp_path / "audit-head.json"
    exported = run("audit", "head", "--output", str(head_file), env=env)
    assert exported.returncode == 0, exported.stderr
    head = json.loads(head_file.read_text(encoding="utf-8"))
    assert head["sequence"] == 4
    assert f"Audit chain head 4 {head['hash']} written to {head_file}" in exported.stdout
    printed = run("audit", "head", env=env)
    assert json.loads(printed.stdout)["hash"] == head["hash"]

    # Delete the last row and move the head row back: the shorter chain is whole.
    with database(env) as db, db:
        db.execute("DROP TRIGGER core_auditevent_append_only_delete")
        db.execute("DELETE FROM core_auditevent WHERE sequence = 4")
        db.execute(
            "UPDATE core_auditchainhead SET sequence = 3, hash = "
            "(SELECT row_hash FROM core_auditevent WHERE sequence = 3)"
        )

    assert run("audit", "verify", env=env).returncode == 0
    truncated = run("audit", "verify", "--head", str(head_file), env=env)
    assert truncated.returncode == 1
    assert_one_line_error(truncated, "was truncated", "before the exported head's sequence 4")
    command = run("manage", "verify_audit_chain", "--head", str(head_file), env=env)
    assert command.returncode == 1
    assert "truncated" in command.stderr

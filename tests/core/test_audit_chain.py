"""The audit log as a hash chain: rows altered, deleted, reordered or cut off in the database
are found by `verify_chain`, `migration-hub audit verify` and `manage.py verify_audit_chain`
(LG-03, LG-04); the database itself refuses to change or delete audit rows (LG-02).

Tampering needs the append-only triggers out of the way first (`tampering()`): that is an
attacker with rights over the schema, who is still caught by the chain.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from migration_hub import cli
from migration_hub.core import audit, audit_chain
from migration_hub.core.audit_chain import ZERO_HASH, ChainHead, verify_chain
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditChainHead, AuditEvent, Country
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Helpers -------------------------------------------------------------------------------


def execute(sql: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def tampering() -> Iterator[None]:
    """Lift the append-only triggers, as someone with DDL rights would, inside the test's
    transaction (rolled back with it)."""
    if connection.vendor == "postgresql":
        # ALTER TABLE refuses to run while foreign-key checks of the test's inserts are pending.
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {audit_chain.POSTGRESQL_TRIGGER}")
        yield
        execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {audit_chain.POSTGRESQL_TRIGGER}")
        execute("SET CONSTRAINTS ALL DEFERRED")
        return
    names = [audit_chain.SQLITE_UPDATE_TRIGGER, audit_chain.SQLITE_DELETE_TRIGGER]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)", names
        )
        saved = [row[0] for row in cursor.fetchall()]
    assert len(saved) == 2, "the append-only triggers are missing"
    for name in names:
        execute(f'DROP TRIGGER "{name}"')
    yield
    for sql in saved:
        execute(sql)


def chain(count: int = 5) -> list[AuditEvent]:
    """`count` audit rows of every shape: actors, targets, organisations, nested and
    non-ASCII changes, numbers, metadata."""
    user = UserFactory(username="auditor")
    organization = OrganizationFactory(code="AUD")
    shapes = [
        lambda: audit.record(user, AuditAction.CREATE, organization, organization_id=7),
        lambda: audit.record(
            user,
            AuditAction.UPDATE,
            organization,
            changes={"name": ["Ministère", "وزارة الهجرة"], "size": [1, 2.5]},
        ),
        lambda: audit.record(None, AuditAction.LOAD, None, metadata={"rows": 12, "ok": True}),
        lambda: audit.record(
            user,
            AuditAction.EXPORT,
            None,
            metadata={"filters": {"b": [1.0, None], "a": "x\ny"}, 3: (1, 2)},
        ),
        lambda: audit.record(user, AuditAction.VIEW, user, metadata={"big": 1e21, "tiny": 1e-7}),
    ]
    return [shapes[index % len(shapes)]() for index in range(count)]


def first_problem(**options) -> audit_chain.ChainProblem:
    report = verify_chain(**options)
    assert not report.ok, f"expected a problem, got: {report}"
    return report.problem


# --- Canonical form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (-0.0, "0"),
        (1, "1"),
        (1.0, "1"),
        (-7, "-7"),
        (2.5, "2.5"),
        (123.456, "123.456"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (1.5e300, "1.5e+300"),
        (10**25, "1e+25"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_numbers_are_written_as_ecmascript_writes_doubles(number, text) -> None:
    assert audit_chain.canonical_json(number) == text.encode()


def test_canonical_json_sorts_keys_and_writes_no_space_nor_escape_for_non_ascii() -> None:
    value = {"b": [True, None, "é\n\u0001"], "a": {"z": 1, "y": "数据"}}
    assert audit_chain.canonical_json(value) == (
        '{"a":{"y":"数据","z":1},"b":[true,null,"é\\n\\u0001"]}'.encode()
    )
    with pytest.raises(ValueError, match="canonical JSON"):
        audit_chain.canonical_json({"x": float("nan")})


def test_the_row_hash_format_is_fixed() -> None:
    """A known answer: the stored hashes depend on this exact form, which must never change."""
    content = audit_chain.row_content(
        sequence=1,
        created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        actor_ref="42",
        action="update",
        target_type="accounts.organization",
        target_id="7",
        organization_ref="7",
        changes={"name": ["A", "B"]},
        metadata={},
    )
    assert audit_chain.canonical_json(content) == (
        b'{"action":"update","actor_ref":"42","changes":{"name":["A","B"]},'
        b'"created_at":"2025-01-02T03:04:05.000000Z","metadata":{},"organization_ref":"7",'
        b'"sequence":1,"target_id":"7","target_type":"accounts.organization"}'
    )
    assert audit_chain.seal(content, ZERO_HASH) == (
        "f2e08766a80a73008f84caa79478076d91b4a84ebe356a48a1d97bcda7b74cb0"
    )


# --- A whole chain -------------------------------------------------------------------------


def test_a_chain_of_rows_verifies_and_links_each_row_to_the_one_before() -> None:
    events = chain(7)

    report = verify_chain()

    assert report.ok, str(report)
    assert report.rows == 7
    rows = list(AuditEvent.objects.order_by("sequence"))
    assert [row.sequence for row in rows] == list(range(1, 8))
    assert rows[0].previous_hash == ZERO_HASH
    assert all(b.previous_hash == a.row_hash for a, b in itertools.pairwise(rows))
    assert report.head == ChainHead(7, rows[-1].row_hash)
    assert AuditChainHead.objects.get().hash == rows[-1].row_hash
    assert str(report) == f"Audit chain intact: 7 rows, head 7 {rows[-1].row_hash}"
    # What record() returned is what the database holds (JSON read back as stored).
    assert (
        events[3].metadata
        == rows[3].metadata
        == {
            "filters": {"b": [1.0, None], "a": "x\ny"},
            "3": [1, 2],
        }
    )


def test_an_empty_log_verifies() -> None:
    report = verify_chain()
    assert report.ok and report.rows == 0 and report.head == ChainHead(0, ZERO_HASH)


def test_progress_is_reported_up_to_the_head() -> None:
    chain(5)
    seen = []
    assert verify_chain(progress=lambda done, total: seen.append((done, total)), chunk_size=2).ok
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_pages_of_the_walk_join_without_missing_a_row() -> None:
    chain(5)
    assert verify_chain(chunk_size=1).rows == verify_chain(chunk_size=2).rows == 5


# --- Tampering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("changes", '{"status": ["draft", "published"]}'),
        ("metadata", '{"rows": 99999}'),
        ("action", "view"),
        ("actor_ref", "1"),
        ("target_id", "999"),
        ("organization_ref", "8"),
    ],
)
def test_a_row_altered_in_the_database_is_named(column, value) -> None:
    rows = chain(5)
    victim = rows[2]
    with tampering():
        # `column` comes from the parameter list above, never from input.
        execute(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, victim.pk])  # noqa: S608

    problem = first_problem()

    assert problem.kind == audit_chain.ALTERED
    assert (problem.row_id, problem.sequence) == (victim.pk, 3)
    assert str(problem).startswith(f"Row {victim.pk} (sequence 3) was altered: ")


def test_a_changed_time_is_an_alteration() -> None:
    rows = chain(4)
    with tampering():
        execute(
            "UPDATE core_auditevent SET created_at = %s WHERE id = %s",
            [rows[1].created_at - timedelta(microseconds=1), rows[1].pk],
        )
    assert (first_problem().kind, first_problem().row_id) == (audit_chain.ALTERED, rows[1].pk)


def test_a_changed_target_type_is_an_alteration() -> None:
    rows = chain(4)
    other = ContentType.objects.get_for_model(Country)
    with tampering():
        execute(
            "UPDATE core_auditevent SET target_type_id = %s WHERE id = %s", [other.pk, rows[0].pk]
        )
    assert (first_problem().kind, first_problem().row_id) == (audit_chain.ALTERED, rows[0].pk)


def test_a_forged_hash_is_caught_by_the_next_row() -> None:
    """Re-sealing one altered row is not enough: the next row still names the old hash."""
    rows = chain(4)
    victim = AuditEvent.objects.get(pk=rows[1].pk)
    content = audit_chain.row_content(
        sequence=victim.sequence,
        created_at=victim.created_at,
        actor_ref=victim.actor_ref,
        action="view",
        target_type=audit_chain.type_label(victim.target_type),
        target_id=victim.target_id,
        organization_ref=victim.organization_ref,
        changes=victim.changes,
        metadata=victim.metadata,
    )
    forged = audit_chain.seal(content, victim.previous_hash)
    with tampering():
        execute(
            "UPDATE core_auditevent SET action = 'view', row_hash = %s WHERE id = %s",
            [forged, victim.pk],
        )

    problem = first_problem()

    assert problem.row_id == rows[2].pk and problem.sequence == 3
    assert problem.kind == audit_chain.DELETED  # the row it was sealed after is gone


def test_a_deleted_middle_row_is_named_by_the_row_after_it() -> None:
    rows = chain(5)
    with tampering():
        execute("DELETE FROM core_auditevent WHERE id = %s", [rows[2].pk])

    problem = first_problem()

    assert problem.kind == audit_chain.DELETED
    assert (problem.row_id, problem.sequence) == (rows[3].pk, 4)
    assert "sequence 3 is missing" in str(problem)
    assert str(problem).startswith(f"Row {rows[3].pk} (sequence 4) follows deleted rows")


def test_deleted_first_rows_are_found() -> None:
    rows = chain(4)
    with tampering():
        execute("DELETE FROM core_auditevent WHERE sequence <= 2")
    problem = first_problem()
    assert (problem.kind, problem.row_id) == (audit_chain.DELETED, rows[2].pk)
    assert "sequences 1 to 2 are missing" in problem.detail


def test_two_rows_swapped_in_the_sequence_are_reordered() -> None:
    rows = chain(5)
    second, third = rows[1], rows[2]
    with tampering():
        execute("UPDATE core_auditevent SET sequence = 1000 WHERE id = %s", [second.pk])
        execute("UPDATE core_auditevent SET sequence = 2 WHERE id = %s", [third.pk])
        execute("UPDATE core_auditevent SET sequence = 3 WHERE id = %s", [second.pk])

    problem = first_problem()

    assert problem.kind == audit_chain.REORDERED
    assert (problem.row_id, problem.sequence) == (third.pk, 2)
    assert f"sealed after row {second.pk}, which now has sequence 3" in problem.detail


def test_a_row_moved_to_the_end_is_reordered() -> None:
    rows = chain(3)
    with tampering():
        execute("UPDATE core_auditevent SET sequence = 10 WHERE id = %s", [rows[2].pk])
    problem = first_problem()
    assert (problem.kind, problem.row_id, problem.sequence) == (
        audit_chain.REORDERED,
        rows[2].pk,
        10,
    )
    assert "sealed as sequence 3, not 10" in problem.detail


def test_a_truncated_tail_is_caught_by_the_head_table() -> None:
    chain(5)
    with tampering():
        execute("DELETE FROM core_auditevent WHERE sequence > 3")
    problem = first_problem()
    assert problem.kind == audit_chain.HEAD_MISMATCH
    assert "says sequence 5, but the log ends at sequence 3" in str(problem)


def test_a_truncated_tail_with_the_head_moved_back_needs_the_exported_head() -> None:
    """Someone who deletes the last rows and moves the head row back leaves a shorter chain
    that is whole: only a head kept elsewhere shows it was longer."""
    chain(5)
    exported = ChainHead.parse(json.dumps(audit_chain.current_head().export()))
    third = AuditEvent.objects.get(sequence=3)
    with tampering():
        execute("DELETE FROM core_auditevent WHERE sequence > 3")
    AuditChainHead.objects.update(sequence=3, hash=third.row_hash)

    assert verify_chain().ok  # undetectable without the exported head
    problem = first_problem(head=exported)

    assert problem.kind == audit_chain.TRUNCATED
    assert str(problem) == (
        "The audit chain was truncated: it ends at sequence 3, before the exported head's "
        "sequence 5: rows at its end were deleted"
    )


def test_a_chain_cut_and_written_again_does_not_hold_the_exported_head() -> None:
    chain(3)
    exported = audit_chain.current_head()
    with tampering():
        execute("DELETE FROM core_auditevent WHERE sequence = 3")
    second = AuditEvent.objects.get(sequence=2)
    AuditChainHead.objects.update(sequence=2, hash=second.row_hash)
    audit.record(None, AuditAction.LOAD, None, metadata={"rewritten": True})

    problem = first_problem(head=exported)

    assert problem.kind == audit_chain.TRUNCATED and problem.sequence == 3
    assert verify_chain(head=ChainHead(2, second.row_hash)).ok


def test_a_head_row_that_disagrees_with_the_last_row_is_reported() -> None:
    rows = chain(3)
    AuditChainHead.objects.update(hash="f" * 64)
    problem = first_problem()
    assert (problem.kind, problem.row_id, problem.sequence) == (
        audit_chain.HEAD_MISMATCH,
        rows[2].pk,
        3,
    )


def test_rows_past_the_head_row_are_reported() -> None:
    rows = chain(3)
    AuditChainHead.objects.update(sequence=2, hash=rows[1].row_hash)
    assert "past the chain head table's sequence 2" in str(first_problem())
    AuditChainHead.objects.all().delete()
    assert "head table is empty, but the log has 3 rows" in str(first_problem())


def test_a_missing_head_row_is_made_again_from_the_last_row() -> None:
    chain(2)
    AuditChainHead.objects.all().delete()
    event = audit.record(None, AuditAction.LOAD, None)
    assert event.sequence == 3
    assert verify_chain().ok


# --- Transactions --------------------------------------------------------------------------


def test_a_rolled_back_transaction_leaves_no_row_and_a_whole_chain() -> None:
    chain(2)
    head = audit_chain.current_head()

    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(None, AuditAction.CREATE, None, metadata={"n": 1})
        audit.record(None, AuditAction.CREATE, None, metadata={"n": 2})
        raise RuntimeError("the service failed")

    assert AuditEvent.objects.count() == 2
    assert audit_chain.current_head() == head
    assert audit.record(None, AuditAction.CREATE, None).sequence == 3
    assert verify_chain().ok


# --- Database protection (LG-02) -----------------------------------------------------------


def test_the_database_refuses_to_update_or_delete_an_audit_row() -> None:
    rows = chain(2)
    other = UserFactory(username="intruder")
    attempts = [
        lambda: AuditEvent.objects.filter(pk=rows[0].pk).update(action="view"),
        lambda: AuditEvent.objects.filter(pk=rows[0].pk).update(actor=other),
        lambda: execute("UPDATE core_auditevent SET metadata = %s", ['{"x": 1}']),
        lambda: execute("DELETE FROM core_auditevent WHERE id = %s", [rows[1].pk]),
        lambda: AuditEvent.objects.all().delete(),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.count() == 2
    assert verify_chain().ok


def test_deleting_a_user_empties_the_actor_and_keeps_the_chain() -> None:
    rows = chain(5)
    user = rows[0].actor

    user.delete()

    assert not AuditEvent.objects.filter(actor__isnull=False).exists()
    assert AuditEvent.objects.filter(actor_ref=str(rows[0].actor_ref)).count() == 4
    assert verify_chain().ok


def test_a_content_type_named_by_audit_rows_cannot_be_deleted() -> None:
    chain(1)
    content_type = AuditEvent.objects.get(sequence=1).target_type
    with pytest.raises(ProtectedError), transaction.atomic():
        content_type.delete()


# --- Sign-in (LG-01) -----------------------------------------------------------------------


def test_sign_in_failure_and_sign_out_each_write_one_row(client) -> None:
    user = UserFactory(username="amina")

    client.post("/accounts/login/", {"username": "amina", "password": "wrong-password"})
    client.post("/accounts/login/", {"username": "amina", "password": PASSWORD})
    client.post("/accounts/logout/")

    events = list(AuditEvent.objects.order_by("sequence").values_list("action", "actor_ref"))
    assert events == [
        (AuditAction.LOGIN_FAILED, ""),
        (AuditAction.LOGIN, str(user.pk)),
        (AuditAction.LOGOUT, str(user.pk)),
    ]
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert "amina" not in json.dumps([failed.changes, failed.metadata])
    assert verify_chain().ok


# --- Commands ------------------------------------------------------------------------------


def test_cli_verify_exits_0_then_1_naming_the_altered_row(capsys) -> None:
    rows = chain(3)
    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"Audit chain intact: 3 rows, head 3 {rows[2].row_hash}"
    )

    with tampering():
        execute("UPDATE core_auditevent SET metadata = %s WHERE id = %s", ['{"a": 1}', rows[1].pk])

    assert cli.main(["audit", "verify"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"error: Row {rows[1].pk} (sequence 2) was altered: ")


def test_cli_head_export_then_verify_against_it(capsys, tmp_path) -> None:
    chain(4)
    head_file = tmp_path / "head.json"

    assert cli.main(["audit", "head", "--output", str(head_file)]) == 0
    exported = json.loads(head_file.read_text())
    assert set(exported) == {"sequence", "hash", "exported_at"}
    assert exported["sequence"] == 4
    assert exported["exported_at"].endswith("Z")
    assert cli.main(["audit", "head"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out.splitlines()[-1])["hash"] == exported["hash"]
    assert cli.main(["audit", "verify", "--head", str(head_file)]) == 0

    with tampering():
        execute("DELETE FROM core_auditevent WHERE sequence = 4")
    third = AuditEvent.objects.get(sequence=3)
    AuditChainHead.objects.update(sequence=3, hash=third.row_hash)

    assert cli.main(["audit", "verify"]) == 0
    assert cli.main(["audit", "verify", "--head", str(head_file)]) == 1
    assert "was truncated" in capsys.readouterr().err


def test_cli_refuses_a_head_file_it_cannot_use(capsys, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"sequence": "three", "hash": "x"}')
    assert cli.main(["audit", "verify", "--head", str(bad)]) == 1
    assert '"sequence" must be a whole number' in capsys.readouterr().err
    assert cli.main(["audit", "verify", "--head", str(tmp_path / "missing.json")]) == 1
    assert "Cannot read the head file" in capsys.readouterr().err
    assert cli.main(["audit", "head", "--output", str(tmp_path / "no" / "head.json")]) == 1


def test_management_command_verify_audit_chain(capsys) -> None:
    rows = chain(3)
    call_command("verify_audit_chain")
    assert "Audit chain intact: 3 rows" in capsys.readouterr().out

    with tampering():
        execute("DELETE FROM core_auditevent WHERE id = %s", [rows[1].pk])

    with pytest.raises(CommandError, match=rf"Row {rows[2].pk} \(sequence 3\) follows deleted"):
        call_command("verify_audit_chain")

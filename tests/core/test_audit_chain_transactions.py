"""The audit chain with real commits: writers on two connections at once, the migration that
seals rows written before the chain, and `flush` emptying an append-only table.

A module of its own: it runs on a database file on SQLite (see tests/concurrency.py), and
every test commits, so the database is flushed after each one.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from migration_hub.core import audit, audit_chain
from migration_hub.core.audit_chain import ZERO_HASH, ChainHead, verify_chain
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditChainHead, AuditEvent
from tests.concurrency import file_database_on_sqlite, race

pytestmark = pytest.mark.django_db(transaction=True)

# Module-scoped: this module runs on a database file on SQLite (see tests/concurrency.py).
django_db_setup = file_database_on_sqlite

BEFORE_CHAIN = ("core", "0004_search_facets")
LATEST = ("core", "0007_audit_chain_append_only")


def test_two_writers_at_once_take_turns_and_the_chain_verifies() -> None:
    def writer(name: str):
        def write() -> list[int]:
            sequences = []
            for batch in range(5):
                # Several rows per transaction, with a pause inside it: the other writer waits
                # on the chain head until this transaction commits.
                with transaction.atomic():
                    for row in range(3):
                        event = audit.record(
                            None, AuditAction.LOAD, None, metadata={"writer": name, "n": row}
                        )
                        sequences.append(event.sequence)
                        time.sleep(0.005)
                # And one outside any transaction: record() opens its own.
                sequences.append(
                    audit.record(None, AuditAction.VIEW, None, metadata={"batch": batch}).sequence
                )
            return sequences

        return write

    results = race(writer("a"), writer("b"))

    assert not [r for r in results if isinstance(r, Exception)], results
    first, second = results
    assert len(first) == len(second) == 20
    assert sorted(first + second) == list(range(1, 41))  # no duplicate, no gap
    for sequences in results:
        # The three rows of one transaction are consecutive: nobody wrote in between.
        for start in range(0, 20, 4):
            assert sequences[start : start + 3] == list(
                range(sequences[start], sequences[start] + 3)
            )
    report = verify_chain()
    assert report.ok, str(report)
    assert report.rows == 40
    assert AuditChainHead.objects.get().sequence == 40


def test_flush_empties_the_append_only_log_and_keeps_its_guard() -> None:
    for n in range(3):
        audit.record(None, AuditAction.LOAD, None, metadata={"n": n})

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.exists()
    assert verify_chain().ok
    if connection.vendor == "sqlite":
        assert audit_chain.sqlite_delete_guard() is not None
    event = audit.record(None, AuditAction.LOAD, None)
    assert (event.sequence, event.previous_hash) == (1, ZERO_HASH)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_the_migration_seals_earlier_rows_in_the_order_they_were_written() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_CHAIN])
    try:
        old_apps = executor.loader.project_state([BEFORE_CHAIN]).apps
        OldEvent = old_apps.get_model("core", "AuditEvent")
        ContentType = old_apps.get_model("contenttypes", "ContentType")
        target = ContentType.objects.get(app_label="core", model="country")
        now = timezone.now()
        # Inserted out of order: the chain follows created_at, then id.
        late = OldEvent.objects.create(created_at=now, action="create", metadata={"n": 2})
        early = OldEvent.objects.create(
            created_at=now - timedelta(days=1),
            action="load",
            target_type=target,
            target_id="KEN",
            changes={"name": ["Kenya", "Kenya"]},
        )
        tie = OldEvent.objects.create(created_at=now, action="view", metadata={"n": 3})
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([LATEST])

    order = list(AuditEvent.objects.order_by("sequence").values_list("id", flat=True))
    assert order == [early.pk, late.pk, tie.pk]
    report = verify_chain()
    assert report.ok, str(report)
    assert report.head == ChainHead(3, AuditEvent.objects.get(pk=tie.pk).row_hash)
    assert AuditChainHead.objects.get().sequence == 3
    # The chain goes on from the sealed rows.
    assert audit.record(None, AuditAction.LOAD, None).sequence == 4
    assert verify_chain().ok

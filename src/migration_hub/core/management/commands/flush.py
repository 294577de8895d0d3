"""Django's `flush`, able to empty the audit log on SQLite.

Audit rows are append-only: a trigger refuses to DELETE them (migration
0007_audit_chain_append_only). On PostgreSQL `flush` empties tables with TRUNCATE, which fires
no row trigger. On SQLite it runs `DELETE FROM` on each table, which the trigger refuses, so the
test suite's flush between `transaction=True` tests, and an operator's deliberate `flush`, would
fail. Here the trigger is dropped and made again inside the flush's own transaction: emptying
every table is the one deletion allowed, and nothing else can delete rows meanwhile (SQLite has
one writer at a time). The chain head goes with the rows, so the empty log verifies.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from migration_hub.core.audit_chain import SQLITE_DELETE_TRIGGER, sqlite_delete_guard


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=database):
            guard = sqlite_delete_guard(database)
            if guard is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP TRIGGER "{SQLITE_DELETE_TRIGGER}"')
            super().handle(**options)
            if guard is not None:
                with connection.cursor() as cursor:
                    cursor.execute(guard)

"""The audit log as a hash chain, step 3: every row has its sequence, and the database refuses
to change or delete audit rows.

The one change allowed is the one Django makes when an account is deleted: `actor` is
SET_NULL, so the row's `actor_id` becomes NULL. Nothing else may differ (the hash seals
`actor_ref`, the copied id, not `actor_id`).

PostgreSQL: one row trigger on UPDATE and DELETE. TRUNCATE fires no row trigger: the test
suite's flush uses it; in production revoke TRUNCATE (and UPDATE, DELETE) on the table from the
application's role (docs/deploy.md), and the chain's head catches a table emptied anyway.

SQLite: a trigger on UPDATE and one on DELETE. `flush` (which empties tables with DELETE) lifts
the DELETE trigger for its own transaction: see core/management/commands/flush.py. SQLite
remakes a table to alter most columns, which drops its triggers: a later migration that alters
core_auditevent on SQLite must create them again (tests/core/test_audit_chain.py checks they
are there).
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    """CREATE TRIGGER core_auditevent_append_only_update
    BEFORE UPDATE ON core_auditevent
    FOR EACH ROW WHEN NOT (
        NEW.actor_id IS NULL
        AND NEW.id IS OLD.id
        AND NEW.created_at IS OLD.created_at
        AND NEW.actor_ref IS OLD.actor_ref
        AND NEW.action IS OLD.action
        AND NEW.target_type_id IS OLD.target_type_id
        AND NEW.target_id IS OLD.target_id
        AND NEW.organization_ref IS OLD.organization_ref
        AND NEW.changes IS OLD.changes
        AND NEW.metadata IS OLD.metadata
        AND NEW.sequence IS OLD.sequence
        AND NEW.previous_hash IS OLD.previous_hash
        AND NEW.row_hash IS OLD.row_hash
    )
    BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only');
    END""",
    """CREATE TRIGGER core_auditevent_append_only_delete
    BEFORE DELETE ON core_auditevent
    FOR EACH ROW
    BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only');
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only_delete",
    "DROP TRIGGER IF EXISTS core_auditevent_append_only_update",
]
POSTGRESQL_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit rows are append-only';
    END;
    $$""",
    """CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()""",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_seal_audit_chain'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name='sequence'),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]

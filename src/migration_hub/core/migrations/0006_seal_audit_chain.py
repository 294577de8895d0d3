"""The audit log as a hash chain, step 2: seal the rows written before it, in the order they
were written (created_at, then id), a thousand at a time, and set the chain head.

The hash is `core.audit_chain`'s: it is the stored format, which never changes (a change would
need a new migration re-sealing every row and a note in the issue).
"""

from django.db import migrations
from django.db.models import Q

from migration_hub.core.audit_chain import HEAD_ID, ZERO_HASH, row_content, seal

BATCH = 1000


def seal_rows(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    labels = {
        pk: f"{app_label}.{model}"
        for pk, app_label, model in ContentType.objects.using(alias).values_list(
            "pk", "app_label", "model"
        )
    }
    events = AuditEvent.objects.using(alias).order_by("created_at", "id")
    sequence, previous_hash, after = 0, ZERO_HASH, None
    while True:
        page = events if after is None else events.filter(
            Q(created_at__gt=after[0]) | Q(created_at=after[0], id__gt=after[1])
        )
        batch = list(page[:BATCH])
        for event in batch:
            sequence += 1
            event.sequence = sequence
            event.previous_hash = previous_hash
            event.row_hash = seal(
                row_content(
                    sequence=sequence,
                    created_at=event.created_at,
                    actor_ref=event.actor_ref,
                    action=event.action,
                    target_type=labels.get(event.target_type_id, "") if event.target_type_id else "",
                    target_id=event.target_id,
                    organization_ref=event.organization_ref,
                    changes=event.changes,
                    metadata=event.metadata,
                ),
                previous_hash,
            )
            previous_hash = event.row_hash
        AuditEvent.objects.using(alias).bulk_update(
            batch, ["sequence", "previous_hash", "row_hash"]
        )
        if len(batch) < BATCH:
            break
        after = (batch[-1].created_at, batch[-1].id)
    AuditChainHead.objects.using(alias).update_or_create(
        pk=HEAD_ID, defaults={"sequence": sequence, "hash": previous_hash}
    )


def unseal_rows(apps, schema_editor):
    apps.get_model("core", "AuditChainHead").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_audit_chain_fields'),
    ]

    operations = [
        migrations.RunPython(seal_rows, unseal_rows),
    ]

"""Two people firing the same transition on the same case at the same moment: exactly one
state change, the other refused as stale. Real threads on real connections (PostgreSQL
serializes them with the case's row lock; SQLite with IMMEDIATE transactions, on a database
file, see tests/concurrency.py)."""

from __future__ import annotations

import pytest

from migration_hub.cases import services
from migration_hub.cases.choices import CaseAuditAction
from migration_hub.cases.models import Case, CaseEvent
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError
from tests.concurrency import file_database_on_sqlite, race

pytestmark = pytest.mark.django_db(transaction=True)

# Module-scoped: this module runs on a database file on SQLite (see tests/concurrency.py).
django_db_setup = file_database_on_sqlite


@pytest.mark.parametrize(
    ("first", "second"),
    [("assess_eligibility", "assess_eligibility"), ("assess_eligibility", "withdraw")],
)
def test_two_concurrent_transitions_make_one_state_change(world, first, second) -> None:
    case = world.c2

    def fire(event: str):
        return lambda: services.transition(
            actor=world.cw2, case=case, event=event, version=case.version
        )

    results = race(fire(first), fire(second))
    served = [result for result in results if isinstance(result, Case)]
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(served) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], ConflictError), results
    stored = Case.objects.get(pk=case.pk)
    assert stored.version == 2
    assert stored.state == served[0].state
    assert CaseEvent.objects.filter(case=case).exclude(event="open").count() == 1
    assert (
        AuditEvent.objects.filter(action=CaseAuditAction.TRANSITION, target_id=str(case.pk)).count()
        == 1
    )

"""Two receivers accepting the same transfer at the same moment: one wins, the case moves
once, the other is refused as stale. Real threads on real connections (see
tests/concurrency.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from migration_hub.cases import services
from migration_hub.cases.models import Case, CaseEvent, Referral
from migration_hub.cases.models.referrals import ReferralAuditAction, ReferralStatus, SharedSection
from migration_hub.cases.services import referrals as ref
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError
from tests.concurrency import file_database_on_sqlite, race

pytestmark = pytest.mark.django_db(transaction=True)

# Module-scoped: this module runs on a database file on SQLite (see tests/concurrency.py).
django_db_setup = file_database_on_sqlite


@pytest.mark.parametrize("kind", ["transfer", "referral"])
def test_a_double_acceptance_makes_one(world, kind) -> None:
    today = timezone.localdate()
    ref.create_sharing_agreement(
        actor=None,
        from_organization=world.home,
        to_organization=world.other,
        purpose="Protection",
        shared_sections=list(SharedSection.values),
        valid_from=today,
        valid_until=today,
        signed_reference="DSA-RACE",
    )
    services.record_consent(
        actor=world.cw1, person=world.c1.person, purpose="sharing", organizations=[world.other]
    )
    referral = ref.create_referral(
        actor=world.sup1, case=world.c1, to_organization=world.other, kind=kind, services=["legal"]
    )

    def accept(user):
        return lambda: ref.accept(actor=user, referral=referral, version=referral.version)

    results = race(accept(world.cwb), accept(world.supb))
    served = [result for result in results if isinstance(result, Referral)]
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(served) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], ConflictError), results
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == ReferralStatus.ACCEPTED and stored.version == 2
    assert stored.decided_by == served[0].decided_by
    assert AuditEvent.objects.filter(action=ReferralAuditAction.ACCEPT).count() == 1
    assert (
        AuditEvent.objects.filter(
            action=ReferralAuditAction.REFUSED, metadata__step="accept"
        ).count()
        == 1
    )
    case = Case.objects.get(pk=world.c1.pk)
    if kind == "transfer":
        assert case.organization == world.other
        assert case.assigned_to == stored.decided_by
        assert case.version == world.c1.version + 1
        assert CaseEvent.objects.filter(case=case, event="transfer").count() == 1
    else:
        assert case.organization == world.home and case.version == world.c1.version

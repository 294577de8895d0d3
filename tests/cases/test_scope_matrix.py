"""The scope matrix: every staff user of the world against every case of two organizations
(own, team, office, organization, all, and a superuser without a staff row), on one world
built once for the module (read-only tests)."""

from __future__ import annotations

import pytest
from django.http import Http404

from migration_hub.cases import selectors
from migration_hub.cases.choices import CaseAuditAction
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent

# user -> cases seen (see conftest's world)
EXPECTED = {
    "cw1": {"c1"},
    "cw2": {"c2"},
    "cw3": {"c3"},
    "sup1": {"c1"},
    "mgr1": {"c1", "c2"},
    "dpo": {"c1", "c2", "c3"},
    "admin": {"c1", "c2", "c3"},
    "auditor": {"c1", "c2", "c3"},
    "platform": {"c1", "c2", "c3", "cb"},
    "cwb": {"cb"},
    "supb": {"cb"},
    "outsider": set(),  # a superuser without a staff row sees no case
}
CASES = ("c1", "c2", "c3", "cb")


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_user_sees_exactly_the_cases_of_their_scope(shared_world, db, username) -> None:
    world = shared_world
    user = getattr(world, username)
    names = {getattr(world, name).pk: name for name in CASES}
    seen = {names[pk] for pk in selectors.cases_for(user).values_list("pk", flat=True)}
    assert seen == EXPECTED[username]
    assert selectors.cases_for(user).count() == len(EXPECTED[username])
    people = set(selectors.people_for(user).values_list("pk", flat=True))
    assert people == {getattr(world, name).person_id for name in EXPECTED[username]}


@pytest.mark.parametrize("username", sorted(EXPECTED))
@pytest.mark.parametrize("case_name", CASES)
def test_case_for_answers_the_case_or_404(shared_world, db, username, case_name) -> None:
    world = shared_world
    user, case = getattr(world, username), getattr(world, case_name)
    if case_name in EXPECTED[username]:
        assert selectors.case_for(user, case.public_id) == case
        event = AuditEvent.objects.filter(actor=user).order_by("-sequence").first()
        assert event.action == AuditAction.VIEW
        assert event.target_id == str(case.pk)
    else:
        with pytest.raises(Http404):
            selectors.case_for(user, case.public_id)
        event = AuditEvent.objects.filter(actor=user).order_by("-sequence").first()
        assert event.action == CaseAuditAction.ACCESS_DENIED
        assert event.metadata["key"] == str(case.public_id)

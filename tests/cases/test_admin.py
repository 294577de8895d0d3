"""The admin site shows cases and people with the selectors' scope, read-only and audited."""

from __future__ import annotations

import pytest

from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent

from .conftest import CANARY


def listed(response) -> list:
    assert response.status_code == 200, response.content.decode()[:500]
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("username", "expected"),
    [("cw1", ["c1"]), ("mgr1", ["c1", "c2"]), ("cwb", ["cb"]), ("outsider", [])],
)
def test_the_case_list_is_the_users_scope(client, world, username, expected) -> None:
    client.force_login(getattr(world, username))
    rows = listed(client.get("/admin/cases/case/"))
    assert {case.pk for case in rows} == {getattr(world, name).pk for name in expected}
    event = AuditEvent.objects.filter(metadata__list="admin:cases").get()
    assert sorted(event.metadata["ids"]) == sorted(case.pk for case in rows)


def test_a_case_out_of_scope_does_not_open_and_one_in_scope_is_audited(client, world) -> None:
    client.force_login(world.cwb)
    response = client.get(f"/admin/cases/case/{world.c1.pk}/change/")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_id=str(world.c1.pk)
    ).exists()
    client.force_login(world.cw1)
    response = client.get(f"/admin/cases/case/{world.c1.pk}/change/")
    assert response.status_code == 200
    assert CANARY not in response.content.decode()
    assert "online job offer" not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, target_id=str(world.c1.pk)).exists()


def test_nothing_is_written_through_the_admin(client, world) -> None:
    client.force_login(world.outsider)  # a superuser
    assert client.get("/admin/cases/case/add/").status_code == 403
    response = client.post(f"/admin/cases/case/{world.c1.pk}/delete/", {"post": "yes"})
    assert response.status_code in (302, 403)
    world.c1.refresh_from_db()  # still there

"""The admin site leaves the same trail as the services."""

import pytest

from migration_hub.accounts.models import Membership, Organization
from migration_hub.core import search
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_edit_is_audited_versioned_indexed_and_keeps_the_code(
    admin_client, organization
) -> None:
    response = admin_client.post(
        f"/admin/accounts/organization/{organization.pk}/change/",
        {
            "code": "HIJACK",
            "name": "Ministry of Mobility",
            "acronym": "",
            "kind": "ministry",
            "country": "",
            "website": "",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    organization.refresh_from_db()
    assert (organization.code, organization.name, organization.version) == (
        "HOME",
        "Ministry of Mobility",
        2,
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes["name"] == ["Home Ministry of Migration", "Ministry of Mobility"]
    assert event.metadata == {"via": "admin"}
    assert search.filter_queryset(Organization.objects.all(), "mobility").exists()


def test_roles_granted_in_the_user_inline_are_audited_without_personal_data(
    admin_client, organization
) -> None:
    user = UserFactory(username="amina", first_name="Amina", email="amina@example.org")
    prefix = "memberships"
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": "amina",
            "first_name": "Amina",
            "last_name": "Diallo",
            "email": "amina.diallo@example.org",
            "is_active": "on",
            "preferred_language": "fr",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-organization": organization.pk,
            f"{prefix}-0-role": "editor",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.filter(user=user, organization=organization, role="editor").exists()
    trail = " ".join(str(event.changes) + str(event.metadata) for event in AuditEvent.objects.all())
    assert "Diallo" not in trail and "amina.diallo" not in trail
    assert AuditEvent.objects.filter(target_type__model="membership").exists()

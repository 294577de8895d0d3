"""Masking of special-category data by role, and the audited reveal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from migration_hub.cases import selectors, services
from migration_hub.cases.choices import CaseAuditAction
from migration_hub.cases.permissions import SENSITIVITY_ACCESS
from migration_hub.cases.selectors import MASKED
from migration_hub.core.models import AuditEvent

# user -> detail fields of c1 seen in clear (c1 is in everyone's scope listed here)
CLEAR = {
    "cw1": {"trafficking_details", "health_details", "gbv_details", "child_protection_details"},
    "sup1": {"trafficking_details", "child_protection_details"},
    "mgr1": set(),
    "dpo": set(),
    "admin": set(),
    "auditor": set(),
    "platform": set(),
}


@pytest.mark.parametrize("username", sorted(CLEAR))
def test_each_role_sees_its_classes_in_clear_and_the_rest_masked(world, username) -> None:
    user = getattr(world, username)
    case = selectors.case_for(user, world.c1.public_id)
    details = selectors.masked_details(user, case)
    for field, value in details.items():
        if field in CLEAR[username]:
            assert value is not MASKED
        else:
            assert value is MASKED
    if "trafficking_details" in CLEAR[username]:
        assert details["trafficking_details"] == {"recruitment": "online job offer"}


def test_every_class_has_a_row_in_the_table() -> None:
    assert set(SENSITIVITY_ACCESS) == {"trafficking", "health", "gbv", "child_protection"}


def test_reveal_needs_a_reason_and_is_audited_with_it(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.reveal(actor=world.dpo, case=world.c1, field="trafficking_details", reason="")
    assert "reason" in error.value.message_dict
    value = services.reveal(
        actor=world.dpo,
        case=world.c1,
        field="trafficking_details",
        reason="Subject access request\r\nFAKE ENTRY",
    )
    assert value == {"recruitment": "online job offer"}
    event = AuditEvent.objects.filter(action=CaseAuditAction.REVEAL).get()
    assert event.actor == world.dpo
    assert event.target_id == str(world.c1.pk)
    assert event.metadata["field"] == "trafficking_details"
    assert event.metadata["sensitivity"] == "trafficking"
    assert event.metadata["reason"] == "Subject access request\\r\\nFAKE ENTRY"
    # By sensitivity class too; a supervisor reveals health.
    assert services.reveal(actor=world.sup1, case=world.c1, field="health", reason="Referral")
    assert AuditEvent.objects.filter(action=CaseAuditAction.REVEAL).count() == 2


@pytest.mark.parametrize(
    ("username", "field"),
    [
        ("auditor", "trafficking"),
        ("admin", "health"),
        ("platform", "gbv"),
        ("mgr1", "health"),  # an office manager reveals trafficking, not health
    ],
)
def test_a_role_without_reveal_is_refused_and_the_attempt_audited(world, username, field) -> None:
    user = getattr(world, username)
    with pytest.raises(PermissionDenied):
        services.reveal(actor=user, case=world.c1, field=field, reason="Want to see")
    event = AuditEvent.objects.filter(actor=user).order_by("-sequence").first()
    assert event.action == CaseAuditAction.ACCESS_DENIED
    assert event.metadata["permission"] == f"cases.reveal_{field}"
    assert not AuditEvent.objects.filter(action=CaseAuditAction.REVEAL).exists()


def test_sensitive_notes_are_masked_and_revealed_on_record(world) -> None:
    plain = services.add_note(actor=world.cw1, case=world.c1, text="Called back.")
    secret = services.add_note(
        actor=world.cw1, case=world.c1, text="Disclosed abuse.", sensitivity="gbv"
    )
    shown = dict(selectors.notes_for(world.sup1, world.c1))
    assert shown[plain] == "Called back."
    assert shown[secret] is MASKED
    assert str(MASKED) == "[masked]"
    assert dict(selectors.notes_for(world.cw1, world.c1))[secret] == "Disclosed abuse."
    with pytest.raises(ValidationError):
        services.reveal_note(actor=world.sup1, note=secret, reason="")
    assert services.reveal_note(actor=world.sup1, note=secret, reason="Safety plan") == (
        "Disclosed abuse."
    )
    assert AuditEvent.objects.filter(
        action=CaseAuditAction.REVEAL, target_id=str(secret.pk)
    ).exists()


def test_only_a_role_seeing_a_class_writes_it(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_note(actor=world.sup1, case=world.c1, text="x", sensitivity="health")
    assert "sensitivity" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.update_details(
            actor=world.sup1, case=world.c1, version=1, details={"gbv": {"x": 1}}
        )
    assert "gbv_details" in error.value.message_dict
    case = services.update_details(
        actor=world.cw1, case=world.c1, version=1, details={"gbv_details": {"disclosed": True}}
    )
    assert case.version == 2
    case.refresh_from_db()
    assert case.gbv_details == {"disclosed": True}

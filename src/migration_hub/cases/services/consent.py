"""Consent: recording it per purpose, withdrawing it (at once), and the one check
(`has_consent`) every use of a person's data asks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit

from ..choices import CaseAuditAction, ConsentPurpose
from ..models import Consent, Person
from ..selectors import people_for
from ._common import REASON_LIMIT, clean_text, guard_person, user_or_none


def has_consent(
    person: Person,
    purpose: str,
    organization: Any = None,
    at: datetime.datetime | None = None,
) -> bool:
    """Whether `person` has a consent for `purpose` in force at `at` (now by default): recorded
    by then and not withdrawn by then. For `sharing`, with `organization` given, the consent
    must name that organization. A withdrawal counts from the moment it is recorded."""
    at = at or timezone.now()
    consents = Consent.objects.filter(person=person, purpose=purpose, recorded_at__lte=at).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at)
    )
    if organization is not None:
        consents = consents.filter(organizations=organization)
    return consents.exists()


def record_consent(
    *,
    actor: Any,
    person: Person,
    purpose: str,
    scope: str = "",
    organizations: Iterable[Any] = (),
    child_assent: bool | None = None,
    guardian: Person | None = None,
    guardian_name: str = "",
) -> Consent:
    """Record the person's consent for `purpose`, collected now by the actor.

    `sharing` names the organizations the data may be shared with (at least one); the other
    purposes name none. For a child (under 18 today, or recorded as an unaccompanied or
    separated child without a date of birth), the child's assent and a guardian's consent are
    both required: the guardian is a linked person visible to the actor or a name."""
    guard_person(actor, "cases.record_consent", person)
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("Choose a purpose.")})
    scope = clean_text(scope, "scope")
    organizations = list(organizations or ())
    if purpose == ConsentPurpose.SHARING and not organizations:
        raise ValidationError(
            {"organizations": _("Name the organizations the data may be shared with.")}
        )
    if purpose != ConsentPurpose.SHARING and organizations:
        raise ValidationError(
            {"organizations": _("Only a consent to sharing names organizations.")}
        )
    now = timezone.now()
    is_child = person.is_child_on(timezone.localdate())
    guardian_name = clean_text(guardian_name, "guardian_name", limit=200)
    if is_child:
        if child_assent is not True:
            raise ValidationError(
                {"child_assent": _("Record the child's assent: the person is under 18.")}
            )
        if guardian is None and not guardian_name:
            raise ValidationError(
                {"guardian": _("A child's consent needs a guardian's consent: name the guardian.")}
            )
        if guardian is not None:
            if guardian.pk == person.pk:
                raise ValidationError({"guardian": _("The child cannot be their own guardian.")})
            if actor is not None and not people_for(actor).filter(pk=guardian.pk).exists():
                raise ValidationError({"guardian": _("Choose a person you can see.")})
    else:
        child_assent, guardian, guardian_name = None, None, ""
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            purpose=purpose,
            scope=scope,
            recorded_at=now,
            collected_by=user_or_none(actor),
            is_child=is_child,
            child_assent=child_assent,
            guardian=guardian,
            guardian_name=guardian_name,
        )
        if organizations:
            consent.organizations.set(organizations)
        audit.record(
            actor,
            CaseAuditAction.CONSENT_GIVEN,
            consent,
            organization_id=person.organization_id,
            metadata={
                "person": person.pk,
                "purpose": purpose,
                "organizations": sorted(str(getattr(org, "pk", org)) for org in organizations),
                "is_child": is_child,
                "guardian_recorded": bool(guardian or guardian_name),
            },
        )
        return consent


def withdraw_consent(*, actor: Any, consent: Consent, reason: str = "") -> Consent:
    """Withdraw a consent from now on: `has_consent` answers False at once."""
    guard_person(actor, "cases.record_consent", consent.person)
    reason = clean_text(reason, "reason", limit=REASON_LIMIT)
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if current.withdrawn_at is not None:
            raise ValidationError({"withdrawn_at": _("This consent is already withdrawn.")})
        current.withdrawn_at = timezone.now()
        current.withdrawn_by = user_or_none(actor)
        current.withdrawal_reason = reason
        current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        audit.record(
            actor,
            CaseAuditAction.CONSENT_WITHDRAWN,
            current,
            organization_id=current.person.organization_id,
            metadata={"person": current.person_id, "purpose": current.purpose},
        )
        return current

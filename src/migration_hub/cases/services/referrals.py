"""Referrals and transfers between organizations, and the data-sharing agreements they rest on.

Rules (protection.md AC-05, AC-06; IOM principle 5):

- A referral or transfer needs an active agreement in force from the case's organization to
  the receiving one; its sections are snapshotted on the referral.
- Its basis is the person's consent to sharing with the receiving organization (checked when
  it is made, when it is accepted and at every read), or an override: the override
  permission, a reason, then a second approval by another holder of the permission in the
  sending organization before anything takes effect.
- A referral lets staff of the receiving organization read the shared sections (and nothing
  else) while it is accepted, unexpired, unrevoked, its agreement in force and, for consent,
  the consent in force: `referred_case_view` checks all of it at each read, so a revocation,
  a withdrawal of consent or the end of the agreement cuts access at once.
- A transfer moves the case to the acceptor (organization, office, team, assignee) in one
  transaction; the sender loses access through the scope selector, and its other open
  referrals of the case are revoked.

Every step and every refusal writes one audit row, ids and codes only. Refusals of a rule
raise ValidationError naming the field; out of scope is Http404, a role that does not allow
the step is PermissionDenied (both audited), a stale `version` is ConflictError.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from migration_hub.accounts.models import Organization
from migration_hub.core import audit
from migration_hub.core.services import ConflictError

from ..choices import CaseAuditAction, CaseRole
from ..models import (
    DETAIL_FIELDS,
    BreakGlassRequest,
    Case,
    CaseEvent,
    CaseStaff,
    DataSharingAgreement,
    Referral,
)
from ..models.referrals import (
    OPEN_STATUSES,
    ReferralAuditAction,
    ReferralBasis,
    ReferralKind,
    ReferralService,
    ReferralStatus,
    SharedSection,
)
from ..permissions import ASSIGNABLE, CASE_HANDLERS, SENSITIVITY_ACCESS, has_case_role, roles_in
from ..selectors import MASKED, cases_for, staff_rows
from ..workflows import CLOSED
from ._common import REASON_LIMIT, authorize, clean_text, guard_case, refuse, user_or_none
from .cases import next_reference
from .consent import has_consent

R = CaseRole
DEFAULT_DAYS = 30
MAX_DAYS = 90
TRANSFER_EVENT = "transfer"

# Who may do what. Sending side: checked against the case's (sending) organization.
# Receiving side: against the receiving organization, see `_guard_receiver`.
REFERRERS = (*CASE_HANDLERS, R.DATA_PROTECTION_OFFICER)
TRANSFERRERS = (R.CASE_SUPERVISOR, R.OFFICE_MANAGER, R.DATA_PROTECTION_OFFICER)
OVERRIDERS = (R.CASE_SUPERVISOR, R.DATA_PROTECTION_OFFICER)
RECEIVERS = (*CASE_HANDLERS, R.DATA_PROTECTION_OFFICER)

# Kept here while `cases/permissions.py` is shared with other work; they can move there.
_RULES = {
    "cases.refer_case": has_case_role(*REFERRERS),
    "cases.transfer_case": has_case_role(*TRANSFERRERS),
    "cases.override_referral_consent": has_case_role(*OVERRIDERS),
    "cases.manage_sharing_agreement": has_case_role(R.ORGANIZATION_ADMIN),
}
for _name, _predicate in _RULES.items():
    if not rules.perm_exists(_name):
        rules.add_perm(_name, _predicate)

# Sections a transfer always moves (the whole record goes to the receiver).
TRANSFER_BASE_SECTIONS = (
    SharedSection.IDENTITY,
    SharedSection.CONTACT,
    SharedSection.DOCUMENTS,
    SharedSection.CASE_SUMMARY,
)
FIELD_OF_CLASS = {str(sensitivity): field for field, sensitivity in DETAIL_FIELDS.items()}


# --- helpers --------------------------------------------------------------------------------


@contextmanager
def _refusals_audited(actor: Any, step: str, target: Any, organization_id: Any) -> Iterator[None]:
    """Audit a refusal by a rule (ValidationError) or a stale version (ConflictError) as
    `referral_refused`, naming the step and the fields, then let it through. Use it outside
    the step's transaction, so the row outlives the rollback."""
    try:
        yield
    except ValidationError as error:
        fields = sorted(error.message_dict) if hasattr(error, "error_dict") else []
        audit.record(
            actor,
            ReferralAuditAction.REFUSED,
            target,
            organization_id=organization_id,
            metadata={"step": step, "fields": fields},
        )
        raise
    except ConflictError as error:
        audit.record(
            actor,
            ReferralAuditAction.REFUSED,
            target,
            organization_id=organization_id,
            metadata={"step": step, "conflict": True, "version": error.expected_version},
        )
        raise


def _organization_id(value: Any, name: str) -> int:
    """The pk of an organization given as an Organization or its pk (ValidationError
    naming `name` when there is no such organization)."""
    if isinstance(value, Organization):
        return value.pk
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Choose an organization.")}) from None
    if not Organization.objects.filter(pk=pk).exists():
        raise ValidationError({name: _("Choose an organization.")})
    return pk


def _clean_sections(value: Any) -> list[str]:
    codes = [] if value is None or isinstance(value, str) else list(value)
    if not codes or any(code not in SharedSection.values for code in codes):
        raise ValidationError(
            {
                "shared_sections": _("Choose the sections shared from: %(values)s.")
                % {"values": ", ".join(SharedSection.values)}
            }
        )
    # In the catalogue's order, each once.
    return [code for code in SharedSection.values if code in set(codes)]


def _clean_services(value: Any) -> list[str]:
    codes = [] if value is None or isinstance(value, str) else list(value)
    if not codes or any(code not in ReferralService.values for code in codes):
        raise ValidationError(
            {
                "services": _("Choose the services requested from: %(values)s.")
                % {"values": ", ".join(ReferralService.values)}
            }
        )
    return list(dict.fromkeys(codes))


def _clean_days(value: Any) -> int:
    if value is None or value == "":
        return DEFAULT_DAYS
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"expires_in_days": _("Give between 1 and %(max)s days.") % {"max": MAX_DAYS}}
        )
    return days


def agreement_in_force(
    from_organization_id: Any, to_organization_id: Any, at: datetime.datetime | None = None
) -> DataSharingAgreement | None:
    """The active agreement in force at `at` (now) from one organization to another, the most
    recent first; None when there is none."""
    day = timezone.localdate(at) if at is not None else timezone.localdate()
    return (
        DataSharingAgreement.objects.filter(
            from_organization_id=from_organization_id,
            to_organization_id=to_organization_id,
            is_active=True,
            valid_from__lte=day,
            valid_until__gte=day,
        )
        .order_by("-valid_from", "-id")
        .first()
    )


def _sections_with_data(case: Case) -> set[str]:
    """The sensitivity classes of which the case holds something (details or notes)."""
    held = {
        str(sensitivity) for field, sensitivity in DETAIL_FIELDS.items() if getattr(case, field)
    }
    held |= set(case.notes.exclude(sensitivity="").values_list("sensitivity", flat=True))
    return held


def _lock_referral(referral: Referral, version: int) -> Referral:
    current = Referral.objects.select_for_update().filter(pk=referral.pk).first()
    if current is None or current.version != version:
        raise ConflictError(referral, version, current.version if current else None)
    return current


def _guard_receiver(actor: Any, referral: Referral, roles_needed: Iterable[str], perm: str) -> None:
    """Refuse someone who is not staff of the receiving organization (Http404, audited: to
    them the referral does not exist), then one whose roles there do not allow the step
    (PermissionDenied, audited)."""
    if actor is None:
        return
    held = roles_in(actor, referral.to_organization_id)
    if not held:
        raise _not_found(actor, referral, "not_receiver")
    if not held & set(roles_needed):
        raise refuse(actor, perm, referral)


def _not_found(user: Any, referral: Referral | None, reason: str, key: Any = None) -> Http404:
    """Audit a refused read of a referral (the reason as a code) and return the Http404."""
    audit.record(
        user,
        CaseAuditAction.ACCESS_DENIED,
        referral,
        organization_id=referral.from_organization_id if referral else None,
        metadata={
            "model": "referral",
            "key": str(referral.public_id) if referral else _safe_uuid(key),
            "via": "referral",
            "reason": reason,
        },
    )
    return Http404(_("No such referral."))


def _safe_uuid(key: Any) -> str:
    try:
        return str(uuid.UUID(str(key)[:64]))
    except ValueError:
        return "(malformed)"


# --- agreements -----------------------------------------------------------------------------


def _authorize_agreement(actor: Any, target: Any) -> None:
    if actor is not None and not getattr(actor, "is_superuser", False):
        authorize(actor, "cases.manage_sharing_agreement", target)


def create_sharing_agreement(
    *,
    actor: Any,
    from_organization: Organization,
    to_organization: Any,
    purpose: str,
    shared_sections: Iterable[str],
    valid_from: datetime.date,
    valid_until: datetime.date,
    signed_reference: str,
) -> DataSharingAgreement:
    """Record a signed data-sharing agreement from `from_organization` to another, as an
    organization administrator of the sending organization (or a superuser, or the system).
    The sections come from the catalogue (`SharedSection`)."""
    _authorize_agreement(actor, from_organization)
    to_id = _organization_id(to_organization, "to_organization")
    if to_id == from_organization.pk:
        raise ValidationError(
            {"to_organization": _("Choose an organization other than the sending one.")}
        )
    sections = _clean_sections(shared_sections)
    purpose = clean_text(purpose, "purpose", required=True, limit=300)
    signed_reference = clean_text(signed_reference, "signed_reference", required=True, limit=100)
    if not isinstance(valid_from, datetime.date):
        raise ValidationError({"valid_from": _("Give the first day of validity.")})
    if not isinstance(valid_until, datetime.date):
        raise ValidationError({"valid_until": _("Give the last day of validity.")})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("The last day comes before the first.")})
    with transaction.atomic():
        agreement = DataSharingAgreement.objects.create(
            from_organization=from_organization,
            to_organization_id=to_id,
            purpose=purpose,
            shared_sections=sections,
            valid_from=valid_from,
            valid_until=valid_until,
            signed_reference=signed_reference,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor,
            ReferralAuditAction.AGREEMENT_CREATE,
            agreement,
            changes=audit.snapshot(agreement),
            organization_id=from_organization.pk,
        )
        return agreement


def end_sharing_agreement(*, actor: Any, agreement: DataSharingAgreement) -> DataSharingAgreement:
    """Deactivate an agreement at once: referrals resting on it can no longer be made,
    accepted or read."""
    _authorize_agreement(actor, agreement)
    with transaction.atomic():
        current = DataSharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        if not current.is_active:
            raise ValidationError({"is_active": _("This agreement has already ended.")})
        current.is_active = False
        current.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor,
            ReferralAuditAction.AGREEMENT_DEACTIVATE,
            current,
            changes={"is_active": [True, False]},
            organization_id=current.from_organization_id,
        )
        return current


# --- referrals: the sending side ------------------------------------------------------------


def _expire_stale(case: Case, now: datetime.datetime) -> int:
    """Mark the case's open referrals past their end as expired (audited), inside the
    caller's transaction; how many."""
    count = 0
    for stale in Referral.objects.select_for_update().filter(
        case=case, status__in=OPEN_STATUSES, expires_at__lte=now
    ):
        previous = stale.status
        stale.status = ReferralStatus.EXPIRED
        stale.version += 1
        stale.save(update_fields=["status", "version", "updated_at"])
        audit.record(
            None,
            ReferralAuditAction.EXPIRE,
            stale,
            changes={"status": [previous, stale.status]},
            organization_id=stale.from_organization_id,
        )
        count += 1
    return count


def create_referral(
    *,
    actor: Any,
    case: Case,
    to_organization: Any,
    kind: str = ReferralKind.REFERRAL,
    services: Iterable[str] = (),
    basis: str = ReferralBasis.CONSENT,
    reason: str = "",
    expires_in_days: int | None = None,
) -> Referral:
    """Refer (or transfer) a case to another organization, from the case's organization.

    Refused unless an agreement from the case's organization to `to_organization` is in force
    (`agreement_in_force`), and unless the basis holds: `consent` needs the person's consent
    to sharing naming the receiving organization, now; `override` needs the override
    permission (case supervisor, data protection officer) and a reason, and takes effect only
    after `approve_override` by someone else. A transfer also needs an agreement covering
    everything the case holds, since the whole record moves. Access lasts `expires_in_days`
    (default 30, at most 90) from now. The sending organization, the sections shared, the
    status and the approver are never taken from the caller."""
    perm = "cases.transfer_case" if kind == ReferralKind.TRANSFER else "cases.refer_case"
    guard_case(actor, perm, case)
    with _refusals_audited(actor, "create", case, case.organization_id):
        if kind not in ReferralKind.values:
            raise ValidationError({"kind": _("Choose a referral or a transfer.")})
        if basis not in ReferralBasis.values:
            raise ValidationError({"basis": _("Choose consent or an override as the basis.")})
        to_id = _organization_id(to_organization, "to_organization")
        if to_id == case.organization_id:
            raise ValidationError(
                {"to_organization": _("Choose an organization other than the case's.")}
            )
        service_codes = _clean_services(services)
        days = _clean_days(expires_in_days)
        if case.state == CLOSED:
            raise ValidationError({"case": _("A closed case cannot be referred.")})
        now = timezone.now()
        agreement = agreement_in_force(case.organization_id, to_id, now)
        if agreement is None:
            raise ValidationError(
                {
                    "to_organization": _(
                        "There is no data-sharing agreement in force with this organization: "
                        "nothing can be shared with it."
                    )
                }
            )
        if kind == ReferralKind.TRANSFER:
            missing = ({*TRANSFER_BASE_SECTIONS} | _sections_with_data(case)) - set(
                agreement.shared_sections
            )
            if missing:
                raise ValidationError(
                    {
                        "kind": _(
                            "A transfer moves the whole record, but the agreement does not "
                            "cover: %(sections)s."
                        )
                        % {"sections": ", ".join(sorted(missing))}
                    }
                )
        if basis == ReferralBasis.CONSENT:
            reason = ""
            if not has_consent(case.person, "sharing", organization=to_id, at=now):
                raise ValidationError(
                    {
                        "basis": _(
                            "The person has no consent in force to sharing with this "
                            "organization. Record their consent, or ask for an override."
                        )
                    }
                )
        else:
            authorize(actor, "cases.override_referral_consent", case)
            reason = clean_text(reason, "reason", required=True, limit=REASON_LIMIT)
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if locked.organization_id != case.organization_id:
                raise ValidationError({"case": _("The case has moved to another organization.")})
            _expire_stale(locked, now)
            open_ones = Referral.objects.filter(case=locked, status__in=OPEN_STATUSES)
            if (
                kind == ReferralKind.REFERRAL
                and open_ones.filter(kind=kind, to_organization_id=to_id).exists()
            ):
                raise ValidationError(
                    {"to_organization": _("The case is already referred to this organization.")}
                )
            if (
                kind == ReferralKind.TRANSFER
                and open_ones.filter(kind=kind, status=ReferralStatus.REQUESTED).exists()
            ):
                raise ValidationError({"kind": _("A transfer of this case is already pending.")})
            referral = Referral.objects.create(
                case=locked,
                agreement=agreement,
                from_organization_id=locked.organization_id,
                to_organization_id=to_id,
                kind=kind,
                services=service_codes,
                status=ReferralStatus.REQUESTED,
                shared_sections=list(agreement.shared_sections),
                basis=basis,
                override_reason=reason,
                requested_by=user_or_none(actor),
                requested_at=now,
                expires_at=now + datetime.timedelta(days=days),
                created_by=user_or_none(actor),
            )
            audit.record(
                actor,
                ReferralAuditAction.CREATE,
                referral,
                changes=audit.snapshot(referral),
                organization_id=referral.from_organization_id,
                metadata={
                    "case": locked.pk,
                    "kind": kind,
                    "basis": basis,
                    "agreement": agreement.pk,
                    "reason_given": bool(reason),
                },
            )
            return referral


def create_referral_from_data(*, actor: Any, case: Case, data: Mapping[str, Any]) -> Referral:
    """`create_referral` from submitted data (a form's or the API's): only `to_organization`,
    `kind`, `services`, `basis`, `reason` and `expires_in_days` are read; anything else
    (`status`, `approved_by`, `from_organization`, `shared_sections`, `expires_at`...) is
    ignored."""
    allowed = ("to_organization", "kind", "services", "basis", "reason", "expires_in_days")
    return create_referral(actor=actor, case=case, **{k: data[k] for k in allowed if k in data})


def approve_override(*, actor: Any, referral: Referral, version: int) -> Referral:
    """The second approval of an override referral, by someone other than the requester who
    holds the override permission in the sending organization and can see the case. Until
    then the referral cannot be accepted."""
    if actor is None:
        raise ValidationError({"approved_by": _("A person approves an override.")})
    guard_case(actor, "cases.override_referral_consent", referral.case)
    with _refusals_audited(actor, "approve_override", referral, referral.from_organization_id):
        if actor.pk == referral.requested_by_id:
            raise ValidationError(
                {"approved_by": _("Someone other than the requester must approve the override.")}
            )
        with transaction.atomic():
            current = _lock_referral(referral, version)
            now = timezone.now()
            if current.basis != ReferralBasis.OVERRIDE:
                raise ValidationError({"basis": _("Only an override needs a second approval.")})
            if current.approved_at is not None:
                raise ValidationError({"approved_by": _("This override is already approved.")})
            if current.effective_status(now) != ReferralStatus.REQUESTED:
                raise ValidationError({"status": _("This referral is no longer open.")})
            current.approved_by = actor
            current.approved_at = now
            current.version += 1
            current.save(update_fields=["approved_by", "approved_at", "version", "updated_at"])
            audit.record(
                actor,
                ReferralAuditAction.APPROVE_OVERRIDE,
                current,
                changes={"approved_by_id": [None, actor.pk], "version": [version, current.version]},
                organization_id=current.from_organization_id,
                metadata={"case": current.case_id, "requested_by": current.requested_by_id},
            )
            return current


def revoke(*, actor: Any, referral: Referral, reason: str = "") -> Referral:
    """Revoke a requested or accepted referral (or a pending transfer), as someone of the
    sending organization who may refer the case. Takes effect at once: the next read by the
    receiver is refused. Needs no version: a revocation is never refused as stale."""
    guard_case(actor, "cases.refer_case", referral.case)
    reason = clean_text(reason, "reason", limit=REASON_LIMIT)
    with (
        _refusals_audited(actor, "revoke", referral, referral.from_organization_id),
        transaction.atomic(),
    ):
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status not in OPEN_STATUSES or (
            current.kind == ReferralKind.TRANSFER and current.status == ReferralStatus.ACCEPTED
        ):
            raise ValidationError({"status": _("This referral is no longer open.")})
        before = current.status
        current.status = ReferralStatus.REVOKED
        current.revoked_by = user_or_none(actor)
        current.revoked_at = timezone.now()
        current.decision_reason = reason or current.decision_reason
        current.version += 1
        current.save(
            update_fields=[
                "status",
                "revoked_by",
                "revoked_at",
                "decision_reason",
                "version",
                "updated_at",
            ]
        )
        audit.record(
            actor,
            ReferralAuditAction.REVOKE,
            current,
            changes={"status": [before, current.status]},
            organization_id=current.from_organization_id,
            metadata={"case": current.case_id, "reason_given": bool(reason)},
        )
        return current


def expire_referrals(*, now: datetime.datetime | None = None) -> int:
    """Mark every open referral past its end as expired (a scheduled task; reads are refused
    from `expires_at` on whether or not this has run). Returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for case in Case.objects.filter(
            referrals__status__in=OPEN_STATUSES, referrals__expires_at__lte=now
        ).distinct():
            count += _expire_stale(case, now)
    return count


# --- referrals: the receiving side ----------------------------------------------------------


def _receiving_office_row(actor: Any, organization_id: Any) -> CaseStaff | None:
    """The acceptor's staff row a transferred case goes to: a caseworker or supervisor row
    with an office in the receiving organization."""
    rows = [
        row
        for row in staff_rows(actor)
        if row.organization_id == organization_id
        and row.role in ASSIGNABLE
        and row.office_id is not None
    ]
    return sorted(rows, key=lambda row: (row.role, row.pk))[0] if rows else None


def _still_effective(referral: Referral, now: datetime.datetime) -> str | None:
    """Why an open referral cannot take effect now (a field name), or None."""
    if referral.expires_at <= now:
        return "expires_at"
    if referral.needs_approval:
        return "approved_by"
    if not referral.agreement.in_force(now):
        return "agreement"
    if referral.case.organization_id != referral.from_organization_id:
        return "case"
    if referral.basis == ReferralBasis.CONSENT and not has_consent(
        referral.case.person, "sharing", organization=referral.to_organization_id, at=now
    ):
        return "basis"
    return None


NOT_EFFECTIVE = {
    "expires_at": gettext_lazy("This referral has expired."),
    "approved_by": gettext_lazy(
        "The override awaits a second approval in the sending organization."
    ),
    "agreement": gettext_lazy("The data-sharing agreement is no longer in force."),
    "case": gettext_lazy("The case has moved to another organization."),
    "basis": gettext_lazy(
        "The person's consent to sharing with your organization is not in force."
    ),
}


def accept(*, actor: Any, referral: Referral, version: int) -> Referral:
    """Accept a referral or transfer sent to one's organization (`version`: the referral's,
    as read).

    Refused when it is not requested any more, has expired, awaits the override's second
    approval, its agreement is no longer in force, or (consent basis) the consent has been
    withdrawn. A referral then opens `referred_case_view` to the receiving staff. A transfer
    moves the case, in the same transaction (case row locked, its version raised): the
    organization becomes the receiver, the office and team the acceptor's (a caseworker or
    supervisor with an office there), the assignee the acceptor, with a new reference in the
    receiver's series; the sender's other open referrals of the case are revoked and its
    break-glass grants on the case end. The person
    moves with it when they have no other case left in the sending organization."""
    current = Referral.objects.select_related("case", "agreement").get(pk=referral.pk)
    is_transfer = current.kind == ReferralKind.TRANSFER
    _guard_receiver(
        actor,
        current,
        ASSIGNABLE if is_transfer else RECEIVERS,
        "cases.accept_transfer" if is_transfer else "cases.accept_referral",
    )
    row = None
    if is_transfer and actor is not None:
        row = _receiving_office_row(actor, current.to_organization_id)
        if row is None:
            raise refuse(actor, "cases.accept_transfer", current)
    with (
        _refusals_audited(actor, "accept", current, current.from_organization_id),
        transaction.atomic(),
    ):
        locked = _lock_referral(current, version)
        now = timezone.now()
        if locked.status != ReferralStatus.REQUESTED:
            raise ValidationError({"status": _("This referral is no longer open.")})
        case = Case.objects.select_for_update().get(pk=locked.case_id)
        locked.case = case
        problem = _still_effective(locked, now)
        if problem is not None:
            raise ValidationError({problem: NOT_EFFECTIVE[problem]})
        locked.status = ReferralStatus.ACCEPTED
        locked.decided_by = user_or_none(actor)
        locked.decided_at = now
        locked.version += 1
        locked.save(update_fields=["status", "decided_by", "decided_at", "version", "updated_at"])
        changes: dict[str, Any] = {"status": [ReferralStatus.REQUESTED, locked.status]}
        if is_transfer:
            changes["case"] = _move_case(actor, locked, case, row, now)
        audit.record(
            actor,
            ReferralAuditAction.ACCEPT,
            locked,
            changes=changes,
            organization_id=locked.from_organization_id,
            metadata={
                "case": case.pk,
                "kind": locked.kind,
                "to_organization": locked.to_organization_id,
            },
        )
        return locked


def _move_case(
    actor: Any, referral: Referral, case: Case, row: CaseStaff | None, now: datetime.datetime
) -> dict[str, list[Any]]:
    """Move a locked case to the receiving organization (a transfer's acceptance); the
    changes, for the audit row."""
    fields = ["organization_id", "office_id", "team_id", "assigned_to_id", "reference", "version"]
    before = audit.snapshot(case, fields)
    if row is None:  # the system accepts: the receiver's first case handler with an office
        row = (
            CaseStaff.objects.filter(
                organization_id=referral.to_organization_id,
                role__in=ASSIGNABLE,
                is_active=True,
                office__isnull=False,
            )
            .order_by("role", "pk")
            .first()
        )
        if row is None:
            raise ValidationError(
                {"decided_by": _("The receiving organization has no caseworker with an office.")}
            )
    case.organization_id = referral.to_organization_id
    case.office_id = row.office_id
    case.team_id = row.team_id
    case.assigned_to_id = row.user_id
    case.reference = next_reference(referral.to_organization_id, case.case_type, now.year)
    case.version += 1
    case.save(
        update_fields=[
            "organization",
            "office",
            "team",
            "assigned_to",
            "reference",
            "version",
            "updated_at",
        ]
    )
    CaseEvent.objects.create(
        case=case,
        event=TRANSFER_EVENT,
        from_state=case.state,
        to_state=case.state,
        actor=user_or_none(actor),
        at=now,
    )
    person = case.person
    others_left = (
        Case.objects.filter(person=person, organization_id=referral.from_organization_id)
        .exclude(pk=case.pk)
        .exists()
    )
    if not others_left and person.organization_id == referral.from_organization_id:
        type(person).objects.filter(pk=person.pk).update(
            organization_id=referral.to_organization_id, version=F("version") + 1
        )
    # Break-glass access granted by the sending organization ends with its ownership.
    ended_grants = BreakGlassRequest.objects.filter(
        case=case, approved_at__lt=now, expires_at__gt=now
    ).update(expires_at=now)
    for other in (
        Referral.objects.select_for_update()
        .filter(
            case=case, status__in=OPEN_STATUSES, from_organization_id=referral.from_organization_id
        )
        .exclude(pk=referral.pk)
    ):
        previous = other.status
        other.status = ReferralStatus.REVOKED
        other.revoked_at = now
        other.version += 1
        other.save(update_fields=["status", "revoked_at", "version", "updated_at"])
        audit.record(
            actor,
            ReferralAuditAction.REVOKE,
            other,
            changes={"status": [previous, other.status]},
            organization_id=other.from_organization_id,
            metadata={"case": case.pk, "cause": "transfer", "transfer": referral.pk},
        )
    changes = audit.diff(before, audit.snapshot(case, fields))
    if ended_grants:
        changes["break_glass_grants_ended"] = [0, ended_grants]
    return changes


def reject(*, actor: Any, referral: Referral, version: int, reason: str = "") -> Referral:
    """Decline a referral or transfer sent to one's organization, optionally with a reason
    (kept encrypted, not in the audit trail)."""
    current = Referral.objects.get(pk=referral.pk)
    _guard_receiver(actor, current, RECEIVERS, "cases.accept_referral")
    reason = clean_text(reason, "reason", limit=REASON_LIMIT)
    with (
        _refusals_audited(actor, "reject", current, current.from_organization_id),
        transaction.atomic(),
    ):
        locked = _lock_referral(current, version)
        if locked.effective_status() != ReferralStatus.REQUESTED:
            raise ValidationError({"status": _("This referral is no longer open.")})
        locked.status = ReferralStatus.REJECTED
        locked.decided_by = user_or_none(actor)
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.version += 1
        locked.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_reason",
                "version",
                "updated_at",
            ]
        )
        audit.record(
            actor,
            ReferralAuditAction.REJECT,
            locked,
            changes={"status": [ReferralStatus.REQUESTED, locked.status]},
            organization_id=locked.from_organization_id,
            metadata={"case": locked.case_id, "reason_given": bool(reason)},
        )
        return locked


# --- reads ----------------------------------------------------------------------------------


def referrals_for(user: Any) -> QuerySet[Referral]:
    """Referrals `user` may see (their metadata, not the case): on the sending side those of
    the cases the user can see; on the receiving side every referral to an organization where
    the user has a case-management role."""
    if not getattr(user, "is_authenticated", False):
        return Referral.objects.none()
    receiving = {row.organization_id for row in staff_rows(user)}
    visible_cases = cases_for(user).order_by().values("pk")
    return Referral.objects.filter(
        Q(case_id__in=visible_cases) | Q(to_organization_id__in=receiving)
    ).select_related("from_organization", "to_organization", "agreement")


def referral_for(user: Any, public_id: Any) -> Referral:
    """The referral `public_id` if `user` may see it (`referrals_for`), else Http404
    (audited)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise _not_found(user, None, "unknown", public_id) from None
    referral = referrals_for(user).filter(public_id=key).first()
    if referral is None:
        raise _not_found(user, None, "unknown", key)
    return referral


def _section(user: Any, referral: Referral, case: Case, section: str) -> Any:
    person = case.person
    if section == SharedSection.IDENTITY:
        return {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "date_of_birth_precision": person.date_of_birth_precision,
        }
    if section == SharedSection.CONTACT:
        return dict(person.contact or {})
    if section == SharedSection.DOCUMENTS:
        return [
            {
                "kind": document.kind,
                "issuing_country": document.issuing_country,
                "number": document.number,
                "expires_on": document.expires_on,
            }
            for document in person.documents.all()
        ]
    if section == SharedSection.CASE_SUMMARY:
        return {
            "reference": case.reference,
            "case_type": case.case_type,
            "state": case.state,
            "opened_at": case.opened_at,
            "closed_at": case.closed_at,
        }
    # A sensitivity class: in clear only for a role that sees it in clear at home.
    clear, _reveal = SENSITIVITY_ACCESS[section]
    if roles_in(user, referral.to_organization_id) & clear:
        return getattr(case, FIELD_OF_CLASS[section])
    return MASKED


def referred_case_view(
    user: Any, referral: Referral, *, at: datetime.datetime | None = None
) -> dict[str, Any]:
    """What staff of the receiving organization read of a referred case: the referral's
    details under "referral", then one key per shared section (`SharedSection`) and nothing
    else; a sensitivity class the reader's role does not see in clear is MASKED.

    Checked again at every read (against the stored referral, not the object passed): the
    reader has a case role in the receiving organization; the referral is an accepted
    referral, not revoked, not expired at `at` (now), its agreement in force and, for the
    consent basis, the consent in force. Otherwise Http404, audited with the reason as a
    code; a served read is audited too (`referral_read`, the sections read)."""
    at = at or timezone.now()
    current = (
        Referral.objects.select_related("case", "case__person", "agreement")
        .filter(pk=referral.pk)
        .first()
    )
    if current is None:
        raise _not_found(user, None, "unknown", referral.public_id)
    if not roles_in(user, current.to_organization_id):
        raise _not_found(user, current, "not_receiver")
    if current.kind != ReferralKind.REFERRAL:
        raise _not_found(user, current, "transfer")
    if current.status != ReferralStatus.ACCEPTED or current.revoked_at is not None:
        raise _not_found(user, current, str(current.status))
    problem = _still_effective(current, at)
    if problem is not None:
        raise _not_found(user, current, problem)
    case = current.case
    view: dict[str, Any] = {
        "referral": {
            "public_id": current.public_id,
            "kind": current.kind,
            "services": list(current.services),
            "expires_at": current.expires_at,
            "sections": list(current.shared_sections),
        }
    }
    for section in current.shared_sections:
        view[section] = _section(user, current, case, section)
    audit.record(
        user,
        ReferralAuditAction.READ,
        case,
        organization_id=case.organization_id,
        metadata={"referral": current.pk, "sections": list(current.shared_sections)},
    )
    return view


def referred_case_view_by_id(user: Any, public_id: Any) -> dict[str, Any]:
    """`referred_case_view` of the referral `public_id` (Http404 when the user cannot see
    it)."""
    return referred_case_view(user, referral_for(user, public_id))

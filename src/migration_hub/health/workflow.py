"""Writes of the assessment workflow: appointment, results, classification, decision,
certificate and referral to a national TB programme; and the set-up of panel sites.

Every function runs in one transaction, checks the object-level rule of `health.permissions`,
writes its audit event in the same transaction (never an encrypted value: `audit_exclude_fields`)
and raises a ValidationError naming the field to fix, in which case nothing is written. A step
on an assessment passes the `expected_version` the caller read: when someone changed the
assessment since, ConflictError (409 in the API) is raised and nothing is written.

    scheduled -> examined (every due item has a result) -> classified (TB class)
      -> cleared | deferred | referred;  cleared -> certified (certificate issued)

A result recorded (or corrected) once the assessment is examined sends it back to `examined`
(or to `scheduled` when an item is due again, such as the sputum after an abnormal chest
X-ray), clearing its classification and decision: they were made on other results. Clearance
is refused while an item is missing, for class A TB and for a positive sputum result, and for
class B1 until the referral to the TB programme is recorded. A TB referral, with the person's
consent, may be sent at any point after a TB classification or a positive sputum result;
`tb_referral_proposed` says when the pages propose it (class A or B1, or a positive sputum).

The audit trail records that the TB class, the decision and the status changed, never their
values (`VALUES_NOT_AUDITED`): the status names the decision, and all three are clinical.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.permissions import require
from migration_hub.core.services import ConflictError

from . import permissions  # noqa: F401  (registers the rules this module checks)
from .choices import ITEM_CODES, Destination, Item, Sex
from .engine import COUNTRY_CODES, ProfileError, requirements_for
from .models import (
    Assessment,
    Certificate,
    PanelSite,
    Physician,
    Result,
    TbReferral,
    TrainingRecord,
)
from .workflow_choices import (
    TB_SUSPECTED_CLASSES,
    AssessmentStatus,
    Decision,
    ReferralStatus,
    ResultOutcome,
    TbClass,
    outcomes_for,
)

# Results may be entered (or corrected) until the assessment is cleared.
OPEN_FOR_RESULTS = frozenset(
    {
        AssessmentStatus.SCHEDULED,
        AssessmentStatus.EXAMINED,
        AssessmentStatus.CLASSIFIED,
        AssessmentStatus.DEFERRED,
        AssessmentStatus.REFERRED,
    }
)
OPEN_FOR_CLASSIFICATION = frozenset(
    {
        AssessmentStatus.EXAMINED,
        AssessmentStatus.CLASSIFIED,
        AssessmentStatus.DEFERRED,
        AssessmentStatus.REFERRED,
    }
)
OPEN_FOR_DECISION = frozenset(
    {AssessmentStatus.CLASSIFIED, AssessmentStatus.DEFERRED, AssessmentStatus.REFERRED}
)
# A result recorded at these statuses reopens the examination: the classification and the
# decision made on the earlier results no longer hold.
REOPENED_BY_A_RESULT = frozenset(
    {
        AssessmentStatus.EXAMINED,
        AssessmentStatus.CLASSIFIED,
        AssessmentStatus.DEFERRED,
        AssessmentStatus.REFERRED,
    }
)
# Fields of an assessment whose values stay out of the audit trail (plain columns, but they say
# what was found and decided about the person); that they changed is recorded.
VALUES_NOT_AUDITED = ("decision", "status", "tb_class")
CLASSIFICATION_FIELDS = [
    "tb_class",
    "classified_at",
    "classified_by",
    "decision",
    "decision_reason",
    "decided_at",
    "decided_by",
]
DECISION_STATUS = {
    Decision.CLEARED: AssessmentStatus.CLEARED,
    Decision.DEFERRED: AssessmentStatus.DEFERRED,
    Decision.REFERRED: AssessmentStatus.REFERRED,
}
# When a conditional item of a protocol becomes due: its `if` (free text in the protocol file)
# names the result it follows. {conditional item: {item whose result triggers it: outcomes}}.
CONDITIONAL_TRIGGERS: dict[str, dict[str, frozenset[str]]] = {
    Item.CHEST_XRAY: {Item.TB_INFECTION_TEST: frozenset({ResultOutcome.POSITIVE})},
    Item.SPUTUM: {Item.CHEST_XRAY: frozenset({ResultOutcome.ABNORMAL})},
}
TEXT_LIMIT = 2000
EARLIEST_APPOINTMENT = datetime.date(2000, 1, 1)


# --- reading an assessment's state (no writes) --------------------------------------------------


def item_label(code: str) -> str:
    return str(Item(code).label) if code in ITEM_CODES else code


def results_by_item(assessment: Assessment) -> dict[str, Result]:
    return {result.item: result for result in assessment.results.all()}


def allowed_items(assessment: Assessment) -> list[str]:
    """Items a result may be recorded for: what the protocol version required of the profile,
    what it may require depending on a result, and the options of its alternatives."""
    requirements = assessment.requirements or {}
    items: list[str] = []
    for entry in [*requirements.get("required", []), *requirements.get("conditional", [])]:
        if entry["item"] not in items:
            items.append(entry["item"])
    for alternative in requirements.get("alternatives", []):
        for option in alternative.get("options", []):
            code = option.get("option")
            if code in ITEM_CODES and code not in items:
                items.append(code)
    return items


def due_items(assessment: Assessment, results: Mapping[str, Result] | None = None) -> list[str]:
    """Items that need a result before clearance: the required ones, and each conditional one
    whose trigger (CONDITIONAL_TRIGGERS) has been met by a recorded result."""
    results = results_by_item(assessment) if results is None else results
    requirements = assessment.requirements or {}
    items = [entry["item"] for entry in requirements.get("required", [])]
    for entry in requirements.get("conditional", []):
        code = entry["item"]
        for trigger, outcomes in CONDITIONAL_TRIGGERS.get(code, {}).items():
            result = results.get(trigger)
            if result is not None and result.outcome in outcomes and code not in items:
                items.append(code)
    return items


def missing_items(assessment: Assessment, results: Mapping[str, Result] | None = None) -> list[str]:
    """Due items with no result yet, or whose result says it was not done."""
    results = results_by_item(assessment) if results is None else results
    return [
        code
        for code in due_items(assessment, results)
        if code not in results or results[code].outcome == ResultOutcome.NOT_DONE
    ]


def tb_referral_proposed(
    assessment: Assessment, results: Mapping[str, Result] | None = None
) -> bool:
    """Suspected or confirmed TB: class A or B1, or a positive sputum result."""
    if assessment.tb_class in TB_SUSPECTED_CLASSES:
        return True
    results = results_by_item(assessment) if results is None else results
    sputum = results.get(Item.SPUTUM)
    return sputum is not None and sputum.outcome == ResultOutcome.POSITIVE


def certificate_validity(
    assessment: Assessment, results: Mapping[str, Result] | None = None
) -> tuple[datetime.date, datetime.date, dict[str, Any]]:
    """(counted from, valid until, rule): the protocol's months from the examination (the date
    of the medical examination's result, else the exam date) or from the chest X-ray's result,
    as its validity rule says. Without a chest X-ray result the examination date is used."""
    results = results_by_item(assessment) if results is None else results
    validity = dict((assessment.requirements or {}).get("validity") or {})
    months = int(validity.get("months") or 0)
    exam = results.get(Item.MEDICAL_EXAM)
    start = exam.result_date if exam is not None else assessment.exam_date
    counted_from = "exam"
    xray = results.get(Item.CHEST_XRAY)
    if validity.get("from") == "chest_xray" and xray is not None:
        start, counted_from = xray.result_date, "chest_xray"
    validity["counted_from"] = counted_from
    return start, start + relativedelta(months=months), validity


# --- helpers ----------------------------------------------------------------------------------


def _missing_message(codes: Iterable[str]) -> str:
    return _(
        "These required items have no result yet (or were not done): %(items)s. Record "
        "their results first."
    ) % {"items": ", ".join(item_label(code) for code in codes)}


def _text(value: Any, name: str, *, required: bool = False, limit: int = TEXT_LIMIT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({name: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({name: _("Write at most %(limit)s characters.") % {"limit": limit}})
    return text


def _lock(assessment: Assessment, expected_version: int) -> Assessment:
    """The assessment as stored, locked for this transaction, if still at `expected_version`."""
    current = (
        Assessment.objects.select_for_update()
        .select_related("site", "protocol_version")
        .filter(pk=assessment.pk)
        .first()
    )
    if current is None or current.version != expected_version:
        raise ConflictError(assessment, expected_version, current.version if current else None)
    return current


def _without_values(changes: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`changes` without the fields of VALUES_NOT_AUDITED, and the names of those it had."""
    hidden = sorted(name for name in changes if name in VALUES_NOT_AUDITED)
    return {name: value for name, value in changes.items() if name not in hidden}, hidden


def _save(
    assessment: Assessment,
    actor: Any,
    before: dict[str, Any],
    fields: list[str],
    *,
    step: str,
    sensitive: Iterable[str] = (),
    metadata: Mapping[str, Any] | None = None,
) -> Assessment:
    """Write `fields` with the next version, and the audit event of the step (the TB class,
    decision and status changed are named, without their values)."""
    assessment.version += 1
    assessment.save(update_fields=[*fields, "version", "updated_at"])
    changes, hidden = _without_values(audit.diff(before, audit.snapshot(assessment)))
    audit.record(
        actor,
        AuditAction.UPDATE,
        assessment,
        changes=changes,
        organization_id=assessment.site.organization_id,
        metadata={
            "step": step,
            "encrypted_fields_changed": sorted(sensitive),
            "changed_without_values": hidden,
            **(metadata or {}),
        },
    )
    return assessment


def _tb_class(value: Any) -> str:
    if value not in TbClass.values:
        raise ValidationError(
            {"tb_class": _("Choose one of: %(classes)s.") % {"classes": ", ".join(TbClass.values)}}
        )
    return str(value)


# --- set-up: panel sites, physicians, training ------------------------------------------------


@transaction.atomic
def create_panel_site(
    *,
    actor: Any,
    organization: Any,
    name: str,
    country: str,
    city: str = "",
    destinations: Iterable[str] = (),
    tb_programme: Any = None,
) -> PanelSite:
    """A panel site run by `organization`, serving `destinations` (all when empty)."""
    require(actor, "health.manage_panelsite", organization)
    code = str(country or "").strip().upper()
    if code not in COUNTRY_CODES:
        raise ValidationError({"country": _("Give an ISO 3166 alpha-2 country code, such as KE.")})
    served = sorted({str(value).strip().upper() for value in destinations})
    unknown = [value for value in served if value not in Destination.values]
    if unknown:
        raise ValidationError(
            {
                "destinations": _("No protocol is kept for: %(codes)s.")
                % {"codes": ", ".join(unknown)}
            }
        )
    site = PanelSite(
        organization=organization,
        name=_text(name, "name", required=True, limit=200),
        country=code,
        city=_text(city, "city", limit=100),
        destinations=served,
        tb_programme=tb_programme,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    site.full_clean()
    site.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        site,
        changes=audit.snapshot(site),
        organization_id=organization.pk,
    )
    return site


@transaction.atomic
def add_physician(*, actor: Any, site: PanelSite, user: Any, licence_number: str) -> Physician:
    """Post `user` as a panel physician at `site` (they also need the panel physician role in
    the site's organization to examine)."""
    require(actor, "health.manage_panelsite", site)
    physician = Physician(
        site=site,
        user=user,
        licence_number=_text(licence_number, "licence_number", required=True, limit=64),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    physician.full_clean()
    physician.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        physician,
        changes=audit.snapshot(physician),
        organization_id=site.organization_id,
    )
    return physician


@transaction.atomic
def record_training(
    *,
    actor: Any,
    physician: Physician,
    course: str,
    completed_on: datetime.date,
    expires_on: datetime.date | None = None,
) -> TrainingRecord:
    require(actor, "health.manage_panelsite", physician.site)
    if expires_on is not None and expires_on <= completed_on:
        raise ValidationError({"expires_on": _("The expiry must come after the completion.")})
    record = TrainingRecord.objects.create(
        physician=physician,
        course=_text(course, "course", required=True, limit=200),
        completed_on=completed_on,
        expires_on=expires_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        record,
        changes=audit.snapshot(record),
        organization_id=physician.site.organization_id,
    )
    return record


# --- the assessment ---------------------------------------------------------------------------


def _profile_errors(error: ProfileError) -> ValidationError:
    messages = {}
    for name, message in error.errors.items():
        text = str(message)
        # The exam date is the appointment's day: what is wrong with it is the appointment's.
        field = "appointment_at" if name == "exam_date" else name
        messages[field] = text[:1].upper() + text[1:]
    return ValidationError(messages)


def _check_exam_date(given: Any, appointment_day: datetime.date) -> None:
    """Refuse an exam date in the profile other than the appointment's day."""
    if given in (None, ""):
        return
    if isinstance(given, datetime.date) and not isinstance(given, datetime.datetime):
        day: datetime.date | None = given
    else:
        try:
            day = datetime.date.fromisoformat(str(given).strip())
        except ValueError:
            day = None
    if day != appointment_day:
        raise ValidationError(
            {
                "exam_date": _(
                    "The exam date is the appointment's day, %(day)s: change the appointment "
                    "instead, or leave the exam date out of the profile."
                )
                % {"day": appointment_day.isoformat()}
            }
        )


@transaction.atomic
def schedule_assessment(
    *,
    actor: Any,
    site: PanelSite,
    appointment_at: datetime.datetime,
    full_name: str,
    date_of_birth: datetime.date,
    sex: str,
    profile: Mapping[str, Any],
    document_number: str = "",
    physician: Physician | None = None,
) -> Assessment:
    """Book an appointment at `site` and record what the destination's protocol requires.

    The requirements engine is run on `profile` (the person's date of birth and sex are taken
    from the person's fields, the exam date is the appointment's day, and the exam country
    defaults to the site's). A profile the engine refuses is refused with its errors, each
    under the field it names. The protocol version applied and its answer are recorded.

    Decided: the exam date and the protocol are not the caller's to choose. The exam date is
    the appointment's day and the protocol the one in force for the destination on that day;
    a profile giving another `exam_date` or naming another `protocol` is refused under that
    field (rather than silently overridden, so the caller learns its value was not used). The
    same values are accepted, so a client echoing them back is not refused.
    """
    require(actor, "health.add_assessment", site)
    if not site.is_active:
        raise ValidationError({"site": _("This panel site is closed.")})
    if physician is not None and (physician.site_id != site.pk or not physician.is_active):
        raise ValidationError({"physician": _("Choose a physician of this panel site.")})
    name = _text(full_name, "full_name", required=True, limit=200)
    document = _text(document_number, "document_number", limit=64)
    if sex not in Sex.values:
        raise ValidationError({"sex": _("Choose one of the listed values.")})
    if not isinstance(date_of_birth, datetime.date) or isinstance(date_of_birth, datetime.datetime):
        raise ValidationError({"date_of_birth": _("Enter a date as YYYY-MM-DD.")})
    if date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
    if not isinstance(appointment_at, datetime.datetime) or timezone.is_naive(appointment_at):
        raise ValidationError({"appointment_at": _("Enter a date and time.")})
    try:
        appointment_day = timezone.localtime(appointment_at).date()
    except (OverflowError, ValueError):
        appointment_day = datetime.date.min
    latest = timezone.localdate() + relativedelta(years=2)
    if not EARLIEST_APPOINTMENT <= appointment_day <= latest:
        raise ValidationError(
            {
                "appointment_at": _("Give a day from %(earliest)s to %(latest)s.")
                % {"earliest": EARLIEST_APPOINTMENT, "latest": latest}
            }
        )
    if not isinstance(profile, Mapping):
        raise ValidationError({"profile": _("The profile is a JSON object of fields.")})

    data = dict(profile)
    _check_exam_date(data.pop("exam_date", None), appointment_day)
    asked_protocol = data.pop("protocol", None)
    data["date_of_birth"] = date_of_birth.isoformat()
    data["sex"] = sex
    data["exam_date"] = appointment_day.isoformat()
    data.setdefault("exam_country", site.country)
    try:
        requirements = requirements_for(data)
    except ProfileError as error:
        raise _profile_errors(error) from None
    except (OverflowError, ValueError):  # a date so far off that its validity has no date
        raise ValidationError({"appointment_at": _("This date is out of range.")}) from None
    if asked_protocol not in (None, "") and asked_protocol != requirements.protocol:
        raise ValidationError(
            {
                "protocol": _(
                    "The protocol is the one in force for the destination on the appointment's "
                    "day: %(protocol)s %(version)s. Leave the protocol out of the profile."
                )
                % {"protocol": requirements.protocol, "version": requirements.version}
            }
        )
    if not requirements.in_scope:
        raise ValidationError(
            {
                "category": _(
                    "The protocol %(protocol)s %(version)s requires no examination for this "
                    "profile: %(note)s"
                )
                % {
                    "protocol": requirements.protocol,
                    "version": requirements.version,
                    "note": requirements.notes[0] if requirements.notes else "",
                }
            }
        )
    destination = str(data.get("destination") or "").strip().upper()
    if not site.serves(destination):
        raise ValidationError(
            {
                "destination": _("%(site)s does not examine for %(destination)s.")
                % {"site": site.name, "destination": Destination(destination).label}
            }
        )
    assessment = Assessment(
        site=site,
        physician=physician,
        appointment_at=appointment_at,
        full_name=name,
        date_of_birth=date_of_birth.isoformat(),
        sex=sex,
        document_number=document,
        profile=data,
        requirements=requirements.as_dict(),
        destination=destination,
        exam_date=datetime.date.fromisoformat(str(data["exam_date"])),
        protocol_version_id=requirements.version_id,
        status=AssessmentStatus.SCHEDULED,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assessment.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        assessment,
        changes=_without_values(audit.snapshot(assessment))[0],
        organization_id=site.organization_id,
        # Not the required items: they follow from the (encrypted) profile, such as a pregnancy.
        metadata={"protocol": requirements.protocol, "protocol_version": requirements.version},
    )
    return assessment


@transaction.atomic
def record_result(
    *,
    actor: Any,
    assessment: Assessment,
    item: str,
    outcome: str,
    expected_version: int,
    value: str = "",
    notes: str = "",
    result_date: datetime.date | None = None,
) -> Result:
    """Record (or correct) the result of one item. Only items the protocol version required,
    may require or offers as an alternative for this profile are accepted; the assessment is
    `examined` once every due item has a result. A result recorded once it is examined (or
    classified, deferred or referred) sends it back to `examined`, or to `scheduled` when an
    item is due again, and clears its classification and decision."""
    require(actor, "health.record_result", assessment)
    assessment = _lock(assessment, expected_version)
    if assessment.status not in OPEN_FOR_RESULTS:
        raise ValidationError(
            _("Results can no longer be changed: the assessment is %(status)s.")
            % {"status": assessment.get_status_display().lower()}
        )
    allowed = allowed_items(assessment)
    if item not in allowed:
        raise ValidationError(
            {
                "item": _(
                    "%(item)s is not required by %(protocol)s for this person: record results "
                    "for %(allowed)s."
                )
                % {
                    "item": item_label(str(item)),
                    "protocol": assessment.protocol_version,
                    "allowed": ", ".join(item_label(code) for code in allowed),
                }
            }
        )
    outcomes = outcomes_for(item)
    if outcome not in outcomes:
        raise ValidationError(
            {
                "outcome": _("A result of %(item)s is one of: %(outcomes)s.")
                % {
                    "item": item_label(item),
                    "outcomes": ", ".join(str(choice.label) for choice in outcomes),
                }
            }
        )
    day = result_date or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"result_date": _("The date of the result is in the future.")})
    value = _text(value, "value", limit=500)
    notes = _text(notes, "notes")
    now = timezone.now()
    result = assessment.results.filter(item=item).first()
    creating = result is None
    before = {} if creating else audit.snapshot(result)
    if creating:
        result = Result(assessment=assessment, item=item)
    result.outcome = outcome
    result.value = value
    result.notes = notes
    result.result_date = day
    result.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    result.recorded_at = now
    result.save()
    audit.record(
        actor,
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        result,
        changes=audit.diff(before, audit.snapshot(result)),
        organization_id=assessment.site.organization_id,
        metadata={
            "assessment": assessment.pk,
            "encrypted_fields_changed": ["notes", "outcome", "value"],
        },
    )
    before = audit.snapshot(assessment)
    missing = missing_items(assessment)
    fields = ["status"]
    metadata: dict[str, Any] = {}
    sensitive: list[str] = []
    if assessment.status == AssessmentStatus.SCHEDULED and not missing:
        assessment.status = AssessmentStatus.EXAMINED
    elif assessment.status in REOPENED_BY_A_RESULT:
        metadata = {
            "reopened": True,
            "classification_cleared": bool(assessment.tb_class),
            "decision_cleared": bool(assessment.decision),
            "items_due_again": bool(missing),
        }
        if assessment.decision_reason:
            sensitive.append("decision_reason")
        assessment.status = AssessmentStatus.SCHEDULED if missing else AssessmentStatus.EXAMINED
        assessment.tb_class = ""
        assessment.classified_at = None
        assessment.classified_by = None
        assessment.decision = ""
        assessment.decision_reason = ""
        assessment.decided_at = None
        assessment.decided_by = None
        fields += CLASSIFICATION_FIELDS
    _save(
        assessment,
        actor,
        before,
        fields,
        step="result",
        sensitive=sensitive,
        metadata=metadata,
    )
    return result


@transaction.atomic
def classify(
    *, actor: Any, assessment: Assessment, tb_class: str, expected_version: int
) -> Assessment:
    """Record the TB classification once every due item has a result (refused, naming the
    missing items, before). A new classification of a deferred or referred assessment
    reopens its decision."""
    require(actor, "health.classify_assessment", assessment)
    assessment = _lock(assessment, expected_version)
    tb_class = _tb_class(tb_class)
    if (
        assessment.status != AssessmentStatus.SCHEDULED
        and assessment.status not in OPEN_FOR_CLASSIFICATION
    ):
        raise ValidationError(
            _("The assessment is %(status)s: its classification is final.")
            % {"status": assessment.get_status_display().lower()}
        )
    missing = missing_items(assessment)
    if missing:
        raise ValidationError({"tb_class": _missing_message(missing)})
    before = audit.snapshot(assessment)
    sensitive = ["decision_reason"] if assessment.decision_reason else []
    assessment.tb_class = tb_class
    assessment.status = AssessmentStatus.CLASSIFIED
    assessment.classified_at = timezone.now()
    assessment.classified_by = actor if getattr(actor, "is_authenticated", False) else None
    assessment.decision = ""
    assessment.decision_reason = ""
    assessment.decided_at = None
    assessment.decided_by = None
    return _save(
        assessment,
        actor,
        before,
        [
            "tb_class",
            "status",
            "classified_at",
            "classified_by",
            "decision",
            "decision_reason",
            "decided_at",
            "decided_by",
        ],
        step="classify",
        sensitive=sensitive,
    )


def _check_clearance(assessment: Assessment) -> None:
    """Refuse to clear an assessment with a missing item or suspected TB not yet referred."""
    results = results_by_item(assessment)
    missing = missing_items(assessment, results)
    if missing:
        raise ValidationError({"decision": _missing_message(missing)})
    if not tb_referral_proposed(assessment, results):
        return
    if assessment.tb_class == TbClass.A:
        raise ValidationError(
            {
                "decision": _(
                    "Class A (infectious) TB cannot be cleared: defer until treatment is "
                    "completed, or refer."
                )
            }
        )
    sputum = results.get(Item.SPUTUM)
    if sputum is not None and sputum.outcome == ResultOutcome.POSITIVE:
        raise ValidationError(
            {
                "decision": _(
                    "The sputum result is positive (infectious TB): the assessment cannot be "
                    "cleared. Defer until treatment is completed, or refer."
                )
            }
        )
    # Class B1: travel is possible with follow-up after arrival, which the referral arranges.
    if not assessment.tb_referrals.exists():
        raise ValidationError(
            {
                "decision": _(
                    "Class B1 TB is cleared only once the person is referred to the national "
                    "TB programme (with their consent): send the referral first, or defer."
                )
            }
        )


@transaction.atomic
def decide(
    *,
    actor: Any,
    assessment: Assessment,
    decision: str,
    expected_version: int,
    reason: str = "",
) -> Assessment:
    """Clear, defer or refer a classified assessment. Deferral and referral need a reason;
    clearance needs every due result, and is refused for class A (infectious) TB, for a
    positive sputum result whatever the class, and for class B1 until a referral to the
    national TB programme is recorded (a TB referral is proposed for all three)."""
    require(actor, "health.decide_assessment", assessment)
    assessment = _lock(assessment, expected_version)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose clear, defer or refer.")})
    reason = _text(reason, "reason", required=decision != Decision.CLEARED)
    if assessment.status not in OPEN_FOR_DECISION:
        raise ValidationError(
            _("Classify the assessment before deciding (it is %(status)s).")
            % {"status": assessment.get_status_display().lower()}
        )
    if decision == Decision.CLEARED:
        _check_clearance(assessment)
    before = audit.snapshot(assessment)
    assessment.decision = decision
    assessment.decision_reason = reason
    assessment.decided_at = timezone.now()
    assessment.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    assessment.status = DECISION_STATUS[Decision(decision)]
    return _save(
        assessment,
        actor,
        before,
        ["decision", "decision_reason", "decided_at", "decided_by", "status"],
        step="decide",
        sensitive=["decision_reason"] if reason else [],
    )


@transaction.atomic
def issue_certificate(*, actor: Any, assessment: Assessment, expected_version: int) -> Certificate:
    """The certificate of a cleared assessment whose due items all have results, valid for the
    months its protocol version says, from the examination or the chest X-ray."""
    require(actor, "health.issue_certificate", assessment)
    assessment = _lock(assessment, expected_version)
    results = results_by_item(assessment)
    missing = missing_items(assessment, results)
    if missing:
        raise ValidationError(_missing_message(missing), code="missing_results")
    if assessment.status == AssessmentStatus.CERTIFIED:
        raise ValidationError(_("This assessment already has its certificate."))
    if assessment.status != AssessmentStatus.CLEARED:
        raise ValidationError(
            _("Only a cleared assessment gets a certificate (this one is %(status)s).")
            % {"status": assessment.get_status_display().lower()},
            code="not_cleared",
        )
    valid_from, valid_until, validity = certificate_validity(assessment, results)
    today = timezone.localdate()
    if valid_until <= today:
        raise ValidationError(
            _(
                "The examination's validity ended on %(day)s (%(months)s months from "
                "%(start)s): a new examination is needed."
            )
            % {"day": valid_until, "months": validity.get("months"), "start": valid_from},
            code="expired",
        )
    now = timezone.now()
    certificate = Certificate.objects.create(
        assessment=assessment,
        number=f"{assessment.site.country}-{now:%Y}-{assessment.pk:06d}",
        issued_at=now,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        valid_from=valid_from,
        valid_until=valid_until,
        validity=validity,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        certificate,
        changes=audit.snapshot(certificate),
        organization_id=assessment.site.organization_id,
        metadata={"assessment": assessment.pk},
    )
    before = audit.snapshot(assessment)
    assessment.status = AssessmentStatus.CERTIFIED
    _save(assessment, actor, before, ["status"], step="certificate")
    return certificate


@transaction.atomic
def refer_tb(
    *,
    actor: Any,
    assessment: Assessment,
    to_organization: Any,
    consent_given: bool,
    expected_version: int,
    reason: str = "",
) -> TbReferral:
    """Refer suspected or confirmed TB to a national TB programme (a registry organization).
    Refused unless the person's consent is recorded, and before a TB classification or a
    positive sputum result."""
    require(actor, "health.refer_tb", assessment)
    assessment = _lock(assessment, expected_version)
    if consent_given is not True:
        raise ValidationError(
            {
                "consent_given": _(
                    "Record the person's consent to share their data with the TB programme: "
                    "without it no referral is sent."
                )
            }
        )
    if to_organization is None:
        raise ValidationError({"to_organization": _("Choose the national TB programme.")})
    if not assessment.tb_class and not tb_referral_proposed(assessment):
        raise ValidationError(
            _("Classify the assessment (or record a positive sputum result) before referring.")
        )
    if assessment.tb_referrals.exclude(status=ReferralStatus.CLOSED).exists():
        raise ValidationError(_("A referral of this assessment is already open."))
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    referral = TbReferral.objects.create(
        assessment=assessment,
        to_organization=to_organization,
        consent_given=True,
        consent_recorded_at=now,
        consent_recorded_by=user,
        status=ReferralStatus.SENT,
        reason=_text(reason, "reason"),
        sent_at=now,
        created_by=user,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        referral,
        changes=audit.snapshot(referral),
        organization_id=assessment.site.organization_id,
        metadata={"assessment": assessment.pk, "consent_given": True},
    )
    before = audit.snapshot(assessment)
    _save(assessment, actor, before, [], step="tb_referral")
    return referral


@transaction.atomic
def update_tb_referral(
    *, actor: Any, referral: TbReferral, status: str, expected_version: int
) -> TbReferral:
    """Record that the TB programme acknowledged the referral, or close it."""
    require(actor, "health.change_tbreferral", referral.assessment)
    current = (
        TbReferral.objects.select_for_update()
        .select_related("assessment__site")
        .filter(pk=referral.pk)
        .first()
    )
    if current is None or current.version != expected_version:
        raise ConflictError(referral, expected_version, current.version if current else None)
    order = [ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED, ReferralStatus.CLOSED]
    if status not in ReferralStatus.values or order.index(ReferralStatus(status)) <= order.index(
        ReferralStatus(current.status)
    ):
        raise ValidationError(
            {
                "status": _("A referral that is %(status)s can only move forward.")
                % {"status": current.get_status_display().lower()}
            }
        )
    before = audit.snapshot(current)
    current.status = status
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        current,
        changes=audit.diff(before, audit.snapshot(current)),
        organization_id=current.assessment.site.organization_id,
    )
    return current

"""Every write to a fund: contributions and deposits, the concept-note-to-closure pipeline,
and the ledger transactions each step posts. Each function runs in one transaction, checks its
input (a ValidationError names the field), checks the actor's permission, and audits."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country, Region
from migration_hub.core.permissions import require, roles_of

from . import ledger
from .choices import (
    Account,
    ContributionStatus,
    DecisionOutcome,
    DonorKind,
    ProgrammeStatus,
    ReportKind,
    TransactionKind,
)
from .ledger import Line, from_cents, money, parse_amount, to_cents
from .models import (
    Assessment,
    Call,
    Contribution,
    Decision,
    Deposit,
    Donor,
    ExchangeRate,
    Fund,
    Marker,
    Participant,
    Programme,
    ProgressReport,
    ThematicArea,
    Tranche,
)

MANAGE = "funds.manage_fund"

DEFAULT_RUBRIC = [
    {
        "code": "relevance",
        "label": "Relevance to the GCM objectives and national priorities",
        "max": 5,
    },
    {"code": "principles", "label": "Alignment with the GCM guiding principles", "max": 5},
    {"code": "human_rights", "label": "Human-rights based and child-sensitive", "max": 5},
    {"code": "gender", "label": "Gender-responsive", "max": 5},
    {"code": "whole_of_society", "label": "Whole-of-government and whole-of-society", "max": 5},
    {"code": "results", "label": "Results framework and evidence", "max": 5},
    {"code": "sustainability", "label": "Sustainability and national ownership", "max": 5},
]
MARKER_SCALE = [
    {"score": 0, "label": "Not expected to contribute"},
    {"score": 1, "label": "Contributes in a limited way"},
    {"score": 2, "label": "Significant objective"},
    {"score": 3, "label": "Principal objective"},
]


def _today() -> date:
    return timezone.localdate()


def _record(
    actor: Any, action: str, target: Any, *, organization_id: Any = None, **metadata: Any
) -> None:
    audit.record(
        actor,
        action,
        target,
        organization_id=organization_id or getattr(target, "owner_organization_id", None),
        metadata=metadata,
    )


def _require_status(programme: Programme, *allowed: str, doing: str) -> None:
    if programme.status not in allowed:
        raise ValidationError(
            {
                "status": _(
                    "%(programme)s is %(status)s: you can %(doing)s only when it is %(allowed)s."
                )
                % {
                    "programme": programme.code,
                    "status": programme.get_status_display().lower(),
                    "doing": doing,
                    "allowed": _(" or ").join(
                        str(ProgrammeStatus(value).label).lower() for value in allowed
                    ),
                }
            }
        )


def _check_day(
    day: date, field_name: str, *, not_before: date | None = None, what: str = ""
) -> None:
    """A value date: not in the future (money moves when it moves) and not before the step it
    follows (`not_before`, described by `what`)."""
    if day > _today():
        raise ValidationError(
            {
                field_name: _("%(day)s is in the future: record it on the day it happens.")
                % {"day": day.isoformat()}
            }
        )
    if not_before is not None and day < not_before:
        raise ValidationError(
            {
                field_name: _("%(day)s is before %(what)s (%(before)s).")
                % {"day": day.isoformat(), "what": what, "before": not_before.isoformat()}
            }
        )


def _check_version(obj: Any, expected_version: int | None) -> None:
    """Refuse a form or API call made on an older state of `obj`: a retried or double-clicked
    POST must not post the same money twice."""
    if expected_version is not None and int(expected_version) != obj.version:
        raise ValidationError(
            {
                "version": _(
                    "%(record)s changed since you opened the page (someone, or an earlier click, "
                    "recorded a step). Nothing was recorded: reload the page and check it first."
                )
                % {"record": obj}
            }
        )


def _latest_decision_day(programme: Programme) -> date | None:
    return programme.decisions.aggregate(last=Max("decided_on"))["last"]


def _set_status(programme: Programme, status: str, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.status = status
    programme.version += 1
    programme.save(update_fields=["status", "version", "updated_at", *fields])


# Funds and their configuration ----------------------------------------------------------------


@transaction.atomic
def create_fund(
    *,
    actor: Any,
    organization: Any,
    code: str,
    name: str,
    currency: str = "USD",
    funding_target: Any = None,
    description: str = "",
    source: str = "",
    thematic_areas: Sequence[tuple[str, str, Sequence[Any]]] = (),
    markers: Sequence[tuple[str, str]] = (),
) -> Fund:
    """A fund kept by `organization`, with thematic areas (code, name, GCM objectives) and
    markers (code, name) on the default 0-3 scale. Only an administrator of the organization
    (or the system) creates one."""
    require(actor, "funds.add_fund", organization)
    fund = Fund(
        organization=organization,
        code=code,
        name=name,
        currency=currency,
        funding_target=None
        if funding_target in (None, "")
        else parse_amount(funding_target, "funding_target"),
        description=description,
        source=source,
        rubric=DEFAULT_RUBRIC,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    fund.full_clean()
    fund.save()
    for position, (area_code, area_name, objectives) in enumerate(thematic_areas, start=1):
        area = ThematicArea.objects.create(
            fund=fund, code=area_code, name=area_name, position=position
        )
        area.objectives.set(objectives)
    for marker_code, marker_name in markers:
        Marker.objects.create(fund=fund, code=marker_code, name=marker_name, scale=MARKER_SCALE)
    _record(actor, AuditAction.CREATE, fund, code=fund.code)
    return fund


@transaction.atomic
def set_exchange_rate(
    *,
    actor: Any,
    organization: Any,
    currency: str,
    quote_currency: str,
    day: date,
    rate: Any,
    source: str = "",
) -> ExchangeRate:
    """Add a rate to `organization`'s table (1 `currency` = `rate` quote on `day`), or correct
    one no deposit has used yet. Only the organization's fund managers and administrators may."""
    require(actor, "funds.add_exchangerate", organization)
    try:
        value = Decimal(str(rate).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value >= Decimal("1e11"):
        raise ValidationError(
            {"rate": _("The rate must be a number above zero (got %(rate)s).") % {"rate": rate}}
        )
    existing = ExchangeRate.objects.filter(
        organization=organization, currency=currency, quote_currency=quote_currency, date=day
    ).first()
    if existing is not None and existing.rate != value:
        used = Deposit.objects.filter(
            contribution__fund__organization=organization,
            contribution__currency=currency,
            contribution__fund__currency=quote_currency,
            date=day,
        ).exists()
        if used:
            raise ValidationError(
                {
                    "rate": _(
                        "Deposits of %(day)s were converted at %(rate)s: that rate can no longer "
                        "change. Record a correction as a new deposit or contribution instead."
                    )
                    % {"day": day.isoformat(), "rate": existing.rate}
                }
            )
    rate_row = existing or ExchangeRate(
        organization=organization, currency=currency, quote_currency=quote_currency, date=day
    )
    rate_row.rate = value
    rate_row.source = source
    rate_row.full_clean(validate_unique=False)
    rate_row.save()
    audit.record(
        actor,
        AuditAction.UPDATE if existing else AuditAction.CREATE,
        rate_row,
        organization_id=organization.pk,
        metadata={"currency": currency, "quote": quote_currency, "date": day.isoformat()},
    )
    return rate_row


RATE_COLUMNS = ("currency", "quote_currency", "date", "rate")


@transaction.atomic
def import_exchange_rates(*, actor: Any, organization: Any, path: Path, source: str = "") -> int:
    """Load rates into `organization`'s table from a CSV with columns currency,
    quote_currency, date (YYYY-MM-DD), rate [, source]. All or nothing: a bad line raises
    ValidationError naming it."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in RATE_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError(
                _("%(file)s: missing columns %(columns)s (expected %(expected)s).")
                % {
                    "file": path.name,
                    "columns": ", ".join(missing),
                    "expected": ", ".join(RATE_COLUMNS),
                }
            )
        count = 0
        for line, row in enumerate(reader, start=2):
            try:
                day = date.fromisoformat((row["date"] or "").strip())
                set_exchange_rate(
                    actor=actor,
                    organization=organization,
                    currency=(row["currency"] or "").strip().upper(),
                    quote_currency=(row["quote_currency"] or "").strip().upper(),
                    day=day,
                    rate=row["rate"],
                    source=(row.get("source") or source).strip(),
                )
            except ValueError as error:
                raise ValidationError(
                    _("%(file)s, line %(line)s: %(error)s")
                    % {"file": path.name, "line": line, "error": error}
                ) from error
            except ValidationError as error:
                raise ValidationError(
                    _("%(file)s, line %(line)s: %(error)s")
                    % {"file": path.name, "line": line, "error": "; ".join(error.messages)}
                ) from error
            count += 1
    return count


def exchange_rate(organization: Any, currency: str, quote_currency: str, day: date) -> Decimal:
    """The rate of `day` from `currency` to `quote_currency` in `organization`'s table; 1 for
    the same currency."""
    if currency == quote_currency:
        return Decimal("1")
    rate = (
        ExchangeRate.objects.filter(
            organization=organization, currency=currency, quote_currency=quote_currency, date=day
        )
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            {
                "date": _(
                    "There is no exchange rate from %(currency)s to %(quote)s for %(day)s. Add "
                    "the rate of that day under Exchange rates, then record the deposit again."
                )
                % {"currency": currency, "quote": quote_currency, "day": day.isoformat()}
            }
        )
    return rate


# Donors and contributions ---------------------------------------------------------------------


@transaction.atomic
def donor_for(
    *, country: Country | None = None, organization: Any = None, name: str = "", actor: Any = None
) -> Donor:
    """The donor record of a state, a registry organization, or a private donor by name;
    created (and audited) the first time. Call it inside the transaction that records the
    contribution, so a refused pledge leaves no new donor behind."""
    if country is not None:
        donor, created = Donor.objects.get_or_create(
            country=country, defaults={"kind": DonorKind.STATE, "name": country.name}
        )
    elif organization is not None:
        donor, created = Donor.objects.get_or_create(
            organization=organization,
            defaults={"kind": DonorKind.ORGANIZATION, "name": organization.name[:300]},
        )
    else:
        name = (name or "").strip()
        if not name:
            raise ValidationError(
                {"donor": _("Name the donor: a state, an organization or a private donor.")}
            )
        if len(name) > 300:
            raise ValidationError({"donor": _("A donor's name has at most 300 characters.")})
        donor, created = Donor.objects.get_or_create(
            kind=DonorKind.PRIVATE, name=name, country=None, organization=None
        )
    if created:
        audit.record(actor, AuditAction.CREATE, donor, metadata={"kind": donor.kind})
    return donor


@transaction.atomic
def record_contribution(
    *,
    actor: Any,
    fund: Fund,
    donor: Donor,
    currency: str,
    amount: Any,
    pledged_on: date,
    earmarked_thematic_area: ThematicArea | None = None,
    earmarked_region: Region | None = None,
    reference: str = "",
) -> Contribution:
    """A donor's pledge to the fund, in any currency, earmarked to at most one area or region."""
    require(actor, MANAGE, fund)
    amount = parse_amount(amount, "amount")
    if earmarked_thematic_area and earmarked_region:
        raise ValidationError(
            {"earmarked_region": _("Earmark to a thematic area or to a region, not both.")}
        )
    if earmarked_thematic_area and earmarked_thematic_area.fund_id != fund.pk:
        raise ValidationError(
            {"earmarked_thematic_area": _("That thematic area belongs to another fund.")}
        )
    contribution = Contribution(
        fund=fund,
        donor=donor,
        currency=(currency or "").upper(),
        amount=amount,
        pledged_on=pledged_on,
        earmarked_thematic_area=earmarked_thematic_area,
        earmarked_region=earmarked_region,
        reference=reference,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    contribution.full_clean()
    contribution.save()
    _record(
        actor, AuditAction.CREATE, contribution, amount=str(amount), currency=contribution.currency
    )
    return contribution


@transaction.atomic
def sign_contribution(*, actor: Any, contribution: Contribution, signed_on: date) -> Contribution:
    """The contribution agreement is signed: deposits may now be recorded."""
    require(actor, MANAGE, contribution.fund)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status != ContributionStatus.PLEDGED:
        raise ValidationError({"status": _("This contribution is already signed.")})
    if signed_on < contribution.pledged_on:
        raise ValidationError({"signed_on": _("The agreement cannot be signed before the pledge.")})
    _check_day(signed_on, "signed_on")
    contribution.status = ContributionStatus.SIGNED
    contribution.signed_on = signed_on
    contribution.version += 1
    contribution.save(update_fields=["status", "signed_on", "version", "updated_at"])
    _record(actor, AuditAction.UPDATE, contribution, status=contribution.status)
    return contribution


@transaction.atomic
def record_deposit(
    *,
    actor: Any,
    contribution: Contribution,
    day: date,
    amount: Any,
    expected_version: int | None = None,
) -> Deposit:
    """Money received on a signed contribution, converted at the rate of `day` into the fund's
    currency and posted to the ledger (cash against contributions, in the earmark's pool)."""
    require(actor, MANAGE, contribution.fund)
    amount = parse_amount(amount, "amount")
    fund = ledger.lock_fund(contribution.fund)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _check_version(contribution, expected_version)
    if contribution.status == ContributionStatus.PLEDGED:
        raise ValidationError(
            {"status": _("Record the signature of the contribution agreement before a deposit.")}
        )
    _check_day(day, "date", not_before=contribution.signed_on, what=_("the signature"))
    already = sum((d.amount for d in contribution.deposits.all()), Decimal("0"))
    if already + amount > contribution.amount:
        raise ValidationError(
            {
                "amount": _(
                    "A deposit of %(amount)s would bring the deposits to %(total)s, more than "
                    "the %(pledged)s pledged. Record the difference as a new contribution."
                )
                % {
                    "amount": money(amount, contribution.currency),
                    "total": money(already + amount, contribution.currency),
                    "pledged": money(contribution.amount, contribution.currency),
                }
            }
        )
    rate = exchange_rate(fund.organization, contribution.currency, fund.currency, day)
    fund_amount = (amount * rate).quantize(ledger.CENT, rounding=ROUND_HALF_EVEN)
    if fund_amount <= 0:
        raise ValidationError({"amount": _("The amount converts to zero in the fund's currency.")})
    if fund_amount >= ledger.MAXIMUM:
        raise ValidationError(
            {"amount": _("At this rate the deposit is more than the ledger holds in one entry.")}
        )
    cents = to_cents(fund_amount)
    pool = contribution.pool
    txn = ledger.post(
        fund,
        TransactionKind.DEPOSIT,
        [Line(Account.CASH, cents, pool), Line(Account.CONTRIBUTIONS, -cents, pool)],
        day=day,
        memo=f"{contribution.donor} {money(amount, contribution.currency)}",
        actor=actor,
        contribution=contribution,
    )
    deposit = Deposit.objects.create(
        contribution=contribution,
        date=day,
        amount=amount,
        rate=rate,
        fund_amount=fund_amount,
        transaction=txn,
    )
    # Every deposit moves the version, so a form opened before it cannot post again.
    if already + amount == contribution.amount:
        contribution.status = ContributionStatus.DEPOSITED
    contribution.version += 1
    contribution.save(update_fields=["status", "version", "updated_at"])
    _record(
        actor,
        AuditAction.CREATE,
        deposit,
        # A deposit has no owner of its own: it is the fund's organization's record.
        organization_id=fund.organization_id,
        contribution=contribution.pk,
        amount=str(amount),
        fund_amount=str(fund_amount),
        rate=str(rate),
    )
    return deposit


# Calls and concept notes ----------------------------------------------------------------------


@transaction.atomic
def open_call(
    *,
    actor: Any,
    fund: Fund,
    title: str,
    opens_on: date,
    deadline: date,
    description: str = "",
    thematic_areas: Iterable[ThematicArea] = (),
) -> Call:
    """A call for concept notes; notes are accepted from `opens_on` to `deadline` included."""
    require(actor, MANAGE, fund)
    if deadline < opens_on:
        raise ValidationError({"deadline": _("The deadline must be on or after the opening day.")})
    areas = list(thematic_areas)
    if any(area.fund_id != fund.pk for area in areas):
        raise ValidationError({"thematic_areas": _("A thematic area belongs to another fund.")})
    call = Call(
        fund=fund,
        title=title,
        opens_on=opens_on,
        deadline=deadline,
        description=description,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    call.full_clean()
    call.save()
    call.thematic_areas.set(areas)
    _record(actor, AuditAction.CREATE, call, deadline=deadline.isoformat())
    return call


def _next_code(fund: Fund) -> str:
    prefix = f"{fund.code}-"
    count = Programme.objects.filter(fund=fund).count()
    while True:
        count += 1
        code = f"{prefix}{count:03d}"
        if not Programme.objects.filter(code=code).exists():
            return code


def _check_marker_scores(fund: Fund, scores: Mapping[str, Any]) -> dict[str, int]:
    checked: dict[str, int] = {}
    errors = []
    for marker in fund.markers.all():
        value = scores.get(marker.code)
        try:
            score = int(value)
        except (TypeError, ValueError):
            errors.append(_("Give a %(marker)s score.") % {"marker": marker.name})
            continue
        if score not in marker.scores():
            errors.append(
                _("%(marker)s: %(score)s is not on its scale (%(scale)s).")
                % {
                    "marker": marker.name,
                    "score": value,
                    "scale": ", ".join(str(s) for s in marker.scores()),
                }
            )
            continue
        checked[marker.code] = score
    unknown = sorted(set(scores) - {marker.code for marker in fund.markers.all()})
    if unknown:
        errors.append(_("Unknown markers: %(codes)s.") % {"codes": ", ".join(unknown)})
    if errors:
        raise ValidationError({"marker_scores": errors})
    return checked


@transaction.atomic
def submit_concept_note(
    *,
    actor: Any,
    fund: Fund,
    organization: Any,
    title: str,
    thematic_area: ThematicArea,
    budget: Any,
    participating_organizations: Sequence[Any],
    call: Call | None = None,
    summary: str = "",
    objectives: Iterable[Any] = (),
    countries: Iterable[Country] = (),
    regions: Iterable[Region] = (),
    national_partners: str = "",
    marker_scores: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> Programme:
    """A concept note sent by `organization` (the actor's tenant) for a country or region,
    with at least two participating UN organizations, a budget and the fund's marker scores."""
    require(actor, "funds.submit_concept_note", organization)
    errors: dict[str, list[str]] = {}
    budget_value = None
    try:
        budget_value = parse_amount(budget, "budget")
    except ValidationError as error:
        errors.update(error.message_dict)
    today = today or _today()
    if call is not None:
        if call.fund_id != fund.pk:
            errors.setdefault("call", []).append(_("That call belongs to another fund."))
        elif not call.is_open_on(today):
            errors.setdefault("call", []).append(
                _("The call %(call)s accepts concept notes from %(opens)s to %(deadline)s.")
                % {"call": call.title, "opens": call.opens_on, "deadline": call.deadline}
            )
        else:
            areas = list(call.thematic_areas.all())
            if areas and thematic_area not in areas:
                errors.setdefault("thematic_area", []).append(
                    _("The call %(call)s is for %(areas)s only.")
                    % {"call": call.title, "areas": ", ".join(area.code for area in areas)}
                )
    if thematic_area.fund_id != fund.pk:
        errors.setdefault("thematic_area", []).append(
            _("That thematic area belongs to another fund.")
        )
    countries, regions = list(countries), list(regions)
    if not countries and not regions:
        errors.setdefault("countries", []).append(_("Name at least one country or region."))
    participants = list(dict.fromkeys(participating_organizations))
    if len(participants) < 2:
        errors.setdefault("participating_organizations", []).append(
            _("A joint programme needs at least two participating UN organizations.")
        )
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("Give the concept note a title."))
    try:
        scores = _check_marker_scores(fund, marker_scores or {})
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    # Two notes sent at once would otherwise be given the same code.
    ledger.lock_fund(fund)
    programme = Programme.objects.create(
        fund=fund,
        call=call,
        code=_next_code(fund),
        title=title.strip(),
        summary=summary,
        submitted_by_organization=organization,
        thematic_area=thematic_area,
        national_partners=national_partners,
        budget=budget_value,
        marker_scores=scores,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    programme.countries.set(countries)
    programme.regions.set(regions)
    programme.objectives.set(list(objectives))
    Participant.objects.bulk_create(
        Participant(programme=programme, organization=org) for org in participants
    )
    _record(actor, AuditAction.CREATE, programme, code=programme.code, budget=str(budget_value))
    return programme


@transaction.atomic
def assess_programme(
    *, actor: Any, programme: Programme, scores: Mapping[str, Any], comment: str = ""
) -> Assessment:
    """One assessor's rubric scores; the note becomes 'quality assessed'. An assessor may
    correct their own scores until the Steering Committee decides."""
    require(actor, "funds.assess_programme", programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if str(programme.submitted_by_organization_id) in roles_of(actor):
        raise ValidationError(
            {
                "assessor": _(
                    "You belong to %(organization)s, which sent this concept note: an assessment "
                    "must come from someone outside it."
                )
                % {"organization": programme.submitted_by_organization}
            }
        )
    _require_status(
        programme, ProgrammeStatus.SUBMITTED, ProgrammeStatus.ASSESSED, doing=_("assess it")
    )
    rubric = programme.fund.rubric or DEFAULT_RUBRIC
    checked: dict[str, int] = {}
    errors = []
    for criterion in rubric:
        value = scores.get(criterion["code"])
        try:
            score = int(value)
        except (TypeError, ValueError):
            errors.append(_("Score %(criterion)s.") % {"criterion": criterion["label"]})
            continue
        if not 0 <= score <= int(criterion["max"]):
            errors.append(
                _("%(criterion)s: %(score)s is outside 0 to %(max)s.")
                % {"criterion": criterion["label"], "score": score, "max": criterion["max"]}
            )
            continue
        checked[criterion["code"]] = score
    if errors:
        raise ValidationError({"scores": errors})
    maximum = sum(int(criterion["max"]) for criterion in rubric)
    total = (Decimal(sum(checked.values())) * 100 / maximum).quantize(Decimal("0.1"))
    assessment, _created = Assessment.objects.update_or_create(
        programme=programme,
        assessor=actor if getattr(actor, "is_authenticated", False) else None,
        defaults={"scores": checked, "total": total, "comment": comment},
    )
    if programme.status == ProgrammeStatus.SUBMITTED:
        _set_status(programme, ProgrammeStatus.ASSESSED)
    _record(actor, AuditAction.CREATE, programme, step="assessment", total=str(total))
    return assessment


@transaction.atomic
def decide_programme(
    *,
    actor: Any,
    programme: Programme,
    outcome: str,
    reasons: str,
    decided_on: date,
    meeting: str = "",
) -> Decision:
    """Record the Steering Committee's decision on an assessed note (or on one waiting in the
    pipeline), with its reasons."""
    require(actor, MANAGE, programme.fund)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_status(
        programme, ProgrammeStatus.ASSESSED, ProgrammeStatus.PIPELINE, doing=_("record a decision")
    )
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose selected, pipeline or rejected.")})
    if not (reasons or "").strip():
        raise ValidationError({"reasons": _("Record the reasons for the decision.")})
    # Dates are checked against the dates people gave for earlier steps (records of past
    # rounds are often entered later), never against when the row was created.
    _check_day(
        decided_on,
        "decided_on",
        not_before=programme.call.opens_on if programme.call_id else None,
        what=_("the call opened"),
    )
    decision = Decision.objects.create(
        programme=programme,
        outcome=outcome,
        reasons=reasons.strip(),
        decided_on=decided_on,
        meeting=meeting,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _set_status(programme, ProgrammeStatus(outcome))
    _record(actor, AuditAction.UPDATE, programme, step="decision", outcome=outcome)
    return decision


@transaction.atomic
def submit_programme_document(
    *,
    actor: Any,
    programme: Programme,
    budgets: Mapping[Any, Any],
    document_url: str = "",
) -> Programme:
    """The joint programme document of a selected note: each participating organization's
    budget (the amount to allocate is their sum)."""
    require(actor, MANAGE, programme.fund)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_status(
        programme,
        ProgrammeStatus.SELECTED,
        ProgrammeStatus.DOCUMENT,
        doing=_("submit the programme document"),
    )
    participants = {p.organization_id: p for p in programme.participants.all()}
    errors = []
    values: dict[int, Decimal] = {}
    for organization, amount in budgets.items():
        organization_id = getattr(organization, "pk", organization)
        if organization_id not in participants:
            errors.append(
                _("%(organization)s is not a participating organization of this programme.")
                % {"organization": organization}
            )
            continue
        try:
            values[organization_id] = parse_amount(amount, "budgets", allow_zero=True)
        except ValidationError as error:
            errors.extend(
                f"{participants[organization_id].organization}: {m}" for m in error.messages
            )
    if not errors and sum(values.values(), Decimal("0")) <= 0:
        errors.append(_("Give a budget to at least one participating organization."))
    if errors:
        raise ValidationError({"budgets": errors})
    for organization_id, participant in participants.items():
        participant.budget = values.get(organization_id, Decimal("0"))
        participant.save(update_fields=["budget"])
    programme.document_url = document_url
    _set_status(programme, ProgrammeStatus.DOCUMENT, document_url=document_url)
    _record(actor, AuditAction.UPDATE, programme, step="document", budget=str(sum(values.values())))
    return programme


WORLD = "001"


def with_world(codes: Iterable[str]) -> list[str]:
    """M49 codes of a place's regions, innermost first, ending with the World (001)."""
    codes = [code for code in codes if code]
    return codes if codes and codes[-1] == WORLD else [*codes, WORLD]


def programme_places(programme: Programme) -> list[list[str]]:
    """For each place the programme covers (its countries, or else its regions), the M49
    codes of every region that place lies in, innermost first. The portfolio splits a
    programme's money equally between its places, and so does a region's earmark."""
    places = [
        with_world(
            region.m49_code
            for region in (country.intermediate_region, country.sub_region, country.region)
            if region is not None
        )
        for country in programme.countries.select_related(
            "region", "sub_region", "intermediate_region"
        )
    ]
    if not places:
        for region in programme.regions.select_related("parent__parent__parent"):
            codes = []
            while region is not None:
                codes.append(region.m49_code)
                region = region.parent
            places.append(with_world(codes))
    return places


def plan_allocation(
    cents: int, available: Mapping[str, int], thematic_area_code: str, places: list[list[str]]
) -> dict[str, int]:
    """{pool: cents} to draw for a budget of `cents`, as much as the pools allow (the caller
    checks the sum). Money earmarked to the programme's thematic area comes first; money
    earmarked to a region pays only for the programme's places in that region (an equal share
    each, innermost region first); unearmarked money pays the rest."""
    left = {pool: max(value, 0) for pool, value in available.items()}
    taken: dict[str, int] = {}

    def take(pool: str, wanted: int) -> int:
        part = min(wanted, left.get(pool, 0))
        if part > 0:
            left[pool] -= part
            taken[pool] = taken.get(pool, 0) + part
        return part

    remaining = cents - take(f"TA:{thematic_area_code}", cents)
    if places and remaining > 0:
        share, extra = divmod(remaining, len(places))
        for index, place in enumerate(places):
            wanted = share + (extra if index == 0 else 0)
            for code in place:
                if wanted <= 0:
                    break
                wanted -= take(f"R:{code}", wanted)
        remaining = cents - sum(taken.values())
    take(ledger.UNEARMARKED, remaining)
    return taken


@transaction.atomic
def approve_programme(*, actor: Any, programme: Programme, approved_on: date) -> Programme:
    """Approve the joint programme and allocate its budget: refused, with the figures, when the
    money the programme may draw on is less than the budget. The fund's row lock makes two
    approvals of the last money run one after the other."""
    require(actor, MANAGE, programme.fund)
    fund = ledger.lock_fund(programme.fund)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_status(programme, ProgrammeStatus.DOCUMENT, doing=_("approve it"))
    _check_day(
        approved_on,
        "approved_on",
        not_before=_latest_decision_day(programme),
        what=_("the Steering Committee's decision"),
    )
    participants = list(programme.participants.all())
    total = sum((p.budget for p in participants), Decimal("0"))
    cents = to_cents(total)
    available = ledger.available_cents_by_pool(fund)
    taken = plan_allocation(
        cents, available, programme.thematic_area.code, programme_places(programme)
    )
    usable = sum(taken.values())
    if cents > usable:
        raise ValidationError(
            {
                "budget": _(
                    "The fund has %(usable)s available for this programme (unearmarked or "
                    "earmarked to its thematic area or regions); its budget is %(budget)s. "
                    "Nothing was allocated: keep it in the pipeline until more money arrives."
                )
                % {
                    "usable": money(from_cents(usable), fund.currency),
                    "budget": money(total, fund.currency),
                }
            }
        )
    lines: list[Line] = []
    for pool, part in taken.items():
        lines.append(Line(Account.ALLOCATIONS, part, pool, programme.pk))
        lines.append(Line(Account.COMMITMENTS, -part, pool, programme.pk))
    ledger.post(
        fund,
        TransactionKind.ALLOCATION,
        lines,
        day=approved_on,
        memo=programme.code,
        actor=actor,
        programme=programme,
    )
    _set_status(programme, ProgrammeStatus.APPROVED, approved_on=approved_on)
    _record(actor, AuditAction.UPDATE, programme, step="approval", allocated=str(total))
    return programme


def received_by(programme: Programme, organization: Any) -> Decimal:
    """What the programme has transferred to one participating organization (summed here:
    SQLite would sum the decimal column as a float)."""
    return sum(
        programme.tranches.filter(organization=organization).values_list("amount", flat=True),
        Decimal("0"),
    )


def spent_by(programme: Programme, organization: Any) -> Decimal:
    """What one organization's financial reports on the programme say it spent."""
    return sum(
        (
            expenditure or Decimal("0")
            for expenditure in programme.reports.filter(
                kind=ReportKind.FINANCIAL, organization=organization
            ).values_list("expenditure", flat=True)
        ),
        Decimal("0"),
    )


@transaction.atomic
def transfer_tranche(
    *,
    actor: Any,
    programme: Programme,
    organization: Any,
    amount: Any,
    transferred_on: date,
    expected_version: int | None = None,
) -> Tranche:
    """Transfer a tranche of an approved programme's money to one participating organization,
    within that organization's budget."""
    require(actor, MANAGE, programme.fund)
    amount = parse_amount(amount, "amount")
    fund = ledger.lock_fund(programme.fund)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_version(programme, expected_version)
    _require_status(programme, ProgrammeStatus.APPROVED, doing=_("transfer money"))
    _check_day(
        transferred_on, "transferred_on", not_before=programme.approved_on, what=_("the approval")
    )
    participant = programme.participants.filter(organization=organization).first()
    if participant is None:
        names = ", ".join(str(p.organization) for p in programme.participants.all())
        raise ValidationError(
            {
                "organization": _(
                    "%(organization)s is not a participating organization of %(programme)s "
                    "(participants: %(names)s)."
                )
                % {"organization": organization, "programme": programme.code, "names": names}
            }
        )
    sent = received_by(programme, organization)
    if sent + amount > participant.budget:
        raise ValidationError(
            {
                "amount": _(
                    "%(organization)s's budget is %(budget)s and %(sent)s was already "
                    "transferred: at most %(left)s can go in this tranche."
                )
                % {
                    "organization": organization,
                    "budget": money(participant.budget, fund.currency),
                    "sent": money(sent, fund.currency),
                    "left": money(participant.budget - sent, fund.currency),
                }
            }
        )
    cents = to_cents(amount)
    outstanding = {
        pool: -value
        for pool, value in ledger.programme_cents_by_pool(programme, Account.COMMITMENTS).items()
    }
    if cents > sum(outstanding.values()):  # pragma: no cover - budgets bound the commitments
        raise ValidationError({"amount": _("The programme has no commitment left to transfer.")})
    taken = ledger.spread(cents, outstanding, sorted(outstanding, reverse=True))
    lines: list[Line] = []
    for pool, part in taken.items():
        lines.append(Line(Account.COMMITMENTS, part, pool, programme.pk, organization.pk))
        lines.append(Line(Account.CASH, -part, pool, programme.pk, organization.pk))
    txn = ledger.post(
        fund,
        TransactionKind.TRANSFER,
        lines,
        day=transferred_on,
        memo=f"{programme.code} {organization}",
        actor=actor,
        programme=programme,
    )
    number = (programme.tranches.aggregate(last=Max("number"))["last"] or 0) + 1
    tranche = Tranche.objects.create(
        programme=programme,
        organization=organization,
        number=number,
        amount=amount,
        transferred_on=transferred_on,
        transaction=txn,
    )
    # The version moves with every tranche, so a form opened before it cannot post again.
    programme.version += 1
    programme.save(update_fields=["version", "updated_at"])
    _record(
        actor, AuditAction.CREATE, programme, step="transfer", tranche=number, amount=str(amount)
    )
    return tranche


@transaction.atomic
def submit_report(
    *,
    actor: Any,
    programme: Programme,
    kind: str,
    year: int,
    submitted_on: date,
    organization: Any = None,
    expenditure: Any = None,
    tranches: Iterable[Tranche] = (),
    summary: str = "",
) -> ProgressReport:
    """An annual narrative report, or an organization's annual financial report with its
    expenditure and the tranches it accounts for."""
    require(actor, MANAGE, programme.fund)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_status(programme, ProgrammeStatus.APPROVED, doing=_("record a report"))
    _check_day(
        submitted_on, "submitted_on", not_before=programme.approved_on, what=_("the approval")
    )
    if not programme.approved_on.year <= int(year) <= submitted_on.year:
        raise ValidationError(
            {
                "year": _("Report on a year from %(first)s (the approval) to %(last)s.")
                % {"first": programme.approved_on.year, "last": submitted_on.year}
            }
        )
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Choose a narrative or a financial report.")})
    tranches = list(tranches)
    spent = None
    if kind == ReportKind.FINANCIAL:
        if (
            organization is None
            or not programme.participants.filter(organization=organization).exists()
        ):
            raise ValidationError(
                {"organization": _("A financial report is sent by a participating organization.")}
            )
        spent = parse_amount(expenditure, "expenditure", allow_zero=True)
        if any(
            t.programme_id != programme.pk or t.organization_id != organization.pk for t in tranches
        ):
            raise ValidationError(
                {"tranches": _("A report accounts only for its own organization's tranches.")}
            )
        previous = spent_by(programme, organization)
        received = received_by(programme, organization)
        if previous + spent > received:
            raise ValidationError(
                {
                    "expenditure": _(
                        "%(organization)s reports %(total)s spent in all, more than the "
                        "%(received)s it received."
                    )
                    % {
                        "organization": organization,
                        "total": money(previous + spent, programme.fund.currency),
                        "received": money(received, programme.fund.currency),
                    }
                }
            )
    elif tranches or expenditure not in (None, ""):
        raise ValidationError({"kind": _("Expenditure and tranches belong in a financial report.")})
    report = ProgressReport.objects.create(
        programme=programme,
        kind=kind,
        organization=organization,
        year=year,
        submitted_on=submitted_on,
        expenditure=spent,
        summary=summary,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    report.tranches.set(tranches)
    _record(actor, AuditAction.CREATE, programme, step="report", kind=kind, year=year)
    return report


@transaction.atomic
def close_programme(*, actor: Any, programme: Programme, closed_on: date) -> Programme:
    """Close an approved programme whose every tranche is accounted for: the unspent balance
    the organizations return goes back to the fund, and the commitment not transferred is
    released. Both go back to the pools the money came from."""
    require(actor, MANAGE, programme.fund)
    fund = ledger.lock_fund(programme.fund)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_status(programme, ProgrammeStatus.APPROVED, doing=_("close it"))
    last_step = max(
        [
            programme.approved_on,
            *programme.tranches.values_list("transferred_on", flat=True),
            *programme.reports.values_list("submitted_on", flat=True),
        ]
    )
    _check_day(closed_on, "closed_on", not_before=last_step, what=_("its last tranche or report"))
    unreported = list(
        programme.tranches.select_related("organization").exclude(
            reports__kind=ReportKind.FINANCIAL
        )
    )
    if unreported:
        raise ValidationError(
            {
                "status": _("No financial report accounts for %(tranches)s. Record it first.")
                % {
                    "tranches": "; ".join(
                        _("tranche %(number)s to %(organization)s (%(amount)s, %(day)s)")
                        % {
                            "number": t.number,
                            "organization": t.organization,
                            "amount": money(t.amount, fund.currency),
                            "day": t.transferred_on,
                        }
                        for t in unreported
                    )
                }
            }
        )
    lines: list[Line] = []
    # Unspent money each organization returns, taken from the pools its tranches came from.
    for participant in programme.participants.select_related("organization"):
        organization = participant.organization
        unspent = to_cents(received_by(programme, organization) - spent_by(programme, organization))
        if unspent > 0:
            paid = {
                pool: -cents
                for pool, cents in ledger.programme_cents_by_pool(
                    programme, Account.CASH, organization
                ).items()
            }
            for pool, part in ledger.spread(unspent, paid, sorted(paid, reverse=True)).items():
                lines.append(Line(Account.CASH, part, pool, programme.pk, organization.pk))
                lines.append(Line(Account.ALLOCATIONS, -part, pool, programme.pk, organization.pk))
    if lines:
        ledger.post(
            fund,
            TransactionKind.REFUND,
            lines,
            day=closed_on,
            memo=programme.code,
            actor=actor,
            programme=programme,
        )
    release = [
        line
        for pool, cents in ledger.programme_cents_by_pool(programme, Account.COMMITMENTS).items()
        for line in (
            Line(Account.COMMITMENTS, -cents, pool, programme.pk),
            Line(Account.ALLOCATIONS, cents, pool, programme.pk),
        )
    ]
    if release:
        ledger.post(
            fund,
            TransactionKind.RELEASE,
            release,
            day=closed_on,
            memo=programme.code,
            actor=actor,
            programme=programme,
        )
    _set_status(programme, ProgrammeStatus.CLOSED, closed_on=closed_on)
    _record(actor, AuditAction.UPDATE, programme, step="closure")
    return programme

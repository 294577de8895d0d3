"""Every write to GCM reviews and pledges. Each function runs in one transaction, checks the
actor's permission, validates its input (a ValidationError names the field) and audits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.files import FILE_SIGNATURES, file_type
from migration_hub.core.models import Country
from migration_hub.core.permissions import require
from migration_hub.core.services import update_versioned
from migration_hub.registry.models import FrameworkItem

from . import schedule
from .choices import (
    Commission,
    CycleKind,
    PledgeStatus,
    ProgressStatus,
    ReviewLevel,
    ReviewStatus,
    SectionKey,
    Stakeholder,
)
from .models import (
    Attachment,
    Comment,
    Cycle,
    Pledge,
    PledgeUpdate,
    Review,
    ReviewAuthor,
    Section,
    SectionVersion,
)
from .permissions import can_edit_section
from .regions import default_commission

GUIDING_PRINCIPLES = tuple(f"GCM-GP-{letter}" for letter in "ABCDEFGHIJ")
# Saves by the same author closer together than this become one version in the history.
AUTOSAVE_WINDOW = timedelta(minutes=10)
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARACTERS = 50_000
REQUIRED_SECTIONS = (
    SectionKey.METHODOLOGY,
    SectionKey.PRINCIPLES,
    SectionKey.CHALLENGES,
    SectionKey.NEXT_STEPS,
)
EDITABLE_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.INTERNAL_REVIEW)


class SectionConflict(Exception):
    """Someone saved the section after the caller opened it; nothing was written.

    Carries both texts so the person can merge them: `theirs` is what is stored now (at
    `current_version`), `mine` what the caller tried to save.
    """

    def __init__(self, section: Section, mine: Mapping[str, Any], expected_version: int):
        self.section = section
        self.mine = dict(mine)
        self.theirs = section.content()
        self.expected_version = expected_version
        self.current_version = section.version
        self.saved_by = section.updated_by
        super().__init__(
            _(
                "%(who)s saved this section after you opened it (you edited version "
                "%(expected)s, it is now at version %(current)s). Your text was not saved: "
                "both texts are shown so you can merge them."
            )
            % {
                "who": str(section.updated_by or _("Someone")),
                "expected": expected_version,
                "current": section.version,
            }
        )


class SubmissionIncomplete(Exception):
    """The review lacks required sections; `missing` lists (key, label). Nothing changed."""

    def __init__(self, missing: Sequence[tuple[str, str]]):
        self.missing = list(missing)
        super().__init__(
            _("Complete these sections before submitting: %(sections)s.")
            % {"sections": ", ".join(str(label) for _key, label in self.missing)}
        )


# --- cycles -------------------------------------------------------------------------------


@transaction.atomic
def ensure_cycles(until_year: int | None = None) -> int:
    """Create the cycles the GCM's rules give up to `until_year` (default: six years ahead).

    Existing cycles are left as they are, so dates the secretariat corrected stay corrected.
    Returns how many were created.
    """
    until_year = until_year or timezone.localdate().year + 6
    existing = set(Cycle.objects.values_list("kind", "year", "commission"))
    created = [
        Cycle(
            kind=spec.kind,
            year=spec.year,
            commission=spec.commission,
            opens_on=spec.opens_on,
            due_on=spec.due_on,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            dates_confirmed=spec.confirmed,
            source=spec.source,
        )
        for spec in schedule.gcm_schedule(until_year)
        if (spec.kind, spec.year, spec.commission) not in existing
    ]
    Cycle.objects.bulk_create(created)
    if created:
        audit.record(None, AuditAction.LOAD, metadata={"cycles_created": len(created)})
    return len(created)


# --- reviews ------------------------------------------------------------------------------


def section_label(key: str) -> str:
    if key.startswith("objective-"):
        return _("Objective %(number)s") % {"number": key.removeprefix("objective-")}
    return str(SectionKey(key).label)


# One spelling per objective (no leading zeros, ASCII digits only): a review holds one section
# per objective, and "objective-05" must not become a second objective-5.
OBJECTIVE_NUMBER = re.compile(r"(?:[1-9]|1[0-9]|2[0-3])")
YEAR = re.compile(r"[0-9]{4}")


def objective_number(value: Any) -> int | None:
    """1 to 23 from "7" or 7, None for anything else."""
    text = str(value)
    return int(text) if OBJECTIVE_NUMBER.fullmatch(text) else None


def reject_nul(value: Any, field: str) -> None:
    """PostgreSQL stores no NUL character in text or JSON; refuse it with the field's name."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError({field: _("Remove the null character (\\x00) from this text.")})
    elif isinstance(value, Mapping):
        for key, item in value.items():
            reject_nul(key, field)
            reject_nul(item, field)
    elif isinstance(value, list | tuple):
        for item in value:
            reject_nul(item, field)


def _has_content(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        return any(_has_content(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_content(item) for item in value)
    return value is not None and value is not False


def parse_section_key(key: str) -> int | None:
    """The objective number of an `objective-N` key, None for the other sections.

    Raises ValidationError for a key that is neither.
    """
    if key in SectionKey.values:
        return None
    number = (
        objective_number(key.removeprefix("objective-")) if key.startswith("objective-") else None
    )
    if number is not None:
        return number
    raise ValidationError(
        {
            "key": _(
                "Unknown section %(key)s: use one of %(keys)s, or objective-1 to objective-23."
            )
            % {"key": key[:40], "keys": ", ".join(SectionKey.values)}
        }
    )


def _check_review_fields(
    *, cycle: Cycle, level: str, stakeholder: str, country: Country | None, commission: str
) -> None:
    errors: dict[str, str] = {}
    if not cycle.accepts_reviews:
        errors["cycle"] = _("Reviews go to an IMRF or a regional review, not to %(cycle)s.") % {
            "cycle": cycle.title
        }
    if level not in ReviewLevel.values:
        errors["level"] = _("Choose one of: %(levels)s.") % {
            "levels": ", ".join(ReviewLevel.values)
        }
    if level == ReviewLevel.STAKEHOLDER and stakeholder not in Stakeholder.values:
        errors["stakeholder"] = _("A stakeholder review names its stakeholder group.")
    if level in (ReviewLevel.NATIONAL, ReviewLevel.LOCAL) and country is None:
        errors["country"] = _("A national or local review names its country.")
    if commission and commission not in Commission.values:
        errors["commission"] = _("Unknown regional commission.")
    if cycle.kind == CycleKind.REGIONAL and commission and commission != cycle.commission:
        errors["commission"] = _("This regional review is held by %(commission)s.") % {
            "commission": cycle.commission
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_review(
    actor: Any,
    *,
    cycle: Cycle,
    organization: Any,
    title: str,
    level: str,
    entity_name: str,
    language: str,
    country: Country | None = None,
    commission: str = "",
    stakeholder: str = "",
    period_from: int | None = None,
    period_to: int | None = None,
    is_sample: bool = False,
) -> Review:
    """Start a review in draft, with its sections empty and `actor` as lead author."""
    probe = Review(organization=organization)
    require(actor, "reviews.add_review", probe)
    _check_review_fields(
        cycle=cycle, level=level, stakeholder=stakeholder, country=country, commission=commission
    )
    if cycle.kind == CycleKind.REGIONAL:
        commission = cycle.commission
    review = Review(
        cycle=cycle,
        organization=organization,
        title=title.strip(),
        level=level,
        stakeholder=stakeholder if level == ReviewLevel.STAKEHOLDER else "",
        entity_name=entity_name.strip(),
        country=country,
        commission=commission or default_commission(country),
        language=language,
        period_from=period_from,
        period_to=period_to,
        is_sample=is_sample,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    review.full_clean()
    review.save()
    Section.objects.bulk_create(Section(review=review, key=key) for key in SectionKey.values)
    if getattr(actor, "is_authenticated", False):
        ReviewAuthor.objects.create(review=review, user=actor, is_lead=True)
    audit.record(
        actor,
        AuditAction.CREATE,
        review,
        changes=audit.snapshot(review),
        organization_id=organization.pk,
    )
    return review


def _check_editable(review: Review) -> None:
    if review.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This review is %(status)s; it can no longer be edited.")
            % {"status": review.get_status_display().lower()}
        )


# The details of a review its lead author or the organization's editors may correct later;
# the cycle, organization, level and country stay as the review was started.
REVIEW_DETAIL_FIELDS = ("title", "entity_name", "language", "period_from", "period_to")


@transaction.atomic
def update_review(actor: Any, review: Review, *, expected_version: int, **changes: Any) -> Review:
    """Correct the details of a review (title, reporting entity, language, period) while it is
    a draft or in internal review, if nobody changed them since the caller read
    `expected_version` (ConflictError otherwise; nothing is written). Audited before/after."""
    unknown = sorted(set(changes) - set(REVIEW_DETAIL_FIELDS))
    if unknown:
        raise ValidationError({name: _("Unknown or read-only field.") for name in unknown})
    current = Review.objects.select_for_update().get(pk=review.pk)
    require(actor, "reviews.change_review", current)
    _check_editable(current)
    errors: dict[str, str] = {}
    for name in ("title", "entity_name"):
        if name not in changes:
            continue
        value = changes[name]
        reject_nul(value, name)
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            errors[name] = (
                _("Give the review a title.")
                if name == "title"
                else _("Name the reporting entity.")
            )
        changes[name] = value
    start = changes.get("period_from", current.period_from)
    end = changes.get("period_to", current.period_to)
    if isinstance(start, int) and isinstance(end, int) and end < start:
        errors["period_to"] = _("The period must end after it starts.")
    if errors:
        raise ValidationError(errors)
    if current.version == expected_version and all(
        getattr(current, name) == value for name, value in changes.items()
    ):
        return current  # nothing to change: no new version, no audit event
    return update_versioned(
        current,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        organization_id=current.organization_id,
    )


@transaction.atomic
def add_coauthor(
    actor: Any, review: Review, user: Any, sections: Iterable[str] = ()
) -> ReviewAuthor:
    """Give `user` the right to edit `sections` of the review (all of them when empty)."""
    require(actor, "reviews.change_review", review)
    keys = sorted(set(sections))
    for key in keys:
        parse_section_key(key)
    author, _created = ReviewAuthor.objects.update_or_create(
        review=review, user=user, defaults={"sections": keys}
    )
    audit.record(
        actor,
        AuditAction.GRANT,
        review,
        changes={"coauthor": [None, user.pk], "sections": [None, keys]},
        organization_id=review.organization_id,
    )
    return author


@transaction.atomic
def remove_coauthor(actor: Any, review: Review, user: Any) -> None:
    require(actor, "reviews.change_review", review)
    ReviewAuthor.objects.filter(review=review, user=user, is_lead=False).delete()
    audit.record(
        actor,
        AuditAction.REVOKE,
        review,
        changes={"coauthor": [user.pk, None]},
        organization_id=review.organization_id,
    )


def _list_of_strings(value: Any, field: str, allowed: Iterable[str] | None = None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({field: _("Give a list of texts.")})
    if allowed is not None:
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise ValidationError(
                {field: _("Unknown values: %(values)s.") % {"values": ", ".join(unknown[:5])}}
            )
    return [item.strip()[:300] for item in value if item.strip()]


def is_safe_link(url: str) -> bool:
    """An http(s) address, or a path on this site (not `//host` nor `/\\host`, which browsers
    read as another site)."""
    if url.startswith(("https://", "http://")):
        return bool(urlsplit(url).netloc)
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def clean_section_data(key: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check the structured part of a section against what that section holds; empty values
    are dropped, so a section holding only empty lists counts as empty."""
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError({"data": _("Give the section's details as an object.")})
    data = dict(data or {})
    reject_nul(data, "data")
    number = parse_section_key(key)
    if number is not None:
        allowed = {"indicator_values", "practices"}
    else:
        allowed = {
            SectionKey.METHODOLOGY: {"government_bodies", "stakeholders"},
            SectionKey.PRINCIPLES: set(GUIDING_PRINCIPLES),
            SectionKey.IMPLEMENTATION_PLAN: {"has_plan", "url"},
        }.get(key, set())
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(
            {"data": _("This section has no field %(fields)s.") % {"fields": ", ".join(unknown)}}
        )
    clean: dict[str, Any] = {}
    if key == SectionKey.METHODOLOGY:
        if "government_bodies" in data:
            clean["government_bodies"] = _list_of_strings(
                data["government_bodies"], "government_bodies"
            )
        if "stakeholders" in data:
            clean["stakeholders"] = sorted(
                set(_list_of_strings(data["stakeholders"], "stakeholders", Stakeholder.values))
            )
    elif key == SectionKey.PRINCIPLES:
        for code, text in data.items():
            if not isinstance(text, str):
                raise ValidationError({code: _("Describe how the principle was applied.")})
            if text.strip():
                clean[code] = text.strip()[:MAX_TEXT_CHARACTERS]
    elif key == SectionKey.IMPLEMENTATION_PLAN:
        if "has_plan" in data:
            clean["has_plan"] = bool(data["has_plan"])
        if data.get("url"):
            url = str(data["url"]).strip()
            if not url.startswith(("https://", "http://")):
                raise ValidationError({"url": _("Give the plan's web address (https://...).")})
            clean["url"] = url[:500]
    elif number is not None:
        values = data.get("indicator_values", [])
        if not isinstance(values, list):
            raise ValidationError({"indicator_values": _("Give a list of indicator values.")})
        clean_values = []
        for row in values:
            if not isinstance(row, Mapping) or not str(row.get("indicator", "")).strip():
                raise ValidationError(
                    {"indicator_values": _("Each indicator value names its indicator.")}
                )
            year = row.get("year")
            if year not in (None, "") and not (
                YEAR.fullmatch(str(year)) and 1950 <= int(year) <= 2100
            ):
                raise ValidationError({"indicator_values": _("A year is four digits.")})
            clean_values.append(
                {
                    "indicator": str(row["indicator"]).strip()[:100],
                    "value": str(row.get("value", "")).strip()[:100],
                    "year": int(year) if year not in (None, "") else None,
                }
            )
        if clean_values:
            clean["indicator_values"] = clean_values
        practices = data.get("practices", [])
        if not isinstance(practices, list):
            raise ValidationError({"practices": _("Give a list of practices.")})
        clean_practices = []
        for row in practices:
            if not isinstance(row, Mapping) or not str(row.get("title", "")).strip():
                raise ValidationError({"practices": _("Each practice has a title.")})
            url = str(row.get("url", "")).strip()
            if url and not is_safe_link(url):
                raise ValidationError({"practices": _("A practice's link is a web address.")})
            clean_practices.append({"title": str(row["title"]).strip()[:300], "url": url[:500]})
        if clean_practices:
            clean["practices"] = clean_practices
    return {name: value for name, value in clean.items() if _has_content(value)}


def _objective(number: int) -> FrameworkItem | None:
    return FrameworkItem.objects.filter(code=f"GCM-O{number}").first()


@transaction.atomic
def save_section(
    actor: Any,
    review: Review,
    key: str,
    *,
    expected_version: int,
    text: str = "",
    evidence: str = "",
    progress: str = "",
    data: Mapping[str, Any] | None = None,
    autosave: bool = False,
) -> Section:
    """Save one section if nobody saved it since the caller read `expected_version`.

    An objective's section that does not exist yet is created (expected version 0). A stale
    version raises SectionConflict with both texts; nothing is written.
    """
    number = parse_section_key(key)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not can_edit_section(actor, review, key):
        raise PermissionDenied(_("You may not edit this section of the review."))
    _check_editable(review)
    errors = {}
    if progress and progress not in ProgressStatus.values:
        errors["progress"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(ProgressStatus.values)
        }
    if number is None and progress:
        errors["progress"] = _("Only an objective's section has a progress status.")
    for name, value in (("text", text), ("evidence", evidence)):
        reject_nul(value, name)
        if len(value) > MAX_TEXT_CHARACTERS:
            errors[name] = _("Keep it under %(count)s characters.") % {
                "count": f"{MAX_TEXT_CHARACTERS:,}"
            }
    if errors:
        raise ValidationError(errors)
    content = {
        "progress": progress,
        "text": text.strip(),
        "evidence": evidence.strip(),
        "data": clean_section_data(key, data),
    }
    section = Section.objects.select_for_update().filter(review=review, key=key).first()
    if section is None:
        if expected_version != 0:
            raise ValidationError({"key": _("This section does not exist yet; reload the page.")})
        section = Section(
            review=review,
            key=key,
            objective_number=number,
            objective=_objective(number) if number else None,
            version=0,
        )
    elif section.version != expected_version:
        raise SectionConflict(section, content, expected_version)
    before = section.content() if section.pk else {}
    if section.pk and before == content:
        return section
    section.progress = content["progress"]
    section.text = content["text"]
    section.evidence = content["evidence"]
    section.data = content["data"]
    section.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    section.version += 1
    section.save()
    _record_version(section, actor, autosave=autosave)
    Review.objects.filter(pk=review.pk).update(updated_at=timezone.now())
    audit.record(
        actor,
        AuditAction.UPDATE,
        review,
        changes={key: [before, content]},
        organization_id=review.organization_id,
        metadata={"section": key, "autosave": autosave},
    )
    return section


def _record_version(section: Section, actor: Any, *, autosave: bool) -> None:
    author = actor if getattr(actor, "is_authenticated", False) else None
    last = section.versions.order_by("-number").first()
    now = timezone.now()
    if (
        last is not None
        and last.is_autosave
        and author is not None
        and last.author_id == author.pk
        and now - last.created_at < AUTOSAVE_WINDOW
    ):
        last.content = section.content()
        last.is_autosave = autosave
        last.created_at = now
        last.save(update_fields=["content", "is_autosave", "created_at"])
        return
    SectionVersion.objects.create(
        section=section,
        number=(last.number + 1) if last else 1,
        content=section.content(),
        author=author,
        is_autosave=autosave,
        created_at=now,
    )


def missing_sections(review: Review) -> list[tuple[str, str]]:
    """The required sections still empty, as (key, label), in the order of the form."""
    sections = {section.key: section for section in review.sections.all()}
    missing = [
        (key, section_label(key))
        for key in REQUIRED_SECTIONS
        if key not in sections
        or not (sections[key].text.strip() or _has_content(sections[key].data))
    ]
    if not any(
        section.objective_number and (section.progress or section.text.strip())
        for section in sections.values()
    ):
        missing.insert(1, ("objectives", _("Progress on at least one GCM objective")))
    return missing


def _transition(
    actor: Any, review: Review, to: str, *, allowed_from: Sequence[str], **fields: Any
) -> Review:
    if review.status not in allowed_from:
        raise ValidationError(
            _("This step is not open to the review (status: %(status)s; step: %(target)s).")
            % {"status": review.get_status_display(), "target": ReviewStatus(to).label}
        )
    before = review.status
    Review.objects.filter(pk=review.pk).update(
        status=to, version=review.version + 1, updated_at=timezone.now(), **fields
    )
    review.refresh_from_db()
    audit.record(
        actor,
        AuditAction.UPDATE,
        review,
        changes={
            "status": [before, to],
            **{name: [None, str(value)] for name, value in fields.items()},
        },
        organization_id=review.organization_id,
    )
    return review


@transaction.atomic
def send_to_internal_review(actor: Any, review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(actor, "reviews.write_review", review)
    return _transition(
        actor, review, ReviewStatus.INTERNAL_REVIEW, allowed_from=[ReviewStatus.DRAFT]
    )


@transaction.atomic
def return_to_draft(actor: Any, review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(actor, "reviews.change_review", review)
    return _transition(
        actor, review, ReviewStatus.DRAFT, allowed_from=[ReviewStatus.INTERNAL_REVIEW]
    )


@transaction.atomic
def submit_review(actor: Any, review: Review) -> Review:
    """Submit to the cycle. Missing sections raise SubmissionIncomplete listing them all; a
    review after the deadline is accepted and marked late."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(actor, "reviews.change_review", review)
    missing = missing_sections(review)
    if missing:
        raise SubmissionIncomplete(missing)
    now = timezone.now()
    return _transition(
        actor,
        review,
        ReviewStatus.SUBMITTED,
        allowed_from=EDITABLE_STATUSES,
        submitted_at=now,
        is_late=timezone.localdate(now) > review.cycle.due_on,
    )


@transaction.atomic
def publish_review(actor: Any, review: Review) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(actor, "reviews.publish_review", review)
    return _transition(
        actor,
        review,
        ReviewStatus.PUBLISHED,
        allowed_from=[ReviewStatus.SUBMITTED],
        published_at=timezone.now(),
    )


@transaction.atomic
def add_comment(actor: Any, review: Review, body: str, section_key: str = "") -> Comment:
    require(actor, "reviews.comment_review", review)
    if section_key:
        parse_section_key(section_key)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the comment.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("Keep a comment under 5,000 characters.")})
    comment = Comment.objects.create(
        review=review, section_key=section_key, author=actor, body=body
    )
    audit.record(actor, AuditAction.CREATE, comment, organization_id=review.organization_id)
    return comment


@transaction.atomic
def resolve_comment(actor: Any, comment: Comment) -> Comment:
    require(actor, "reviews.write_review", comment.review)
    comment.resolved_at = timezone.now()
    comment.save(update_fields=["resolved_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        comment,
        changes={"resolved_at": [None, comment.resolved_at.isoformat()]},
        organization_id=comment.review.organization_id,
    )
    return comment


# What an attachment may be, told by its first bytes, not by its name (see core.files).
ATTACHMENT_SIGNATURES = FILE_SIGNATURES


def attachment_type(upload: UploadedFile) -> str:
    """The real type of `upload`; ValidationError when its content does not match its name."""
    return file_type(
        upload,
        ATTACHMENT_SIGNATURES,
        unknown_message=_("Attach a PDF, Word, Excel, OpenDocument, PNG or JPEG file."),
    )


@transaction.atomic
def add_attachment(actor: Any, review: Review, upload: UploadedFile) -> Attachment:
    """Store a file annexed to the review, after checking its size and its real type."""
    require(actor, "reviews.write_review", review)
    _check_editable(review)
    limit = getattr(settings, "REVIEW_ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES)
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is %(size)s MB; attachments are limited to %(limit)s MB. Attach a "
                    "smaller file or a link to it."
                )
                % {
                    "name": upload.name,
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": f"{limit / 1024 / 1024:.0f}",
                }
            }
        )
    content_type = attachment_type(upload)
    attachment = Attachment(
        review=review,
        name=(upload.name or "attachment")[:200],
        size=upload.size,
        content_type=content_type,
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        attachment,
        changes={"name": [None, attachment.name], "size": [None, attachment.size]},
        organization_id=review.organization_id,
    )
    return attachment


def _delete_stored_file(storage: Any, name: str) -> None:
    storage.delete(name)


@transaction.atomic
def remove_attachment(actor: Any, attachment: Attachment) -> None:
    """Remove a file annexed to a review while the review can still be edited. The row goes
    now; the file leaves storage once the transaction commits (it stays if it rolls back)."""
    review = Review.objects.select_for_update().get(pk=attachment.review_id)
    require(actor, "reviews.write_review", review)
    _check_editable(review)
    current = Attachment.objects.select_for_update().filter(pk=attachment.pk).first()
    if current is None:
        return  # removed meanwhile by someone else: nothing left to do
    audit.record(
        actor,
        AuditAction.DELETE,
        current,
        changes={"name": [current.name, None], "size": [current.size, None]},
        organization_id=review.organization_id,
    )
    storage, name = current.file.storage, current.file.name
    current.delete()
    if name:
        # robust: a file already gone from storage must not turn a committed removal into an error.
        transaction.on_commit(partial(_delete_stored_file, storage, name), robust=True)


# --- pledges ------------------------------------------------------------------------------


def _objectives(numbers_or_items: Iterable[Any]) -> list[FrameworkItem]:
    items = []
    for value in numbers_or_items:
        if isinstance(value, FrameworkItem):
            items.append(value)
            continue
        number = objective_number(str(value).removeprefix("GCM-O"))
        if number is None:
            raise ValidationError(
                {"objectives": _("%(value)s is not a GCM objective (1 to 23).") % {"value": value}}
            )
        item = _objective(number)
        if item is None:
            raise ValidationError({"objectives": _("Load the registry's reference data first.")})
        items.append(item)
    if not items:
        raise ValidationError({"objectives": _("Name at least one GCM objective.")})
    return items


@transaction.atomic
def create_pledge(
    actor: Any,
    *,
    organization: Any,
    cycle: Cycle,
    title: str,
    entity_name: str,
    level: str,
    objectives: Iterable[Any],
    description: str = "",
    country: Country | None = None,
    review: Review | None = None,
    due_year: int | None = None,
    is_sample: bool = False,
) -> Pledge:
    require(actor, "reviews.add_pledge", Pledge(organization=organization))
    items = _objectives(objectives)
    if review is not None and review.organization_id != organization.pk:
        raise ValidationError({"review": _("Link a review of the same organization.")})
    pledge = Pledge(
        organization=organization,
        cycle=cycle,
        title=title.strip(),
        entity_name=entity_name.strip(),
        level=level,
        description=description.strip(),
        country=country,
        review=review,
        due_year=due_year,
        is_sample=is_sample,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    pledge.full_clean()
    pledge.save()
    pledge.objectives.set(items)
    PledgeUpdate.objects.create(
        pledge=pledge, cycle=cycle, status=pledge.status, author=pledge.created_by
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        pledge,
        changes=audit.snapshot(pledge),
        organization_id=organization.pk,
    )
    return pledge


@transaction.atomic
def update_pledge_status(
    actor: Any, pledge: Pledge, *, cycle: Cycle, status: str, note: str = ""
) -> PledgeUpdate:
    """Report a pledge's status at `cycle`; the latest report becomes its current status."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    require(actor, "reviews.change_pledge", pledge)
    if status not in PledgeStatus.values:
        raise ValidationError(
            {"status": _("Choose one of: %(values)s.") % {"values": ", ".join(PledgeStatus.values)}}
        )
    if cycle.year < pledge.cycle.year:
        raise ValidationError({"cycle": _("Report on the pledge's cycle or a later one.")})
    update = PledgeUpdate.objects.create(
        pledge=pledge,
        cycle=cycle,
        status=status,
        note=note.strip()[:MAX_TEXT_CHARACTERS],
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    before = pledge.status
    Pledge.objects.filter(pk=pledge.pk).update(
        status=status, version=pledge.version + 1, updated_at=timezone.now()
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        pledge,
        changes={"status": [before, status]},
        organization_id=pledge.organization_id,
        metadata={"cycle": cycle.pk},
    )
    return update

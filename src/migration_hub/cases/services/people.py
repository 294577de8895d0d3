"""Writes about people: cleaning what intake and updates say about a person, identity
documents, links between people, and updates with a version check."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from ..choices import DatePrecision, DocumentKind, Relationship, Sex, Vulnerability
from ..models import IdentityDocument, Person, PersonLink
from ..models.people import document_number_hash, validate_birth_date
from ._common import clean_text, guard_person, lock_person, user_or_none

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries) | {"XK"}
# What may be said about a person at intake or in an update; everything else about the
# record (its organization, id, version) is the server's.
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "date_of_birth_precision",
    "sex",
    "nationalities",
    "languages",
    "contact",
    "vulnerabilities",
)
# Keys a client might send to take over a record: ignored, never written (AC-04).
SERVER_OWNED = frozenset(
    {
        "id",
        "pk",
        "public_id",
        "organization",
        "organization_id",
        "owner",
        "owned_by",
        "agency",
        "office",
        "office_id",
        "team",
        "team_id",
        "assigned_to",
        "assigned_to_id",
        "state",
        "status",
        "version",
        "reference",
        "opened_at",
        "closed_at",
        "created_at",
        "created_by",
        "consent",
        "consents",
        "consent_given",
        "consent_overridden",
        "is_staff",
        "is_superuser",
    }
)
NAME_LIMIT = 200


def _language_code(code: str) -> bool:
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code) is not None
    return len(code) == 3 and pycountry.languages.get(alpha_3=code) is not None


def _codes(value: Any, name: str, valid: Any, upper: bool) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError({name: _("Give a list of codes.")})
    codes = [str(code).strip() for code in value]
    codes = [code.upper() if upper else code.lower() for code in codes if code]
    unknown = [code for code in codes if not valid(code)]
    if unknown:
        raise ValidationError(
            {name: _("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    return list(dict.fromkeys(codes))


def _birth_date(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError({"date_of_birth": _("Give the date as YYYY-MM-DD.")}) from None
    validate_birth_date(value)
    return value.isoformat()


def clean_person_data(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """The person fields of `data`, checked and normalised; server-owned keys are ignored,
    any other unknown key is refused. ValidationError names every field that is wrong."""
    unknown = sorted(set(data) - set(PERSON_FIELDS) - SERVER_OWNED - {"documents"})
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    cleaners = {
        "given_name": lambda v: clean_text(v, "given_name", limit=NAME_LIMIT),
        "family_name": lambda v: clean_text(v, "family_name", limit=NAME_LIMIT),
        "date_of_birth": _birth_date,
        "date_of_birth_precision": lambda v: _choice(v, "date_of_birth_precision", DatePrecision),
        "sex": lambda v: _choice(v, "sex", Sex),
        "nationalities": lambda v: _codes(
            v, "nationalities", lambda code: code in COUNTRY_CODES, upper=True
        ),
        "languages": lambda v: _codes(v, "languages", _language_code, upper=False),
        "contact": _contact,
        "vulnerabilities": lambda v: _codes(
            v, "vulnerabilities", lambda code: code in Vulnerability.values, upper=False
        ),
    }
    cleaned: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        if name not in data:
            continue
        try:
            cleaned[name] = cleaners[name](data[name])
        except ValidationError as error:
            errors.update(error.message_dict)
    if not partial and not (cleaned.get("given_name") or cleaned.get("family_name")):
        errors.setdefault("given_name", [_("Give at least a given or a family name.")])
    if errors:
        raise ValidationError(errors)
    return cleaned


def _choice(value: Any, name: str, choices: Any) -> str:
    if value not in choices.values:
        raise ValidationError(
            {name: _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}}
        )
    return str(value)


def _contact(value: Any) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError({"contact": _("Give the contact details as name: value pairs.")})
    return {
        clean_text(key, "contact", limit=50): clean_text(text, "contact", limit=NAME_LIMIT)
        for key, text in value.items()
    }


def clean_documents(documents: Any) -> list[dict[str, Any]]:
    """Identity documents given at intake: [{kind, issuing_country, number, expires_on}]."""
    if not documents:
        return []
    if isinstance(documents, Mapping | str):
        raise ValidationError({"documents": _("Give a list of documents.")})
    cleaned = []
    for position, document in enumerate(documents, start=1):
        if not isinstance(document, Mapping):
            raise ValidationError(
                {"documents": _("Document %(n)s is not valid.") % {"n": position}}
            )
        kind = document.get("kind")
        country = str(document.get("issuing_country") or "").strip().upper()
        number = clean_text(document.get("number"), "documents", required=True, limit=64)
        if kind not in DocumentKind.values:
            raise ValidationError(
                {"documents": _("Document %(n)s: choose a kind of document.") % {"n": position}}
            )
        if country not in COUNTRY_CODES:
            raise ValidationError(
                {
                    "documents": _(
                        "Document %(n)s: give the issuing country's ISO 3166 alpha-2 code."
                    )
                    % {"n": position}
                }
            )
        expires_on = document.get("expires_on")
        if expires_on and not isinstance(expires_on, datetime.date):
            try:
                expires_on = datetime.date.fromisoformat(str(expires_on))
            except ValueError:
                raise ValidationError(
                    {
                        "documents": _("Document %(n)s: give the expiry as YYYY-MM-DD.")
                        % {"n": position}
                    }
                ) from None
        cleaned.append(
            {
                "kind": kind,
                "issuing_country": country,
                "number": number,
                "expires_on": expires_on or None,
            }
        )
    return cleaned


def add_document_row(person: Person, document: Mapping[str, Any], actor: Any) -> IdentityDocument:
    """Store one cleaned document (number encrypted and hashed) and audit it, without it."""
    row = IdentityDocument.objects.create(
        person=person,
        kind=document["kind"],
        issuing_country=document["issuing_country"],
        number=document["number"],
        number_hash=document_number_hash(document["issuing_country"], document["number"]),
        expires_on=document.get("expires_on"),
        created_by=user_or_none(actor),
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        row,
        changes=audit.snapshot(row),
        organization_id=person.organization_id,
        metadata={"person": person.pk},
    )
    return row


def add_document(*, actor: Any, person: Person, document: Mapping[str, Any]) -> IdentityDocument:
    """Add an identity document to a person the actor may change."""
    guard_person(actor, "cases.change_person", person)
    (cleaned,) = clean_documents([document])
    with transaction.atomic():
        return add_document_row(person, cleaned, actor)


def update_person(
    *, actor: Any, person: Person, version: int, changes: Mapping[str, Any]
) -> Person:
    """Change what is said about a person, if the stored version is still `version` (else
    ConflictError and nothing written). Server-owned keys in `changes` are ignored. The audit
    names the encrypted fields changed, never their values."""
    guard_person(actor, "cases.change_person", person)
    cleaned = clean_person_data(changes, partial=True)
    with transaction.atomic():
        current = lock_person(person, version)
        before = audit.snapshot(current)
        changed = sorted(name for name, value in cleaned.items() if getattr(current, name) != value)
        for name, value in cleaned.items():
            setattr(current, name, value)
        current.full_clean()
        current.version += 1
        current.save(update_fields=[*cleaned, "version", "updated_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            current,
            changes=audit.diff(before, audit.snapshot(current)),
            organization_id=current.organization_id,
            metadata={"fields_changed": changed},
        )
        return current


def link_people(*, actor: Any, person: Person, other: Person, relationship: str) -> PersonLink:
    """Record that `person` is the `relationship` of `other` (both of one organization, both
    visible to the actor)."""
    guard_person(actor, "cases.change_person", person)
    guard_person(actor, "cases.change_person", other)
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Choose a relationship.")})
    if person.pk == other.pk:
        raise ValidationError({"to_person": _("A person cannot be linked to themselves.")})
    if person.organization_id != other.organization_id:
        raise ValidationError({"to_person": _("Both people must be of the same organization.")})
    with transaction.atomic():
        link, created = PersonLink.objects.get_or_create(
            from_person=person,
            to_person=other,
            relationship=relationship,
            defaults={"created_by": user_or_none(actor)},
        )
        if created:
            audit.record(
                actor,
                AuditAction.CREATE,
                link,
                changes=audit.snapshot(link),
                organization_id=person.organization_id,
            )
        return link

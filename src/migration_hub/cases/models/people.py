"""People served by case management, their identity documents, households and links.

A person belongs to one organization (the tenant that collected the data) and is named to
others by an opaque `public_id`, never by the primary key. What identifies the person (names,
date of birth, contact details, document numbers) and their vulnerabilities is encrypted at
rest; a document number is also kept as a keyed hash, so that two equal numbers match at
intake without either being stored in clear.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.encryption import EncryptedJSONField, EncryptedTextField
from migration_hub.core.models import TimeStampedModel, VersionedModel

from ..choices import CHILD_VULNERABILITIES, DatePrecision, DocumentKind, Relationship, Sex

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
ADULT_AGE = 18


def validate_birth_date(value: datetime.date | None, field: str = "date_of_birth") -> None:
    """Refuse a date of birth in the future or before 1900, naming `field`."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError({field: _("The date of birth cannot be in the future.")})
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError({field: _("The date of birth cannot be before 1900.")})


def document_hash_key() -> bytes:
    """The key of the document-number hash: CASES_DOCUMENT_HASH_KEY when set, else one derived
    from SECRET_KEY (so the hashes change if SECRET_KEY does: set the dedicated key in
    production)."""
    dedicated = getattr(settings, "CASES_DOCUMENT_HASH_KEY", "")
    if dedicated:
        return str(dedicated).encode()
    return hashlib.sha256(
        b"migration-hub cases document number\0" + settings.SECRET_KEY.encode()
    ).digest()


def normalise_document_number(number: str) -> str:
    """Upper case, letters and digits only ("ab 123-45" and "AB12345" are the same number)."""
    return re.sub(r"[^0-9A-Z]", "", str(number or "").upper())


def document_number_hash(issuing_country: str, number: str) -> str:
    """HMAC-SHA256 (hex) of the issuing country and the normalised number."""
    message = f"{str(issuing_country or '').upper()}:{normalise_document_number(number)}"
    return hmac.new(document_hash_key(), message.encode(), hashlib.sha256).hexdigest()


class Household(TimeStampedModel):
    """People living together and assisted together (a family, usually)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="case_households",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return str(_("Household %(id)s")) % {"id": str(self.public_id)[:8]}

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id


class Person(VersionedModel):
    """A migrant served by one or more cases of an organization."""

    # About the person, never copied into the audit trail (which names the fields changed):
    # the identifying ones are also encrypted.
    audit_exclude_fields = (
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

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="case_people",
        help_text=_("The organization that collected the data and is responsible for it."),
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    given_name = EncryptedTextField(_("given name"), blank=True, default="")
    family_name = EncryptedTextField(_("family name"), blank=True, default="")
    date_of_birth = EncryptedTextField(
        _("date of birth"), blank=True, default="", help_text=_("YYYY-MM-DD")
    )
    date_of_birth_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=16,
        choices=DatePrecision.choices,
        default=DatePrecision.EXACT,
    )
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    nationalities = models.JSONField(
        _("nationalities"), default=list, blank=True, help_text=_("ISO 3166 alpha-2 codes.")
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("ISO 639 codes.")
    )
    contact = EncryptedJSONField(
        _("contact details"), encoder=DjangoJSONEncoder, default=dict, blank=True
    )
    vulnerabilities = EncryptedJSONField(
        _("vulnerabilities"), encoder=DjangoJSONEncoder, default=list, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        # No name: the string of a record may reach logs and the admin's history.
        return str(_("Person %(id)s")) % {"id": str(self.public_id)[:8]}

    @property
    def owner_organization_id(self) -> int:
        return self.organization_id

    @property
    def birth_date(self) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(self.date_of_birth or "")
        except ValueError:
            return None

    def age_on(self, day: datetime.date) -> int | None:
        """Completed years on `day`, from the recorded date of birth (whatever its precision)."""
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_child_on(self, day: datetime.date) -> bool:
        """Under 18 on `day`; with no date of birth, a child when recorded as an unaccompanied
        or separated child."""
        age = self.age_on(day)
        if age is not None:
            return age < ADULT_AGE
        return bool(set(self.vulnerabilities or ()) & CHILD_VULNERABILITIES)

    def clean(self) -> None:
        super().clean()
        if self.date_of_birth:
            born = self.birth_date
            if born is None:
                raise ValidationError({"date_of_birth": _("Give the date as YYYY-MM-DD.")})
            validate_birth_date(born)


class IdentityDocument(TimeStampedModel):
    """An identity or travel document of a person; the number is encrypted and hashed."""

    audit_exclude_fields = ("number", "number_hash")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    issuing_country = models.CharField(
        _("issuing country"), max_length=2, help_text=_("ISO 3166 alpha-2 code.")
    )
    number = EncryptedTextField(_("number"))
    number_hash = models.CharField(_("number hash"), max_length=64, db_index=True, editable=False)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["person", "kind"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.issuing_country})"

    @property
    def owner_organization_id(self) -> int:
        return self.person.organization_id


class PersonLink(TimeStampedModel):
    """A relationship between two people: `from_person` is the `relationship` of `to_person`
    ("A is the guardian of B")."""

    from_person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="links_from"
    )
    to_person = models.ForeignKey(
        Person, verbose_name=_("related to"), on_delete=models.CASCADE, related_name="links_to"
    )
    relationship = models.CharField(_("relationship"), max_length=32, choices=Relationship.choices)

    class Meta:
        ordering = ["from_person", "relationship"]
        verbose_name = _("link between people")
        verbose_name_plural = _("links between people")
        constraints = [
            models.UniqueConstraint(
                fields=["from_person", "to_person", "relationship"],
                name="%(app_label)s_%(class)s_unique",
            ),
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")),
                name="%(app_label)s_%(class)s_not_to_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person} - {self.get_relationship_display()} - {self.to_person}"

    @property
    def owner_organization_id(self) -> int:
        return self.from_person.organization_id

"""Choices of case management: staff roles and record scopes, sensitivity classes, what is said
about a person, case types, consent purposes, and the audit actions this app writes.

The case-management roles live here, not in `core.choices.Role`: they are held per
organization (optionally office and team) in `cases.CaseStaff` rows, apart from the
organization memberships that govern the rest of the platform.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseRole(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    OFFICE_MANAGER = "office_manager", _("Office manager")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")
    ORGANIZATION_ADMIN = "organization_admin", _("Organization administrator")
    AUDITOR = "auditor", _("Auditor")
    # The one role that may hold the `all` scope: platform-wide oversight (every organization's
    # cases, read-only, every special-category field masked).
    PLATFORM_OVERSIGHT = "platform_oversight", _("Platform oversight")


class RecordScope(models.TextChoices):
    """Which cases a staff row reaches (after Primero's self / group / agency / all)."""

    OWN = "own", _("Own cases (assigned to the user)")
    TEAM = "team", _("The team's cases")
    OFFICE = "office", _("The office's cases")
    ORGANIZATION = "organization", _("The organization's cases")
    ALL = "all", _("Every organization's cases")


class Sensitivity(models.TextChoices):
    """Special-category data: each class is encrypted, masked by role and revealed on record."""

    TRAFFICKING = "trafficking", _("Trafficking details")
    HEALTH = "health", _("Health")
    GBV = "gbv", _("Gender-based violence")
    CHILD_PROTECTION = "child_protection", _("Child protection")


class CaseType(models.TextChoices):
    AVRR = "avrr", _("Assisted voluntary return and reintegration")
    COUNTER_TRAFFICKING = "counter_trafficking", _("Counter-trafficking assistance")
    STRANDED_ASSISTANCE = "stranded_assistance", _("Assistance to stranded migrants")
    RESETTLEMENT_MOVEMENT = "resettlement_movement", _("Resettlement movement")


# The prefix of a case's public reference, per case type (AVRR-2026-000123).
REFERENCE_PREFIX = {
    CaseType.AVRR: "AVRR",
    CaseType.COUNTER_TRAFFICKING: "CT",
    CaseType.STRANDED_ASSISTANCE: "SMA",
    CaseType.RESETTLEMENT_MOVEMENT: "RSM",
}


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Vulnerability(models.TextChoices):
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied child")
    SEPARATED_CHILD = "separated_child", _("Separated child")
    DISABILITY = "disability", _("Disability")
    VICTIM_OF_TRAFFICKING = "victim_of_trafficking", _("Victim of trafficking")
    SERIOUS_MEDICAL_CONDITION = "serious_medical_condition", _("Serious medical condition")
    SINGLE_PARENT = "single_parent", _("Single parent")
    ELDERLY = "elderly", _("Elderly person")
    GBV_SURVIVOR = "gbv_survivor", _("Survivor of gender-based violence")


CHILD_VULNERABILITIES = frozenset(
    {Vulnerability.UNACCOMPANIED_CHILD, Vulnerability.SEPARATED_CHILD}
)


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    REFUGEE_ID = "refugee_id", _("Refugee or asylum-seeker identity document")
    OTHER = "other", _("Other document")


class Relationship(models.TextChoices):
    """How the first person of a link relates to the second ("A is the parent of B")."""

    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    GUARDIAN = "guardian", _("Guardian")
    SPOUSE = "spouse", _("Spouse or partner")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Other")


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("Receiving services")
    SHARING = "sharing", _("Sharing with named organizations")
    STATISTICS = "statistics", _("Use in statistics")
    TRACING = "tracing", _("Family tracing")


class ProtectionService(models.TextChoices):
    """Services of a counter-trafficking protection plan."""

    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    LEGAL = "legal", _("Legal assistance")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")


class CaseAuditAction(models.TextChoices):
    """Audit actions of case management beyond `core.choices.AuditAction` (create, update,
    view, export...). Passed to `core.audit.record` as their string values."""

    TRANSITION = "case_transition", _("Case moved in its workflow")
    ASSIGN = "case_assign", _("Case assigned")
    REVEAL = "reveal", _("Masked field revealed")
    CONSENT_GIVEN = "consent_given", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    BREAK_GLASS_REQUEST = "break_glass_request", _("Break-glass access requested")
    BREAK_GLASS_APPROVE = "break_glass_approve", _("Break-glass access approved")
    BREAK_GLASS_USE = "break_glass_use", _("Case read through break-glass access")
    ACCESS_DENIED = "access_denied", _("Access refused")

"""Choices of the assessment workflow: statuses, TB classes, decisions, result outcomes and
the states of a referral to a national TB programme."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Item


class AssessmentStatus(models.TextChoices):
    """scheduled -> examined -> classified -> cleared, deferred or referred; then certified."""

    SCHEDULED = "scheduled", _("Scheduled")
    EXAMINED = "examined", _("Examined")
    CLASSIFIED = "classified", _("Classified")
    CLEARED = "cleared", _("Cleared")
    DEFERRED = "deferred", _("Deferred")
    REFERRED = "referred", _("Referred")
    CERTIFIED = "certified", _("Certified")


class TbClass(models.TextChoices):
    """The TB classification of the examination (after the CDC's Technical Instructions)."""

    NONE = "none", _("No TB classification")
    A = "A", _("Class A: infectious TB")
    B0 = "B0", _("Class B0: TB treated under direct observation")
    B1 = "B1", _("Class B1: TB suspected on X-ray or signs, not infectious")
    B2 = "B2", _("Class B2: latent TB infection")
    B3 = "B3", _("Class B3: contact of a person with TB")


# Suspected or confirmed TB: the page proposes a referral to the national TB programme, and
# these are the cases counted in the TB yield of the dashboard.
TB_SUSPECTED_CLASSES = frozenset({TbClass.A, TbClass.B1})


class Decision(models.TextChoices):
    CLEARED = "cleared", _("Clear")
    DEFERRED = "deferred", _("Defer")
    REFERRED = "referred", _("Refer")


class ResultOutcome(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ABNORMAL = "abnormal", _("Abnormal")
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    INDETERMINATE = "indeterminate", _("Indeterminate")
    NOT_DONE = "not_done", _("Not done")


# Laboratory tests read positive or negative; examinations and X-rays normal or abnormal.
TEST_ITEMS = frozenset(
    {
        Item.TB_INFECTION_TEST,
        Item.SPUTUM,
        Item.SYPHILIS_TEST,
        Item.GONORRHEA_TEST,
        Item.HIV_TEST,
        Item.HEPATITIS_B_TEST,
        Item.HEPATITIS_C_TEST,
    }
)
TEST_OUTCOMES = (
    ResultOutcome.POSITIVE,
    ResultOutcome.NEGATIVE,
    ResultOutcome.INDETERMINATE,
    ResultOutcome.NOT_DONE,
)
EXAM_OUTCOMES = (ResultOutcome.NORMAL, ResultOutcome.ABNORMAL, ResultOutcome.NOT_DONE)


def outcomes_for(item: str) -> tuple[ResultOutcome, ...]:
    """The outcomes a result of `item` may have."""
    return TEST_OUTCOMES if item in TEST_ITEMS else EXAM_OUTCOMES


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")

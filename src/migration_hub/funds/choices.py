from django.db import models
from django.utils.translation import gettext_lazy as _


class GovernanceBody(models.TextChoices):
    STEERING_COMMITTEE = "steering_committee", _("Steering Committee")
    FUND_MANAGEMENT_UNIT = "fund_management_unit", _("Fund Management Unit")
    CONSULTATIVE_FORUM = "consultative_forum", _("Consultative Forum")
    ADMINISTRATIVE_AGENT = "administrative_agent", _("Administrative Agent")


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class DonorKind(models.TextChoices):
    STATE = "state", _("State")
    ORGANIZATION = "organization", _("Organization")
    PRIVATE = "private", _("Private donor")


class ContributionStatus(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    SIGNED = "signed", _("Signed")
    DEPOSITED = "deposited", _("Deposited")


class TargetDimension(models.TextChoices):
    THEMATIC_AREA = "thematic_area", _("Thematic area")
    REGION = "region", _("Region")
    MARKER = "marker", _("Marker")


class ProgrammeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Concept note submitted")
    ASSESSED = "assessed", _("Quality assessed")
    SELECTED = "selected", _("Selected")
    PIPELINE = "pipeline", _("Pipeline")
    REJECTED = "rejected", _("Rejected")
    DOCUMENT = "document", _("Joint programme document")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")


# Endorsed by the Steering Committee but with no money allocated yet: the pipeline.
UNFUNDED_STATUSES = (ProgrammeStatus.SELECTED, ProgrammeStatus.PIPELINE, ProgrammeStatus.DOCUMENT)
FUNDED_STATUSES = (ProgrammeStatus.APPROVED, ProgrammeStatus.CLOSED)


class DecisionOutcome(models.TextChoices):
    SELECTED = "selected", _("Selected")
    PIPELINE = "pipeline", _("Pipeline (endorsed, awaiting funds)")
    REJECTED = "rejected", _("Rejected")


class ReportKind(models.TextChoices):
    NARRATIVE = "narrative", _("Annual narrative report")
    FINANCIAL = "financial", _("Annual financial report")


class Account(models.TextChoices):
    """The fund's ledger accounts. Amounts are debit-positive, so every transaction sums to 0.

    cash: money the Administrative Agent holds; contributions: what donors deposited (credit);
    allocations: what the Steering Committee gave programmes, net of returns (debit);
    commitments: allocated but not yet transferred (credit).
    """

    CASH = "cash", _("Cash held")
    CONTRIBUTIONS = "contributions", _("Contributions")
    ALLOCATIONS = "allocations", _("Allocations to programmes")
    COMMITMENTS = "commitments", _("Commitments not yet transferred")


class TransactionKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    ALLOCATION = "allocation", _("Allocation")
    TRANSFER = "transfer", _("Transfer")
    REFUND = "refund", _("Unspent balance returned")
    RELEASE = "release", _("Commitment released")

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResourceKind(models.TextChoices):
    PUBLICATION = "publication", _("Publication")
    PRACTICE = "practice", _("Practice")
    TOOL = "tool", _("Tool")
    GUIDANCE = "guidance", _("Guidance")
    TRAINING = "training", _("Training")
    DATASET = "dataset", _("Dataset")
    POLICY = "policy", _("Policy or legislation")
    EVENT = "event", pgettext_lazy("resource kind", "Event")


class ResourceStatus(models.TextChoices):
    """Draft -> submitted -> screened -> in review -> (revision requested -> submitted ...) ->
    published or rejected."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENED = "screened", _("Screened")
    IN_REVIEW = "in_review", _("In peer review")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC_BY_NC = "cc-by-nc-4.0", "CC BY-NC 4.0"
    CC_BY_NC_ND = "cc-by-nc-nd-4.0", "CC BY-NC-ND 4.0"
    CC_BY_IGO = "cc-by-igo-3.0", "CC BY 3.0 IGO"
    CC0 = "cc0-1.0", "CC0 1.0"
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")
    OTHER = "other", _("Other licence")
    UNKNOWN = "unknown", _("Licence not stated")


class Criterion(models.TextChoices):
    """The peer-review rubric; each criterion is scored 1 (weak) to 5 (strong)."""

    RELEVANCE = "relevance", _("Relevance to the GCM objectives")
    EVIDENCE = "evidence", _("Evidence of results")
    HUMAN_RIGHTS = "human_rights", _("Human-rights based")
    GENDER = "gender", _("Gender-responsive")
    CHILD = "child", _("Child-sensitive")
    SUSTAINABILITY = "sustainability", _("Sustainability")
    REPLICABILITY = "replicability", _("Replicability")


class Decision(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    REVISE = "revise", _("Ask for a revision")
    REJECT = "reject", _("Reject")


class Recommendation(models.TextChoices):
    PUBLISH = "publish", _("Publish as it is")
    REVISE = "revise", _("Publish after a revision")
    REJECT = "reject", _("Do not publish")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LIMITED = "limited", _("Limited availability")
    UNAVAILABLE = "unavailable", _("Not available now")


class DigestFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NONE = "none", _("No e-mail")


class DemandStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("demand status", "Open")
    MATCHED = "matched", _("Matched")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", pgettext_lazy("demand status", "Closed")


class SearchSort(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    DATE = "date", _("Newest first")


class SearchKind(models.TextChoices):
    """What the one search box looks through."""

    RESOURCE = "resource", _("Resources")
    EXPERT = "expert", _("Experts")
    DISCUSSION = "discussion", _("Discussions")
    REGISTRY = "registry", _("Registry records")

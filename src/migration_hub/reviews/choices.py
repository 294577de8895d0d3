from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CycleKind(models.TextChoices):
    IMRF = "imrf", _("International Migration Review Forum")
    REGIONAL = "regional", _("Regional review")
    SG_REPORT = "sg_report", _("Secretary-General's report")


class CycleStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open for reviews")
    IN_REVIEW = "in_review", _("Deadline passed, forum to come")
    COMPLETED = "completed", _("Completed")


class Commission(models.TextChoices):
    """The UN regional commissions, by which the Network organizes regional reviews."""

    ECA = "ECA", _("Economic Commission for Africa")
    ECE = "ECE", _("Economic Commission for Europe")
    ECLAC = "ECLAC", _("Economic Commission for Latin America and the Caribbean")
    ESCAP = "ESCAP", _("Economic and Social Commission for Asia and the Pacific")
    ESCWA = "ESCWA", _("Economic and Social Commission for Western Asia")


class ReviewLevel(models.TextChoices):
    NATIONAL = "national", _("National (a state)")
    LOCAL = "local", _("Local government")
    REGIONAL = "regional", _("Regional body or network")
    STAKEHOLDER = "stakeholder", _("Stakeholder")


class Stakeholder(models.TextChoices):
    """The GCM's whole-of-society list (para 15(j), with para 44's additions)."""

    MIGRANTS = "migrants", _("Migrants")
    DIASPORAS = "diasporas", _("Diasporas")
    LOCAL_COMMUNITIES = "local_communities", _("Local communities")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIA = "academia", _("Academia")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    PARLIAMENTARIANS = "parliamentarians", _("Parliamentarians")
    TRADE_UNIONS = "trade_unions", _("Trade unions")
    HUMAN_RIGHTS_INSTITUTIONS = "nhri", _("National human rights institutions")
    MEDIA = "media", _("Media")
    FAITH_BASED = "faith_based", _("Faith-based organizations")
    LOCAL_AUTHORITIES = "local_authorities", _("Local authorities")
    RED_CROSS = "red_cross", _("Red Cross and Red Crescent Movement")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    INTERNAL_REVIEW = "internal_review", _("Internal review")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", pgettext_lazy("review status", "Published")


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")


class SectionKey(models.TextChoices):
    """The parts of a review other than the per-objective progress."""

    METHODOLOGY = "methodology", _("Methodology and process")
    PRINCIPLES = "principles", _("Guiding principles")
    IMPLEMENTATION_PLAN = "implementation_plan", _("National implementation plan")
    CHALLENGES = "challenges", _("Challenges")
    SUPPORT = "support", _("Support needed")
    NEXT_STEPS = "next_steps", _("Next steps")


class PledgeStatus(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("Not fulfilled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReportScopeKind(models.TextChoices):
    GLOBAL = "global", _("Global")
    COMMISSION = "commission", _("Regional commission")
    REGION = "region", _("M49 region")
    COUNTRY = "country", _("Country")


class ReportFormat(models.TextChoices):
    HTML = "html", "HTML"
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    UN_SECRETARIAT = "un-secretariat", _("UN Secretariat department or office")
    UN_FUND_PROGRAMME = "un-fund-programme", _("UN fund or programme")
    UN_SPECIALIZED_AGENCY = "un-specialized-agency", _("UN specialized agency")
    UN_RELATED = "un-related", _("UN related organization")
    UN_REGIONAL_COMMISSION = "un-regional-commission", _("UN regional commission")
    UN_OTHER = "un-other", _("Other UN entity")
    UN = "un", _("United Nations")
    IGO_SPECIALIZED = "igo-specialized", _("Specialized or theme-focused IGO")
    UNION = "union", _("Political or economic union")
    REGIONAL_ORGANIZATION = "regional-organization", _("Regional organization")
    REGIONAL_CONSULTATIVE_PROCESS = "rcp", _("Regional consultative process")
    PARLIAMENTARY_UNION = "parliamentary-union", _("Parliamentary union")
    DEVELOPMENT_BANK = "development-bank", _("Development bank")
    NGO = "ngo", _("NGO or other stakeholder")


class MigrationMandate(models.TextChoices):
    CORE = "core", _("Migration is its core mandate")
    RELATED = "related", _("Migration relates to its mandate")


class Scope(models.TextChoices):
    GLOBAL = "global", _("Global")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


class OfficeKind(models.TextChoices):
    HEADQUARTERS = "headquarters", _("Headquarters")
    REGIONAL = "regional", _("Regional office")
    COUNTRY = "country", _("Country office")


class MembershipKind(models.TextChoices):
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
    ASSOCIATE = "associate", _("Associate member")


class NetworkKind(models.TextChoices):
    GLOBAL = "global", _("Global network")
    REGIONAL = "regional", _("Regional network")
    COUNTRY = "country", _("Country network")


class NetworkRole(models.TextChoices):
    MEMBER = "member", _("Member")
    EXECUTIVE_COMMITTEE = "executive-committee", _("Executive committee")
    COORDINATOR = "coordinator", _("Coordinator")
    SECRETARIAT = "secretariat", _("Secretariat")


class InstrumentKind(models.TextChoices):
    TREATY = "treaty", _("Treaty")
    CONVENTION = "convention", _("Convention")
    PROTOCOL = "protocol", _("Protocol")
    DECLARATION = "declaration", _("Declaration")
    COMPACT = "compact", _("Compact")
    RESOLUTION = "resolution", _("Resolution")
    CONSTITUTION = "constitution", _("Constitution")


class ParticipationAction(models.TextChoices):
    SIGNATURE = "signature", _("Signature")
    RATIFICATION = "ratification", _("Ratification")
    ACCESSION = "accession", _("Accession")
    SUCCESSION = "succession", _("Succession")
    ACCEPTANCE = "acceptance", _("Acceptance or approval")


# Actions that make a state a party (a signature alone does not).
BINDING_ACTIONS = (
    ParticipationAction.RATIFICATION,
    ParticipationAction.ACCESSION,
    ParticipationAction.SUCCESSION,
    ParticipationAction.ACCEPTANCE,
)


class FrameworkItemKind(models.TextChoices):
    OBJECTIVE = "objective", _("Objective")
    GUIDING_PRINCIPLE = "guiding-principle", _("Guiding principle")
    PRINCIPLE = "principle", _("Principle")
    THEMATIC_AREA = "thematic-area", _("Thematic area")
    GOAL = "goal", _("Goal")
    TARGET = "target", _("Target")
    INDICATOR = "indicator", _("Indicator")


class CrosswalkRelation(models.TextChoices):
    RELATES_TO = "relates-to", _("Relates to")
    CONTRIBUTES_TO = "contributes-to", _("Contributes to")

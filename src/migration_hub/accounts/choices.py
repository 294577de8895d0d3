from django.db import models
from django.utils.translation import gettext_lazy as _

from migration_hub.core.choices import Role

__all__ = ["OrganizationKind", "Role"]


class OrganizationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry or government agency")
    IGO = "igo", _("Intergovernmental organization")
    UN_ENTITY = "un_entity", _("UN entity")
    NGO = "ngo", _("Non-governmental organization")
    NETWORK_SECRETARIAT = "network_secretariat", _("Network secretariat")
    DONOR = "donor", _("Donor")
    PARLIAMENT = "parliament", _("Parliament")
    RESEARCH = "research", _("Research institution")
    OTHER = "other", _("Other")

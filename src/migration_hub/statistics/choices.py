from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    TOTAL = "total", _("Both sexes")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Flag(models.TextChoices):
    """What the publisher says about a figure; a missing figure has no value, never zero."""

    NONE = "", _("As published")
    MISSING = "missing", _("Missing")
    ESTIMATE = "estimate", _("Estimate")


class AreaKind(models.TextChoices):
    WORLD = "world", _("World")
    REGION = "region", _("Region")
    SUB_REGION = "sub_region", _("Sub-region")
    INTERMEDIATE_REGION = "intermediate_region", _("Intermediate region")
    COUNTRY = "country", _("Country or area")
    GROUP = "group", _("Group of countries")
    OTHER = "other", _("Other (stateless, unknown)")


class ImportKind(models.TextChoices):
    UNDESA_STOCK = "undesa-stock", _("UN DESA International Migrant Stock workbook")
    UNDESA_ORIGIN_DESTINATION = (
        "undesa-origin-destination",
        _("UN DESA origin by destination matrix"),
    )
    UNHCR = "unhcr", _("UNHCR refugees and asylum seekers")
    WDI = "wdi", _("World Bank World Development Indicators sheet")
    INDICATOR_CSV = "indicator-csv", _("Indicator CSV, XLSX or SDMX-CSV")


class ContributionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved and merged")
    REJECTED = "rejected", _("Rejected")

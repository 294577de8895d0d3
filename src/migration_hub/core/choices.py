from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    GRANT = "grant", _("Role granted")
    REVOKE = "revoke", _("Role revoked")
    TWO_FACTOR = "two_factor", _("Two-factor change")
    LOAD = "load", _("Data loaded")


class RegionLevel(models.TextChoices):
    WORLD = "world", _("World")
    REGION = "region", _("Region")
    SUB_REGION = "sub_region", _("Sub-region")
    INTERMEDIATE_REGION = "intermediate_region", _("Intermediate region")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSON = "json", "JSON"


class Role(models.TextChoices):
    """What a person may do in an organization; one membership row per role."""

    VIEWER = "viewer", _("Viewer")
    CONTRIBUTOR = "contributor", _("Contributor")
    REVIEWER = "reviewer", _("Reviewer")
    EDITOR = "editor", _("Editor")
    CASE_WORKER = "case_worker", _("Case worker")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    PANEL_PHYSICIAN = "panel_physician", _("Panel physician")
    HEALTH_COORDINATOR = "health_coordinator", _("Health coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")

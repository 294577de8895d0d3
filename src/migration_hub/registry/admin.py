from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from migration_hub.core.admin import AuditedModelAdmin

from . import models


class RegistryAdmin(AuditedModelAdmin, SimpleHistoryAdmin):
    """Registry records in the admin: audited, with their history one click away."""


@admin.register(models.Organization)
class OrganizationAdmin(RegistryAdmin):
    list_display = ["code", "name", "kind", "headquarters_country", "migration_mandate"]
    list_filter = ["kind", "migration_mandate", "scope"]
    search_fields = ["code", "name", "acronym"]


@admin.register(models.Instrument)
class InstrumentAdmin(RegistryAdmin):
    list_display = ["code", "title", "kind", "binding", "core_migration", "adopted_on"]
    list_filter = ["kind", "binding", "core_migration"]
    search_fields = ["code", "title", "symbol"]


@admin.register(models.FrameworkItem)
class FrameworkItemAdmin(RegistryAdmin):
    list_display = ["code", "framework", "kind", "title", "parent"]
    list_filter = ["framework", "kind"]
    search_fields = ["code", "title"]


for model in (
    models.Right,
    models.Framework,
    models.Network,
    models.Membership,
    models.NetworkMembership,
    models.Participation,
    models.Provision,
    models.Crosswalk,
    models.Office,
    models.OrganizationFact,
):
    admin.site.register(model, RegistryAdmin)

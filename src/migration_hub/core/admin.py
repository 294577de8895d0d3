from django.contrib import admin
from django.db import transaction

from . import audit
from .choices import AuditAction
from .models import AuditEvent, Country, Region


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin edits leave the same audit trail as service writes."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {}
            if change:
                before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk))
                if hasattr(obj, "version"):
                    obj.version += 1
            super().save_model(request, obj, form, change)
            audit.record(
                request.user,
                AuditAction.UPDATE if change else AuditAction.CREATE,
                obj,
                changes=audit.diff(before, audit.snapshot(obj)),
                organization_id=getattr(obj, "owner_organization_id", None),
                metadata={"via": "admin"},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                request.user,
                AuditAction.DELETE,
                obj,
                changes=audit.diff(audit.snapshot(obj), {}),
                organization_id=getattr(obj, "owner_organization_id", None),
                metadata={"via": "admin"},
            )
            super().delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by services and never edited."""

    list_display = ["created_at", "actor_ref", "action", "target_type", "target_id"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Country)
class CountryAdmin(AuditedModelAdmin):
    list_display = ["name", "alpha2", "alpha3", "m49_code", "region", "sub_region"]
    search_fields = ["name", "alpha3"]
    list_select_related = ["region", "sub_region"]


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["name", "m49_code", "level", "parent"]

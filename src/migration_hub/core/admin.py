from django.contrib import admin
from django.db import transaction

from . import audit, search
from .choices import AuditAction
from .models import AuditEvent, Country, Region


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin edits leave the same trail as service writes: audit event, version, search index.

    The admin has no version check: it is for administrators fixing records, and the audit
    trail shows each change.
    """

    def _record(self, request, obj, action, before):
        after = audit.snapshot(obj) if action != AuditAction.DELETE else {}
        audit.record(
            request.user,
            action,
            obj,
            changes=audit.diff(before, after),
            organization_id=getattr(obj, "owner_organization_id", None),
            metadata={"via": "admin"},
        )

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {}
            if change:
                before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk))
                if hasattr(obj, "version"):
                    obj.version += 1
            super().save_model(request, obj, form, change)
            self._record(request, obj, AuditAction.UPDATE if change else AuditAction.CREATE, before)
            if search.is_registered(type(obj)):
                search.index_object(obj)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            for deleted in formset.initial_forms:
                if deleted in formset.deleted_forms:
                    self._record(
                        request,
                        deleted.instance,
                        AuditAction.DELETE,
                        audit.snapshot(deleted.instance),
                    )
            instances = formset.save()
            for instance in instances:
                self._record(request, instance, AuditAction.UPDATE, {})

    def delete_queryset(self, request, queryset):
        # The list's "delete selected" action: one audited delete per row.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._record(request, obj, AuditAction.DELETE, audit.snapshot(obj))
            if search.is_registered(type(obj)):
                search.remove_object(obj)
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

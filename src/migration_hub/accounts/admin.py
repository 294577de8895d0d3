from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models

from migration_hub.core.admin import AuditedModelAdmin

from . import services
from .models import Membership, Office, Organization, RolePolicy, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Migration Hub", {"fields": ("preferred_language",)}))


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "acronym"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        # The code is stable once created: URLs, filters and imports use it.
        return ["version", "code"] if obj else ["version"]


@admin.register(Office)
class OfficeAdmin(AuditedModelAdmin):
    list_display = ["name", "organization", "country", "is_headquarters"]
    list_select_related = ["organization", "country"]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "organization"]


@admin.register(RolePolicy)
class RolePolicyAdmin(AuditedModelAdmin):
    """Where an administrator requires two-factor sign-in for a role."""

    list_display = ["role", "require_two_factor", "updated_at"]
    list_editable = ["require_two_factor"]

    def save_model(self, request, obj, form, change):
        services.set_role_policy(
            actor=request.user, role=obj.role, require_two_factor=obj.require_two_factor
        )

"""The admin site's view of case management: read-only, in the scope of the selectors, every
list and record shown audited.

Cases and people are listed through `selectors.cases_for` / `people_for` (a superuser sees
nothing without a staff row, as on the pages); no sensitive detail, name or note is shown
here. Teams and staff rows are listed for the organizations where the user is an
organization administrator (a superuser: all), and changed through the services
(`services.create_team`, `services.add_staff`), not here. Break-glass requests are listed for
the requester and for the approvers of the case's organization.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from . import permissions, selectors
from .choices import CaseRole
from .models import BreakGlassRequest, Case, CaseStaff, DataSharingAgreement, Person, Referral, Team
from .models.referrals import SharedSection


def _organizations_with(user: Any, *roles: str) -> list[str]:
    return [org for org, held in permissions.case_roles(user).items() if held & set(roles)]


class ReadOnlyAuditedAdmin(admin.ModelAdmin):
    """No add, change or delete; each record opened and each list shown is audited."""

    list_name = ""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        if not request.user.is_active or not request.user.is_staff:
            return False
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_active and request.user.is_staff

    def record_open(self, request: Any, obj: Any) -> None:
        audit.record(
            request.user,
            AuditAction.VIEW,
            obj,
            organization_id=getattr(obj, "owner_organization_id", None),
            metadata={"via": "admin"},
        )

    def change_view(
        self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_view_permission(request, obj):
            self.record_open(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            audit.record(
                request.user,
                AuditAction.VIEW,
                None,
                metadata={
                    "list": f"admin:{self.list_name}",
                    "via": "admin",
                    "ids": [row.pk for row in changelist.result_list],
                },
            )
        return response


@admin.register(Case)
class CaseAdmin(ReadOnlyAuditedAdmin):
    list_name = "cases"
    list_display = ["reference", "case_type", "state", "office", "team", "opened_at"]
    list_filter = ["case_type", "state"]
    fields = [
        "reference",
        "case_type",
        "state",
        "organization",
        "office",
        "team",
        "assigned_to",
        "opened_at",
        "closed_at",
        "version",
    ]
    readonly_fields = fields

    def get_queryset(self, request: Any) -> QuerySet[Case]:
        queryset = selectors.cases_for(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def record_open(self, request: Any, obj: Any) -> None:
        selectors.record_case_read(request.user, obj, via="admin")


@admin.register(Person)
class PersonAdmin(ReadOnlyAuditedAdmin):
    """Ids only: what identifies the person is read on the case pages, audited there."""

    list_name = "people"
    list_display = ["public_id", "organization", "created_at"]
    fields = ["public_id", "organization", "household", "created_at", "version"]
    readonly_fields = fields

    def get_queryset(self, request: Any) -> QuerySet[Person]:
        return selectors.people_for(request.user)


@admin.register(Team)
class TeamAdmin(ReadOnlyAuditedAdmin):
    list_name = "teams"
    list_display = ["name", "office", "organization"]
    fields = ["name", "office", "organization"]
    readonly_fields = fields

    def get_queryset(self, request: Any) -> QuerySet[Team]:
        queryset = super().get_queryset(request).select_related("office", "organization")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            organization_id__in=_organizations_with(request.user, CaseRole.ORGANIZATION_ADMIN)
        )


@admin.register(CaseStaff)
class CaseStaffAdmin(ReadOnlyAuditedAdmin):
    list_name = "case_staff"
    list_display = ["user", "role", "scope", "organization", "office", "team", "is_active"]
    list_filter = ["role", "scope", "is_active"]
    fields = ["user", "role", "scope", "organization", "office", "team", "is_active"]
    readonly_fields = fields

    def get_queryset(self, request: Any) -> QuerySet[CaseStaff]:
        queryset = (
            super().get_queryset(request).select_related("user", "organization", "office", "team")
        )
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            organization_id__in=_organizations_with(request.user, CaseRole.ORGANIZATION_ADMIN)
        )


@admin.register(BreakGlassRequest)
class BreakGlassRequestAdmin(ReadOnlyAuditedAdmin):
    """Without the reason (encrypted): the request's page shows it to its approvers."""

    list_name = "break_glass_requests"
    list_display = ["id", "case", "requested_by", "requested_at", "approved_by", "expires_at"]
    fields = ["case", "requested_by", "requested_at", "approved_by", "approved_at", "expires_at"]
    readonly_fields = fields

    def get_queryset(self, request: Any) -> QuerySet[BreakGlassRequest]:
        approvers = _organizations_with(request.user, *permissions.BREAK_GLASS_APPROVERS)
        return (
            super()
            .get_queryset(request)
            .filter(Q(requested_by=request.user) | Q(case__organization_id__in=approvers))
            .select_related("case", "requested_by", "approved_by")
        )


# --- referrals and data-sharing agreements (read-only; writes go through
# `cases.services.referrals`) ---------------------------------------------------------------


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(ReadOnlyAuditedAdmin):
    """Agreements of the organizations where the user is an organization administrator or data
    protection officer (either side); a superuser sees all and may record one, through
    `services.referrals.create_sharing_agreement`. None is changed or deleted here."""

    list_name = "sharing_agreements"
    list_display = [
        "signed_reference",
        "from_organization",
        "to_organization",
        "valid_from",
        "valid_until",
        "is_active",
    ]
    list_filter = ["is_active"]
    fields = [
        "from_organization",
        "to_organization",
        "purpose",
        "shared_sections",
        "valid_from",
        "valid_until",
        "signed_reference",
        "is_active",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return request.user.is_active and request.user.is_superuser

    def get_fields(self, request: Any, obj: Any = None) -> list[str]:
        # A new agreement starts active; ending one is `services.referrals.end_sharing_agreement`.
        return list(self.fields) if obj is not None else self.fields[:-1]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return list(self.fields) if obj is not None else []

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "shared_sections" in form.base_fields:
            from django import forms

            form.base_fields["shared_sections"] = forms.MultipleChoiceField(
                label=DataSharingAgreement._meta.get_field("shared_sections").verbose_name,
                choices=SharedSection.choices,
                widget=forms.CheckboxSelectMultiple,
            )
        return form

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if change:  # pragma: no cover - has_change_permission is False
            raise PermissionDenied
        from .services.referrals import create_sharing_agreement

        data = form.cleaned_data
        created = create_sharing_agreement(
            actor=request.user,
            from_organization=data["from_organization"],
            to_organization=data["to_organization"],
            purpose=data["purpose"],
            shared_sections=data["shared_sections"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            signed_reference=data["signed_reference"],
        )
        obj.pk = created.pk
        obj._state.adding = False

    def get_queryset(self, request: Any) -> QuerySet[DataSharingAgreement]:
        queryset = (
            super().get_queryset(request).select_related("from_organization", "to_organization")
        )
        if request.user.is_superuser:
            return queryset
        organizations = _organizations_with(
            request.user, CaseRole.ORGANIZATION_ADMIN, CaseRole.DATA_PROTECTION_OFFICER
        )
        return queryset.filter(
            Q(from_organization_id__in=organizations) | Q(to_organization_id__in=organizations)
        )


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAuditedAdmin):
    """Referrals the user may see (`services.referrals.referrals_for`: the sending side's
    cases in scope, the receiving organization's staff), ids and status only: no reason and
    nothing of the case."""

    list_name = "referrals"
    list_display = [
        "public_id",
        "kind",
        "status",
        "basis",
        "from_organization",
        "to_organization",
        "requested_at",
        "expires_at",
    ]
    list_filter = ["kind", "status", "basis"]
    fields = [
        "public_id",
        "kind",
        "status",
        "basis",
        "from_organization",
        "to_organization",
        "agreement",
        "services",
        "shared_sections",
        "requested_by",
        "requested_at",
        "approved_by",
        "approved_at",
        "decided_by",
        "decided_at",
        "revoked_by",
        "revoked_at",
        "expires_at",
        "version",
    ]
    readonly_fields = fields

    def get_queryset(self, request: Any) -> QuerySet[Referral]:
        from .services.referrals import referrals_for

        queryset = referrals_for(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

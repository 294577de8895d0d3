from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction

from .engine import COUNTRY_CODES
from .models import CountryList, ProtocolVersion, TbIncidence
from .services import periods_overlap


class CountryListForm(forms.ModelForm):
    class Meta:
        model = CountryList
        fields = [
            "code",
            "title",
            "effective_from",
            "effective_to",
            "countries",
            "source_title",
            "source_url",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_url"].assume_scheme = "https"

    def clean_countries(self):
        countries = self.cleaned_data["countries"]
        if not isinstance(countries, list):
            raise ValidationError(_('Give a list of country codes, such as ["IN", "PH"].'))
        codes = [str(code).strip().upper() for code in countries]
        unknown = [code for code in codes if code not in COUNTRY_CODES]
        if unknown:
            raise ValidationError(
                _("Not ISO 3166 alpha-2 country codes: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return sorted(set(codes))

    def clean(self):
        cleaned = super().clean()
        code, start = cleaned.get("code"), cleaned.get("effective_from")
        end = cleaned.get("effective_to")
        if code and start:
            others = CountryList.objects.filter(code=code).exclude(pk=self.instance.pk)
            for other in others:
                if periods_overlap((start, end), (other.effective_from, other.effective_to)):
                    raise ValidationError(
                        _(
                            "Its dates overlap the version from %(start)s: end that version "
                            "first (set its effective to)."
                        )
                        % {"start": other.effective_from}
                    )
        return cleaned


@admin.register(CountryList)
class CountryListAdmin(admin.ModelAdmin):
    """Administrators keep the country lists current by adding a new dated version (and ending
    the old one), so the assessments made under the old one stay explainable."""

    form = CountryListForm
    list_display = ["code", "title", "effective_from", "effective_to", "source_title"]
    list_filter = ["code"]
    search_fields = ["code", "title"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            obj,
            changes={"fields": sorted(form.changed_data)},
        )


@admin.register(TbIncidence)
class TbIncidenceAdmin(admin.ModelAdmin):
    list_display = ["country", "year", "per_100k", "release"]
    list_filter = ["year", "release"]
    search_fields = ["country"]


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    """Read-only: a protocol changes by loading its file, so every version has its text."""

    list_display = ["protocol", "version", "destination", "effective_from", "effective_to"]
    list_filter = ["destination"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- The assessment workflow -------------------------------------------------------------------
# Panel sites, physicians and training records are set up here by administrators, each seeing
# those of their own organizations (a superuser: all). Assessments, certificates and referrals
# are read-only: they change through the workflow's services only. The admin shows them with
# the pages' scope (`selectors.assessments_for`: a health role in the organization running the
# site, whatever else the user is, superuser included), checks the rule on each record opened,
# and audits every list and record shown. Results are not in the admin at all: their outcomes
# and values are read on the assessment's page.

import rules  # noqa: E402  (appended section)

from migration_hub.accounts.models import Organization  # noqa: E402
from migration_hub.core.permissions import roles_of  # noqa: E402

from . import selectors  # noqa: E402
from .models import (  # noqa: E402
    Assessment,
    Certificate,
    PanelSite,
    Physician,
    Result,
    TbReferral,
    TrainingRecord,
)


def _member_organization_ids(user):
    """Ids of the organizations where `user` holds any role."""
    return list(roles_of(user))


class AuditedAdminMixin:
    """Writes and openings of a record in the admin leave an audit event."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            obj,
            changes={"fields": sorted(form.changed_data)},
            organization_id=getattr(obj, "owner_organization_id", None),
        )


class OrganizationScopedAdminMixin:
    """Records of the organizations the user belongs to (a superuser: every one), and only
    those organizations' records to choose in the form."""

    organization_lookup = "organization"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.organization_lookup}__in": _member_organization_ids(request.user)}
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            organizations = _member_organization_ids(request.user)
            if db_field.related_model is Organization:
                kwargs["queryset"] = Organization.objects.filter(pk__in=organizations)
            elif db_field.related_model is PanelSite:
                kwargs["queryset"] = PanelSite.objects.filter(organization__in=organizations)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdminMixin:
    """Read-only, in the scope of the assessment pages, every opening and list audited.

    `has_view_permission` tests the rule itself on the record (`rules.has_perm`), not
    `user.has_perm`, which Django answers True for a superuser whatever the rule says."""

    view_rule = "health.view_assessment"
    list_name = ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return super().has_view_permission(request)
        return rules.has_perm(self.view_rule, request.user, obj)

    def get_queryset(self, request):
        """What hangs off the assessments the user may see on the pages."""
        assessments = selectors.assessments_for(request.user).values("pk")
        return super().get_queryset(request).filter(assessment__in=assessments)

    def assessment_id(self, obj):
        return obj.assessment_id

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_view_permission(request, obj):
            audit.record(
                request.user,
                AuditAction.VIEW,
                obj,
                organization_id=getattr(obj, "owner_organization_id", None),
                metadata={"via": "admin"},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            rows = list(changelist.result_list)
            audit.record(
                request.user,
                AuditAction.VIEW,
                None,
                metadata={
                    "list": f"admin:{self.list_name}",
                    "via": "admin",
                    self.list_name: [row.pk for row in rows],
                    "assessments": sorted({self.assessment_id(row) for row in rows}),
                },
            )
        return response


class TrainingRecordInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0
    fields = ["course", "completed_on", "expires_on"]


@admin.register(PanelSite)
class PanelSiteAdmin(OrganizationScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "country", "city", "organization", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["name", "city"]
    raw_id_fields = ["tb_programme"]


@admin.register(Physician)
class PhysicianAdmin(OrganizationScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    organization_lookup = "site__organization"
    list_display = ["user", "site", "licence_number", "is_active"]
    list_filter = ["is_active", ("site", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__last_name", "licence_number"]
    raw_id_fields = ["user"]
    inlines = [TrainingRecordInline]


class ResultInline(admin.TabularInline):
    """Item and dates only: the outcome, value and notes stay on the assessment's page."""

    model = Result
    extra = 0
    fields = ["item", "result_date", "recorded_by", "recorded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_name = "assessments"
    list_display = ["id", "site", "destination", "appointment_at", "status", "tb_class"]
    list_filter = ["status", "destination", "tb_class", ("site", admin.RelatedOnlyFieldListFilter)]
    fields = [
        "site",
        "physician",
        "appointment_at",
        "destination",
        "exam_date",
        "protocol_version",
        "status",
        "tb_class",
        "decision",
        "decided_at",
        "version",
    ]
    readonly_fields = fields
    inlines = [ResultInline]

    def get_queryset(self, request):
        queryset = selectors.assessments_for(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def assessment_id(self, obj):
        return obj.pk


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_rule = "health.view_certificate"
    list_name = "certificates"
    list_display = ["number", "assessment", "issued_at", "valid_until"]
    search_fields = ["number"]
    fields = ["number", "assessment", "issued_at", "valid_from", "valid_until", "validity"]
    readonly_fields = fields


@admin.register(TbReferral)
class TbReferralAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_name = "tb_referrals"
    list_display = ["id", "assessment", "to_organization", "status", "sent_at"]
    list_filter = ["status"]
    fields = [
        "assessment",
        "to_organization",
        "status",
        "consent_given",
        "consent_recorded_at",
        "consent_recorded_by",
        "sent_at",
    ]
    readonly_fields = fields

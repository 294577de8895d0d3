"""Forms of the assessment pages: the list's filters, the appointment, and one form per step.

They only collect and shape input: every rule (what the protocol requires, the order of the
steps, consent) is checked by `health.workflow`, whose errors the views put next to the field
they name. Each step form carries the `version` of the assessment the page showed.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.forms import SummaryForm

from ..choices import ApplicantCategory, Destination, Sex
from ..models import Assessment, PanelSite, Physician
from ..selectors import sites_for
from ..workflow_choices import (
    AssessmentStatus,
    Decision,
    ReferralStatus,
    TbClass,
    outcomes_for,
)


class DateInput(forms.DateInput):
    """A native date picker: ISO dates in and out, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _words(text: str) -> list[str]:
    return [word.strip() for word in (text or "").replace(";", ",").split(",") if word.strip()]


# --- the list -----------------------------------------------------------------------------------


class AssessmentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AssessmentStatus.choices, empty_label=_("All statuses")
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Panel site"), queryset=PanelSite.objects.none(), empty_label=_("All sites")
    )
    destination = django_filters.ChoiceFilter(
        label=_("Destination"), choices=Destination.choices, empty_label=_("All destinations")
    )
    # Short labels: a filter's select is as wide as its longest option, and must fit a phone.
    tb_class = django_filters.ChoiceFilter(
        label=_("TB class"),
        choices=[(TbClass.NONE, _("None")), *[(c, c) for c in TbClass.values[1:]]],
        empty_label=_("All TB classes"),
    )
    since = django_filters.DateFilter(
        label=_("Appointments from"),
        field_name="appointment_at",
        lookup_expr="date__gte",
        widget=DateInput(),
    )
    until = django_filters.DateFilter(
        label=_("Appointments until"),
        field_name="appointment_at",
        lookup_expr="date__lte",
        widget=DateInput(),
    )

    class Meta:
        model = Assessment
        fields = ["status", "site", "destination", "tb_class", "since", "until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        sites = sites_for(user).order_by("name")
        self.filters["site"].queryset = sites
        self.form.fields["site"].queryset = sites


# --- the appointment ----------------------------------------------------------------------------


class PhysicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Physician) -> str:
        name = (obj.user.get_full_name() or "").strip() or obj.user.get_username()
        return f"{name} ({obj.site.name})"


class ScheduleForm(SummaryForm):
    """The appointment, the person and the profile the requirements engine reads."""

    site = forms.ModelChoiceField(label=_("Panel site"), queryset=PanelSite.objects.none())
    physician = PhysicianChoiceField(
        label=_("Physician"),
        queryset=Physician.objects.none(),
        required=False,
        empty_label=_("Not assigned yet"),
    )
    appointment_at = forms.DateTimeField(label=_("Appointment"), widget=DateTimeInput())
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    document_number = forms.CharField(
        label=_("Travel document number"), max_length=64, required=False
    )
    destination = forms.ChoiceField(label=_("Destination"), choices=Destination.choices)
    category = forms.ChoiceField(label=_("Applicant category"), choices=ApplicantCategory.choices)
    citizenship = forms.CharField(
        label=_("Citizenship"),
        max_length=2,
        help_text=_("ISO 3166 alpha-2 code, such as KE."),
    )
    exam_country = forms.CharField(
        label=_("Country of examination"),
        max_length=2,
        required=False,
        help_text=_("ISO alpha-2 code; the panel site's country when empty."),
    )
    pregnant = forms.BooleanField(label=_("Pregnant"), required=False)
    symptoms = forms.CharField(
        label=_("Signs or symptoms of TB"),
        required=False,
        max_length=500,
        help_text=_("Separate them with commas, such as: cough, fever. Empty when none."),
    )
    conditions = forms.CharField(
        label=_("Known conditions"),
        required=False,
        max_length=500,
        help_text=_("Separate them with commas, such as: hiv_positive. Empty when none."),
    )
    intended_stay_months = forms.IntegerField(
        label=_("Intended stay (months)"), required=False, min_value=0, max_value=1200
    )

    def __init__(self, *args: Any, user: Any, sites: QuerySet[PanelSite], **kwargs: Any):
        super().__init__(*args, **kwargs)
        active = sites.filter(is_active=True).order_by("name")
        self.fields["site"].queryset = active
        self.fields["physician"].queryset = (
            Physician.objects.filter(site__in=active, is_active=True)
            .select_related("user", "site")
            .order_by("site__name", "user__last_name", "user__username")
        )
        if len(active) == 1:
            self.fields["site"].initial = active[0].pk
        own = self.fields["physician"].queryset.filter(user=user).first()
        if own is not None:
            self.fields["physician"].initial = own.pk
        self.fields["appointment_at"].initial = timezone.localtime().replace(
            second=0, microsecond=0
        )
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"
        self.fields["document_number"].widget.attrs["autocomplete"] = "off"

    def profile(self) -> dict[str, Any]:
        """The profile given to the requirements engine (the person's date of birth and sex are
        added by the service)."""
        data = self.cleaned_data
        profile: dict[str, Any] = {
            "destination": data["destination"],
            "category": data["category"],
            "citizenship": data["citizenship"].strip().upper(),
        }
        if data.get("exam_country"):
            profile["exam_country"] = data["exam_country"].strip().upper()
        if data.get("pregnant"):
            profile["pregnant"] = True
        if _words(data.get("symptoms", "")):
            profile["symptoms"] = _words(data["symptoms"])
        if _words(data.get("conditions", "")):
            profile["conditions"] = _words(data["conditions"])
        if data.get("intended_stay_months") is not None:
            profile["intended_stay_months"] = data["intended_stay_months"]
        return profile


# --- the steps ----------------------------------------------------------------------------------


class StepForm(SummaryForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ResultForm(StepForm):
    """The result of one item; its prefix is the item's code, so every item's form on the page
    has its own field ids."""

    item = forms.CharField(widget=forms.HiddenInput, max_length=32)
    outcome = forms.ChoiceField(label=_("Outcome"))
    value = forms.CharField(
        label=_("Value or finding"),
        required=False,
        max_length=500,
        help_text=_("Such as the reading, the titre or the radiologist's finding."),
    )
    result_date = forms.DateField(label=_("Date of the result"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, item: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", item)
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "---------")] + [
            (choice.value, choice.label) for choice in outcomes_for(item)
        ]
        self.fields["item"].initial = item
        self.fields["result_date"].initial = timezone.localdate


class ClassifyForm(StepForm):
    tb_class = forms.ChoiceField(label=_("TB class"), choices=TbClass.choices)


class DecisionForm(StepForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to defer or refer."),
    )


class ReferralForm(StepForm):
    to_organization = forms.ModelChoiceField(
        label=_("National TB programme"), queryset=PanelSite.objects.none()
    )
    consent_given = forms.BooleanField(
        label=_(
            "The person was informed and consents to their data being shared with this TB "
            "programme for follow-up."
        ),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organizations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = organizations


class ReferralStatusForm(StepForm):
    status = forms.ChoiceField(
        label=_("Referral status"),
        choices=[
            (ReferralStatus.ACKNOWLEDGED, ReferralStatus.ACKNOWLEDGED.label),
            (ReferralStatus.CLOSED, ReferralStatus.CLOSED.label),
        ],
    )


class CertificateForm(StepForm):
    pass


class DashboardFilterForm(forms.Form):
    since = forms.DateField(label=_("Appointments from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Appointments until"), required=False, widget=DateInput())
    site = forms.ModelChoiceField(
        label=_("Panel site"),
        queryset=PanelSite.objects.none(),
        required=False,
        empty_label=_("All sites"),
    )

    def __init__(self, *args: Any, sites: QuerySet[PanelSite], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

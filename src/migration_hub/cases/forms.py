"""Forms of the case pages: the list's filters, intake, and one form per action on a case.

They only collect and shape input: every rule (the workflow, who may write which class,
consent of a child, a date of birth in the future) is checked by `cases.services`, whose
errors the views put next to the field they name. Nothing a client could use to take a record
over (organization, office, team, assignee, state) is a field of any form here: intake takes
them from the acting staff row, so extra POST keys are never read.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from migration_hub.accounts.models import Organization
from migration_hub.core.forms import SummaryForm

from .choices import (
    CaseType,
    ConsentPurpose,
    DatePrecision,
    DocumentKind,
    ProtectionService,
    Sensitivity,
    Sex,
    Vulnerability,
)
from .models import Case
from .services.pages import offices_for
from .services.people import COUNTRY_CODES
from .workflows import all_state_choices

# Labels of the workflow events (`cases.workflows`) on buttons and in the timeline.
EVENT_LABELS: dict[str, Any] = {
    "open": _("Case opened"),
    "assign": _("Assigned"),
    "assess_eligibility": _("Assess eligibility"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "withdraw": _("Withdraw"),
    "arrange_travel": _("Arrange travel"),
    "cancel_travel": _("Cancel the travel"),
    "depart": _("Record the departure"),
    "arrive": _("Record the arrival"),
    "plan_reintegration": _("Plan the reintegration"),
    "start_monitoring": _("Start monitoring"),
    "close": _("Close the case"),
    "assess": _("Start the assessment"),
    "plan_protection": _("Record the protection plan"),
    "refer": _("Refer for assistance"),
    "start_follow_up": _("Start the follow-up"),
    "decline": _("Decline (close the case)"),
    "assess_needs": _("Assess the needs"),
    "provide_assistance": _("Provide assistance"),
    "resolve": _("Record a durable solution"),
    "start_processing": _("Start pre-departure processing"),
    "book_travel": _("Book the travel"),
    "cancel": _("Cancel"),
}


def event_label(event: str) -> str:
    return str(EVENT_LABELS.get(event, event.replace("_", " ").capitalize()))


class DateInput(forms.DateInput):
    """A native date picker: ISO dates in and out, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _codes(text: str) -> list[str]:
    return [word.strip() for word in (text or "").replace(";", ",").split(",") if word.strip()]


# --- the list -----------------------------------------------------------------------------------


class CaseFilterSet(django_filters.FilterSet):
    # Short labels: a filter's select is as wide as its longest option, and must fit a phone.
    case_type = django_filters.ChoiceFilter(
        label=_("Case type"), choices=CaseType.choices, empty_label=_("All types")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=all_state_choices, empty_label=_("All states")
    )
    office = django_filters.ModelChoiceFilter(
        label=_("Office"), queryset=Case.objects.none(), empty_label=_("All offices")
    )

    class Meta:
        model = Case
        fields = ["case_type", "state", "office"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = offices_for(getattr(self.request, "user", None))
        self.filters["office"].queryset = offices
        self.form.fields["office"].queryset = offices


# --- intake -------------------------------------------------------------------------------------


class IntakeForm(SummaryForm):
    """A new case for a new person: who they are, one identity document, the case type."""

    case_type = forms.ChoiceField(
        label=_("Case type"), choices=[("", _("Choose a case type")), *CaseType.choices]
    )
    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(),
        help_text=_("For a month, a year or an estimate, give a date in it and say so below."),
    )
    date_of_birth_precision = forms.ChoiceField(
        label=_("Precision of the date of birth"),
        choices=DatePrecision.choices,
        initial=DatePrecision.EXACT,
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    nationalities = forms.CharField(
        label=_("Nationalities"),
        required=False,
        max_length=200,
        help_text=_("ISO 3166 alpha-2 codes separated by commas, such as NG, GH."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_("ISO 639 codes separated by commas, such as en, ha."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=50,
        help_text=_("A number the person can be reached on, if they agree to give one."),
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        required=False,
        choices=Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    document_kind = forms.ChoiceField(
        label=_("Identity document"),
        required=False,
        choices=[("", _("No document")), *DocumentKind.choices],
    )
    document_country = forms.CharField(
        label=_("Issuing country"),
        required=False,
        max_length=2,
        help_text=_("ISO 3166 alpha-2 code, such as NG."),
    )
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=64)
    document_expires_on = forms.DateField(
        label=_("Document expires on"), required=False, widget=DateInput()
    )
    note = forms.CharField(
        label=_("Intake note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept encrypted in the case's timeline."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_name", "family_name", "phone", "document_number"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parts = {
            "document_kind": data.get("document_kind"),
            "document_country": (data.get("document_country") or "").strip().upper(),
            "document_number": (data.get("document_number") or "").strip(),
        }
        if any(parts.values()) or data.get("document_expires_on"):
            messages = {
                "document_kind": _("Choose the kind of document."),
                "document_country": _("Give the issuing country's code."),
                "document_number": _("Give the document number."),
            }
            for name, value in parts.items():
                if not value and name not in self.errors:
                    self.add_error(name, messages[name])
            country = parts["document_country"]
            if country and country not in COUNTRY_CODES:
                self.add_error("document_country", _("Give an ISO 3166 alpha-2 code, such as NG."))
        return data

    def person_data(self) -> dict[str, Any]:
        """What the intake service is told about the person."""
        data = self.cleaned_data
        person: dict[str, Any] = {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "date_of_birth": data["date_of_birth"].isoformat() if data["date_of_birth"] else "",
            "date_of_birth_precision": data["date_of_birth_precision"],
            "sex": data["sex"],
            "nationalities": _codes(data["nationalities"]),
            "languages": _codes(data["languages"]),
            "vulnerabilities": list(data["vulnerabilities"]),
            "contact": {"phone": data["phone"].strip()} if data["phone"].strip() else {},
        }
        if data.get("document_kind"):
            person["documents"] = [
                {
                    "kind": data["document_kind"],
                    "issuing_country": data["document_country"].strip().upper(),
                    "number": data["document_number"],
                    "expires_on": data.get("document_expires_on"),
                }
            ]
        return person


# --- actions on a case --------------------------------------------------------------------------


class TransitionForm(SummaryForm):
    """One step of the workflow: the event is the button pressed; the case's version is the
    one the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    event = forms.CharField(widget=forms.HiddenInput, max_length=40)
    services = forms.MultipleChoiceField(
        label=_("Services of the protection plan"),
        required=False,
        choices=ProtectionService.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one, to record the protection plan."),
    )
    note = forms.CharField(
        label=_("Note on this step (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, with_services: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_transition_%s")
        super().__init__(*args, **kwargs)
        if not with_services:
            del self.fields["services"]


class RevealForm(SummaryForm):
    """The reason for revealing one masked class; its field ids carry the class, so each
    class's form on the page has its own."""

    sensitivity = forms.ChoiceField(widget=forms.HiddenInput, choices=Sensitivity.choices)
    reason = forms.CharField(
        label=_("Reason for revealing"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit log as written: give no names."),
    )

    def __init__(self, *args: Any, sensitivity: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_reveal_{sensitivity or 'class'}_%s")
        super().__init__(*args, **kwargs)
        if sensitivity:
            self.fields["sensitivity"].initial = sensitivity


class ReasonForm(SummaryForm):
    """A reason for an action on one row (revealing a note, withdrawing a consent)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded as written: give no names."),
    )

    def __init__(
        self, *args: Any, row: str = "", required: bool = True, label: Any = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", f"id_{row or 'row'}_%s")
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if label is not None:
            self.fields["reason"].label = label


class NoteForm(SummaryForm):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    sensitivity = forms.ChoiceField(
        label=_("Sensitivity class"),
        required=False,
        help_text=_("A note of a class is masked to the roles that may not see that class."),
    )

    def __init__(self, *args: Any, classes: list[str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)
        allowed = set(classes or ())
        self.fields["sensitivity"].choices = [
            ("", _("None")),
            *[(value, label) for value, label in Sensitivity.choices if value in allowed],
        ]


class TaskForm(SummaryForm):
    title = forms.CharField(label=_("Task"), max_length=300)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_task_%s")
        super().__init__(*args, **kwargs)


class ConsentForm(SummaryForm):
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=[("", _("Choose a purpose")), *ConsentPurpose.choices]
    )
    scope = forms.CharField(
        label=_("What the person agreed to"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organizations the data may be shared with"),
        required=False,
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a consent to sharing only."),
    )
    child_assent = forms.BooleanField(
        label=_("The child assents (for a person under 18)"), required=False
    )
    guardian_name = forms.CharField(
        label=_("Guardian who consents (for a person under 18)"), required=False, max_length=200
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_consent_%s")
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.order_by("name")

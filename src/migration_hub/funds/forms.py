"""Forms of the fund pages: one per step a person takes. They only collect and shape input;
every rule about money and the programme's lifecycle is checked by `services`, whose errors the
views put back next to the field they name (`add_service_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.accounts.models import Organization as Tenant
from migration_hub.core.forms import SummaryForm
from migration_hub.core.models import Country, Region
from migration_hub.registry.models import FrameworkItem, Organization

from .choices import DecisionOutcome, DonorKind, ReportKind
from .models import (
    Call,
    Contribution,
    Fund,
    Marker,
    Participant,
    Programme,
    ThematicArea,
    Tranche,
)


def today() -> Any:
    return timezone.localdate()


class DateInput(forms.DateInput):
    """A native date picker: ISO dates in and out, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    kwargs.setdefault("initial", today)
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


class MoneyField(forms.CharField):
    """An amount as typed ("250000", "250,000.00"): kept as text so that the service parses
    it exactly (Decimal, never float) and words its own error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}


class VersionField(forms.IntegerField):
    """The version of the record when the page was rendered, sent back hidden: the service
    refuses the step when the record has changed since (a second click, a resent form, or
    someone else's step), so the same money is never posted twice."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("The form is out of date: open the page again and send it anew."),
                "invalid": _("The form is out of date: open the page again and send it anew."),
            },
        )
        super().__init__(**kwargs)


FundsForm = SummaryForm


# --- Money in ---------------------------------------------------------------------------------


class ContributionForm(FundsForm):
    """A donor's pledge: the donor is a state, a registry organization or a private donor."""

    donor_kind = forms.ChoiceField(
        label=_("The donor is"),
        choices=DonorKind.choices,
        widget=forms.RadioSelect,
        initial=DonorKind.STATE,
    )
    donor_country = forms.ModelChoiceField(
        label=_("Donor state"),
        queryset=Country.objects.none(),
        to_field_name="alpha3",
        required=False,
        help_text=_("When the donor is a state."),
    )
    donor_organization = forms.ModelChoiceField(
        label=_("Donor organization"),
        queryset=Organization.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("When the donor is an organization in the registry."),
    )
    donor_name = forms.CharField(
        label=_("Private donor's name"),
        max_length=300,
        required=False,
        help_text=_("When the donor is a foundation, a company or a person."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        help_text=_("Three-letter ISO 4217 code, such as USD or EUR."),
    )
    amount = MoneyField(label=_("Amount pledged"), help_text=_("In the currency above."))
    pledged_on = date_field(_("Pledged on"))
    earmarked_thematic_area = forms.ModelChoiceField(
        label=_("Earmarked to thematic area"),
        queryset=ThematicArea.objects.none(),
        required=False,
        empty_label=_("Not earmarked to a thematic area"),
    )
    earmarked_region = forms.ModelChoiceField(
        label=_("Earmarked to region"),
        queryset=Region.objects.none(),
        to_field_name="m49_code",
        required=False,
        empty_label=_("Not earmarked to a region"),
        help_text=_("Earmark to a thematic area or to a region, not both."),
    )
    reference = forms.CharField(label=_("Agreement reference"), max_length=100, required=False)

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        kwargs["initial"] = {"currency": fund.currency, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["donor_country"].queryset = Country.objects.order_by("name")
        self.fields["donor_organization"].queryset = Organization.objects.order_by("name")
        self.fields["earmarked_thematic_area"].queryset = fund.thematic_areas.all()
        self.fields["earmarked_region"].queryset = Region.objects.order_by("name")

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        needed = {
            DonorKind.STATE: ("donor_country", _("Choose the state that gives.")),
            DonorKind.ORGANIZATION: ("donor_organization", _("Choose the organization.")),
            DonorKind.PRIVATE: ("donor_name", _("Give the private donor's name.")),
        }.get(cleaned.get("donor_kind"))
        if needed and not cleaned.get(needed[0]):
            self.add_error(needed[0], needed[1])
        return cleaned

    def donor_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `services.donor_for` for the kind of donor chosen."""
        kind = self.cleaned_data["donor_kind"]
        if kind == DonorKind.STATE:
            return {"country": self.cleaned_data["donor_country"]}
        if kind == DonorKind.ORGANIZATION:
            return {"organization": self.cleaned_data["donor_organization"]}
        return {"name": self.cleaned_data["donor_name"]}


class SignForm(FundsForm):
    signed_on = date_field(_("Agreement signed on"))


class DepositForm(FundsForm):
    date = date_field(
        _("Deposited on"),
        help_text=_("The deposit is converted at the exchange rate of this day."),
    )
    amount = MoneyField(label=_("Amount received"))
    version = VersionField()

    def __init__(self, *args: Any, contribution: Contribution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _("In %(currency)s, the contribution's currency.") % {
            "currency": contribution.currency
        }
        self.fields["version"].initial = contribution.version


class ExchangeRateForm(FundsForm):
    """A rate in the table of one of the organizations where the user may add rates: the
    deposits of that organization's funds are converted with it."""

    organization = forms.ModelChoiceField(
        label=_("Rate table of"),
        queryset=Tenant.objects.none(),
        empty_label=_("Choose the organization"),
        help_text=_("The funds of this organization convert their deposits at its rates."),
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, min_length=3, help_text=_("For example EUR.")
    )
    quote_currency = forms.CharField(
        label=_("In currency"),
        max_length=3,
        min_length=3,
        initial="USD",
        help_text=_("The fund's currency, for example USD."),
    )
    date = date_field(_("Date"))
    rate = forms.CharField(
        label=_("Rate"),
        max_length=32,
        help_text=_("What one unit of the currency is worth in the other, such as 1.0890."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("For example the UN operational rate of exchange."),
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations
        choices = list(organizations[:2])
        if len(choices) == 1:
            # The only organization where the user may add rates: nothing to choose.
            field.empty_label = None
            field.initial = choices[0].pk

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_quote_currency(self) -> str:
        return self.cleaned_data["quote_currency"].strip().upper()


# --- Calls and concept notes -------------------------------------------------------------------


class CallForm(FundsForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    opens_on = date_field(_("Opens on"))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    thematic_areas = forms.ModelMultipleChoiceField(
        label=_("Thematic areas"),
        queryset=ThematicArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: the call is open to every thematic area."),
    )

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["thematic_areas"].queryset = fund.thematic_areas.all()


def marker_field_name(marker: Marker) -> str:
    return f"marker_{marker.code}"


class ConceptNoteForm(FundsForm):
    """A concept note: where, what for, who carries it out, how much, and its markers."""

    organization = forms.ModelChoiceField(
        label=_("Submitted by"), queryset=Tenant.objects.none(), empty_label=None
    )
    call = forms.ModelChoiceField(
        label=_("Call for concept notes"),
        queryset=Call.objects.none(),
        required=False,
        empty_label=_("No call (outside a call)"),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    thematic_area = forms.ModelChoiceField(
        label=_("Thematic area"), queryset=ThematicArea.objects.none()
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country.objects.none(),
        to_field_name="alpha3",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("A country or a region, or both. Hold Ctrl (Cmd on a Mac) to choose several."),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.none(),
        to_field_name="m49_code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("For a regional programme."),
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("GCM objectives"),
        queryset=FrameworkItem.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    participating_organizations = forms.ModelMultipleChoiceField(
        label=_("Participating UN organizations"),
        queryset=Organization.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A joint programme has at least two."),
    )
    national_partners = forms.CharField(
        label=_("National partners"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    budget = MoneyField(label=_("Budget requested"))

    def __init__(
        self, *args: Any, fund: Fund, organizations: Any, calls: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fund = fund
        self.fields["organization"].queryset = organizations
        self.fields["call"].queryset = calls
        self.fields["thematic_area"].queryset = fund.thematic_areas.all()
        self.fields["countries"].queryset = Country.objects.order_by("name")
        self.fields["regions"].queryset = Region.objects.order_by("name")
        self.fields["objectives"].queryset = FrameworkItem.objects.filter(
            framework__code="GCM", kind="objective"
        ).order_by("position", "code")
        self.fields["participating_organizations"].queryset = Organization.objects.filter(
            kind__startswith="un"
        ).order_by("name")
        self.fields["budget"].help_text = _("In %(currency)s.") % {"currency": fund.currency}
        self.markers = list(fund.markers.all())
        for marker in self.markers:
            self.fields[marker_field_name(marker)] = forms.TypedChoiceField(
                label=marker.name,
                coerce=int,
                required=False,
                choices=[("", _("Choose a score"))]
                + [(step["score"], marker.label_for(int(step["score"]))) for step in marker.scale],
            )

    def marker_scores(self) -> dict[str, Any]:
        return {
            marker.code: self.cleaned_data.get(marker_field_name(marker))
            for marker in self.markers
            if self.cleaned_data.get(marker_field_name(marker)) not in (None, "")
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "organization": data["organization"],
            "call": data["call"],
            "title": data["title"],
            "summary": data["summary"],
            "thematic_area": data["thematic_area"],
            "countries": list(data["countries"]),
            "regions": list(data["regions"]),
            "objectives": list(data["objectives"]),
            "participating_organizations": list(data["participating_organizations"]),
            "national_partners": data["national_partners"],
            "budget": data["budget"],
            "marker_scores": self.marker_scores(),
        }


# --- The steps of a programme -----------------------------------------------------------------


def score_field_name(criterion: dict[str, Any]) -> str:
    return f"score_{criterion['code']}"


class AssessmentForm(FundsForm):
    """One assessor's scores on the fund's rubric, each from 0 to the criterion's maximum."""

    def __init__(
        self, *args: Any, rubric: list[dict[str, Any]], previous: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        scores = previous.scores if previous is not None else {}
        for criterion in rubric:
            self.fields[score_field_name(criterion)] = forms.IntegerField(
                label=criterion["label"],
                min_value=0,
                max_value=int(criterion["max"]),
                initial=scores.get(criterion["code"]),
                help_text=_("From 0 to %(max)s.") % {"max": criterion["max"]},
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comment"),
            required=False,
            initial=previous.comment if previous is not None else "",
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def scores(self) -> dict[str, Any]:
        return {
            criterion["code"]: self.cleaned_data.get(score_field_name(criterion))
            for criterion in self.rubric
        }


class DecisionForm(FundsForm):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the decision and shown to the applicant."),
    )
    decided_on = date_field(_("Decided on"))
    meeting = forms.CharField(label=_("Meeting"), max_length=200, required=False)


def budget_field_name(participant: Participant) -> str:
    return f"budget_{participant.organization_id}"


class DocumentForm(FundsForm):
    """The joint programme document: the budget of each participating organization."""

    document_url = forms.URLField(
        label=_("Link to the programme document"), required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, participants: list[Participant], currency: str, **kw: Any):
        super().__init__(*args, **kw)
        self.participants = participants
        for participant in participants:
            self.fields[budget_field_name(participant)] = MoneyField(
                label=_("Budget of %(organization)s")
                % {"organization": participant.organization.name},
                required=False,
                initial=participant.budget if participant.budget else None,
                help_text=_("In %(currency)s.") % {"currency": currency},
            )
        self.order_fields([budget_field_name(p) for p in participants] + ["document_url"])

    def budgets(self) -> dict[Any, str]:
        return {
            participant.organization: (self.cleaned_data.get(budget_field_name(participant)) or "0")
            for participant in self.participants
        }


class ApproveForm(FundsForm):
    approved_on = date_field(_("Approved on"))


class TransferForm(FundsForm):
    organization = forms.ModelChoiceField(
        label=_("To participating organization"), queryset=Organization.objects.none()
    )
    amount = MoneyField(label=_("Amount of the tranche"))
    transferred_on = date_field(_("Transferred on"))
    version = VersionField()

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=programme.participants.values("organization_id")
        ).order_by("name")
        self.fields["version"].initial = programme.version


class ReportForm(FundsForm):
    kind = forms.ChoiceField(
        label=_("Report"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    year = forms.IntegerField(label=_("Year reported on"), min_value=1900, max_value=9999)
    submitted_on = date_field(_("Received on"))
    organization = forms.ModelChoiceField(
        label=_("From participating organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For a financial report."),
    )
    expenditure = MoneyField(
        label=_("Expenditure"), required=False, help_text=_("For a financial report.")
    )
    tranches = forms.ModelMultipleChoiceField(
        label=_("Tranches accounted for"),
        queryset=Tranche.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a financial report: the organization's tranches it covers."),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        kwargs["initial"] = {"year": today().year, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=programme.participants.values("organization_id")
        ).order_by("name")
        self.fields["tranches"].queryset = programme.tranches.select_related("organization")
        if not programme.tranches.exists():
            self.fields["tranches"].help_text = _("No tranche has been transferred yet.")
        self.fields["tranches"].label_from_instance = lambda tranche: (
            _("Tranche %(number)s to %(organization)s: %(amount)s on %(day)s")
            % {
                "number": tranche.number,
                "organization": tranche.organization.name,
                "amount": formats.number_format(tranche.amount, 2, force_grouping=True),
                "day": tranche.transferred_on.isoformat(),
            }
        )


class CloseForm(FundsForm):
    closed_on = date_field(_("Closed on"))

"""Forms of the resource and peer-review pages. They only collect input: the services check
every rule and write. (Other parts of the Hub keep their forms beside their views.)"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from migration_hub.accounts.models import Organization
from migration_hub.core.forms import SummaryForm
from migration_hub.core.models import Country, Region
from migration_hub.core.permissions import organizations_with_role
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from .choices import Criterion, Decision, Licence, Recommendation, ResourceKind
from .models import CallForPractices, Resource
from .permissions import WRITER_ROLES
from .services.resources import resource_snapshot


def languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def writable_organizations(user: Any) -> QuerySet[Organization]:
    """The organizations for which `user` may submit resources."""
    if user.is_superuser:
        return Organization.objects.order_by("name")
    ids = [int(pk) for pk in organizations_with_role(user, *WRITER_ROLES)]
    return Organization.objects.filter(pk__in=ids).order_by("name")


class ItemChoiceField(forms.ModelMultipleChoiceField):
    """Framework items shown by their code and short title."""

    def label_from_instance(self, obj: FrameworkItem) -> str:
        return f"{obj.code} {obj.short_title or obj.title}"


def item_choice_field(label: Any) -> ItemChoiceField:
    """An optional choice of framework items, given by their codes, as check boxes; the form's
    `__init__` sets the items offered (`items(kind)`)."""
    return ItemChoiceField(
        label=label,
        queryset=FrameworkItem.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def items(kind: str) -> QuerySet[FrameworkItem]:
    return FrameworkItem.objects.filter(kind=kind).order_by("position", "code")


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CallForPractices) -> str:
        return str(obj.title)


class ResourceForm(SummaryForm):
    """A resource's metadata, with a title and summary per UN language. Creating also asks for
    the organization and takes a first file; editing carries the version it was opened at."""

    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        help_text=_("The organization submitting the resource; its members can follow it."),
    )
    kind = forms.ChoiceField(label=_("Kind of resource"), choices=ResourceKind.choices)
    language = forms.ChoiceField(
        label=_("Original language"),
        choices=[],
        help_text=_("Give at least the title in this language."),
    )
    authors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line, in order."),
    )
    publishers = forms.ModelMultipleChoiceField(
        label=_("Publishing organizations"),
        queryset=RegistryOrganization.objects.order_by("name"),
        to_field_name="code",
        required=False,
        help_text=_("Organizations of the registry that published it."),
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country.objects.order_by("name"),
        to_field_name="alpha3",
        required=False,
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.order_by("name"),
        to_field_name="m49_code",
        required=False,
    )
    objectives = item_choice_field(_("GCM objectives"))
    is_general = forms.BooleanField(
        label=_("About the GCM in general, not one objective"), required=False
    )
    principles = item_choice_field(_("Guiding principles"))
    themes = item_choice_field(_("MIGOF thematic areas"))
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100, required=False)
    licence = forms.ChoiceField(
        label=_("Licence"), choices=Licence.choices, initial=Licence.UNKNOWN
    )
    link = forms.URLField(
        label=_("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where the resource can be read online."),
    )
    call = CallChoiceField(
        label=_("Call for practices"),
        queryset=CallForPractices.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    file = forms.FileField(
        label=_("File (PDF or Word)"),
        required=False,
        help_text=_("Optional. Its text is searchable."),
    )
    file_language = forms.ChoiceField(label=_("Language of the file"), choices=[], required=False)
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A few words shown in the history of the resource."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        user: Any,
        resource: Resource | None = None,
        calls: QuerySet[CallForPractices] | None = None,
        **kwargs: Any,
    ) -> None:
        self.resource = resource
        if resource is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(resource)
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages()
        self.fields["file_language"].choices = [("", _("Not given")), *languages()]
        self.fields["objectives"].queryset = items("objective")
        self.fields["principles"].queryset = items("guiding-principle")
        self.fields["themes"].queryset = items("thematic-area")
        call_queryset = calls if calls is not None else CallForPractices.objects.none()
        if resource is not None and resource.call_id:
            call_queryset = call_queryset | CallForPractices.objects.filter(pk=resource.call_id)
        self.fields["call"].queryset = call_queryset.distinct().order_by("deadline", "title")
        for code, _name in languages():
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title"),
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"lang": code, "dir": "auto"}),
            )
            self.fields[f"summary_{code}"] = forms.CharField(
                label=_("Summary"),
                required=False,
                widget=forms.Textarea(attrs={"lang": code, "dir": "auto", "rows": 4}),
            )
        if resource is None:
            self.fields["organization"].queryset = writable_organizations(user)
            del self.fields["note"]
            del self.fields["expected_version"]
        else:
            del self.fields["organization"]
            self.fields["expected_version"].required = True

    @staticmethod
    def initial_for(resource: Resource) -> dict[str, Any]:
        data = resource_snapshot(resource)
        initial: dict[str, Any] = {
            "kind": data["kind"],
            "language": data["language"],
            "authors": "\n".join(data["authors"]),
            "publishers": data["publishers"],
            "countries": data["countries"],
            "regions": data["regions"],
            "objectives": data["objectives"],
            "is_general": data["is_general"],
            "principles": data["principles"],
            "themes": data["themes"],
            "year": data["year"],
            "licence": data["licence"],
            "link": data["link"],
            "call": data["call"],
            "expected_version": resource.version,
        }
        for code, row in data["translations"].items():
            initial[f"title_{code}"] = row["title"]
            initial[f"summary_{code}"] = row["summary"]
        return initial

    def language_rows(self) -> list[dict[str, Any]]:
        """(language, its title field, its summary field) for the template's fieldsets."""
        return [
            {
                "code": code,
                "name": name,
                "title": self[f"title_{code}"],
                "summary": self[f"summary_{code}"],
            }
            for code, name in languages()
        ]

    def translations(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        result = {}
        for code, _name in languages():
            title = data.get(f"title_{code}", "").strip()
            summary = data.get(f"summary_{code}", "").strip()
            if title or summary:
                result[code] = {"title": title, "summary": summary}
        return result

    def metadata(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "language": data["language"],
            "translations": self.translations(),
            "authors": [line.strip() for line in data["authors"].splitlines() if line.strip()],
            "publishers": list(data["publishers"]),
            "countries": list(data["countries"]),
            "regions": list(data["regions"]),
            "objectives": list(data["objectives"]),
            "is_general": data["is_general"],
            "principles": list(data["principles"]),
            "themes": list(data["themes"]),
            "year": data["year"],
            "licence": data["licence"],
            "link": data["link"],
            "call": data["call"],
        }


class FileForm(SummaryForm):
    file = forms.FileField(label=_("File (PDF or Word)"))
    language = forms.ChoiceField(label=_("Language of the file"), choices=[], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Not given")), *languages()]


class ScreenForm(SummaryForm):
    accept = forms.TypedChoiceField(
        label=_("Screening"),
        choices=[
            ("yes", _("Accept for peer review")),
            ("no", _("Turn it down")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when turning it down: the author reads them."),
    )


class AssignForm(SummaryForm):
    reviewer = forms.CharField(
        label=_("User name of the reviewer"),
        max_length=150,
        help_text=_("Someone from another organization than the one submitting."),
    )

    def clean_reviewer(self) -> Any:
        username = self.cleaned_data["reviewer"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("No account has this user name."))
        return user


class RubricForm(SummaryForm):
    """The peer-review rubric: every criterion scored 1 (weak) to 5 (strong)."""

    comments = forms.CharField(
        label=_("Comments for the editor"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scores = [(str(n), str(n)) for n in range(1, 6)]
        criteria = {
            criterion.value: forms.ChoiceField(
                label=criterion.label,
                choices=scores,
                widget=forms.RadioSelect(attrs={"class": "score"}),
                help_text=_("1 is weak, 5 is strong."),
            )
            for criterion in Criterion
        }
        self.fields = {**criteria, **self.fields}

    def scores(self) -> dict[str, int]:
        return {criterion.value: int(self.cleaned_data[criterion.value]) for criterion in Criterion}


class DecisionForm(SummaryForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The author reads them."),
    )


class CallForm(SummaryForm):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    objectives = item_choice_field(_("GCM objectives"))
    themes = item_choice_field(_("MIGOF thematic areas"))
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = writable_organizations(user)
        self.fields["objectives"].queryset = items("objective")
        self.fields["themes"].queryset = items("thematic-area")


class ResourceFilterForm(forms.Form):
    """The simple filters of the resource list (the faceted search is at /hub/search/)."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    objective = forms.ModelChoiceField(
        label=_("GCM objective"),
        queryset=FrameworkItem.objects.none(),
        to_field_name="code",
        required=False,
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        to_field_name="alpha3",
        required=False,
    )
    reviewed = forms.BooleanField(label=_("Peer reviewed only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *ResourceKind.choices]
        self.fields["objective"].queryset = items("objective")
        self.fields["objective"].label_from_instance = lambda obj: (
            f"{obj.code} {obj.short_title or obj.title}"
        )

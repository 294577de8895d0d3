"""Forms of the review pages. They only collect input; `services` checks the rules and writes.

Each section of a review is its own form, so co-authors save their parts independently; every
section form carries the version it was opened at (`expected_version`), which lets the service
refuse a save that would overwrite someone else's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from migration_hub.accounts.models import Organization
from migration_hub.core.forms import SummaryForm
from migration_hub.core.models import Country
from migration_hub.core.permissions import organizations_with_role

from .choices import Commission, ProgressStatus, ReviewLevel, SectionKey, Stakeholder
from .models import OBJECTIVE_COUNT, Cycle, Section, objective_key
from .permissions import WRITER_ROLES
from .services import section_label

GUIDING_PRINCIPLES = [
    ("GCM-GP-A", _("People-centred")),
    ("GCM-GP-B", _("International cooperation")),
    ("GCM-GP-C", _("National sovereignty")),
    ("GCM-GP-D", _("Rule of law and due process")),
    ("GCM-GP-E", _("Sustainable development")),
    ("GCM-GP-F", _("Human rights")),
    ("GCM-GP-G", _("Gender-responsive")),
    ("GCM-GP-H", _("Child-sensitive")),
    ("GCM-GP-I", _("Whole-of-government approach")),
    ("GCM-GP-J", _("Whole-of-society approach")),
]
COLUMN_LABELS = {
    "indicator": _("Indicator"),
    "value": _("Value"),
    "year": _("Year"),
    "title": _("Practice"),
    "url": _("Link"),
}
# Blank rows offered under the filled ones for indicator values and practices.
EXTRA_ROWS = 2
MAX_ROWS = 50


ReviewsForm = SummaryForm


def writable_organizations(user: Any) -> QuerySet[Organization]:
    """The organizations for which `user` may start a review."""
    if user.is_superuser:
        return Organization.objects.order_by("name")
    ids = [int(pk) for pk in organizations_with_role(user, *WRITER_ROLES)]
    return Organization.objects.filter(pk__in=ids).order_by("name")


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cycle) -> str:
        return str(obj.title)


def check_period(form: forms.Form, data: dict[str, Any]) -> None:
    start, end = data.get("period_from"), data.get("period_to")
    if start and end and start > end:
        form.add_error("period_to", _("The period must end after it starts."))


class ReviewForm(ReviewsForm):
    """Start a review: to which cycle, for which organization, about whom, in which language."""

    cycle = CycleChoiceField(label=_("Cycle"), queryset=Cycle.objects.none())
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        help_text=_("Its members write the review."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    level = forms.ChoiceField(label=_("Level"), choices=ReviewLevel.choices)
    stakeholder = forms.ChoiceField(
        label=_("Stakeholder group"),
        choices=[("", _("None (not a stakeholder review)")), *Stakeholder.choices],
        required=False,
    )
    entity_name = forms.CharField(
        label=_("Reporting entity"),
        max_length=200,
        help_text=_("The state, city, regional body or group the review speaks for."),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        to_field_name="alpha3",
        required=False,
        help_text=_("Required for a national or local review."),
    )
    commission = forms.ChoiceField(
        label=_("Regional commission"),
        choices=[("", _("From the country or the cycle")), *Commission.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the review"),
        choices=[],
        help_text=_("Any of the six UN languages; the text is shown in it."),
    )
    period_from = forms.IntegerField(
        label=_("Period from (year)"), min_value=1950, max_value=2100, required=False
    )
    period_to = forms.IntegerField(
        label=_("Period to (year)"), min_value=1950, max_value=2100, required=False
    )

    def __init__(self, *args: Any, user: Any, cycles: QuerySet[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["cycle"].queryset = cycles
        self.fields["organization"].queryset = writable_organizations(user)
        self.fields["language"].choices = settings.LANGUAGES

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_period(self, data)
        return data


def _content_attrs(language: str) -> dict[str, str]:
    """Attributes of the inputs that hold the review's text, written in its own language."""
    return {"lang": language, "dir": "auto"}


class SectionForm(ReviewsForm):
    """The fields every section has: its text and the version it was opened at."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    text_label: Any = None

    def __init__(self, *args: Any, section: Section, language: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", section.key)
        super().__init__(*args, **kwargs)
        self.section = section
        # A label of its own, so the many text boxes of the page are told apart.
        self.fields["text"].label = self.text_label or section_label(section.key)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea | forms.TextInput):
                field.widget.attrs.update(_content_attrs(language))
        if not self.is_bound:
            self.initial.setdefault("expected_version", section.version)
            self.initial.setdefault("text", section.text)
            self.set_initial(section)

    def set_initial(self, section: Section) -> None:
        """Fill the section's own fields from what is stored."""

    def section_data(self) -> dict[str, Any]:
        """The structured part of the section, as `services.save_section` takes it."""
        return {}

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "expected_version": self.cleaned_data["expected_version"],
            "text": self.cleaned_data.get("text") or "",
            "data": self.section_data(),
        }


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class MethodologySectionForm(SectionForm):
    text_label = _("How the review was prepared")
    government_bodies = forms.CharField(
        label=_("Government bodies involved"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )
    stakeholders = forms.MultipleChoiceField(
        label=_("Stakeholders consulted"),
        choices=Stakeholder.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The GCM's whole-of-society list."),
    )

    def set_initial(self, section: Section) -> None:
        self.initial["government_bodies"] = "\n".join(section.data.get("government_bodies", []))
        self.initial["stakeholders"] = section.data.get("stakeholders", [])

    def section_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        bodies = _lines(self.cleaned_data.get("government_bodies", ""))
        if bodies:
            data["government_bodies"] = bodies
        if self.cleaned_data.get("stakeholders"):
            data["stakeholders"] = list(self.cleaned_data["stakeholders"])
        return data


class PrinciplesSectionForm(SectionForm):
    text_label = _("Overview")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rebuilt after the parent so the principles get the content language too.
        language = self.fields["text"].widget.attrs.get("lang", "")
        for code, label in GUIDING_PRINCIPLES:
            self.fields[code] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, **_content_attrs(language)}),
            )
            if not self.is_bound:
                self.initial[code] = self.section.data.get(code, "")

    def section_data(self) -> dict[str, Any]:
        return {
            code: self.cleaned_data[code]
            for code, _label in GUIDING_PRINCIPLES
            if (self.cleaned_data.get(code) or "").strip()
        }


class ImplementationPlanSectionForm(SectionForm):
    has_plan = forms.BooleanField(label=_("A national implementation plan exists"), required=False)
    url = forms.URLField(
        label=_("Web address of the plan"), required=False, assume_scheme="https", max_length=500
    )

    def set_initial(self, section: Section) -> None:
        self.initial["has_plan"] = section.data.get("has_plan", False)
        self.initial["url"] = section.data.get("url", "")

    def section_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.cleaned_data.get("has_plan"):
            data["has_plan"] = True
        if self.cleaned_data.get("url"):
            data["url"] = self.cleaned_data["url"]
        return data


class ObjectiveSectionForm(SectionForm):
    """Progress on one GCM objective: status, actions, evidence, and two tables of rows
    (indicator values, practices) posted as numbered fields: `<prefix>-indicator-0-value`."""

    text_label = _("Actions taken")
    progress = forms.ChoiceField(
        label=_("Progress"),
        choices=[("", _("Not said")), *ProgressStatus.choices],
        required=False,
    )
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["text"].widget.attrs.get("lang", "")
        self.language = language
        self.fields["evidence"].widget.attrs.update(_content_attrs(language))
        if not self.is_bound:
            self.initial["progress"] = self.section.progress
            self.initial["evidence"] = self.section.evidence
        stored_values = self.section.data.get("indicator_values", [])
        stored_practices = self.section.data.get("practices", [])
        self.indicator_rows = self._rows("indicator", ("indicator", "value", "year"), stored_values)
        self.practice_rows = self._rows("practice", ("title", "url"), stored_practices)

    def _rows(
        self, table: str, columns: tuple[str, ...], stored: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The rows to show: as posted when bound, else the stored ones; then blank rows."""
        rows: list[dict[str, Any]] = []
        if self.is_bound:
            for index in range(MAX_ROWS):
                names = {c: self.add_prefix(f"{table}-{index}-{c}") for c in columns}
                if not any(name in self.data for name in names.values()):
                    break
                rows.append({c: str(self.data.get(names[c], "")).strip() for c in columns})
        else:
            rows = [
                {c: "" if row.get(c) is None else str(row.get(c)) for c in columns}
                for row in stored
            ]
        filled = [row for row in rows if any(row.values())]
        shown = filled + [dict.fromkeys(columns, "") for _ in range(EXTRA_ROWS)]
        return [
            {
                "index": index,
                "cells": [
                    {
                        "column": c,
                        "name": self.add_prefix(f"{table}-{index}-{c}"),
                        "id": f"id_{self.add_prefix(f'{table}-{index}-{c}')}",
                        "value": row[c],
                        "label": _("%(column)s, row %(row)s")
                        % {"column": COLUMN_LABELS[c], "row": index + 1},
                        "header": COLUMN_LABELS[c],
                        "is_text": c not in ("year", "url"),
                    }
                    for c in columns
                ],
            }
            for index, row in enumerate(shown)
        ]

    def _filled(self, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
        found = []
        for row in rows:
            values = {cell["column"]: cell["value"] for cell in row["cells"]}
            if any(values.values()):
                found.append(values)
        return found

    def section_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        values = self._filled(self.indicator_rows)
        if values:
            data["indicator_values"] = values
        practices = self._filled(self.practice_rows)
        if practices:
            data["practices"] = practices
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {
            **super().service_kwargs(),
            "progress": self.cleaned_data.get("progress") or "",
            "evidence": self.cleaned_data.get("evidence") or "",
        }


SECTION_FORMS: dict[str, type[SectionForm]] = {
    SectionKey.METHODOLOGY: MethodologySectionForm,
    SectionKey.PRINCIPLES: PrinciplesSectionForm,
    SectionKey.IMPLEMENTATION_PLAN: ImplementationPlanSectionForm,
}


def section_form_class(key: str) -> type[SectionForm]:
    if key.startswith("objective-"):
        return ObjectiveSectionForm
    return SECTION_FORMS.get(key, SectionForm)


class AddObjectiveForm(ReviewsForm):
    objective = forms.TypedChoiceField(label=_("GCM objective"), coerce=int, choices=[])

    def __init__(self, *args: Any, taken: set[int], titles: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["objective"].choices = [
            (number, f"{number}. {titles.get(number, '')}".strip())
            for number in range(1, OBJECTIVE_COUNT + 1)
            if number not in taken
        ]

    @property
    def key(self) -> str:
        return objective_key(self.cleaned_data["objective"])


def section_choices(objectives: list[int] | None = None) -> list[tuple[str, Any]]:
    numbers = objectives or list(range(1, OBJECTIVE_COUNT + 1))
    return [
        *SectionKey.choices,
        *((objective_key(n), _("Objective %(number)s") % {"number": n}) for n in numbers),
    ]


class CoauthorForm(ReviewsForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("The person signs in to Migration Hub with this name."),
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections they may edit"),
        choices=section_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every section."),
    )

    def clean_username(self) -> Any:
        from django.contrib.auth import get_user_model

        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=name, is_active=True).first()
        if user is None:
            raise ValidationError(_("Nobody signs in with the name %(name)s.") % {"name": name})
        return user


class CommentForm(ReviewsForm):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(ReviewsForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, OpenDocument, PNG or JPEG, up to 20 MB."),
    )


class ReviewDetailsForm(ReviewsForm):
    """Correct a review's details after it was started; carries the version it was opened at,
    so a save over someone else's change is refused. Prefixed: it shares the review page with
    the section forms."""

    prefix = "details"
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    title = ReviewForm.base_fields["title"]
    entity_name = ReviewForm.base_fields["entity_name"]
    language = forms.ChoiceField(
        label=_("Language of the review"),
        choices=settings.LANGUAGES,
        help_text=_("Any of the six UN languages; the text is shown in it."),
    )
    period_from = ReviewForm.base_fields["period_from"]
    period_to = ReviewForm.base_fields["period_to"]

    def __init__(self, *args: Any, review: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "expected_version": review.version,
                "title": review.title,
                "entity_name": review.entity_name,
                "language": review.language,
                "period_from": review.period_from,
                "period_to": review.period_to,
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("title", "entity_name"):
            self.fields[name].widget.attrs.update({"lang": review.language, "dir": "auto"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_period(self, data)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}

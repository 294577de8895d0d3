"""Forms of the statistics pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from migration_hub.accounts.models import Office

MAX_COMPARED = 5


class AreasField(forms.MultipleChoiceField):
    """Up to five areas by M49 code; an ISO alpha-3 code is read as its country's M49 code.

    Empty values are dropped, so five selects named `areas` work as well as one multi-select.
    """

    def __init__(self, *args: Any, aliases: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = aliases or {}

    def to_python(self, value: Any) -> list[str]:
        codes: list[str] = []
        for item in super().to_python(value):
            code = item.strip()
            code = self.aliases.get(code.upper(), code)
            if code and code not in codes:
                codes.append(code)
        return codes

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_COMPARED:
            raise ValidationError(
                ngettext(
                    "Choose at most %(max)d areas: you chose %(count)d.",
                    "Choose at most %(max)d areas: you chose %(count)d.",
                    MAX_COMPARED,
                ),
                code="too_many",
                params={"max": MAX_COMPARED, "count": len(value)},
            )
        unknown = [code for code in value if not self.valid_value(code)]
        if unknown:
            raise ValidationError(
                ngettext(
                    "No area with figures has the code %(codes)s. Use an M49 code such as 404 "
                    "or an ISO alpha-3 code such as KEN.",
                    "No area with figures has the codes %(codes)s. Use M49 codes such as 404 "
                    "or ISO alpha-3 codes such as KEN.",
                    len(unknown),
                ),
                code="unknown",
                params={"codes": ", ".join(unknown)},
            )


class CompareForm(forms.Form):
    """The areas to compare, from the areas with migrant stock figures."""

    areas = AreasField(
        label=_("Areas to compare"),
        help_text=_(
            "Choose up to five countries or regions. To choose several, hold Ctrl (Cmd on a "
            "Mac) while you click, or tap each one on a phone."
        ),
        error_messages={"required": _("Choose at least one area to compare.")},
    )

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, list[tuple[str, str]]]],
        aliases: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["areas"]
        field.choices = choices
        field.aliases = aliases  # type: ignore[attr-defined]
        field.widget.attrs.update({"size": 12, "aria-describedby": "id_areas_helptext"})

    def _post_clean(self) -> None:
        super()._post_clean()
        if "areas" in self.errors:
            self.fields["areas"].widget.attrs.update(
                {"aria-describedby": "id_areas_helptext id_areas_error", "aria-invalid": "true"}
            )


class ContributionForm(forms.Form):
    """An office's figures for a regional data set, as a file."""

    dataset = forms.ModelChoiceField(
        label=_("Regional data set"),
        queryset=None,
        help_text=_("Data sets an administrator created for contributions."),
    )
    organization = forms.ModelChoiceField(label=_("Sent for"), queryset=None)
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=None,
        required=False,
        help_text=_("The office that collected the figures, if one did."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or XLSX with the columns area, indicator, year, value and, where needed, "
            "sex and origin. Areas as M49 codes, ISO alpha-3 codes or names."
        ),
    )

    def __init__(self, *args: Any, datasets: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets
        self.fields["organization"].queryset = organizations
        self.fields["office"].queryset = Office.objects.filter(
            organization__in=organizations
        ).select_related("organization", "country")
        for name, choices in (("dataset", datasets), ("organization", organizations)):
            only = list(choices[:2])
            if len(only) == 1:  # the usual case: one office, one regional data set
                self.fields[name].initial = only[0].pk

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        office, organization = cleaned.get("office"), cleaned.get("organization")
        if office and organization and office.organization_id != organization.pk:
            self.add_error("office", _("This office belongs to another organization."))
        return cleaned


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the office"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject: say what to fix."),
    )

"""Forms of the statistics release pages: a new release, and a data set's privacy budget."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from migration_hub.cases import release_tables
from migration_hub.statistics.disclosure import DEFAULT_K

from .models import ReleaseMethod

MIN_K = 5


def dimension_choices() -> list[tuple[str, str]]:
    """Every attribute a case data set can be tabulated by, each once, in order."""
    seen: dict[str, str] = {}
    for dataset in release_tables.DATASETS.values():
        for attribute in dataset.dimensions:
            seen.setdefault(attribute.name, str(attribute.label))
    return list(seen.items())


class ReleaseForm(forms.Form):
    dataset = forms.ChoiceField(label=_("Data set"))
    first_dimension = forms.ChoiceField(
        label=_("Rows"), help_text=_("What the table counts persons by.")
    )
    second_dimension = forms.ChoiceField(
        label=_("Columns (optional)"),
        required=False,
        help_text=_("A second attribute makes a two-way table."),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=ReleaseMethod.choices, initial=ReleaseMethod.K_SUPPRESSION
    )
    k = forms.IntegerField(
        label=_("k (small-cell suppression)"),
        min_value=MIN_K,
        initial=DEFAULT_K,
        required=False,
        help_text=_("Cells under k persons are suppressed. 11 is the figure CTDC publishes with."),
    )
    epsilon = forms.DecimalField(
        label=_("Epsilon (differential privacy)"),
        min_value=Decimal("0.000001"),
        max_digits=12,
        decimal_places=6,
        required=False,
        help_text=_("The privacy loss this release spends from the data set's budget."),
    )
    max_contributions = forms.IntegerField(
        label=_("Cells per person at most (differential privacy)"),
        min_value=1,
        max_value=20,
        initial=1,
        required=False,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Left empty, the title names the data set and the attributes."),
    )

    def __init__(self, *args: Any, datasets: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = list(datasets.items())
        choices = dimension_choices()
        self.fields["first_dimension"].choices = choices
        self.fields["second_dimension"].choices = [("", _("None: a one-way table")), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("first_dimension"), data.get("second_dimension")
        if first and second and first == second:
            self.add_error("second_dimension", _("Choose another attribute than the rows'."))
        key = data.get("dataset")
        parsed = release_tables.parse_dataset_key(key) if key else None
        if parsed:
            allowed = {a.name for a in release_tables.DATASETS[parsed[1]].dimensions}
            for name in ("first_dimension", "second_dimension"):
                if data.get(name) and data[name] not in allowed:
                    self.add_error(name, _("This data set has no such attribute."))
        method = data.get("method")
        if method == ReleaseMethod.K_SUPPRESSION and data.get("k") is None:
            data["k"] = DEFAULT_K
        if method == ReleaseMethod.DIFFERENTIAL_PRIVACY:
            if data.get("epsilon") is None:
                self.add_error("epsilon", _("Give epsilon for a differentially private release."))
            if data.get("max_contributions") is None:
                data["max_contributions"] = 1
        return data

    def dimensions(self) -> list[str]:
        dims = [self.cleaned_data["first_dimension"]]
        if self.cleaned_data.get("second_dimension"):
            dims.append(self.cleaned_data["second_dimension"])
        return dims

    def parameters(self) -> dict[str, Any]:
        if self.cleaned_data["method"] == ReleaseMethod.K_SUPPRESSION:
            return {"k": self.cleaned_data["k"]}
        return {
            "epsilon": self.cleaned_data["epsilon"],
            "max_contributions": self.cleaned_data["max_contributions"],
        }


class BudgetForm(forms.Form):
    dataset = forms.ChoiceField(label=_("Data set"))
    total_epsilon = forms.DecimalField(
        label=_("Total epsilon"),
        min_value=Decimal("0.000001"),
        max_digits=12,
        decimal_places=6,
        help_text=_(
            "The privacy loss all differentially private releases of the data set may spend, "
            "ever. It can be raised, never set below what has been spent."
        ),
    )

    def __init__(self, *args: Any, datasets: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = list(datasets.items())

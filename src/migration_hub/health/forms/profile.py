"""The requirements form: the engine's profile, field by field, for a browser."""

from __future__ import annotations

import datetime
from typing import Any

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import ApplicantCategory, Destination, Sex

SYMPTOMS = [
    ("cough", _("Cough for more than two weeks")),
    ("fever", _("Fever")),
    ("night_sweats", _("Night sweats")),
    ("weight_loss", _("Weight loss")),
    ("haemoptysis", _("Coughing up blood")),
]
CONDITIONS = [
    ("hiv_positive", _("Known HIV infection")),
    ("tb_contact", _("Close contact with a person with TB")),
    ("tb_history", _("Past TB")),
    ("blood_products", _("Has received blood or blood products")),
    ("hiv_positive_mother", _("Mother known to have HIV")),
    ("adoptee", _("Child being adopted")),
]
OCCUPATIONS = [
    ("health_care", _("Health care")),
    ("childcare", _("Childcare")),
    ("teacher", _("Teaching")),
]


def country_choices() -> list[tuple[str, str]]:
    countries = sorted(pycountry.countries, key=lambda country: country.name)
    return [("", "—")] + [(country.alpha_2, country.name) for country in countries]


class ProfileForm(forms.Form):
    """Every field the engine reads; `profile()` gives the mapping it validates."""

    destination = forms.ChoiceField(label=_("Destination"), choices=Destination.choices)
    category = forms.ChoiceField(label=_("Category"), choices=ApplicantCategory.choices)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    exam_date = forms.DateField(
        label=_("Date of the examination"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=datetime.date.today,
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False
    )
    pregnant = forms.BooleanField(label=_("Pregnant"), required=False)
    intends_to_give_birth_in_destination = forms.BooleanField(
        label=_("Intends to give birth in the destination"), required=False
    )
    citizenship = forms.ChoiceField(label=_("Citizenship"), choices=country_choices)
    exam_country = forms.ChoiceField(
        label=_("Country of the examination"),
        choices=country_choices,
        required=False,
        help_text=_("Left empty: the country of residence, else of citizenship."),
    )
    residence_history = forms.CharField(
        label=_("Where the person has lived"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=_(
            "One period per line: country code, from, to (to left empty if it goes on). "
            "For example: IN, 2019-01-01, 2024-06-30"
        ),
    )
    intended_stay_months = forms.IntegerField(
        label=_("Intended stay in months"),
        required=False,
        min_value=0,
        help_text=_("For temporary stays; leave empty for permanent residence."),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Signs or symptoms of TB"),
        choices=SYMPTOMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions = forms.MultipleChoiceField(
        label=_("Conditions and exposures"),
        choices=CONDITIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    occupation = forms.MultipleChoiceField(
        label=_("Occupation in the destination"),
        choices=OCCUPATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_residence_history(self) -> list[dict[str, Any]]:
        periods = []
        for number, line in enumerate(self.cleaned_data["residence_history"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(",")]
            if len(parts) not in (2, 3):
                raise forms.ValidationError(
                    _(
                        "Line %(number)s: write country code, from, to "
                        "(for example IN, 2019-01-01, 2024-06-30)."
                    )
                    % {"number": number}
                )
            periods.append(
                {"country": parts[0], "from": parts[1], "to": parts[2] if len(parts) == 3 else None}
            )
        return periods

    def profile(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("date_of_birth", "exam_date"):
            if data.get(name):
                data[name] = data[name].isoformat()
        return {key: value for key, value in data.items() if value not in (None, "", [])}

    def add_profile_errors(self, errors: dict[str, str]) -> None:
        """Show the engine's field errors on the fields they name."""
        for name, message in errors.items():
            field = name.split("[", 1)[0].split(".", 1)[0]
            if field in self.fields:
                prefix = "" if field == name else f"{name}: "
                self.add_error(field, f"{prefix}{message}")
            else:
                self.add_error(None, f"{name}: {message}")

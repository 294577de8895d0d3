from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organization


class OrganizationForm(forms.ModelForm):
    """Edits an organization; `version` travels with the form to catch concurrent edits."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "acronym", "kind", "country", "website", "description"]

    def __init__(self, *args: Any, can_change_kind: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_change_kind:  # the kind grants powers: platform administrators only
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("Only a platform administrator can change it.")


class TwoFactorTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

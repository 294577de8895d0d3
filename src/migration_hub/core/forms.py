"""What every app's forms share: a service's errors placed on the form, and the summary of
errors shown at the top of a form (templates: core/partials/form_errors.html)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: next to the field it names when the form
    has that field, else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        field = name if name in form.fields and name != NON_FIELD_ERRORS else None
        form.add_error(field, messages)


def all_errors(form: forms.Form) -> list[tuple[str, str, Any]]:
    """(field id or '', label, message) of every error, for the summary at the top of a form."""
    found = []
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            found += [("", "", message) for message in messages]
            continue
        bound = form[name]
        anchor = bound.id_for_label or bound.auto_id
        found += [(anchor, bound.label, message) for message in messages]
    return found


class SummaryForm(forms.Form):
    """A form whose errors can be listed at its top, each linked to its field."""

    @property
    def error_summary(self) -> list[tuple[str, str, Any]]:
        return all_errors(self)

    def add_error(self, field: str | None, error: Any) -> None:
        # An error on a hidden field goes to the top of the form, where it can be read.
        if field is not None and field in self.fields and self.fields[field].widget.is_hidden:
            field = None
        super().add_error(field, error)

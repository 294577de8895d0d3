"""Yes/no filters: "All" by default, the usual spellings of true and false, and an error for
anything else instead of quietly listing every row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from migration_hub.core.filtersets import YesNoField


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        (None, None),
        ("true", True),
        ("True", True),
        ("1", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", False),
    ],
)
def test_yes_no_reads_the_usual_spellings(raw, expected):
    assert YesNoField(required=False).clean(raw) is expected


def test_yes_no_refuses_anything_else():
    with pytest.raises(ValidationError):
        YesNoField(required=False).clean("maybe")


def test_the_empty_choice_reads_all():
    assert [label for _value, label in YesNoField().choices] == ["All", "Yes", "No"]


@pytest.mark.django_db
def test_a_list_page_answers_400_to_an_unreadable_yes_no(client_for, editor):
    response = client_for(editor).get("/reviews/?is_late=maybe")
    assert response.status_code == 400
    assert client_for(editor).get("/reviews/?is_late=true").status_code == 200

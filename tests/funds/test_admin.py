"""The fund's admin page keeps what its money and concept notes rely on: once the fund has
money, contributions or programmes, the code (and scale) of a thematic area or marker and the
fund's currency no longer change. Posted through the change form as a superuser would."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from migration_hub.core.models import AuditEvent
from migration_hub.funds import services
from migration_hub.funds.admin import FundAdmin, KeepCodeForm
from migration_hub.funds.models import Fund, Marker, ThematicArea
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def change_url(fund: Fund) -> str:
    return f"/admin/funds/fund/{fund.pk}/change/"


def form_values(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser sends back for `form` as the page showed it."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        elif value is not None:
            data[bound.html_name] = str(value)
        if field.show_hidden_initial and value is not None:
            # A field with a callable default also sends the value it was shown with.
            data[bound.html_initial_name] = str(value)
    return data


def change_form(client, fund: Fund) -> dict[str, Any]:
    """The fund's change form and all its inlines, as a browser would send them unchanged."""
    response = client.get(change_url(fund))
    assert response.status_code == 200
    data = form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_values(formset.management_form))
        for form in formset.forms:
            data.update(form_values(form))
    return data


def inline_field(data: dict[str, Any], prefix: str, code: str, field: str) -> str:
    """The name of `field` in the inline row whose code is `code`."""
    (row,) = [
        key.removesuffix("-code")
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-code") and value == code
    ]
    return f"{row}-{field}"


def test_a_used_thematic_area_keeps_its_code_but_not_its_name(admin_client, fund, deposit) -> None:
    deposit("1000.00", earmarked_thematic_area=fund.thematic_areas.get(code="TA1"))
    data = change_form(admin_client, fund)
    code = inline_field(data, "thematic_areas", "TA1", "code")
    before = AuditEvent.objects.count()
    response = admin_client.post(change_url(fund), {**data, code: "TA9"})
    assert response.status_code == 200  # the form again, with the error
    assert "use this code: it can no longer change" in response.content.decode()
    assert set(fund.thematic_areas.values_list("code", flat=True)) == {
        "TA1",
        "TA2",
        "TA3",
        "TA4",
        "TA5",
    }
    assert AuditEvent.objects.count() == before
    # Its name is only words: it may change.
    name = inline_field(data, "thematic_areas", "TA1", "name")
    response = admin_client.post(change_url(fund), {**data, name: "Data and evidence"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert ThematicArea.objects.get(fund=fund, code="TA1").name == "Data and evidence"


def test_a_used_marker_keeps_its_code_and_scale(admin_client, fund, concept_note) -> None:
    concept_note()  # its marker scores are kept under the marker codes, on their scales
    data = change_form(admin_client, fund)
    code = inline_field(data, "markers", "GENDER", "code")
    scale = inline_field(data, "markers", "GENDER", "scale")
    for changed in ({code: "GEN"}, {scale: '[{"score": 0, "label": "None"}]'}):
        response = admin_client.post(change_url(fund), {**data, **changed})
        assert response.status_code == 200
        assert "it can no longer change" in response.content.decode()
    gender = Marker.objects.get(fund=fund, code="GENDER")
    assert len(gender.scale) == 4


def test_the_currency_of_a_fund_with_money_cannot_change(admin_client, fund, deposit) -> None:
    deposit("1000.00")
    data = change_form(admin_client, fund)
    assert "currency" not in data  # shown, not editable
    response = admin_client.post(change_url(fund), {**data, "currency": "EUR"})
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.currency == "USD"


def test_a_fund_without_money_or_notes_may_still_change(admin_client, organization) -> None:
    empty = services.create_fund(
        actor=None,
        organization=organization,
        code="NEW",
        name="A new fund",
        thematic_areas=[("T1", "Theme one", [])],
    )
    data = change_form(admin_client, empty)
    assert data["currency"] == "USD"
    code = inline_field(data, "thematic_areas", "T1", "code")
    response = admin_client.post(change_url(empty), {**data, "currency": "EUR", code: "T2"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    empty.refresh_from_db()
    assert empty.currency == "EUR"
    assert list(empty.thematic_areas.values_list("code", flat=True)) == ["T2"]


def test_the_admin_rules_directly(rf, fund, deposit) -> None:
    """The same rules without the page: the inline's form and the fund's read-only fields."""
    admin = FundAdmin(Fund, None)
    request = rf.get("/")
    form_class = forms.modelform_factory(ThematicArea, form=KeepCodeForm, fields=["code", "name"])

    def edit(**data: str) -> forms.ModelForm:
        area = ThematicArea.objects.get(fund=fund, code="TA1")
        return form_class({"code": area.code, "name": area.name, **data}, instance=area)

    assert admin.get_readonly_fields(request, fund) == []
    assert edit(code="TA9").is_valid()

    deposit("10.00")
    assert admin.get_readonly_fields(request, fund) == ["currency"]
    assert admin.get_readonly_fields(request, None) == []
    recoded = edit(code="TA9")
    assert not recoded.is_valid()
    assert "can no longer change" in recoded.errors["code"][0]
    assert edit(name="Data").is_valid()
    # A new area may still be added to a fund in use.
    new = ThematicArea(fund=fund)
    assert form_class({"code": "TA6", "name": "New"}, instance=new).is_valid()


def test_exchange_rates_are_read_only_in_the_admin(client, django_user_model):
    """Rates change only through the service, which refuses to change a rate a deposit used."""
    admin_user = django_user_model.objects.create_superuser("root-rates", "r@example.org", "x")
    client.force_login(admin_user)
    assert client.get("/admin/funds/exchangerate/").status_code == 200
    assert client.get("/admin/funds/exchangerate/add/").status_code == 403

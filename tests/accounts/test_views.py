"""Pages: the permission matrix, lists with filters and exports, editing with versions."""

import csv
import io

import pytest
from django.urls import reverse

from migration_hub.accounts.choices import Role
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def edit_url(organization) -> str:
    return reverse("accounts:organization_update", kwargs={"code": organization.code})


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("viewer", 403),
        ("editor", 200),
        ("other_editor", 403),
        ("administrator", 200),
        ("contributor", 403),
    ],
)
def test_organization_edit_permission_matrix(
    who: str, expected: int, client, make_member, organization, other_organization
) -> None:
    if who == "other_editor":
        client.force_login(make_member(Role.EDITOR, other_organization))
    elif who != "anonymous":
        client.force_login(make_member(who, organization))
    response = client.get(edit_url(organization))
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_organization_is_404(client_for, viewer) -> None:
    response = client_for(viewer).get(
        reverse("accounts:organization_detail", kwargs={"code": "NOPE"})
    )
    assert response.status_code == 404


def test_editor_saves_with_the_version_read(client_for, editor, organization) -> None:
    response = client_for(editor).post(
        edit_url(organization),
        {"name": "Renamed ministry", "kind": "ministry", "version": 1},
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.version) == ("Renamed ministry", 2)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes["name"] == ["Home Ministry of Migration", "Renamed ministry"]
    assert event.organization_ref == str(organization.pk)


def test_an_organization_editor_cannot_change_its_kind(client_for, editor, organization) -> None:
    """The kind grants powers (a Network secretariat's editors run the Hub's peer review)."""
    client = client_for(editor)
    response = client.post(
        edit_url(organization),
        {"name": "Renamed ministry", "kind": "network_secretariat", "version": 1},
    )
    assert response.status_code == 302  # the field is disabled: the posted kind is ignored
    organization.refresh_from_db()
    assert (organization.name, organization.kind) == ("Renamed ministry", "ministry")
    api = client.patch(
        f"/api/accounts/organizations/{organization.code}/",
        {"kind": "network_secretariat", "version": organization.version},
        content_type="application/json",
    )
    assert api.status_code == 403
    organization.refresh_from_db()
    assert organization.kind == "ministry"


def test_a_platform_administrator_changes_the_kind(client, organization, django_user_model) -> None:
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x"))
    response = client.post(
        edit_url(organization), {"name": organization.name, "kind": "ngo", "version": 1}
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.kind == "ngo"


def test_stale_form_shows_the_conflict_and_keeps_the_other_change(
    client_for, editor, organization
) -> None:
    client = client_for(editor)
    client.post(edit_url(organization), {"name": "First save", "kind": "ministry", "version": 1})
    response = client.post(
        edit_url(organization), {"name": "Second save", "kind": "ministry", "version": 1}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    organization.refresh_from_db()
    assert (organization.name, organization.version) == ("First save", 2)


def test_invalid_form_names_the_field(client_for, editor, organization) -> None:
    response = client_for(editor).post(
        edit_url(organization), {"name": "", "website": "not a site", "version": 1}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"name", "website"}
    organization.refresh_from_db()
    assert organization.version == 1


def test_organization_list_filters_searches_and_paginates(client_for, viewer) -> None:
    OrganizationFactory.create_batch(55, kind="ngo")
    client = client_for(viewer)
    response = client.get(reverse("accounts:organization_list"), {"kind": "ngo"})
    assert response.context["paginator"].count == 55
    assert len(response.context["object_list"]) == 50
    response = client.get(reverse("accounts:organization_list"), {"q": "home migr"})
    assert [org.code for org in response.context["object_list"]] == ["HOME"]


def test_htmx_request_gets_only_the_results_partial(client_for, viewer) -> None:
    response = client_for(viewer).get(
        reverse("accounts:organization_list"), {"q": "home"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and "Home Ministry of Migration" in body
    assert "HX-Request" in response["Vary"]


def test_list_export_is_filtered_neutralised_and_audited(client_for, viewer) -> None:
    OrganizationFactory(code="EVIL", name="=cmd|' /C calc'!A0", kind="ngo")
    response = client_for(viewer).get(
        reverse("accounts:organization_list"), {"kind": "ngo", "export": "csv"}
    )
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")))
    )
    assert rows[0][:2] == ["Code", "Name"]
    assert rows[1][:2] == ["EVIL", "'=cmd|' /C calc'!A0"]
    assert len(rows) == 2
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.metadata["format"] == "csv" and event.metadata["filters"] == ["kind"]


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_every_list_exports_in_each_format(client_for, viewer, countries, fmt: str) -> None:
    client = client_for(viewer)
    for name in ["accounts:organization_list", "core:country_list"]:
        response = client.get(reverse(name), {"export": fmt})
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_list_page_query_count_does_not_grow_with_rows(
    client_for, viewer, django_assert_max_num_queries, countries
) -> None:
    OrganizationFactory.create_batch(40, country=countries["KEN"])
    client = client_for(viewer)
    with django_assert_max_num_queries(12):
        client.get(reverse("accounts:organization_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("core:country_list"))


def test_members_are_listed_only_for_members(
    client, make_member, organization, other_organization
) -> None:
    make_member(Role.EDITOR, organization, username="home-editor")
    outsider = make_member(Role.VIEWER, other_organization, username="outsider")
    client.force_login(outsider)
    response = client.get(organization.get_absolute_url())
    assert response.status_code == 200
    assert "home-editor" not in response.content.decode()
    client.force_login(make_member(Role.VIEWER, organization, username="insider"))
    assert "home-editor" in client.get(organization.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.VIEWER, 403), (Role.DATA_PROTECTION_OFFICER, 200), (Role.ADMINISTRATOR, 200)],
)
def test_audit_log_is_for_administrators_and_dpos(
    client, make_member, organization, role, expected
) -> None:
    client.force_login(make_member(role, organization))
    assert client.get(reverse("core:auditevent_list")).status_code == expected


def test_audit_log_shows_only_the_organizations_events(
    client, make_member, organization, other_organization, editor
) -> None:
    from migration_hub.accounts import services

    other_editor = make_member(Role.EDITOR, other_organization)
    services.update_organization(
        organization, actor=editor, expected_version=1, changes={"acronym": "HMM"}
    )
    services.update_organization(
        other_organization, actor=other_editor, expected_version=1, changes={"acronym": "OAR"}
    )
    client.force_login(make_member(Role.DATA_PROTECTION_OFFICER, organization))
    events = client.get(reverse("core:auditevent_list"), {"action": "update"}).context[
        "object_list"
    ]
    assert [event.organization_ref for event in events] == [str(organization.pk)]


def test_dpo_sees_sign_ins_and_exports_of_the_organizations_members(
    client, make_member, organization, other_organization
) -> None:
    member = make_member(Role.VIEWER, organization)
    outsider = make_member(Role.VIEWER, other_organization)
    for user in (member, outsider):
        client.force_login(user)
        client.get(reverse("accounts:organization_list"), {"export": "json"})
    client.force_login(make_member(Role.DATA_PROTECTION_OFFICER, organization))
    events = client.get(reverse("core:auditevent_list"), {"action": "export"}).context[
        "object_list"
    ]
    assert [event.actor for event in events] == [member]


def test_rebuild_search_index_command(organization) -> None:
    from django.core.management import call_command

    from migration_hub.accounts.models import Organization
    from migration_hub.core import search
    from migration_hub.core.models import SearchDocument

    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index")
    assert search.filter_queryset(Organization.objects.all(), "home").exists()

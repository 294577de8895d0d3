"""The API convention every app follows: auth, scoping, pagination, search, errors."""

import json

import pytest
from django.test import override_settings

from migration_hub.accounts import services
from migration_hub.accounts.choices import Role
from migration_hub.accounts.models import Membership, Organization
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
ORGS = "/api/accounts/organizations/"


def org_url(organization) -> str:
    return f"{ORGS}{organization.code}/"


def test_anonymous_gets_401_with_the_scheme_to_use(api_client) -> None:
    response = api_client.get("/api/core/countries/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_list_envelope_and_limit_offset(api_client, viewer, countries) -> None:
    api_client.force_authenticate(viewer)
    page = api_client.get("/api/core/countries/", {"limit": 10, "offset": 20}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 249 and len(page["results"]) == 10
    assert "offset=30" in page["next"] and "offset=10" in page["previous"]
    assert (
        api_client.get("/api/core/countries/", {"limit": 5000}).json()["results"].__len__() == 249
    )


def test_q_search_and_filters_on_lists(api_client, viewer, countries) -> None:
    api_client.force_authenticate(viewer)
    found = api_client.get("/api/core/countries/", {"q": "cote"}).json()["results"]
    assert [country["alpha3"] for country in found] == ["CIV"]
    eastern_africa = api_client.get("/api/core/countries/", {"region": "014"}).json()
    assert eastern_africa["count"] > 10
    assert {c["intermediate_region"] for c in eastern_africa["results"]} == {"014"}
    regions = api_client.get("/api/core/regions/", {"q": "africa"}).json()["results"]
    assert "Sub-Saharan Africa" in {region["name"] for region in regions}
    services.create_organization(
        actor=None, code="KDO", name="Kenya Diaspora Office", kind="ngo", country=countries["KEN"]
    )
    orgs = api_client.get(ORGS, {"q": "diaspora", "country": "KEN"}).json()
    assert [org["name"] for org in orgs["results"]] == ["Kenya Diaspora Office"]
    bad_filter = api_client.get(ORGS, {"kind": "volcano"})
    assert bad_filter.status_code == 400 and "kind" in bad_filter.json()


def test_country_detail_by_iso_code(api_client, viewer, countries) -> None:
    api_client.force_authenticate(viewer)
    kenya = api_client.get("/api/core/countries/KEN/").json()
    assert kenya == {
        "alpha2": "KE",
        "alpha3": "KEN",
        "m49_code": "404",
        "name": "Kenya",
        "official_name": "Republic of Kenya",
        "region": "002",
        "sub_region": "202",
        "intermediate_region": "014",
    }
    assert api_client.get("/api/core/countries/XXX/").status_code == 404


def test_editor_updates_with_version_and_it_is_audited(api_client, editor, organization) -> None:
    api_client.force_authenticate(editor)
    response = api_client.patch(
        org_url(organization), {"acronym": "HMM", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["acronym"] == "HMM"
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).changes["acronym"] == ["", "HMM"]


def test_stale_version_gets_409_and_nothing_is_overwritten(
    api_client, editor, organization
) -> None:
    api_client.force_authenticate(editor)
    api_client.patch(org_url(organization), {"name": "First", "version": 1}, format="json")
    response = api_client.patch(
        org_url(organization), {"name": "Second", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "changed by someone else" in response.json()["detail"]
    organization.refresh_from_db()
    assert organization.name == "First"


def test_update_without_version_is_refused(api_client, editor, organization) -> None:
    api_client.force_authenticate(editor)
    response = api_client.patch(org_url(organization), {"name": "No version"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    organization.refresh_from_db()
    assert organization.name == "Home Ministry of Migration"


def test_invalid_json_is_a_400_that_says_so(api_client, editor, organization) -> None:
    api_client.force_authenticate(editor)
    response = api_client.generic(
        "PATCH", org_url(organization), '{"name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_unknown_fields_are_named(api_client, editor, organization) -> None:
    api_client.force_authenticate(editor)
    response = api_client.patch(
        org_url(organization), {"version": 1, "colour": "red", "budget": 3}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"colour", "budget"}
    organization.refresh_from_db()
    assert organization.version == 1


def test_wrong_types_are_named(api_client, editor, organization) -> None:
    api_client.force_authenticate(editor)
    response = api_client.patch(
        org_url(organization),
        {"version": "one", "kind": 7, "website": "not a url", "country": "ZZZ"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"version", "kind", "website", "country"}
    body_not_object = api_client.patch(org_url(organization), [1, 2], format="json")
    assert body_not_object.status_code == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_body_gets_413(api_client, editor, organization) -> None:
    api_client.force_authenticate(editor)
    body = json.dumps({"version": 1, "description": "x" * 5000})
    response = api_client.generic(
        "PATCH", org_url(organization), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "limit is 1000 bytes" in response.json()["detail"]
    organization.refresh_from_db()
    assert organization.description == ""


def test_viewer_may_read_but_not_change(api_client, viewer, organization) -> None:
    api_client.force_authenticate(viewer)
    assert api_client.get(org_url(organization)).status_code == 200
    response = api_client.patch(
        org_url(organization), {"name": "Hijack", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_editor_of_another_organization_cannot_change_it(
    api_client, make_member, organization, other_organization
) -> None:
    api_client.force_authenticate(make_member(Role.EDITOR, other_organization))
    response = api_client.patch(
        org_url(organization), {"name": "Hijack", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_another_organizations_membership_is_404_not_403(
    api_client, make_member, organization, other_organization
) -> None:
    make_member(Role.EDITOR, other_organization, username="their-editor")
    theirs = Membership.objects.get(user__username="their-editor")
    api_client.force_authenticate(make_member(Role.ADMINISTRATOR, organization))
    assert api_client.get(f"/api/accounts/memberships/{theirs.pk}/").status_code == 404
    assert api_client.delete(f"/api/accounts/memberships/{theirs.pk}/").status_code == 404
    listed = api_client.get("/api/accounts/memberships/").json()["results"]
    assert {m["organization"] for m in listed} == {"HOME"}
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_administrator_grants_and_revokes_roles_in_own_organization_only(
    api_client, make_member, organization, other_organization
) -> None:
    admin = make_member(Role.ADMINISTRATOR, organization)
    newcomer = make_member(Role.VIEWER, organization, username="newcomer")
    api_client.force_authenticate(admin)
    granted = api_client.post(
        "/api/accounts/memberships/",
        {"user": "newcomer", "organization": "HOME", "role": "editor"},
        format="json",
    )
    assert granted.status_code == 201, granted.json()
    assert newcomer.has_perm("accounts.change_organization", organization)
    refused = api_client.post(
        "/api/accounts/memberships/",
        {"user": "newcomer", "organization": "OTHER", "role": "administrator"},
        format="json",
    )
    assert refused.status_code == 403
    assert not Membership.objects.filter(organization=other_organization, user=newcomer).exists()
    assert (
        api_client.delete(f"/api/accounts/memberships/{granted.json()['id']}/").status_code == 204
    )
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"grant", "revoke"}


def test_offices_can_be_added_by_the_organizations_editors_only(
    api_client, editor, make_member, other_organization, countries
) -> None:
    api_client.force_authenticate(editor)
    created = api_client.post(
        "/api/accounts/offices/",
        {"organization": "HOME", "country": "KEN", "name": "Nairobi office", "city": "Nairobi"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    refused = api_client.post(
        "/api/accounts/offices/",
        {"organization": "OTHER", "country": "KEN", "name": "Fake office"},
        format="json",
    )
    assert refused.status_code == 403
    headquarters = {"organization": "HOME", "country": "CHE", "name": "HQ", "is_headquarters": True}
    assert api_client.post("/api/accounts/offices/", headquarters, format="json").status_code == 201
    second = api_client.post(
        "/api/accounts/offices/", {**headquarters, "name": "HQ 2"}, format="json"
    )
    assert second.status_code == 400


def test_only_superusers_create_organizations(api_client, editor) -> None:
    api_client.force_authenticate(editor)
    body = {"code": "NEW", "name": "New body", "kind": "ngo"}
    assert api_client.post(ORGS, body, format="json").status_code == 403
    editor.is_superuser = True
    editor.save()
    created = api_client.post(ORGS, body, format="json")
    assert created.status_code == 201 and created.json()["version"] == 1
    duplicate = api_client.post(ORGS, body, format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()
    bad_code = api_client.post(ORGS, {**body, "code": "bad code!"}, format="json")
    assert bad_code.status_code == 400 and "code" in bad_code.json()
    assert Organization.objects.filter(code="NEW").count() == 1


def test_current_user_endpoint_lists_roles(api_client, editor) -> None:
    api_client.force_authenticate(editor)
    me = api_client.get("/api/accounts/users/me/").json()
    assert me["username"] == editor.username
    assert me["roles"] == [{"organization": "HOME", "role": "editor"}]


def test_list_endpoints_have_a_query_budget(
    api_client, viewer, countries, django_assert_max_num_queries
) -> None:
    OrganizationFactory.create_batch(30, country=countries["KEN"])
    api_client.force_authenticate(viewer)
    for url in [
        "/api/core/countries/",
        "/api/core/regions/",
        ORGS,
        "/api/accounts/offices/",
        "/api/accounts/memberships/",
    ]:
        with django_assert_max_num_queries(6):
            assert api_client.get(url).status_code == 200


def test_audit_events_api_is_scoped(api_client, make_member, organization, viewer) -> None:
    api_client.force_authenticate(viewer)
    assert api_client.get("/api/core/audit-events/").status_code == 403
    api_client.force_authenticate(make_member(Role.DATA_PROTECTION_OFFICER, organization))
    assert api_client.get("/api/core/audit-events/").status_code == 200


def test_schema_and_docs_are_served_without_external_hosts(client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/core/countries/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs
    assert "cdn." not in docs and "unpkg" not in docs


@pytest.mark.parametrize(
    "value", ["0274-02-26T16:27:41+23:44", "0001-01-01T00:00:00+05:00", "yesterday"]
)
def test_odd_dates_in_filters_are_a_400_or_work_not_a_500(
    api_client, make_member, organization, value: str
) -> None:
    api_client.force_authenticate(make_member(Role.DATA_PROTECTION_OFFICER, organization))
    response = api_client.get("/api/core/audit-events/", {"since": value})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "since" in response.json()
    assert api_client.get("/api/core/audit-events/").status_code == 200


def test_deleting_an_organization_is_audited_and_leaves_no_search_entry(
    api_client, organization
) -> None:
    from migration_hub.core import search
    from tests.factories import UserFactory

    api_client.force_authenticate(UserFactory(username="root", is_superuser=True))
    assert api_client.delete(org_url(organization)).status_code == 204
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, target_type__model="organization"
    ).exists()
    assert not search.filter_queryset(Organization.objects.all(), "home").exists()
    from migration_hub.core.models import SearchDocument

    assert not SearchDocument.objects.filter(
        target_id=str(organization.pk), target_type__model="organization"
    ).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/accounts/organizations/%00/",
        "/api/core/countries/?q=%00",
        "/accounts/organizations/A%00/",
    ],
)
def test_nul_characters_in_the_address_get_a_400(api_client, viewer, url: str) -> None:
    api_client.force_authenticate(viewer)
    response = api_client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]

"""Sign-in: lockout after repeated failures, two-factor per role, password reset, audit."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from migration_hub.accounts import services
from migration_hub.accounts.choices import Role
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def sign_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_sign_in_works_and_is_audited(client) -> None:
    user = UserFactory(username="amina")
    response = sign_in(client, "amina", PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


def test_failed_sign_in_is_audited_without_the_user_name(client) -> None:
    UserFactory(username="amina")
    response = sign_in(client, "amina", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert "amina" not in str(event.metadata) and event.actor is None


def test_brute_force_locks_the_account_with_a_clear_message(client, settings) -> None:
    UserFactory(username="amina")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "amina", "guess")
    # Even the right password is refused while locked.
    response = sign_in(client, "amina", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body and "15 minutes" in body
    assert "administrator" in body
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name(client, settings) -> None:
    UserFactory(username="amina")
    UserFactory(username="bilal")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "amina", "guess")
    assert sign_in(client, "bilal", PASSWORD).status_code == 302


def test_role_policy_requires_two_factor_setup(client, make_member, organization) -> None:
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    services.set_role_policy(actor=admin, role=Role.EDITOR, require_two_factor=True)
    editor = make_member(Role.EDITOR, organization)
    assert sign_in(client, editor.username, PASSWORD).status_code == 302
    response = client.get(reverse("accounts:organization_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    # The API refuses too, with a message, instead of redirecting.
    api = client.get("/api/accounts/organizations/")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]

    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    bad = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    assert bad.status_code == 400 and "not valid" in bad.content.decode()
    # Right after a wrong code django-otp holds back attempts, and the page says so.
    held = client.post(
        reverse("accounts:two_factor_setup"), {"token": f"{totp(device.bin_key):06d}"}
    )
    assert held.status_code == 400 and "Wait a few seconds" in held.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # as if the user waited
    good = client.post(
        reverse("accounts:two_factor_setup"),
        {"token": f"{totp(device.bin_key):06d}", "next": reverse("accounts:organization_list")},
    )
    assert good["Location"] == reverse("accounts:organization_list")
    assert client.get(reverse("accounts:organization_list")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR, actor=editor).exists()


def test_viewer_is_not_asked_for_two_factor_when_only_editors_must(
    client, make_member, organization
) -> None:
    services.set_role_policy(actor=None, role=Role.EDITOR, require_two_factor=True)
    viewer = make_member(Role.VIEWER, organization)
    sign_in(client, viewer.username, PASSWORD)
    assert client.get(reverse("accounts:organization_list")).status_code == 200


def test_user_with_an_authenticator_must_type_a_code_after_the_password(client) -> None:
    user = UserFactory(username="amina")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "amina", PASSWORD)
    response = client.get(reverse("core:country_list"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.post(reverse("accounts:two_factor_verify"), {"token": "123"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post(
        reverse("accounts:two_factor_verify"), {"token": f"{totp(device.bin_key):06d}"}
    )
    assert ok.status_code == 302
    assert client.get(reverse("core:country_list")).status_code == 200


def test_password_reset_by_email(client) -> None:
    UserFactory(username="amina", email="amina@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "amina@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-passphrase-42"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    client.logout()
    assert sign_in(client, "amina", new_password).status_code == 302


def test_password_reset_for_an_unknown_address_reveals_nothing(client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and len(mail.outbox) == 0


def test_api_token_is_shown_once_and_replaces_the_old_one(client_for, viewer) -> None:
    client = client_for(viewer)
    first = client.post(reverse("accounts:api_token")).context["token"]
    second = client.post(reverse("accounts:api_token")).context["token"]
    assert first != second
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get("/api/core/countries/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api.get("/api/core/countries/").status_code == 200


def test_a_stolen_password_cannot_replace_the_authenticator(client) -> None:
    user = UserFactory(username="amina")
    own = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "amina", PASSWORD)  # password only, second step not passed
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    posted = client.post(reverse("accounts:two_factor_setup"), {"token": "123456"})
    assert posted.status_code == 302 and posted["Location"].startswith(
        reverse("accounts:two_factor_verify")
    )
    assert list(TOTPDevice.objects.filter(user=user)) == [own]
    with pytest.raises(PermissionDenied):
        attacker_device = services.start_totp_enrolment(user=user)
        services.confirm_totp_enrolment(
            user=user, device=attacker_device, token=f"{totp(attacker_device.bin_key):06d}"
        )


def test_setup_page_shows_the_key_in_base32_for_typing(client_for, viewer) -> None:
    from base64 import b32decode

    response = client_for(viewer).get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=viewer, confirmed=False)
    assert b32decode(response.context["secret"]) == device.bin_key


def test_lockout_page_states_the_configured_wait(client, settings) -> None:
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=42)
    UserFactory(username="amina")
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(client, "amina", "guess")
    assert "42 minutes" in response.content.decode()


def test_behind_a_proxy_lockouts_follow_the_client_address(client, settings) -> None:
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    UserFactory(username="amina")
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "amina", "password": "guess"}, **attacker)
    assert (
        client.post(LOGIN, {"username": "amina", "password": PASSWORD}, **attacker).status_code
        == 429
    )
    real_user = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert (
        client.post(LOGIN, {"username": "amina", "password": PASSWORD}, **real_user).status_code
        == 302
    )


def test_requiring_two_factor_revokes_api_tokens_of_holders_without_it(
    make_member, organization
) -> None:
    from rest_framework.authtoken.models import Token

    editor = make_member(Role.EDITOR, organization)
    viewer = make_member(Role.VIEWER, organization)
    protected = make_member(Role.EDITOR, organization, username="editor-with-phone")
    TOTPDevice.objects.create(user=protected, name="phone", confirmed=True)
    for user in (editor, viewer, protected):
        Token.objects.create(user=user)
    services.set_role_policy(actor=None, role=Role.EDITOR, require_two_factor=True)
    assert set(Token.objects.values_list("user__username", flat=True)) == {
        viewer.username,
        protected.username,
    }


def test_admin_role_policy_change_goes_through_the_service(
    client, make_member, organization
) -> None:
    from rest_framework.authtoken.models import Token

    from migration_hub.accounts.models import RolePolicy

    editor = make_member(Role.EDITOR, organization)
    Token.objects.create(user=editor)
    policy = RolePolicy.objects.create(role=Role.EDITOR)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/accounts/rolepolicy/{policy.pk}/change/",
        {"role": "editor", "require_two_factor": "on"},
    )
    assert response.status_code == 302
    assert RolePolicy.objects.get(pk=policy.pk).require_two_factor
    assert not Token.objects.filter(user=editor).exists()
    assert AuditEvent.objects.filter(target_type__model="rolepolicy").exists()


def test_a_token_of_a_user_given_a_two_factor_role_later_is_refused(
    make_member, organization
) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    services.set_role_policy(actor=None, role=Role.EDITOR, require_two_factor=True)
    viewer = make_member(Role.VIEWER, organization)
    token = Token.objects.create(user=viewer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/core/countries/").status_code == 200
    services.grant_role(actor=None, user=viewer, organization=organization, role=Role.EDITOR)
    refused = api.get("/api/core/countries/")
    assert refused.status_code == 401 and "two-factor" in refused.json()["detail"]
    TOTPDevice.objects.create(user=viewer, name="phone", confirmed=True)
    assert api.get("/api/core/countries/").status_code == 200

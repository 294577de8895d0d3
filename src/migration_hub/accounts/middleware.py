from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import selectors

EXEMPT_PREFIXES = ("/static/", "/i18n/", "/accounts/two-factor/", "/accounts/logout/")


class TwoFactorRequiredMiddleware:
    """Send a signed-in user to the second step until they pass it.

    Applies to users who have an authenticator set up, and to users holding a role whose
    policy requires two-factor sign-in (those are sent to set one up).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            has_device = user.totpdevice_set.filter(confirmed=True).exists()  # type: ignore[union-attr]
            if has_device or selectors.two_factor_required(user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Complete two-factor sign-in before using the API.")},
                        status=403,
                    )
                target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

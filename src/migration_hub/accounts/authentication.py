from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import selectors


class TwoFactorAwareTokenAuthentication(TokenAuthentication):
    """API tokens, refused to holders of a role that requires two-factor sign-in until they
    have set up an authenticator (token requests never pass the sign-in pages)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if (
            selectors.two_factor_required(user)
            and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        ):
            raise AuthenticationFailed(
                _(
                    "One of your roles requires two-factor sign-in: set it up under My account "
                    "before using an API token."
                )
            )
        return user, token

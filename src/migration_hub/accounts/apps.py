from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "migration_hub.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self) -> None:
        from migration_hub.core import search

        from . import permissions, signals  # noqa: F401  (rules; login audit)
        from .models import Organization

        search.register(Organization)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "migration_hub.funds"
    label = "funds"
    verbose_name = _("Trust funds")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers rules)

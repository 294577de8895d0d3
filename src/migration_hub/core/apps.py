from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "migration_hub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import permissions, search  # noqa: F401  (registers rules and searchable models)
        from .models import Country

        search.register(Country)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "migration_hub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Imported for what they register: rules, searchable models, encryption key checks.
        from . import encryption, permissions, search  # noqa: F401
        from .models import Country

        search.register(Country)

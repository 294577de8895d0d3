from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "migration_hub.registry"
    label = "registry"
    verbose_name = _("Governance registry")

    def ready(self) -> None:
        from migration_hub.core import search

        from . import models, permissions  # noqa: F401  (registers rules)

        for model in (
            models.Organization,
            models.Instrument,
            models.Right,
            models.FrameworkItem,
            models.Network,
        ):
            search.register(model)

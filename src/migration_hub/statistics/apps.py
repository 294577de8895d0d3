from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "migration_hub.statistics"
    label = "statistics"
    verbose_name = _("Migration statistics")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers rules)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "migration_hub.knowledge"
    label = "knowledge"
    verbose_name = _("Migration Network Hub")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
        from .search import register_models

        register_models()

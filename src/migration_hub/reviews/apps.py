from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "migration_hub.reviews"
    label = "reviews"
    verbose_name = _("GCM follow-up and review")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)

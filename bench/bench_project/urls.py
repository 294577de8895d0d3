"""Every Migration Hub URL, then the bare views (last, so they get no head start in resolving)."""

from django.urls import path

from migration_hub.config.urls import urlpatterns as hub_urlpatterns

from . import BARE_COUNTRIES_PATH, views

urlpatterns = [
    *hub_urlpatterns,
    path(BARE_COUNTRIES_PATH.lstrip("/"), views.bare_countries, name="bench-bare-countries"),
]

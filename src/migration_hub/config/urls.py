from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("migration_hub.core.urls")),
    path("accounts/", include("migration_hub.accounts.urls")),
    path("registry/", include("migration_hub.registry.urls")),
    path("statistics/", include("migration_hub.statistics.urls")),
    path("funds/", include("migration_hub.funds.urls")),
    path("reviews/", include("migration_hub.reviews.urls")),
    path("hub/", include("migration_hub.knowledge.urls")),
    path("health/", include("migration_hub.health.urls")),
    path("cases/", include("migration_hub.cases.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/core/", include("migration_hub.core.api.urls")),
    path("api/accounts/", include("migration_hub.accounts.api.urls")),
    path("api/registry/", include("migration_hub.registry.api.urls")),
    path("api/statistics/", include("migration_hub.statistics.api.urls")),
    path("api/funds/", include("migration_hub.funds.api.urls")),
    path("api/reviews/", include("migration_hub.reviews.api.urls")),
    path("api/knowledge/", include("migration_hub.knowledge.api.urls")),
    path("api/health/", include("migration_hub.health.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = "Migration Hub"
admin.site.site_title = "Migration Hub"

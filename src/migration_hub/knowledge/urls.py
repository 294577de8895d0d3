"""Every Hub page; each views module owns its URL patterns."""

from .views import connection, discussions, experts, resources, search, subscriptions

app_name = "knowledge"

urlpatterns = [
    *resources.urlpatterns,
    *search.urlpatterns,
    *experts.urlpatterns,
    *discussions.urlpatterns,
    *connection.urlpatterns,
    *subscriptions.urlpatterns,
]

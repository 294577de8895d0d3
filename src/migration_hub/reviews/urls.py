"""Every review page; each views module owns its URL patterns."""

from .views import cycles, pledges, reports, reviews

app_name = "reviews"

urlpatterns = [
    *cycles.urlpatterns,
    *reviews.urlpatterns,
    *pledges.urlpatterns,
    *reports.urlpatterns,
]

from rest_framework.routers import DefaultRouter

from .views import AuditEventViewSet, CountryViewSet, RegionViewSet

router = DefaultRouter()
router.register("countries", CountryViewSet, basename="country")
router.register("regions", RegionViewSet, basename="region")
router.register("audit-events", AuditEventViewSet, basename="auditevent")

app_name = "core-api"
urlpatterns = router.urls

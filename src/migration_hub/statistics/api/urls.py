from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("areas", views.AreaViewSet, basename="area")
router.register("observations", views.ObservationViewSet, basename="observation")
router.register("contributions", views.ContributionViewSet, basename="contribution")

app_name = "statistics-api"
urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("pledges", views.PledgeViewSet, basename="pledge")

app_name = "reviews-api"
urlpatterns = router.urls

"""API of the assessment workflow, included into the `health-api` namespace."""

from rest_framework.routers import SimpleRouter

from .assessments import AssessmentViewSet

router = SimpleRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")

urlpatterns = router.urls

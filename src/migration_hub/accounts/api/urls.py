from rest_framework.routers import DefaultRouter

from .views import CurrentUserViewSet, MembershipViewSet, OfficeViewSet, OrganizationViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("offices", OfficeViewSet, basename="office")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("users", CurrentUserViewSet, basename="user")

app_name = "accounts-api"
urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("countries", views.RegistryCountryViewSet, basename="country")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("networks", views.NetworkViewSet, basename="network")
router.register("network-memberships", views.NetworkMembershipViewSet, basename="networkmembership")
router.register("instruments", views.InstrumentViewSet, basename="instrument")
router.register("participations", views.ParticipationViewSet, basename="participation")
router.register("rights", views.RightViewSet, basename="right")
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("framework-items", views.FrameworkItemViewSet, basename="frameworkitem")
router.register("crosswalks", views.CrosswalkViewSet, basename="crosswalk")

app_name = "registry-api"
urlpatterns = router.urls

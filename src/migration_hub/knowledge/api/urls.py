"""The Hub's API under /api/knowledge/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("calls", views.CallViewSet, basename="call")
router.register("experts", views.ExpertViewSet, basename="expert")
router.register("spaces", views.SpaceViewSet, basename="space")
router.register("threads", views.ThreadViewSet, basename="thread")
router.register("posts", views.PostViewSet, basename="post")
router.register("demands", views.DemandViewSet, basename="demand")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("saved-searches", views.SavedSearchViewSet, basename="savedsearch")

app_name = "knowledge-api"
urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    *router.urls,
]

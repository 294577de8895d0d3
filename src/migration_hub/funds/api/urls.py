from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("funds", views.FundViewSet, basename="fund")
router.register("contributions", views.ContributionViewSet, basename="contribution")
router.register("calls", views.CallViewSet, basename="call")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("transactions", views.LedgerTransactionViewSet, basename="transaction")

app_name = "funds-api"
urlpatterns = router.urls

from django.urls import path

from .urls_assessments import urlpatterns as assessment_urlpatterns
from .views import protocols

app_name = "health"

urlpatterns = [
    path("protocols/", protocols.ProtocolListView.as_view(), name="protocol_list"),
    path(
        "protocols/<slug:protocol>/",
        protocols.ProtocolDetailView.as_view(),
        name="protocol_detail",
    ),
    path("requirements/", protocols.RequirementsView.as_view(), name="requirements"),
    *assessment_urlpatterns,
]

from django.urls import path

from .assessment_urls import urlpatterns as assessment_urlpatterns
from .views import RequirementsAPIView

app_name = "health-api"

urlpatterns = [
    path(
        "assessments/requirements/",
        RequirementsAPIView.as_view(),
        name="assessment_requirements",
    ),
    *assessment_urlpatterns,
]

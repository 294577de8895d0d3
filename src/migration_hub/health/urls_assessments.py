"""Pages of the assessment workflow (appointments, results, certificates, referrals), included
into the `health` namespace by `health/urls.py`."""

from django.urls import path

from .views import assessments

urlpatterns = [
    path("assessments/", assessments.AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/new/", assessments.AssessmentCreateView.as_view(), name="assessment_create"),
    path(
        "assessments/dashboard/",
        assessments.DashboardView.as_view(),
        name="assessment_dashboard",
    ),
    path(
        "assessments/<int:pk>/",
        assessments.AssessmentDetailView.as_view(),
        name="assessment_detail",
    ),
    path(
        "assessments/<int:pk>/results/",
        assessments.ResultView.as_view(),
        name="assessment_result",
    ),
    path(
        "assessments/<int:pk>/classify/",
        assessments.ClassifyView.as_view(),
        name="assessment_classify",
    ),
    path(
        "assessments/<int:pk>/decide/",
        assessments.DecideView.as_view(),
        name="assessment_decide",
    ),
    path(
        "assessments/<int:pk>/tb-referral/",
        assessments.ReferView.as_view(),
        name="assessment_refer",
    ),
    path(
        "assessments/<int:pk>/tb-referral/<int:referral>/",
        assessments.ReferralStatusView.as_view(),
        name="referral_status",
    ),
    path(
        "assessments/<int:pk>/certificate/",
        assessments.CertificateIssueView.as_view(),
        name="certificate_issue",
    ),
    path(
        "assessments/<int:pk>/certificate.pdf",
        assessments.CertificateDownloadView.as_view(),
        name="certificate_download",
    ),
    path("panel-sites/", assessments.PanelSiteListView.as_view(), name="panelsite_list"),
]

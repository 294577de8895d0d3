from django.urls import path, register_converter

from . import views


class ReportFormat:
    regex = "xlsx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReportFormat, "report_format")

app_name = "funds"
# Lists and records shared by every fund come first: fund codes are in capitals, these are not.
urlpatterns = [
    path("", views.FundListView.as_view(), name="fund_list"),
    path("contributions/", views.ContributionListView.as_view(), name="contribution_list"),
    path(
        "contributions/<int:pk>/",
        views.ContributionDetailView.as_view(),
        name="contribution_detail",
    ),
    path(
        "contributions/<int:pk>/sign/",
        views.SignContributionView.as_view(),
        name="contribution_sign",
    ),
    path(
        "contributions/<int:pk>/deposit/",
        views.DepositView.as_view(),
        name="contribution_deposit",
    ),
    path("exchange-rates/", views.ExchangeRateListView.as_view(), name="exchangerate_list"),
    path(
        "exchange-rates/new/",
        views.ExchangeRateCreateView.as_view(),
        name="exchangerate_create",
    ),
    path("calls/", views.CallListView.as_view(), name="call_list"),
    path("calls/<int:pk>/", views.CallDetailView.as_view(), name="call_detail"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/<str:code>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path(
        "programmes/<str:code>/<slug:step>/",
        views.ProgrammeStepView.as_view(),
        name="programme_step",
    ),
    path("<str:code>/", views.FundDetailView.as_view(), name="fund_detail"),
    path(
        "<str:code>/portfolio.<report_format:fmt>",
        views.ReportDownloadView.as_view(document="portfolio"),
        name="portfolio_download",
    ),
    path("<str:code>/statement/", views.StatementView.as_view(), name="statement"),
    path(
        "<str:code>/statement.<report_format:fmt>",
        views.ReportDownloadView.as_view(document="statement"),
        name="statement_download",
    ),
    path("<str:code>/donors/<int:pk>/", views.DonorReportView.as_view(), name="donor_report"),
    path(
        "<str:code>/donors/<int:pk>.<report_format:fmt>",
        views.ReportDownloadView.as_view(document="donor"),
        name="donor_report_download",
    ),
    path("<str:code>/ledger/", views.LedgerView.as_view(), name="ledger"),
    path(
        "<str:code>/contributions/new/",
        views.ContributionCreateView.as_view(),
        name="contribution_create",
    ),
    path("<str:code>/calls/new/", views.CallCreateView.as_view(), name="call_create"),
    path(
        "<str:code>/concept-notes/new/",
        views.ConceptNoteCreateView.as_view(),
        name="concept_note_create",
    ),
]

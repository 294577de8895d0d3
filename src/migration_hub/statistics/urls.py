from django.urls import path, register_converter

from . import release_views, views


class DownloadFormat:
    regex = "svg|png|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DownloadFormat, "download_format")

app_name = "statistics"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("datasets/<int:pk>/", views.DatasetView.as_view(), name="dataset_detail"),
    path("contributions/", views.ContributionListView.as_view(), name="contribution_list"),
    path("contributions/new/", views.ContributionCreateView.as_view(), name="contribution_create"),
    path(
        "contributions/<int:pk>/",
        views.ContributionDetailView.as_view(),
        name="contribution_detail",
    ),
    path("areas/<str:code>/", views.AreaProfileView.as_view(), name="area_profile"),
    path(
        "areas/<str:code>/figures.hxl.csv",
        views.FiguresHxlView.as_view(),
        name="area_figures_hxl",
    ),
    path(
        "areas/<str:code>/charts/<slug:name>.<download_format:fmt>",
        views.ChartDownloadView.as_view(),
        name="chart_download",
    ),
    # Statistics releases about people (case management's safe statistics).
    path("releases/", release_views.ReleaseListView.as_view(), name="release_list"),
    path("releases/new/", release_views.ReleaseCreateView.as_view(), name="release_create"),
    path("releases/budgets/", release_views.BudgetView.as_view(), name="release_budgets"),
    path("releases/<int:pk>/", release_views.ReleaseDetailView.as_view(), name="release_detail"),
    path(
        "releases/<int:pk>/table.csv",
        release_views.ReleaseCsvView.as_view(),
        name="release_csv",
    ),
    path(
        "releases/<int:pk>/publish/",
        release_views.ReleaseActionView.as_view(action="publish"),
        name="release_publish",
    ),
    path(
        "releases/<int:pk>/withdraw/",
        release_views.ReleaseActionView.as_view(action="withdraw"),
        name="release_withdraw",
    ),
]

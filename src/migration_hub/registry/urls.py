from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path(
        "organizations/<str:code>/",
        views.OrganizationDetailView.as_view(),
        name="organization_detail",
    ),
    path(
        "organizations/<str:code>/edit/",
        views.OrganizationEditView.as_view(),
        name="organization_update",
    ),
    path("countries/<str:alpha3>/", views.CountryView.as_view(), name="country_detail"),
    path(
        "countries/<str:alpha3>/participations/new/",
        views.ParticipationCreateView.as_view(),
        name="participation_create",
    ),
    path("networks/<str:code>/", views.NetworkView.as_view(), name="network_detail"),
    path("instruments/", views.InstrumentListView.as_view(), name="instrument_list"),
    path("instruments/<str:code>/", views.InstrumentView.as_view(), name="instrument_detail"),
    path("rights/", views.RightListView.as_view(), name="right_list"),
    path("rights/<str:code>/", views.RightView.as_view(), name="right_detail"),
    path("frameworks/", views.FrameworkListView.as_view(), name="framework_list"),
    path(
        "frameworks/items/<str:code>/",
        views.FrameworkItemView.as_view(),
        name="frameworkitem_detail",
    ),
    path("crosswalk/", views.CrosswalkMatrixView.as_view(), name="crosswalk_matrix"),
    path("graph/", views.GraphView.as_view(), name="graph"),
    path("<str:kind>/<str:code>/history/", views.HistoryView.as_view(), name="history"),
    path("<str:kind>/<str:code>/edit/", views.RecordEditView.as_view(), name="record_update"),
]

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("countries/", views.CountryListView.as_view(), name="country_list"),
    path("countries/<str:alpha3>/", views.CountryDetailView.as_view(), name="country_detail"),
    path("audit/", views.AuditEventListView.as_view(), name="auditevent_list"),
]

"""API of the assessment workflow."""

urlpatterns: list = []

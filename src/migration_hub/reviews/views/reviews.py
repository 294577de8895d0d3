"""Placeholder: filled in by this issue."""

urlpatterns: list = []

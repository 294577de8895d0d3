from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class RulesPermission(BasePermission):
    """Checks `<app>.<action>_<model>` through django-rules, without and then with the object.

    Objects the user may not see are already absent from the view's queryset (selectors), so
    they answer 404; objects the user may see but not change answer 403.
    """

    def _perm(self, request: Request, view: Any) -> str | None:
        queryset = getattr(view, "queryset", None)
        model = queryset.model if queryset is not None else getattr(view, "model", None)
        if model is None:
            return None
        action = ACTIONS.get(request.method or "GET", "view")
        return f"{model._meta.app_label}.{action}_{model._meta.model_name}"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        perm = self._perm(request, view)
        return perm is None or request.user.has_perm(perm)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        perm = self._perm(request, view)
        return perm is None or request.user.has_perm(perm, obj)

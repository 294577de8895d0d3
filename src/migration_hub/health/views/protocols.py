"""Public pages: the protocols with their history, and the requirements form."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from ..engine import ProfileError, requirements_for
from ..forms.profile import ProfileForm
from ..models import CountryList, ProtocolVersion


@dataclass
class VersionView:
    version: ProtocolVersion
    in_force: bool
    changes: list[tuple[str, str]] = field(default_factory=list)
    previous: ProtocolVersion | None = None


def version_history(versions: list[ProtocolVersion]) -> list[VersionView]:
    """Newest first, each with the lines changed since the version before it."""
    today = timezone.localdate()
    oldest_first = sorted(versions, key=lambda version: version.effective_from)
    rows = []
    for index, version in enumerate(oldest_first):
        previous = oldest_first[index - 1] if index else None
        changes = []
        if previous is not None:
            for line in difflib.unified_diff(
                previous.text.splitlines(), version.text.splitlines(), lineterm="", n=0
            ):
                if line.startswith(("+++", "---", "@@")):
                    continue
                changes.append(("added" if line.startswith("+") else "removed", line[1:]))
        in_force = version.effective_from <= today and (
            version.effective_to is None or today < version.effective_to
        )
        rows.append(VersionView(version, in_force, changes, previous))
    return list(reversed(rows))


class ProtocolListView(TemplateView):
    template_name = "health/protocols/protocol_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        protocols: dict[str, list[ProtocolVersion]] = {}
        for version in ProtocolVersion.objects.defer("text", "document"):
            protocols.setdefault(version.protocol, []).append(version)
        context["protocols"] = [
            {"code": code, "history": version_history(versions), "latest": versions[0]}
            for code, versions in protocols.items()
        ]
        context["country_lists"] = CountryList.objects.all()
        return context


class ProtocolDetailView(TemplateView):
    template_name = "health/protocols/protocol_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        versions = list(ProtocolVersion.objects.filter(protocol=self.kwargs["protocol"]))
        if not versions:
            raise Http404
        context["history"] = version_history(versions)
        context["latest"] = versions[0]
        return context


class RequirementsView(View):
    """What a profile needs, computed and shown; nothing about the person is stored."""

    template_name = "health/protocols/requirements.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": ProfileForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProfileForm(request.POST)
        result = None
        if form.is_valid():
            try:
                result = requirements_for(form.profile())
            except ProfileError as error:
                form.add_profile_errors(error.errors)
        response = render(
            request,
            self.template_name,
            {"form": form, "result": result},
            status=200 if result is not None else 400,
        )
        response["Cache-Control"] = "no-store"
        return response

"""Pages: the expert database. "Find experts" (a question and filters, ranked, with the reason
for each match), one expert with a form to write to them, the person's own profile (with the
opt-in), and the messages experts received, which they answer through the platform.

Every read of other people's profiles goes through `services.experts.listed_experts()`; no page
shows an e-mail address.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from migration_hub.core.forms import add_service_error
from migration_hub.core.services import ConflictError

from ..forms_community import (
    AnswerMessageForm,
    ContactExpertForm,
    ExpertProfileForm,
    FindExpertsForm,
)
from ..models import ExpertProfile
from ..services import experts as services

PAGE_SIZE = 25
FIND_LIMIT = 50


def _with_relations(queryset: Any) -> Any:
    return queryset.prefetch_related("objectives", "themes", "regions", "countries")


class ExpertListView(View):
    """The expert database: every listed expert, or those matching "find experts", best first
    with the reasons."""

    template_name = "knowledge/experts/expert_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = FindExpertsForm(request.GET or None)
        matches = None
        page = None
        status = 200
        if form.is_bound and form.is_valid() and form.has_criteria():
            try:
                matches = services.find_experts(**form.search_arguments(), limit=FIND_LIMIT)
            except ValidationError as error:
                add_service_error(form, error)
                status = 400
        elif form.is_bound and not form.is_valid():
            status = 400
        if matches is None:
            experts = _with_relations(services.listed_experts().order_by("display_name", "pk"))
            page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "matches": matches,
                "page_obj": page,
                "paginator": page.paginator if page else None,
                "is_paginated": bool(page and page.has_other_pages()),
                "querystring": query.urlencode(),
                "own_profile": services.own_profile(request.user),
            },
            status=status,
        )


def expert_or_404(pk: int) -> ExpertProfile:
    return get_object_or_404(_with_relations(services.listed_experts()), pk=pk)


def render_expert(
    request: HttpRequest, expert: ExpertProfile, form: ContactExpertForm | None = None, status=200
) -> HttpResponse:
    user = request.user
    is_self = user.is_authenticated and expert.user_id == user.pk
    if form is None and user.is_authenticated and not is_self:
        form = ContactExpertForm()
    return render(
        request,
        "knowledge/experts/expert_detail.html",
        {
            "expert": expert,
            "form": form,
            "is_self": is_self,
            "languages": [services.language_name(code) for code in expert.languages or []],
            "contacts_per_day": services.contacts_per_day(),
        },
        status=status,
    )


class ExpertDetailView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_expert(request, expert_or_404(pk))


class ExpertContactView(LoginRequiredMixin, View):
    """Write to an expert (POST; Post/Redirect/Get)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("knowledge:expert_detail", kwargs={"pk": pk}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        expert = expert_or_404(pk)
        form = ContactExpertForm(request.POST)
        if form.is_valid():
            try:
                services.contact_expert(
                    request.user,
                    expert,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Your message was sent to %(name)s. Their answer will come by e-mail.")
                    % {"name": expert.display_name},
                )
                return HttpResponseRedirect(expert.get_absolute_url())
        return render_expert(request, expert, form, status=400)


class MyExpertProfileView(LoginRequiredMixin, View):
    """The person's own expert profile, listed or not, with the opt-in box."""

    template_name = "knowledge/experts/expert_profile_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        profile = services.own_profile(request.user)
        form = ExpertProfileForm(initial=ExpertProfileForm.initial_for(profile, request.user))
        return self.render_form(form, profile)

    def post(self, request: HttpRequest) -> HttpResponse:
        profile = services.own_profile(request.user)
        form = ExpertProfileForm(request.POST)
        status = 400
        if form.is_valid():
            expected = form.cleaned_data["expected_version"]
            if profile is not None and expected is None:
                expected = 0  # the form was opened before the profile existed: a conflict
            try:
                saved = services.save_profile(
                    request.user,
                    user=request.user,
                    expected_version=expected if profile is not None else None,
                    **form.profile_fields(),
                )
            except ConflictError as error:
                form.add_error(None, str(error))
                status = 409
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if saved.opted_in:
                    messages.success(
                        request,
                        _("Your expert profile is saved and listed in the expert database."),
                    )
                else:
                    messages.success(
                        request,
                        _("Your expert profile is saved. It is not listed: no one else sees it."),
                    )
                return HttpResponseRedirect(reverse("knowledge:expert_profile"))
        return self.render_form(form, profile, status=status)

    def render_form(
        self, form: ExpertProfileForm, profile: ExpertProfile | None, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "profile": profile,
                "message_count": services.messages_for(self.request.user).count() if profile else 0,
            },
            status=status,
        )


class ExpertMessagesView(LoginRequiredMixin, View):
    """The messages written to the person's expert profile, each with a form to answer."""

    template_name = "knowledge/experts/expert_messages.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page()

    def render_page(self, bound: tuple[int, AnswerMessageForm] | None = None, status=200):
        page = Paginator(services.messages_for(self.request.user), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        rows = []
        for message in page.object_list:
            if bound and bound[0] == message.pk:
                form = bound[1]
            else:
                form = AnswerMessageForm(prefix=f"answer-{message.pk}")
            rows.append(
                {
                    "message": message,
                    "sender_name": services.sender_name(message.sender),
                    "form": form,
                }
            )
        return render(
            self.request,
            self.template_name,
            {
                "rows": rows,
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "profile": services.own_profile(self.request.user),
            },
            status=status,
        )


class ExpertAnswerView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("knowledge:expert_messages"))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(services.messages_for(request.user), pk=pk)
        form = AnswerMessageForm(request.POST, prefix=f"answer-{message.pk}")
        if form.is_valid():
            try:
                services.reply_to_message(request.user, message, body=form.cleaned_data["body"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Your answer was sent to %(name)s.")
                    % {"name": services.sender_name(message.sender)},
                )
                return HttpResponseRedirect(reverse("knowledge:expert_messages"))
        view = ExpertMessagesView()
        view.setup(request)
        return view.render_page((message.pk, form), status=400)


urlpatterns = [
    path("experts/", ExpertListView.as_view(), name="expert_list"),
    path("experts/me/", MyExpertProfileView.as_view(), name="expert_profile"),
    path("experts/me/messages/", ExpertMessagesView.as_view(), name="expert_messages"),
    path(
        "experts/me/messages/<int:pk>/answer/",
        ExpertAnswerView.as_view(),
        name="expert_message_answer",
    ),
    path("experts/<int:pk>/", ExpertDetailView.as_view(), name="expert_detail"),
    path("experts/<int:pk>/contact/", ExpertContactView.as_view(), name="expert_contact"),
]

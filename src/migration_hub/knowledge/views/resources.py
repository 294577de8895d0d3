"""Pages: resources and their peer review.

- The list of published resources (simple filters; the faceted search is /hub/search/) and one
  resource: its translations, files, "Peer reviewed" badge, "needs update" notice, freshness
  date, and its history with what changed in each version.
- Submitting (metadata, titles and summaries in several languages, a first file), editing (the
  form carries the version it was opened at: a save over someone else's change stores nothing)
  and "my submissions".
- Peer review: the editors' queue, screening, assigning reviewers (suggested by theme and
  language), the reviewer's rubric page (blind to the other reviews until theirs is in), the
  decision page.
- Calls for practices, each with "submit a practice to this call".

Views stay thin: selectors read (a resource out of the person's reach is a 404), forms collect,
services check every rule and write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from migration_hub.core import search
from migration_hub.core.exports import Column
from migration_hub.core.forms import add_service_error
from migration_hub.core.services import ConflictError
from migration_hub.core.views import export_if_asked

from .. import diffs, selectors
from ..choices import Criterion, ResourceStatus
from ..forms import (
    AssignForm,
    CallForm,
    DecisionForm,
    FileForm,
    ResourceFilterForm,
    ResourceForm,
    RubricForm,
    ScreenForm,
    writable_organizations,
)
from ..models import Resource, ReviewAssignment
from ..services import peer_review
from ..services import resources as services

PAGE_SIZE = 20


def resource_or_404(user: Any, pk: int) -> Resource:
    resource = selectors.resource_for(user, pk)
    if resource is None:
        raise Http404(_("No such resource."))
    return resource


def require_editor(user: Any) -> None:
    if not user.has_perm("knowledge.edit_hub"):
        raise PermissionDenied(_("Only the Hub's editors can do this."))


def error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- The list ---------------------------------------------------------------------------------


EXPORT_COLUMNS = [
    Column(gettext_lazy("Id"), "pk"),
    Column(gettext_lazy("Title"), lambda resource: resource.title),
    Column(gettext_lazy("Kind"), "kind"),
    Column(gettext_lazy("Original language"), "language"),
    Column(gettext_lazy("Organization"), lambda resource: resource.organization.code),
    Column(gettext_lazy("Year"), "year"),
    Column(gettext_lazy("Licence"), "licence"),
    Column(gettext_lazy("Link"), "link"),
    Column(gettext_lazy("Peer reviewed"), "peer_reviewed"),
    Column(gettext_lazy("Needs update"), "needs_update"),
    Column(gettext_lazy("Last checked"), "checked_on"),
    Column(gettext_lazy("Published"), "published_at"),
]


class ResourceListView(View):
    """Published resources, newest first, with a few filters, pages and exports."""

    template_name = "knowledge/resources/resource_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ResourceFilterForm(request.GET or None)
        resources = selectors.published_resources()
        status = 200
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["kind"]:
                resources = resources.filter(kind=data["kind"])
            if data["objective"]:
                resources = resources.filter(objectives=data["objective"])
            if data["country"]:
                resources = resources.filter(countries=data["country"])
            if data["reviewed"]:
                resources = resources.filter(peer_reviewed=True)
            if data["q"]:
                resources = search.search_queryset(resources, data["q"])
        elif form.is_bound:
            resources = resources.none()
            status = 400
        resources = resources.order_by("-published_at", "-id").distinct()
        exported = export_if_asked(request, "hub-resources", resources, EXPORT_COLUMNS)
        if exported is not None:
            return exported
        page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "can_submit": request.user.is_authenticated
            and writable_organizations(request.user).exists(),
        }
        return render(request, self.template_name, context, status=status)


# --- One resource -----------------------------------------------------------------------------


def detail_context(request: HttpRequest, resource: Resource, **extra: Any) -> dict[str, Any]:
    user = request.user
    translations = list(resource.translations.all())
    wanted = request.GET.get("lang", "")[:10]
    shown = resource.translation(wanted if wanted else None)
    can_change = user.has_perm("knowledge.change_resource", resource)
    is_editor = user.has_perm("knowledge.edit_hub")
    own_assignment = None
    if user.is_authenticated:
        own_assignment = (
            ReviewAssignment.objects.filter(
                resource=resource, reviewer=user, round=resource.review_round
            )
            .order_by("-created_at")
            .first()
        )
    return {
        "resource": resource,
        "shown": shown,
        "translations": translations,
        "files": list(resource.files.all()),
        "history": diffs.history(resource),
        "decisions": list(selectors.decisions_for(user, resource)),
        "can_change": can_change,
        "can_submit": can_change and resource.status in peer_review.SUBMITTABLE,
        "is_editor": is_editor,
        "file_form": extra.pop("file_form", None) or (FileForm() if can_change else None),
        "own_assignment": own_assignment,
        "statuses": ResourceStatus,
        **extra,
    }


class ResourceDetailView(View):
    template_name = "knowledge/resources/resource_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        return render(request, self.template_name, detail_context(request, resource))


class ResourceSubmitView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        try:
            resource = peer_review.submit(request.user, resource)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("Submitted. The Hub's editors will screen it and tell you by e-mail.")
            )
        return HttpResponseRedirect(resource.get_absolute_url())


class FreshnessView(LoginRequiredMixin, View):
    """Editors flag a resource as needing an update (or clear it), or mark it checked today."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        require_editor(request.user)
        action = request.POST.get("action")
        if action == "flag":
            services.set_needs_update(request.user, resource, True)
            messages.success(request, _("Marked as needing an update."))
        elif action == "unflag":
            services.set_needs_update(request.user, resource, False)
            messages.success(request, _("Marked as up to date."))
        elif action == "checked":
            services.mark_checked(request.user, resource)
            messages.success(request, _("Marked as checked today."))
        else:
            raise Http404
        return HttpResponseRedirect(f"{resource.get_absolute_url()}#freshness")


# --- Files ------------------------------------------------------------------------------------


class FileAddView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        if not request.user.has_perm("knowledge.change_resource", resource):
            raise PermissionDenied
        form = FileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                row = services.add_file(
                    request.user,
                    resource,
                    form.cleaned_data["file"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("%(name)s added.") % {"name": row.name})
                return HttpResponseRedirect(f"{resource.get_absolute_url()}#files")
        context = detail_context(request, resource, file_form=form)
        return render(request, ResourceDetailView.template_name, context, status=400)


class FileDownloadView(View):
    def get(self, request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
        resource = resource_or_404(request.user, pk)
        row = get_object_or_404(resource.files.all(), pk=file_pk)
        return FileResponse(
            row.file.open("rb"),
            as_attachment=True,
            filename=row.name,
            content_type=row.content_type,
        )


class FileRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        row = get_object_or_404(resource.files.all(), pk=file_pk)
        services.remove_file(request.user, row)
        messages.success(request, _("%(name)s removed.") % {"name": row.name})
        return HttpResponseRedirect(f"{resource.get_absolute_url()}#files")


# --- Submitting and editing -------------------------------------------------------------------


def _add_first_file(request: HttpRequest, resource: Resource, form: ResourceForm) -> None:
    upload = form.cleaned_data.get("file")
    if upload:
        services.add_file(
            request.user, resource, upload, language=form.cleaned_data.get("file_language", "")
        )


class ResourceCreateView(LoginRequiredMixin, View):
    template_name = "knowledge/resources/resource_form.html"

    def make_form(self, data: Any = None, files: Any = None) -> ResourceForm:
        initial: dict[str, Any] = {"language": translation.get_language() or "en"}
        call = self.request.GET.get("call", "")[:12]
        calls = selectors.open_calls()
        if call.isdigit() and calls.filter(pk=int(call)).exists():
            initial["call"] = int(call)
            initial["kind"] = "practice"
        return ResourceForm(data, files, user=self.request.user, calls=calls, initial=initial)

    def render_form(self, form: ResourceForm, status: int = 200) -> HttpResponse:
        return render(
            self.request, self.template_name, {"form": form, "resource": None}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form()
        if not form.fields["organization"].queryset.exists():
            raise PermissionDenied(_("You may not submit resources for any organization."))
        return self.render_form(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            send = request.POST.get("action") == "submit"
            try:
                # One transaction: a refused file or submission leaves nothing behind.
                with transaction.atomic():
                    resource = services.create_resource(
                        request.user,
                        organization=form.cleaned_data["organization"],
                        **form.metadata(),
                    )
                    _add_first_file(request, resource, form)
                    if send:
                        peer_review.submit(request.user, resource)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if send:
                    messages.success(
                        request,
                        _("Submitted. The Hub's editors will screen it and tell you by e-mail."),
                    )
                else:
                    messages.success(request, _("Saved as a draft. Submit it when it is ready."))
                return HttpResponseRedirect(resource.get_absolute_url())
        return self.render_form(form, status=400)


class ResourceEditView(LoginRequiredMixin, View):
    template_name = "knowledge/resources/resource_form.html"

    def resource(self) -> Resource:
        resource = resource_or_404(self.request.user, self.kwargs["pk"])
        if not self.request.user.has_perm("knowledge.change_resource", resource):
            raise PermissionDenied(_("You may not edit this resource now."))
        return resource

    def render_form(
        self, resource: Resource, form: ResourceForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {
            "form": form,
            "resource": resource,
            "can_submit": resource.status in peer_review.SUBMITTABLE,
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = self.resource()
        form = ResourceForm(user=request.user, resource=resource, calls=selectors.open_calls())
        return self.render_form(resource, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = self.resource()
        form = ResourceForm(
            request.POST,
            request.FILES,
            user=request.user,
            resource=resource,
            calls=selectors.open_calls(),
        )
        if form.is_valid():
            send = request.POST.get("action") == "submit"
            try:
                with transaction.atomic():
                    saved = services.update_resource(
                        request.user,
                        resource,
                        expected_version=form.cleaned_data["expected_version"],
                        note=form.cleaned_data.get("note", ""),
                        **form.metadata(),
                    )
                    _add_first_file(request, saved, form)
                    if send:
                        peer_review.submit(request.user, saved)
            except ConflictError:
                return self.conflict(resource, form)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Saved and resubmitted for review.") if send else _("Saved."),
                )
                return HttpResponseRedirect(resource.get_absolute_url())
        return self.render_form(resource, form, status=400)

    def conflict(self, resource: Resource, form: ResourceForm) -> HttpResponse:
        """What was typed, now carrying the current version (saving again is a deliberate
        choice). Nothing was written."""
        stored = Resource.objects.get(pk=resource.pk)
        data = form.data.copy()
        data["expected_version"] = str(stored.version)
        rebound = ResourceForm(
            data, user=self.request.user, resource=stored, calls=selectors.open_calls()
        )
        rebound.is_valid()
        messages.error(
            self.request,
            _(
                "Someone changed this resource after you opened it. Nothing was saved: look at "
                "its history, then save again to replace their change with yours."
            ),
        )
        return self.render_form(stored, rebound, status=409, conflict=True)


class MySubmissionsView(LoginRequiredMixin, View):
    template_name = "knowledge/resources/resource_mine.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.my_submissions(request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        assignments = list(selectors.assignments_for(request.user)[:50])
        return render(
            request,
            self.template_name,
            {
                "page": page,
                "assignments": assignments,
                "can_submit": writable_organizations(request.user).exists(),
            },
        )


# --- Peer review: the editors -----------------------------------------------------------------


class EditorPage(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_editor(request.user)
        return super().dispatch(request, *args, **kwargs)


class ReviewQueueView(EditorPage):
    template_name = "knowledge/resources/review_queue.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        queue = list(selectors.editor_queue(request.user))
        groups = [
            (status, [row for row in queue if row.status == status])
            for status in selectors.QUEUE_STATUSES
        ]
        return render(
            request,
            self.template_name,
            {"groups": [(ResourceStatus(s).label, s, rows) for s, rows in groups]},
        )


def manage_context(request: HttpRequest, resource: Resource, **extra: Any) -> dict[str, Any]:
    assignable = resource.status in peer_review.ASSIGNABLE
    return {
        "resource": resource,
        "assignments": list(selectors.round_assignments(resource).order_by("created_at")),
        "submitted": selectors.submitted_count(resource),
        "needed": peer_review.MIN_REVIEWS,
        "screen_form": extra.pop("screen_form", None) or ScreenForm(),
        "assign_form": extra.pop("assign_form", None) or AssignForm(),
        "suggestions": peer_review.suggest_reviewers(resource) if assignable else [],
        "assignable": assignable,
        "statuses": ResourceStatus,
        "decisions": list(selectors.decisions_for(request.user, resource)),
        **extra,
    }


class ReviewManageView(EditorPage):
    """One resource in peer review: screening, reviewers (suggested), the state of the round."""

    template_name = "knowledge/resources/review_manage.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        return render(request, self.template_name, manage_context(request, resource))


class ScreenView(EditorPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        form = ScreenForm(request.POST)
        if form.is_valid():
            accept = form.cleaned_data["accept"]
            try:
                peer_review.screen(
                    request.user, resource, accept=accept, reasons=form.cleaned_data["reasons"]
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Accepted for peer review: assign at least two reviewers.")
                    if accept
                    else _("Turned down; the author was told why."),
                )
                return HttpResponseRedirect(reverse("knowledge:review_manage", args=[pk]))
        context = manage_context(request, resource, screen_form=form)
        return render(request, ReviewManageView.template_name, context, status=400)


class AssignView(EditorPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        form = AssignForm(request.POST)
        if form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            try:
                peer_review.assign_reviewer(request.user, resource, reviewer)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s assigned as a reviewer; they were told by e-mail.")
                    % {"name": reviewer.get_full_name() or reviewer.get_username()},
                )
                return HttpResponseRedirect(
                    reverse("knowledge:review_manage", args=[pk]) + "#reviewers"
                )
        context = manage_context(request, resource, assign_form=form)
        return render(request, ReviewManageView.template_name, context, status=400)


class UnassignView(EditorPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = get_object_or_404(ReviewAssignment.objects.select_related("resource"), pk=pk)
        try:
            peer_review.unassign_reviewer(request.user, assignment)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Assignment withdrawn."))
        return HttpResponseRedirect(
            reverse("knowledge:review_manage", args=[assignment.resource_id]) + "#reviewers"
        )


def review_rows(user: Any, resource: Resource) -> list[dict[str, Any]]:
    """The reviews the person may read, with the rubric's labels beside the scores."""
    return [
        {
            "assignment": row,
            "scores": [
                (criterion.label, row.scores.get(criterion.value)) for criterion in Criterion
            ],
        }
        for row in selectors.readable_assignments(user, resource)
        if row.submitted_at is not None
    ]


class DecisionView(EditorPage):
    """The submitted reviews of the round side by side, and the editor's decision."""

    template_name = "knowledge/resources/review_decide.html"

    def render_page(
        self, resource: Resource, form: DecisionForm, status: int = 200
    ) -> HttpResponse:
        rows = [
            row
            for row in review_rows(self.request.user, resource)
            if row["assignment"].round == resource.review_round
        ]
        context = {
            "resource": resource,
            "form": form,
            "reviews": rows,
            "needed": peer_review.MIN_REVIEWS,
            "open": resource.status == ResourceStatus.IN_REVIEW,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(resource_or_404(request.user, pk), DecisionForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource = resource_or_404(request.user, pk)
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                row = peer_review.decide(
                    request.user,
                    resource,
                    decision=form.cleaned_data["decision"],
                    reasons=form.cleaned_data["reasons"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Decision recorded: %(decision)s. The author was told by e-mail.")
                    % {"decision": row.get_decision_display()},
                )
                return HttpResponseRedirect(resource.get_absolute_url())
        return self.render_page(resource, form, status=400)


# --- Peer review: the reviewers ---------------------------------------------------------------


class AssignmentListView(LoginRequiredMixin, View):
    template_name = "knowledge/resources/assignment_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"assignments": list(selectors.assignments_for(request.user))},
        )


class AssignmentDetailView(LoginRequiredMixin, View):
    """A reviewer's page: the resource, the rubric form until the review is sent, then the
    review as sent and, from then on, the other reviews of the round."""

    template_name = "knowledge/resources/assignment_detail.html"

    def assignment(self) -> ReviewAssignment:
        row = selectors.assignment_for(self.request.user, self.kwargs["pk"])
        if row is None:
            raise Http404(_("No such review."))
        return row

    def render_page(
        self, assignment: ReviewAssignment, form: RubricForm | None, status: int = 200
    ) -> HttpResponse:
        resource = assignment.resource
        own = assignment.reviewer_id == self.request.user.pk
        open_round = (
            resource.status == ResourceStatus.IN_REVIEW
            and assignment.round == resource.review_round
        )
        writable = own and assignment.submitted_at is None and open_round
        others = [
            row
            for row in review_rows(self.request.user, resource)
            if row["assignment"].round == assignment.round and row["assignment"].pk != assignment.pk
        ]
        context = {
            "assignment": assignment,
            "resource": resource,
            "own": own,
            "form": (form or RubricForm()) if writable else None,
            "scores": [
                (criterion.label, assignment.scores.get(criterion.value)) for criterion in Criterion
            ],
            "others": others,
            "closed": own and assignment.submitted_at is None and not open_round,
            "files": list(resource.files.all()),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(self.assignment(), None)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.assignment()
        if assignment.reviewer_id != request.user.pk:
            raise PermissionDenied(_("Only the reviewer assigned can submit this review."))
        form = RubricForm(request.POST)
        if form.is_valid():
            try:
                peer_review.submit_review(
                    request.user,
                    assignment,
                    scores=form.scores(),
                    comments=form.cleaned_data["comments"],
                    recommendation=form.cleaned_data["recommendation"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Review sent. Thank you. You can now read the other reviews.")
                )
                return HttpResponseRedirect(reverse("knowledge:assignment_detail", args=[pk]))
        return self.render_page(assignment, form, status=400)


# --- Calls for practices ----------------------------------------------------------------------


class CallListView(View):
    template_name = "knowledge/resources/call_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.calls().order_by("-deadline", "title"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            self.template_name,
            {"page": page, "can_create": request.user.has_perm("knowledge.edit_hub")},
        )


class CallDetailView(View):
    template_name = "knowledge/resources/call_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        call = get_object_or_404(selectors.calls(), pk=pk)
        practices = selectors.published_resources().filter(call=call).order_by("-published_at")
        return render(
            request,
            self.template_name,
            {
                "call": call,
                "practices": list(practices[:100]),
                "is_open": call.is_open(),
                "can_submit": request.user.is_authenticated
                and writable_organizations(request.user).exists(),
            },
        )


class CallCreateView(EditorPage):
    template_name = "knowledge/resources/call_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": CallForm(user=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CallForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                call = peer_review.create_call(request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Call for practices published."))
                return HttpResponseRedirect(call.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


urlpatterns = [
    path("resources/", ResourceListView.as_view(), name="resource_list"),
    path("resources/new/", ResourceCreateView.as_view(), name="resource_create"),
    path("resources/mine/", MySubmissionsView.as_view(), name="resource_mine"),
    path("resources/<int:pk>/", ResourceDetailView.as_view(), name="resource_detail"),
    path("resources/<int:pk>/edit/", ResourceEditView.as_view(), name="resource_edit"),
    path("resources/<int:pk>/submit/", ResourceSubmitView.as_view(), name="resource_submit"),
    path("resources/<int:pk>/freshness/", FreshnessView.as_view(), name="resource_freshness"),
    path("resources/<int:pk>/files/", FileAddView.as_view(), name="resource_file_add"),
    path(
        "resources/<int:pk>/files/<int:file_pk>/",
        FileDownloadView.as_view(),
        name="resource_file",
    ),
    path(
        "resources/<int:pk>/files/<int:file_pk>/remove/",
        FileRemoveView.as_view(),
        name="resource_file_remove",
    ),
    path("peer-review/", ReviewQueueView.as_view(), name="review_queue"),
    path("peer-review/<int:pk>/", ReviewManageView.as_view(), name="review_manage"),
    path("peer-review/<int:pk>/screen/", ScreenView.as_view(), name="review_screen"),
    path("peer-review/<int:pk>/assign/", AssignView.as_view(), name="review_assign"),
    path("peer-review/<int:pk>/decide/", DecisionView.as_view(), name="review_decide"),
    path(
        "peer-review/assignments/<int:pk>/withdraw/",
        UnassignView.as_view(),
        name="review_unassign",
    ),
    path("reviews/", AssignmentListView.as_view(), name="assignment_list"),
    path("reviews/<int:pk>/", AssignmentDetailView.as_view(), name="assignment_detail"),
    path("calls/", CallListView.as_view(), name="call_list"),
    path("calls/new/", CallCreateView.as_view(), name="call_create"),
    path("calls/<int:pk>/", CallDetailView.as_view(), name="call_detail"),
]

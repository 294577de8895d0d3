"""Voluntary GCM reviews: the list (filters, pages, exports), starting a review, and the editor
where co-authors write it section by section and take it through its workflow
(draft -> internal review -> submitted -> published).

Views stay thin: `selectors.review_for` reads (a review out of the person's reach is a 404, so
the ids of other organizations' drafts reveal nothing), the forms collect, `services` writes
and checks every rule. Each section is its own form carrying the version it was opened at:
a save that would overwrite someone else's shows both texts and stores nothing.

Autosave (static/migration_hub/reviews-autosave.js) posts a section with `autosave=1` and gets
JSON back; an expired session answers 401 so the script keeps the text in the browser.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from migration_hub.core.exports import Column
from migration_hub.core.forms import add_service_error
from migration_hub.core.services import ConflictError
from migration_hub.core.views import FilteredListView
from migration_hub.registry.models import FrameworkItem

from .. import selectors, services
from ..choices import ReviewStatus, SectionKey, Stakeholder
from ..filtersets import ReviewFilterSet
from ..forms import (
    GUIDING_PRINCIPLES,
    AddObjectiveForm,
    AttachmentForm,
    CoauthorForm,
    CommentForm,
    ReviewDetailsForm,
    ReviewForm,
    SectionForm,
    section_choices,
    section_form_class,
    writable_organizations,
)
from ..models import Review, Section, objective_key
from ..permissions import can_edit_section

BLOCK_TEMPLATE = "reviews/partials/section_block.html"
# The order of the parts in the review, after the UN Network's template for voluntary reviews.
BEFORE_OBJECTIVES = [SectionKey.METHODOLOGY]
AFTER_OBJECTIVES = [SectionKey.PRINCIPLES, SectionKey.IMPLEMENTATION_PLAN]
AFTER_PLEDGES = [SectionKey.CHALLENGES, SectionKey.SUPPORT, SectionKey.NEXT_STEPS]


def is_autosave(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("autosave") == "1"


def review_or_404(user: Any, pk: int) -> Review:
    review = selectors.review_for(user, pk)
    if review is None:
        raise Http404(_("No such review."))
    return review


def section_key_or_404(key: str) -> int | None:
    try:
        return services.parse_section_key(key)
    except ValidationError as error:
        raise Http404(_("No such section.")) from error


def section_of(review: Review, key: str) -> Section:
    """The stored section, or an unsaved one (version 0) for an objective not yet written."""
    number = section_key_or_404(key)
    for section in review.sections.all():
        if section.key == key:
            return section
    return Section(review=review, key=key, objective_number=number, version=0)


def editable(review: Review) -> bool:
    return review.status in services.EDITABLE_STATUSES


class ReviewPage(LoginRequiredMixin, View):
    """A page about one review: sign-in first; a script's request without a session gets 401
    (not the sign-in page), so it can keep what was typed and say so."""

    def handle_no_permission(self) -> HttpResponse:
        request = self.request
        if not request.user.is_authenticated and (
            is_autosave(request) or getattr(request, "htmx", False)
        ):
            return JsonResponse(
                {"ok": False, "error": "signed-out", "message": _("Sign in again.")}, status=401
            )
        return super().handle_no_permission()

    @property
    def review(self) -> Review:
        if not hasattr(self, "_review"):
            self._review = review_or_404(self.request.user, self.kwargs["pk"])
        return self._review


# --- The list ---------------------------------------------------------------------------------


class ReviewListView(FilteredListView):
    permission_required = "reviews.list_review"  # rows come from the selector
    filterset_class = ReviewFilterSet
    template_name = "reviews/review_list.html"
    export_name = "gcm-reviews"
    search_fields = ["title", "entity_name", "organization__name"]
    paginate_by = 25
    export_columns = [
        Column(gettext_lazy("Id"), "pk"),
        Column(gettext_lazy("Title"), "title"),
        Column(gettext_lazy("Reporting entity"), "entity_name"),
        Column(gettext_lazy("Level"), "level"),
        Column(gettext_lazy("Cycle"), lambda review: str(review.cycle.title)),
        Column(gettext_lazy("Cycle year"), "cycle__year"),
        Column(gettext_lazy("Country (ISO alpha-3)"), "country__alpha3"),
        Column(gettext_lazy("Regional commission"), "commission"),
        Column(gettext_lazy("Organization"), "organization__code"),
        Column(gettext_lazy("Language"), "language"),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Submitted"), "submitted_at"),
        Column(pgettext_lazy("date", "Published"), "published_at"),
        Column(gettext_lazy("Late"), "is_late"),
        Column(gettext_lazy("Sample"), "is_sample"),
    ]

    def get_base_queryset(self) -> QuerySet[Review]:
        return selectors.reviews_for(self.request.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = writable_organizations(self.request.user).exists()
        return context


# --- Starting a review ------------------------------------------------------------------------


class ReviewCreateView(LoginRequiredMixin, View):
    template_name = "reviews/review_form.html"

    def make_form(self, data: Any = None) -> ReviewForm:
        cycles = selectors.review_cycles().order_by("-year", "kind", "commission")
        initial = {"language": self.request.LANGUAGE_CODE}
        cycle = self.request.GET.get("cycle", "")[:18]
        if cycle.isascii() and cycle.isdecimal():
            initial["cycle"] = cycles.filter(pk=int(cycle)).first()
        return ReviewForm(data, user=self.request.user, cycles=cycles, initial=initial)

    def render_form(self, form: ReviewForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form()
        if not form.fields["organization"].queryset.exists():
            raise PermissionDenied(_("You may not start a review for any organization."))
        return self.render_form(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = services.create_review(
                    request.user,
                    cycle=data["cycle"],
                    organization=data["organization"],
                    title=data["title"],
                    level=data["level"],
                    entity_name=data["entity_name"],
                    language=data["language"],
                    country=data["country"],
                    commission=data["commission"],
                    stakeholder=data["stakeholder"],
                    period_from=data["period_from"],
                    period_to=data["period_to"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Review started. Write it section by section."))
                return HttpResponseRedirect(review.get_absolute_url())
        return self.render_form(form, status=400)


# --- The editor -------------------------------------------------------------------------------


def objective_titles() -> dict[int, str]:
    return {
        int(code.removeprefix("GCM-O")): title
        for code, title in FrameworkItem.objects.filter(code__startswith="GCM-O").values_list(
            "code", "short_title"
        )
        if code.removeprefix("GCM-O").isdigit()
    }


def section_display(section: Section) -> list[tuple[Any, list[Any]]]:
    """The structured part of a section as (label, values), for those who only read it."""
    data = section.data or {}
    if section.key == SectionKey.METHODOLOGY:
        labels = dict(Stakeholder.choices)
        return [
            (_("Government bodies involved"), data.get("government_bodies", [])),
            (
                _("Stakeholders consulted"),
                [labels.get(value, value) for value in data.get("stakeholders", [])],
            ),
        ]
    if section.key == SectionKey.PRINCIPLES:
        return [(label, [data[code]]) for code, label in GUIDING_PRINCIPLES if data.get(code)]
    if section.key == SectionKey.IMPLEMENTATION_PLAN:
        rows: list[tuple[Any, list[Any]]] = [
            (
                _("A national implementation plan exists"),
                [_("Yes") if data.get("has_plan") else _("No")],
            )
        ]
        if data.get("url"):
            rows.append((_("Web address of the plan"), [data["url"]]))
        return rows
    return []


def section_block(
    request: HttpRequest,
    review: Review,
    section: Section,
    *,
    form: SectionForm | None = None,
    comments: list[Any] | None = None,
    titles: dict[int, str] | None = None,
    saved: str = "",
    conflict: services.SectionConflict | None = None,
    links: selectors.ObjectiveLinks | None = None,
) -> dict[str, Any]:
    """What the page shows of one section: its form (if the person may edit it) or its text,
    its comments, its links (objectives) and, after a refused save, both texts."""
    user = request.user
    key = section.key
    may_edit = editable(review) and can_edit_section(user, review, key)
    if form is None and may_edit:
        form = section_form_class(key)(section=section, language=review.language)
    number = section.objective_number
    block: dict[str, Any] = {
        "key": key,
        "label": services.section_label(key),
        "section": section,
        "form": form if may_edit else None,
        # Comments are the writers' working notes: never shown to readers of a published review.
        "comments": (comments or []) if user.has_perm("reviews.comment_review", review) else [],
        "comment_form": CommentForm(prefix=f"comment-{key}"),
        "save_url": reverse("reviews:section_save", kwargs={"pk": review.pk, "key": key}),
        "history_url": reverse("reviews:section_history", kwargs={"pk": review.pk, "key": key}),
        "saved": saved,
        "conflict": conflict,
        "principles": GUIDING_PRINCIPLES if key == SectionKey.PRINCIPLES else None,
        "display": section_display(section),
        "heading": 3 if number else 2,
        "updated_ms": int(section.updated_at.timestamp() * 1000) if section.pk else 0,
    }
    if number:
        block["title"] = (titles if titles is not None else objective_titles()).get(number, "")
        block["links"] = links or selectors.objective_links(review, number)
    return block


def block_context(request: HttpRequest, review: Review, block: dict[str, Any]) -> dict[str, Any]:
    """What the section's partial needs when it is rendered on its own (htmx)."""
    return {
        "block": block,
        "review": review,
        "can_write": request.user.has_perm("reviews.write_review", review),
        "can_comment": request.user.has_perm("reviews.comment_review", review),
    }


class ReviewDetailView(ReviewPage):
    """The review, every section as its own form (or text, for those who may only read)."""

    template_name = "reviews/review_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, editor_context(request, self.review))


def editor_context(
    request: HttpRequest,
    review: Review,
    *,
    override: dict[str, Any] | None = None,
    missing: list[tuple[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    user = request.user
    sections = {section.key: section for section in review.sections.all()}
    comments: dict[str, list[Any]] = {}
    if user.has_perm("reviews.comment_review", review):
        for comment in review.comments.select_related("author"):
            comments.setdefault(comment.section_key, []).append(comment)
    titles = objective_titles()
    links = selectors.objective_links_for(
        review, [s.objective_number for s in sections.values() if s.objective_number]
    )
    override = override or {}

    def block(key: str) -> dict[str, Any]:
        if key in override:
            return override[key]
        section = sections.get(key) or Section(review=review, key=key, version=0)
        return section_block(
            request,
            review,
            section,
            comments=comments.get(key, []),
            titles=titles,
            links=links.get(section.objective_number),
        )

    objective_sections = sorted(
        (s for s in sections.values() if s.objective_number), key=lambda s: s.objective_number
    )
    taken = {s.objective_number for s in objective_sections}
    can_change = user.has_perm("reviews.change_review", review)
    can_write = user.has_perm("reviews.write_review", review)
    addable = [
        n
        for n in range(1, 24)
        if n not in taken and can_edit_section(user, review, objective_key(n))
    ]
    return {
        "review": review,
        "missing": missing or [],
        "before": [block(key) for key in BEFORE_OBJECTIVES],
        "objectives": [block(s.key) for s in objective_sections],
        "after": [block(key) for key in AFTER_OBJECTIVES],
        "last": [block(key) for key in AFTER_PLEDGES],
        "editable": editable(review),
        "add_objective_form": AddObjectiveForm(
            taken=set(range(1, 24)) - set(addable), titles=titles
        )
        if editable(review) and addable
        else None,
        "pledges": list(review.pledges.select_related("cycle").order_by("title")),
        "pledge_create_url": reverse("reviews:pledge_create"),
        "authors": list(review.authors.all()),
        "can_change": can_change,
        "can_write": can_write,
        "can_comment": user.has_perm("reviews.comment_review", review),
        "can_publish": user.has_perm("reviews.publish_review", review),
        "coauthor_form": CoauthorForm(prefix="coauthor")
        if can_change and editable(review)
        else None,
        "attachments": list(review.attachments.select_related("uploaded_by")),
        "attachment_form": AttachmentForm() if can_write and editable(review) else None,
        "details_form": ReviewDetailsForm(review=review)
        if can_change and editable(review)
        else None,
        "section_labels": dict(section_choices()),
        "statuses": ReviewStatus,
        "login_url": reverse("accounts:login"),
        **extra,
    }


class SectionView(ReviewPage):
    """GET: one section's block (htmx, to reload it). POST: save it; `autosave=1` answers JSON."""

    def get(self, request: HttpRequest, pk: int, key: str) -> HttpResponse:
        review = self.review
        section = section_of(review, key)
        if not getattr(request, "htmx", False):
            return HttpResponseRedirect(f"{review.get_absolute_url()}#section-{key}")
        comments = list(review.comments.filter(section_key=key).select_related("author"))
        block = section_block(request, review, section, comments=comments)
        return render(request, BLOCK_TEMPLATE, block_context(request, review, block))

    def post(self, request: HttpRequest, pk: int, key: str) -> HttpResponse:
        review = self.review
        section = section_of(review, key)
        autosave = is_autosave(request)
        if not can_edit_section(request.user, review, key):
            if autosave:
                return JsonResponse(
                    {"ok": False, "message": _("You may not edit this section.")}, status=403
                )
            raise PermissionDenied(_("You may not edit this section of the review."))
        form = section_form_class(key)(request.POST, section=section, language=review.language)
        if form.is_valid():
            try:
                saved = services.save_section(
                    request.user, review, key, autosave=autosave, **form.service_kwargs()
                )
            except services.SectionConflict as conflict:
                return self.conflict(review, form, conflict, autosave)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return self.saved(review, saved, autosave)
        if autosave:
            return JsonResponse(
                {
                    "ok": False,
                    "message": _("Not saved automatically: %(errors)s")
                    % {"errors": " ".join(str(message) for _a, _l, message in form.error_summary)},
                },
                status=400,
            )
        return self.render_block(review, section, form=form, status=400)

    def saved(self, review: Review, section: Section, autosave: bool) -> HttpResponse:
        moment = formats.time_format(timezone.localtime(section.updated_at), "TIME_FORMAT")
        if autosave:
            message = _("Saved automatically at %(time)s (version %(version)s).")
        else:
            message = _("Saved at %(time)s (version %(version)s).")
        message = message % {"time": moment, "version": section.version}
        if autosave:
            return JsonResponse(
                {
                    "ok": True,
                    "version": section.version,
                    "updated_ms": int(section.updated_at.timestamp() * 1000),
                    "message": message,
                }
            )
        if getattr(self.request, "htmx", False):
            return self.render_block(review, section, saved=message)
        messages.success(self.request, message)
        return HttpResponseRedirect(f"{review.get_absolute_url()}#section-{section.key}")

    def conflict(
        self,
        review: Review,
        form: SectionForm,
        conflict: services.SectionConflict,
        autosave: bool,
    ) -> HttpResponse:
        """Both texts: theirs as stored, and the form again with what was typed, now at the
        current version, so saving it again is a deliberate choice. Nothing was written."""
        data = form.data.copy()
        data[form.add_prefix("expected_version")] = str(conflict.current_version)
        section = conflict.section
        rebound = section_form_class(section.key)(data, section=section, language=review.language)
        rebound.is_valid()
        htmx = getattr(self.request, "htmx", False)
        response = self.render_block(
            review, section, form=rebound, conflict=conflict, status=200 if htmx else 409
        )
        if autosave:
            return JsonResponse(
                {
                    "ok": False,
                    "conflict": True,
                    "message": str(conflict),
                    "html": response.content.decode(),
                },
                status=409,
            )
        return response

    def render_block(
        self, review: Review, section: Section, *, status: int = 200, **kwargs: Any
    ) -> HttpResponse:
        comments = list(review.comments.filter(section_key=section.key).select_related("author"))
        block = section_block(self.request, review, section, comments=comments, **kwargs)
        if getattr(self.request, "htmx", False) or is_autosave(self.request):
            return render(
                self.request,
                BLOCK_TEMPLATE,
                block_context(self.request, review, block),
                status=status,
            )
        context = editor_context(self.request, review, override={section.key: block})
        return render(self.request, "reviews/review_detail.html", context, status=status)


class AddObjectiveView(ReviewPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review
        taken = {s.objective_number for s in review.sections.all() if s.objective_number}
        form = AddObjectiveForm(request.POST, taken=taken, titles={})
        if not form.is_valid():
            messages.error(request, _("Choose a GCM objective not yet in the review."))
            return HttpResponseRedirect(f"{review.get_absolute_url()}#objectives")
        key = form.key
        if not can_edit_section(request.user, review, key):
            raise PermissionDenied(_("You may not edit this section of the review."))
        try:
            services.save_section(request.user, review, key, expected_version=0)
        except (ValidationError, services.SectionConflict) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return HttpResponseRedirect(f"{review.get_absolute_url()}#objectives")
        messages.success(
            request, _("%(section)s added.") % {"section": services.section_label(key)}
        )
        return HttpResponseRedirect(f"{review.get_absolute_url()}#section-{key}")


class SectionHistoryView(ReviewPage):
    """Every saved version of a section, each with what changed since the one before."""

    def get(self, request: HttpRequest, pk: int, key: str) -> HttpResponse:
        review = self.review
        # Earlier versions hold draft text never submitted: for the writers only.
        if not request.user.has_perm("reviews.comment_review", review):
            raise Http404
        section = section_of(review, key)
        versions = list(selectors.section_history(section)) if section.pk else []
        rows = [
            {
                "version": version,
                "diff": selectors.version_diff(
                    versions[index + 1] if index + 1 < len(versions) else None, version
                ),
            }
            for index, version in enumerate(versions)
        ]
        return render(
            request,
            "reviews/review_history.html",
            {
                "review": review,
                "section": section,
                "label": services.section_label(key),
                "rows": rows,
            },
        )


# --- The review's details ---------------------------------------------------------------------


class ReviewEditView(ReviewPage):
    """Correct the title, reporting entity, language and period of a review still being written
    (those with reviews.change_review). The form carries the version it was opened at: a save
    over someone else's change stores nothing and says so."""

    template_name = "reviews/review_edit.html"

    def allowed(self) -> HttpResponse | None:
        review = self.review
        if not self.request.user.has_perm("reviews.change_review", review):
            raise PermissionDenied(_("You do not have permission to do this."))
        if not editable(review):
            return self.render_page(None, status=403)
        return None

    def render_page(
        self, form: ReviewDetailsForm | None, *, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {"review": self.review, "form": form, "editable": editable(self.review), **extra}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = self.allowed()
        if refused is not None:
            return refused
        return self.render_page(ReviewDetailsForm(review=self.review))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = self.allowed()
        if refused is not None:
            return refused
        review = self.review
        form = ReviewDetailsForm(request.POST, review=review)
        if form.is_valid():
            try:
                saved = services.update_review(request.user, review, **form.service_kwargs())
            except ConflictError:
                return self.conflict(form)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                moment = formats.time_format(timezone.localtime(saved.updated_at), "TIME_FORMAT")
                messages.success(
                    request,
                    _("Saved at %(time)s (version %(version)s).")
                    % {"time": moment, "version": saved.version},
                )
                return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_page(form, status=400)

    def conflict(self, form: ReviewDetailsForm) -> HttpResponse:
        """What was typed, now carrying the current version (saving again is a deliberate
        choice), beside the details as someone else saved them. Nothing was written."""
        stored = Review.objects.get(pk=self.review.pk)
        data = form.data.copy()
        data[form.add_prefix("expected_version")] = str(stored.version)
        rebound = ReviewDetailsForm(data, review=stored)
        rebound.is_valid()
        messages.error(
            self.request,
            _(
                "Someone changed the details of this review after you opened them. Nothing was "
                "saved: compare with the details as saved now, then save again."
            ),
        )
        return self.render_page(rebound, status=409, stored=stored)


# --- Workflow, co-authors, comments, attachments ----------------------------------------------


class WorkflowView(ReviewPage):
    ACTIONS = {
        "internal-review": (
            services.send_to_internal_review,
            gettext_lazy("Sent to internal review."),
        ),
        "draft": (services.return_to_draft, gettext_lazy("Returned to draft.")),
        "submit": (services.submit_review, gettext_lazy("Review submitted. Thank you.")),
        "publish": (services.publish_review, gettext_lazy("Review published.")),
    }

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        review = self.review
        step, message = self.ACTIONS[action]
        try:
            step(request.user, review)
        except services.SubmissionIncomplete as incomplete:
            context = editor_context(request, review, missing=incomplete.missing)
            return render(request, "reviews/review_detail.html", context, status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(message))
        return HttpResponseRedirect(review.get_absolute_url())


class CoauthorAddView(ReviewPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review
        if not request.user.has_perm("reviews.change_review", review):
            raise PermissionDenied
        form = CoauthorForm(request.POST, prefix="coauthor")
        if form.is_valid():
            user = form.cleaned_data["username"]
            try:
                services.add_coauthor(
                    request.user, review, user, sections=form.cleaned_data["sections"]
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("%(user)s is a co-author.") % {"user": user})
                return HttpResponseRedirect(f"{review.get_absolute_url()}#authors")
        context = editor_context(request, review, coauthor_form=form)
        return render(request, "reviews/review_detail.html", context, status=400)


class CoauthorRemoveView(ReviewPage):
    def post(self, request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
        review = self.review
        user = get_object_or_404(get_user_model(), pk=user_pk)
        services.remove_coauthor(request.user, review, user)
        messages.success(request, _("%(user)s is no longer a co-author.") % {"user": user})
        return HttpResponseRedirect(f"{review.get_absolute_url()}#authors")


class CommentAddView(ReviewPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review
        key = request.POST.get("section_key", "")
        form = CommentForm(request.POST, prefix=f"comment-{key}" if key else None)
        if form.is_valid():
            try:
                services.add_comment(
                    request.user, review, form.cleaned_data["body"], section_key=key
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Comment added."))
        else:
            messages.error(request, _("Write the comment (up to 5,000 characters)."))
        anchor = f"section-{key}" if key else "comments"
        return HttpResponseRedirect(f"{review.get_absolute_url()}#{anchor}")


class CommentResolveView(ReviewPage):
    def post(self, request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
        review = self.review
        comment = get_object_or_404(review.comments.all(), pk=comment_pk)
        services.resolve_comment(request.user, comment)
        messages.success(request, _("Comment resolved."))
        anchor = f"section-{comment.section_key}" if comment.section_key else "comments"
        return HttpResponseRedirect(f"{review.get_absolute_url()}#{anchor}")


class AttachmentAddView(ReviewPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.add_attachment(
                    request.user, review, form.cleaned_data["file"]
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("%(name)s attached.") % {"name": attachment.name})
                return HttpResponseRedirect(f"{review.get_absolute_url()}#attachments")
        context = editor_context(request, review, attachment_form=form)
        return render(request, "reviews/review_detail.html", context, status=400)


class AttachmentDownloadView(ReviewPage):
    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
        attachment = get_object_or_404(self.review.attachments.all(), pk=attachment_pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


class AttachmentRemoveView(ReviewPage):
    def post(self, request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
        review = self.review
        attachment = get_object_or_404(review.attachments.all(), pk=attachment_pk)
        try:
            services.remove_attachment(request.user, attachment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s removed.") % {"name": attachment.name})
        return HttpResponseRedirect(f"{review.get_absolute_url()}#attachments")


urlpatterns = [
    path("", ReviewListView.as_view(), name="review_list"),
    path("new/", ReviewCreateView.as_view(), name="review_create"),
    path("<int:pk>/", ReviewDetailView.as_view(), name="review_detail"),
    path("<int:pk>/details/", ReviewEditView.as_view(), name="review_edit"),
    path("<int:pk>/sections/<str:key>/", SectionView.as_view(), name="section_save"),
    path(
        "<int:pk>/sections/<str:key>/history/",
        SectionHistoryView.as_view(),
        name="section_history",
    ),
    path("<int:pk>/objectives/", AddObjectiveView.as_view(), name="objective_add"),
    path("<int:pk>/workflow/<str:action>/", WorkflowView.as_view(), name="review_workflow"),
    path("<int:pk>/authors/", CoauthorAddView.as_view(), name="coauthor_add"),
    path(
        "<int:pk>/authors/<int:user_pk>/remove/",
        CoauthorRemoveView.as_view(),
        name="coauthor_remove",
    ),
    path("<int:pk>/comments/", CommentAddView.as_view(), name="comment_add"),
    path(
        "<int:pk>/comments/<int:comment_pk>/resolve/",
        CommentResolveView.as_view(),
        name="comment_resolve",
    ),
    path("<int:pk>/attachments/", AttachmentAddView.as_view(), name="attachment_add"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/remove/",
        AttachmentRemoveView.as_view(),
        name="attachment_remove",
    ),
]

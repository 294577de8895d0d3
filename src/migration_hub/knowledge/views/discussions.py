"""Pages: discussion spaces. The list of spaces, one space (its dates, numbered questions and
the threads under each, a form to start a thread, to subscribe, and for moderators to add a
question), one thread (its posts, a reply form with Markdown help, and the report, hide and
lock buttons for those allowed), and a form for the Hub's editors to open a space.

Views stay thin: the services check every rule (a closed space, a locked thread, who may
moderate) and a refused step shows the page again with the service's message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.core.forms import add_service_error

from ..forms_community import (
    HideForm,
    QuestionForm,
    ReplyForm,
    ReportForm,
    SpaceForm,
    SubscribeForm,
    ThreadForm,
)
from ..models import Post, Space, Thread
from ..services import discussions as services

PAGE_SIZE = 50


def space_or_404(slug: str) -> Space:
    return get_object_or_404(services.spaces(), slug=slug)


def thread_or_404(user: Any, pk: int) -> Thread:
    return get_object_or_404(services.visible_threads(user), pk=pk)


def post_or_404(user: Any, pk: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__space"), pk=pk)
    if not services.visible_threads(user).filter(pk=post.thread_id).exists():
        raise Http404
    return post


def post_url(post: Post) -> str:
    """The address of a post on its thread's page (the page of posts it is on)."""
    before = post.thread.posts.filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, id__lt=post.pk)
    ).count()
    number = before // PAGE_SIZE + 1
    page = f"?page={number}" if number > 1 else ""
    return f"{post.thread.get_absolute_url()}{page}#post-{post.pk}"


def with_dates(space: Space) -> Space:
    """The space's dates in words for its pages (`opens_text`, `closes_text`)."""
    space.opens_text = services.moment(space.opens_at) if space.opens_at else ""
    space.closes_text = services.moment(space.closes_at) if space.closes_at else ""
    return space


def service_message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- spaces ----------------------------------------------------------------------------------


class SpaceListView(View):
    template_name = "knowledge/discussions/space_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        spaces = services.spaces().annotate(
            thread_count=Count("threads", filter=Q(threads__hidden=False), distinct=True),
            question_count=Count("questions", distinct=True),
        )
        page = Paginator(spaces.order_by("-opens_at", "title", "pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        for space in page.object_list:
            with_dates(space)
        return render(
            request,
            self.template_name,
            {
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "querystring": "",
                "can_create": request.user.has_perm("knowledge.edit_hub"),
            },
        )


class SpaceCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "knowledge.edit_hub"
    template_name = "knowledge/discussions/space_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": SpaceForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SpaceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                space = services.create_space(
                    request.user,
                    title=data["title"],
                    slug=data["slug"],
                    description=data["description"],
                    theme=data["theme"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    moderators=data["moderators"],
                    questions=data["questions"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The space is open for discussion."))
                return HttpResponseRedirect(space.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)


def render_space(
    request: HttpRequest,
    space: Space,
    *,
    thread_form: ThreadForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    with_dates(space)
    threads = list(services.threads_for(user, space).annotate(post_count=Count("posts")))
    questions = list(space.questions.all())
    by_question: dict[int | None, list[Thread]] = {}
    for thread in threads:
        by_question.setdefault(thread.question_id, []).append(thread)
    signed_in = user.is_authenticated
    moderator = services.is_moderator(user, space)
    subscription = services.subscription_of(user, space)
    is_open = space.is_open()
    if thread_form is None and signed_in and is_open:
        thread_form = ThreadForm(space=space, prefix="thread")
    if question_form is None and moderator:
        question_form = QuestionForm(prefix="question")
    return render(
        request,
        "knowledge/discussions/space_detail.html",
        {
            "space": space,
            "questions": [(question, by_question.get(question.pk, [])) for question in questions],
            "general_threads": by_question.get(None, []),
            "thread_count": len(threads),
            "is_open": is_open,
            "closed_message": "" if is_open else services.closed_message(space),
            "thread_form": thread_form if is_open else None,
            "question_form": question_form,
            "subscribe_form": SubscribeForm(
                prefix="subscribe",
                initial={"frequency": subscription.frequency} if subscription else None,
            )
            if signed_in
            else None,
            "subscription": subscription,
            "is_moderator": moderator,
            "moderators": list(space.moderators.all()),
        },
        status=status,
    )


class SpaceDetailView(View):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return render_space(request, space_or_404(slug))


class ThreadCreateView(LoginRequiredMixin, View):
    """Start a thread in a space (POST)."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("knowledge:space_detail", kwargs={"slug": slug}))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        space = space_or_404(slug)
        form = ThreadForm(request.POST, space=space, prefix="thread")
        if form.is_valid():
            try:
                thread = services.start_thread(
                    request.user,
                    space,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    question=form.cleaned_data.get("question"),
                )
            except ValidationError as error:
                if not space.is_open():
                    messages.error(request, service_message(error))
                    return render_space(request, space, status=400)
                add_service_error(form, error)
            else:
                messages.success(request, _("Your thread is started."))
                return HttpResponseRedirect(thread.get_absolute_url())
        return render_space(request, space, thread_form=form, status=400)


class QuestionCreateView(LoginRequiredMixin, View):
    """A moderator adds the next numbered question (POST)."""

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        space = space_or_404(slug)
        if not services.is_moderator(request.user, space):
            raise PermissionDenied
        form = QuestionForm(request.POST, prefix="question")
        if form.is_valid():
            try:
                question = services.add_question(
                    request.user, space, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Question Q.%(number)s added.") % {"number": question.number}
                )
                return HttpResponseRedirect(space.get_absolute_url())
        return render_space(request, space, question_form=form, status=400)


class SubscribeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        space = space_or_404(slug)
        form = SubscribeForm(request.POST, prefix="subscribe")
        if form.is_valid():
            subscription = services.subscribe(
                request.user, space, frequency=form.cleaned_data["frequency"]
            )
            messages.success(
                request,
                _("You follow this space: %(frequency)s.")
                % {"frequency": subscription.get_frequency_display()},
            )
        else:
            messages.error(request, _("Choose how often to receive e-mail."))
        return HttpResponseRedirect(space.get_absolute_url())


# --- threads ---------------------------------------------------------------------------------


def render_thread(
    request: HttpRequest,
    thread: Thread,
    *,
    reply_form: ReplyForm | None = None,
    bound: tuple[str, int, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The thread page. `bound` is (kind, post id, form) for a report or hide form that came
    back with errors."""
    user = request.user
    space = with_dates(thread.space)
    moderator = services.is_moderator(user, space)
    signed_in = user.is_authenticated
    page = Paginator(
        thread.posts.select_related("author")
        .prefetch_related("mentions")
        .order_by("created_at", "id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    rows = []
    for post in page.object_list:
        row: dict[str, Any] = {"post": post, "show_body": not post.hidden or moderator}
        if signed_in:
            row["report_form"] = ReportForm(prefix=f"report-{post.pk}")
        if moderator and not post.hidden:
            row["hide_form"] = HideForm(prefix=f"hide-{post.pk}")
        if bound and bound[1] == post.pk:
            row[f"{bound[0]}_form"] = bound[2]
            row["open"] = bound[0]
        rows.append(row)
    is_open = space.is_open()
    can_reply = signed_in and is_open and not thread.locked and not thread.hidden
    if reply_form is None and can_reply:
        reply_form = ReplyForm(prefix="reply")
    return render(
        request,
        "knowledge/discussions/thread_detail.html",
        {
            "thread": thread,
            "space": space,
            "rows": rows,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "querystring": "",
            "is_moderator": moderator,
            "is_open": is_open,
            "closed_message": "" if is_open else services.closed_message(space),
            "reply_form": reply_form if can_reply else None,
            "hide_thread_form": HideForm(prefix="thread") if moderator else None,
        },
        status=status,
    )


class ThreadDetailView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_thread(request, thread_or_404(request.user, pk))


class ThreadReplyView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("knowledge:thread_detail", kwargs={"pk": pk}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        thread = thread_or_404(request.user, pk)
        form = ReplyForm(request.POST, prefix="reply")
        if form.is_valid():
            try:
                post = services.reply(request.user, thread, body=form.cleaned_data["body"])
            except ValidationError as error:
                thread.refresh_from_db()
                if thread.locked or thread.hidden or not thread.space.is_open():
                    messages.error(request, service_message(error))
                    return render_thread(request, thread, status=400)
                add_service_error(form, error)
            else:
                messages.success(request, _("Your reply is posted."))
                return HttpResponseRedirect(post_url(post))
        return render_thread(request, thread, reply_form=form, status=400)


class ThreadLockView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        thread = thread_or_404(request.user, pk)
        locked = request.POST.get("locked") == "1"
        services.lock_thread(request.user, thread, locked)
        messages.success(
            request,
            _("The thread is locked: it takes no more replies.")
            if locked
            else _("The thread is unlocked: it takes replies again."),
        )
        return HttpResponseRedirect(thread.get_absolute_url())


class ThreadHideView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        thread = thread_or_404(request.user, pk)
        if not services.is_moderator(request.user, thread.space):
            raise PermissionDenied
        hidden = request.POST.get("hidden") == "1"
        form = HideForm(request.POST, prefix="thread")
        if hidden and not form.is_valid():
            messages.error(request, _("Give the reason for hiding the thread."))
            return HttpResponseRedirect(thread.get_absolute_url())
        services.hide_thread(
            request.user,
            thread,
            hidden=hidden,
            reason=form.cleaned_data.get("reason", "") if form.is_valid() else "",
        )
        messages.success(
            request,
            _("The thread is hidden from everyone but the moderators.")
            if hidden
            else _("The thread is shown again."),
        )
        return HttpResponseRedirect(thread.get_absolute_url())


# --- posts -----------------------------------------------------------------------------------


class PostFormView(LoginRequiredMixin, View):
    """A form about one post (POST): shown under the post with the `step` prefix; valid, it is
    handed to `act`, which calls the service, and the person goes back to the post with the
    `done` message; refused, the thread is shown again with the form and its errors. Subclasses
    set `step`, `form_class` and `done`, implement `act(post, form)` and may `check(post)`."""

    step = ""
    form_class: type[Any]
    done: Any = ""

    def check(self, post: Post) -> None:
        """Raise PermissionDenied when the person may not take this step."""

    def act(self, post: Post, form: Any) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        post = post_or_404(request.user, pk)
        self.check(post)
        form = self.form_class(request.POST, prefix=f"{self.step}-{post.pk}")
        if form.is_valid():
            try:
                self.act(post, form)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, str(self.done))
                return HttpResponseRedirect(post_url(post))
        return render_thread(request, post.thread, bound=(self.step, post.pk, form), status=400)


class PostReportView(PostFormView):
    step = "report"
    form_class = ReportForm
    done = gettext_lazy("Thank you: the moderators were told about this post.")

    def act(self, post: Post, form: Any) -> None:
        services.report_post(self.request.user, post, reason=form.cleaned_data["reason"])


class PostHideView(PostFormView):
    step = "hide"
    form_class = HideForm
    done = gettext_lazy("The post is hidden.")

    def check(self, post: Post) -> None:
        if not services.is_moderator(self.request.user, post.thread.space):
            raise PermissionDenied

    def act(self, post: Post, form: Any) -> None:
        services.hide_post(self.request.user, post, reason=form.cleaned_data["reason"])


class PostUnhideView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        post = post_or_404(request.user, pk)
        if not services.is_moderator(request.user, post.thread.space):
            raise PermissionDenied
        services.unhide_post(request.user, post)
        messages.success(request, _("The post is shown again."))
        return HttpResponseRedirect(post_url(post))


urlpatterns = [
    path("spaces/", SpaceListView.as_view(), name="space_list"),
    path("spaces/new/", SpaceCreateView.as_view(), name="space_create"),
    path("spaces/<slug:slug>/", SpaceDetailView.as_view(), name="space_detail"),
    path("spaces/<slug:slug>/threads/", ThreadCreateView.as_view(), name="thread_create"),
    path("spaces/<slug:slug>/questions/", QuestionCreateView.as_view(), name="question_create"),
    path("spaces/<slug:slug>/subscribe/", SubscribeView.as_view(), name="space_subscribe"),
    path("threads/<int:pk>/", ThreadDetailView.as_view(), name="thread_detail"),
    path("threads/<int:pk>/reply/", ThreadReplyView.as_view(), name="thread_reply"),
    path("threads/<int:pk>/lock/", ThreadLockView.as_view(), name="thread_lock"),
    path("threads/<int:pk>/hide/", ThreadHideView.as_view(), name="thread_hide"),
    path("posts/<int:pk>/report/", PostReportView.as_view(), name="post_report"),
    path("posts/<int:pk>/hide/", PostHideView.as_view(), name="post_hide"),
    path("posts/<int:pk>/unhide/", PostUnhideView.as_view(), name="post_unhide"),
]

"""Pages of case management: the list of my cases, intake, and one case with its workflow,
masked details and their reveal, notes, tasks, consent and timeline.

Views stay thin: `cases.selectors` reads (scoped to the user's staff rows, audited), a form
collects, a service of `cases.services` checks and writes. Every action is a POST answered by a
redirect to the case (Post/Redirect/Get); an action the service refuses shows the page again
with the form as typed and the reason (400), a stale version the conflict (409); nothing is
written then. A case the user may not see answers 404 on every route, GET and POST alike; an
action the user's roles do not allow answers 403. Both refusals are audited by the selector
and the services.

Permissions are asked of the rules themselves (`services.pages.may`), never of
`user.has_perm`: Django answers True to a superuser, who gets no case access for being one.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction, ExportFormat
from migration_hub.core.exports import Column, export_response
from migration_hub.core.forms import SummaryForm, add_service_error
from migration_hub.core.services import ConflictError
from migration_hub.core.views import FilteredListView

from .. import permissions, selectors, services
from ..choices import CaseType, Sensitivity
from ..forms import (
    CaseFilterSet,
    ConsentForm,
    IntakeForm,
    NoteForm,
    ReasonForm,
    RevealForm,
    TaskForm,
    TransitionForm,
    event_label,
)
from ..models import Case
from ..services import pages
from ..workflows import CLOSED, allowed_events, state_label

DETAIL_TEMPLATE = "cases/case_detail.html"
PROTECTION_EVENT = "plan_protection"


def case_url(case: Case) -> str:
    # The public id, not the reference: a reference is unique within one organization only.
    return reverse("cases:case_detail", args=[case.public_id])


class RulesPermissionMixin(PermissionRequiredMixin):
    """Asks the rule, not `user.has_perm` (which passes every superuser)."""

    def has_permission(self) -> bool:
        return all(
            pages.may(self.request.user, perm, self.get_permission_object())
            for perm in self.get_permission_required()
        )


# --- the list -----------------------------------------------------------------------------------


class CaseListView(RulesPermissionMixin, FilteredListView):
    """The cases the user's scope reaches. Names are encrypted, so `?q=` matches the case's
    reference only; exports carry no personal data."""

    permission_required = "cases.view_case"
    filterset_class = CaseFilterSet
    template_name = "cases/case_list.html"
    export_name = "cases"
    paginate_by = 25
    export_columns = [
        Column(gettext_lazy("Reference"), "reference"),
        Column(gettext_lazy("Case type"), "case_type"),
        Column(gettext_lazy("State"), "state"),
        Column(gettext_lazy("Organization"), "organization__code"),
        Column(gettext_lazy("Office"), "office__name"),
        Column(gettext_lazy("Team"), "team__name"),
        Column(gettext_lazy("Opened"), "opened_at"),
        Column(gettext_lazy("Closed"), "closed_at"),
    ]

    def get_base_queryset(self) -> QuerySet[Case]:
        return selectors.cases_for(self.request.user).order_by("-opened_at", "-id")

    def apply_search(self, queryset: QuerySet, query: str) -> QuerySet:
        # A plain substring of the reference: no lookup or operator in the text is read.
        return queryset.filter(reference__icontains=query.strip().upper()[:32])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        export_format = request.GET.get("export")
        if export_format not in ExportFormat.values:
            response = super().get(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response
        queryset = self.get_queryset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return super().get(request, *args, **kwargs)
        rows = list(queryset)
        audit.record(
            request.user,
            AuditAction.EXPORT,
            None,
            metadata={
                "list": self.export_name,
                "format": export_format,
                "count": len(rows),
                "cases": [row.pk for row in rows],
                # Names only: a search term may be anything the user typed.
                "filters": sorted(key for key in request.GET if key != "export"),
            },
        )
        return export_response(rows, self.export_columns, export_format, self.export_name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        selectors.record_list_read(self.request.user, self.export_name, context["object_list"])
        context["can_open"] = pages.can_open_cases(self.request.user)
        context["current"] = "list"
        return context


# --- intake -------------------------------------------------------------------------------------


class CaseCreateView(LoginRequiredMixin, View):
    template_name = "cases/case_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Intake acts through a case-handling staff row with an office: without one, 403.
        if request.user.is_authenticated and not pages.can_open_cases(request.user):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: IntakeForm, status: int = 200) -> HttpResponse:
        response = render(
            self.request, self.template_name, {"form": form, "current": "create"}, status=status
        )
        add_never_cache_headers(response)
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(IntakeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IntakeForm(request.POST)
        if form.is_valid():
            try:
                case = services.open_case(
                    actor=request.user,
                    case_type=form.cleaned_data["case_type"],
                    person=form.person_data(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Case %(reference)s opened: %(type)s.")
                    % {"reference": case.reference, "type": CaseType(case.case_type).label},
                )
                return HttpResponseRedirect(case_url(case))
        return self.render_form(form, status=400)


# --- one case -----------------------------------------------------------------------------------


def _timeline(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "at": event.at,
            "label": event_label(event.event),
            "from_state": state_label(case.case_type, event.from_state) if event.from_state else "",
            "to_state": state_label(case.case_type, event.to_state),
            "actor": event.actor,
            "note": event.note,
        }
        for event in pages.timeline_of(case)
    ]


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    conflict: bool = False,
    revealed: dict[str, Any] | None = None,
    revealed_notes: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case's page. `forms` holds forms shown again with their errors, by key."""
    forms = forms or {}
    revealed = revealed or {}
    revealed_notes = revealed_notes or {}
    user = request.user
    version = {"version": case.version}
    can_change = pages.may(user, "cases.change_case", case)
    can_transition = pages.may(user, "cases.transition_case", case)
    can_consent = pages.may(user, "cases.record_consent", case)
    clear = permissions.clear_classes(user, case)

    classes = pages.detail_classes(user, case, revealed)
    for entry in classes:
        entry.form = (
            forms.get(f"reveal:{entry.sensitivity}") or RevealForm(sensitivity=entry.sensitivity)
            if entry.may_reveal
            else None
        )

    events = allowed_events(case) if can_transition else []
    transition_form = None
    if events:
        transition_form = forms.get("transition") or TransitionForm(
            initial=version, with_services=PROTECTION_EVENT in events
        )

    notes = []
    for note, text in selectors.notes_for(user, case):
        shown = note.pk in revealed_notes
        masked = text is selectors.MASKED and not shown
        notes.append(
            {
                "note": note,
                "text": revealed_notes.get(note.pk, text),
                "masked": masked,
                "sensitivity": note.get_sensitivity_display() if note.sensitivity else "",
                "form": (
                    forms.get(f"note:{note.pk}")
                    or ReasonForm(row=f"note{note.pk}", label=gettext_lazy("Reason for revealing"))
                )
                if masked and permissions.may_reveal(user, case, note.sensitivity)
                else None,
            }
        )

    consents = []
    for consent in pages.consents_of(case):
        in_force = consent.in_force()
        consents.append(
            {
                "consent": consent,
                "in_force": in_force,
                "organizations": list(consent.organizations.all()),
                "form": (
                    forms.get(f"withdraw:{consent.pk}")
                    or ReasonForm(
                        row=f"withdraw{consent.pk}",
                        required=False,
                        label=gettext_lazy("Reason for the withdrawal (optional)"),
                    )
                )
                if in_force and can_consent
                else None,
            }
        )

    context: dict[str, Any] = {
        "case": case,
        "person": case.person,
        "case_type_label": CaseType(case.case_type).label,
        "is_closed": case.state == CLOSED,
        "classes": classes,
        "open_vulnerabilities": pages.open_vulnerabilities(case),
        "masked_vulnerabilities": pages.masked_vulnerability_count(user, case, revealed),
        "documents": pages.document_rows(user, case),
        "events": [(event, event_label(event)) for event in events],
        "transition_form": transition_form,
        "notes": notes,
        "note_form": (forms.get("note") or NoteForm(classes=sorted(clear))) if can_change else None,
        "tasks": pages.tasks_of(case),
        "task_form": (forms.get("task") or TaskForm()) if can_change else None,
        "can_change": can_change,
        "consents": consents,
        "consent_form": (forms.get("consent") or ConsentForm()) if can_consent else None,
        "timeline": _timeline(case),
        "error": error,
        "conflict": conflict,
        "current": "list",
    }
    shown = {"transition", "note", "task", "consent"}
    shown |= {f"reveal:{entry.sensitivity}" for entry in classes if entry.form is not None}
    shown |= {f"note:{row['note'].pk}" for row in notes if row["form"] is not None}
    shown |= {f"withdraw:{row['consent'].pk}" for row in consents if row["form"] is not None}
    # A refused action whose form the page does not show: its reasons go on top.
    context["refusals"] = [
        message
        for key, form in forms.items()
        if key not in shown
        for _anchor, _label, message in form.error_summary
    ]
    response = render(request, DETAIL_TEMPLATE, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    add_never_cache_headers(response)
    return response


class CaseDetailView(LoginRequiredMixin, View):
    """Which cases the user reaches is the selector's answer: 404 (audited) for any other,
    also to a user without a case role, so that no route tells a case exists."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        return render_case(request, selectors.case_for(request.user, key, via="page"))


class CaseActionView(LoginRequiredMixin, View):
    """One action on a case, as a POST. Subclasses set `permission_required` and `form_key`,
    and implement `make_form` and `perform` (calling the service)."""

    permission_required = "cases.view_case"
    form_key = ""

    @cached_property
    def case(self) -> Case:
        # Unaudited: the write is audited by the service, and a page shown again is read
        # through `selectors.case_for`, which audits it. Out of scope: Http404, audited.
        return selectors.case_for(self.request.user, self.kwargs["key"], audited=False, via="step")

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(case_url(self.case))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        pages.guard(request.user, self.permission_required, self.case)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = self.perform(form)
            except ConflictError:
                return self.render_page(
                    form,
                    error=_(
                        "Someone else changed this case since you opened it, so nothing was "
                        "saved. Reload the case, check its state, then try again."
                    ),
                    status=409,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if isinstance(result, HttpResponse):
                    return result
                messages.success(request, result)
                return HttpResponseRedirect(case_url(self.case))
        return self.render_page(form, status=400)

    def fresh_case(self) -> Case:
        return selectors.case_for(self.request.user, self.case.public_id, via="step")

    def key(self, form: Any) -> str:
        return self.form_key

    def render_page(self, form: Any, *, error: str = "", status: int) -> HttpResponse:
        case = self.fresh_case()
        if status == 409:
            # Shown with the current state: a form bound to the stale version would fail again.
            return render_case(self.request, case, error=error, conflict=True, status=status)
        return render_case(self.request, case, forms={self.key(form): form}, status=status)

    def make_form(self, data: Any) -> Any:
        raise NotImplementedError

    def perform(self, form: Any) -> Any:
        raise NotImplementedError


class TransitionView(CaseActionView):
    permission_required = "cases.transition_case"
    form_key = "transition"

    def make_form(self, data: Any) -> TransitionForm:
        return TransitionForm(data, with_services=data.get("event") == PROTECTION_EVENT)

    def perform(self, form: TransitionForm) -> str:
        data = form.cleaned_data
        case = services.transition(
            actor=self.request.user,
            case=self.case,
            event=data["event"],
            version=data["version"],
            note=data.get("note", ""),
            services=data.get("services") if data["event"] == PROTECTION_EVENT else None,
        )
        return _("%(event)s: the case is now in the state %(state)s.") % {
            "event": event_label(data["event"]),
            "state": case.state_label,
        }


class RevealView(CaseActionView):
    """Reveal one masked class with a reason: the page is shown with the value (not stored
    anywhere, not redirected to), and the reveal is audited by the service."""

    permission_required = "cases.view_case"

    def make_form(self, data: Any) -> RevealForm:
        sensitivity = data.get("sensitivity", "")
        return RevealForm(
            data, sensitivity=sensitivity if sensitivity in Sensitivity.values else ""
        )

    def key(self, form: Any) -> str:
        return f"reveal:{form.data.get('sensitivity', '')}"

    def perform(self, form: RevealForm) -> HttpResponse:
        sensitivity = form.cleaned_data["sensitivity"]
        value = services.reveal(
            actor=self.request.user,
            case=self.case,
            field=sensitivity,
            reason=form.cleaned_data["reason"],
        )
        return render_case(self.request, self.fresh_case(), revealed={sensitivity: value})


class NoteRevealView(CaseActionView):
    permission_required = "cases.view_case"

    @cached_property
    def note(self) -> Any:
        note = pages.note_of(self.case, self.kwargs["note"])
        if note is None:
            raise Http404
        return note

    def make_form(self, data: Any) -> ReasonForm:
        self.note  # noqa: B018  (404 before the form is read)
        return ReasonForm(data, row=f"note{self.note.pk}")

    def key(self, form: Any) -> str:
        return f"note:{self.note.pk}"

    def perform(self, form: ReasonForm) -> HttpResponse:
        text = services.reveal_note(
            actor=self.request.user, note=self.note, reason=form.cleaned_data["reason"]
        )
        return render_case(self.request, self.fresh_case(), revealed_notes={self.note.pk: text})


class NoteAddView(CaseActionView):
    permission_required = "cases.change_case"
    form_key = "note"

    def make_form(self, data: Any) -> NoteForm:
        return NoteForm(
            data, classes=sorted(permissions.clear_classes(self.request.user, self.case))
        )

    def perform(self, form: NoteForm) -> str:
        services.add_note(
            actor=self.request.user,
            case=self.case,
            text=form.cleaned_data["text"],
            sensitivity=form.cleaned_data["sensitivity"],
        )
        return _("Note added.")


class TaskAddView(CaseActionView):
    permission_required = "cases.change_case"
    form_key = "task"

    def make_form(self, data: Any) -> TaskForm:
        return TaskForm(data)

    def perform(self, form: TaskForm) -> str:
        services.add_task(
            actor=self.request.user,
            case=self.case,
            title=form.cleaned_data["title"],
            due_on=form.cleaned_data["due_on"],
        )
        return _("Task added.")


class TaskDoneView(CaseActionView):
    permission_required = "cases.change_case"
    form_key = "task_done"

    @cached_property
    def task(self) -> Any:
        task = pages.task_of(self.case, self.kwargs["task"])
        if task is None:
            raise Http404
        return task

    def make_form(self, data: Any) -> SummaryForm:
        self.task  # noqa: B018  (404 before the form is read)
        return SummaryForm(data)

    def perform(self, form: Any) -> str:
        services.complete_task(actor=self.request.user, task=self.task)
        return _("Task marked done.")


class ConsentRecordView(CaseActionView):
    permission_required = "cases.record_consent"
    form_key = "consent"

    def make_form(self, data: Any) -> ConsentForm:
        return ConsentForm(data)

    def perform(self, form: ConsentForm) -> str:
        data = form.cleaned_data
        consent = services.record_consent(
            actor=self.request.user,
            person=self.case.person,
            purpose=data["purpose"],
            scope=data["scope"],
            organizations=list(data["organizations"]),
            child_assent=True if data["child_assent"] else None,
            guardian_name=data["guardian_name"],
        )
        return _("Consent recorded: %(purpose)s.") % {"purpose": consent.get_purpose_display()}


class ConsentWithdrawView(CaseActionView):
    permission_required = "cases.record_consent"

    @cached_property
    def consent(self) -> Any:
        consent = pages.consent_of(self.case, self.kwargs["consent"])
        if consent is None:
            raise Http404
        return consent

    def make_form(self, data: Any) -> ReasonForm:
        self.consent  # noqa: B018  (404 before the form is read)
        return ReasonForm(data, row=f"withdraw{self.consent.pk}", required=False)

    def key(self, form: Any) -> str:
        return f"withdraw:{self.consent.pk}"

    def perform(self, form: ReasonForm) -> str:
        consent = services.withdraw_consent(
            actor=self.request.user, consent=self.consent, reason=form.cleaned_data["reason"]
        )
        return _("Consent withdrawn: %(purpose)s. It no longer applies from now on.") % {
            "purpose": consent.get_purpose_display()
        }

"""Fund pages: the portfolio dashboard, the money coming in (contributions, deposits, exchange
rates), the pipeline from call to closure, the ledger, and the downloadable reports.

Views stay thin: a selector reads, a form collects, a service writes (and checks the rules of
money and of the programme's lifecycle), then the page renders. Every step is a POST that
redirects to the record's page, which shows the new state (Post/Redirect/Get); a step the
service refuses re-renders that page with the form as typed and the errors next to the fields
and at the top, and nothing is written (each service runs in one transaction).

Any signed-in person reads funds and their figures (pooled funds publish them, see
permissions.py); the forms of a step are shown only to people allowed to take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.accounts.models import Organization as Tenant
from migration_hub.core.choices import Role
from migration_hub.core.exports import Column
from migration_hub.core.forms import add_service_error
from migration_hub.core.models import Region
from migration_hub.core.pdf import PdfUnavailable
from migration_hub.core.permissions import organizations_with_role, roles_of
from migration_hub.core.views import FilteredListView

from . import ledger, reports, selectors, services
from .choices import Account, ContributionStatus, ProgrammeStatus, ReportKind
from .filtersets import (
    CallFilterSet,
    ContributionFilterSet,
    ExchangeRateFilterSet,
    FundFilterSet,
    LedgerTransactionFilterSet,
    ProgrammeFilterSet,
)
from .forms import (
    ApproveForm,
    AssessmentForm,
    CallForm,
    CloseForm,
    ConceptNoteForm,
    ContributionForm,
    DecisionForm,
    DepositForm,
    DocumentForm,
    ExchangeRateForm,
    FundsForm,
    ReportForm,
    SignForm,
    TransferForm,
)
from .models import (
    Call,
    Contribution,
    Donor,
    ExchangeRate,
    Fund,
    LedgerEntry,
    LedgerTransaction,
    Programme,
)

MANAGE = "funds.manage_fund"
ASSESS = "funds.assess_programme"
SUBMIT = "funds.submit_concept_note"
SUBMITTER_ROLES = (Role.CONTRIBUTOR, Role.EDITOR, Role.FUND_MANAGER, Role.ADMINISTRATOR)
ZERO = Decimal("0.00")


def can_read_ledger(user: Any, fund: Fund) -> bool:
    return user.has_perm("funds.view_ledger", fund)


# --- Helpers ----------------------------------------------------------------------------------


def fund_or_404(user: Any, code: str) -> Fund:
    return get_object_or_404(selectors.funds_for(user), code=code.upper())


def reverse_or_none(name: str, *args: Any) -> str | None:
    """The URL of another app's page, or None where that app does not have it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class Bar:
    """A bar drawn in SVG attributes (no inline style: the Content Security Policy forbids it):
    the value and the target as percentages of its width, as plain numbers in any language."""

    width: str
    target: str | None = None

    @classmethod
    def of(cls, value: Decimal | None, target: Decimal | None = None) -> Bar:
        def clamp(number: Decimal, top: Decimal = Decimal(100)) -> str:
            return f"{min(max(number, Decimal(0)), top):.2f}"

        # The target's mark is 1.5 wide, centred on the target.
        mark = None if target is None else clamp(target - Decimal("0.75"), Decimal("98.5"))
        return cls(clamp(value or ZERO), mark)


def share_rows(shares: list[selectors.Share]) -> list[dict[str, Any]]:
    return [{"share": share, "bar": Bar.of(share.share, share.target)} for share in shares]


def plain_rate(rate: Decimal) -> str:
    """An exchange rate without its trailing zeros or an exponent: 1.085, 100, 0.0092."""
    return format(rate.normalize(), "f")


def pool_labels(pools: list[str], fund: Fund) -> dict[str, str]:
    """Readable names of ledger pools: '' unearmarked, 'TA:<code>' a thematic area,
    'R:<M49>' a region."""
    areas = {area.code: area for area in fund.thematic_areas.all()}
    codes = [pool[2:] for pool in pools if pool.startswith("R:")]
    regions = {region.m49_code: region for region in Region.objects.filter(m49_code__in=codes)}
    labels = {}
    for pool in pools:
        kind, _sep, code = pool.partition(":")
        if not pool:
            labels[pool] = _("Unearmarked")
        elif kind == "TA" and code in areas:
            labels[pool] = _("Earmarked to thematic area %(name)s") % {"name": areas[code]}
        elif kind == "R" and code in regions:
            labels[pool] = _("Earmarked to region %(name)s") % {"name": regions[code]}
        else:
            labels[pool] = pool
    return labels


def balance_rows(money: ledger.Balances) -> list[tuple[str, str, Decimal]]:
    return [
        ("deposited", _("Deposited by donors"), money.deposited),
        ("allocated", _("Allocated to programmes"), money.allocated),
        ("returned", _("Returned unspent by organizations"), money.refunded),
        ("released", _("Commitments released at closure"), money.released),
        ("net-allocated", _("Net allocated"), money.net_allocated),
        ("transferred", _("Transferred to organizations"), money.transferred),
        ("cash", _("Cash held"), money.cash),
        ("commitments", _("Commitments not yet transferred"), money.commitments),
        ("available", _("Available to allocate"), money.available),
    ]


def ledger_balances(money: ledger.Balances) -> bool:
    """What the dashboard states in words: the entries sum to zero and
    available = deposited - net allocated."""
    return money.trial_balance == 0 and money.available == money.deposited - money.net_allocated


def fund_balances(funds: list[Fund]) -> dict[int, ledger.Balances]:
    """Each fund's balances from one grouped SUM over the ledger of all of them."""
    rows: dict[int, list[tuple[str, str, str, int]]] = {fund.pk: [] for fund in funds}
    grouped = (
        LedgerEntry.objects.filter(fund__in=funds)
        .values_list("fund_id", "account", "kind", "pool")
        .annotate(total=Sum("cents"))
        .order_by()
    )
    for fund_id, account, kind, pool, total in grouped:
        rows[fund_id].append((account, kind, pool, total))
    return {fund.pk: ledger.balances_from_rows(fund.currency, rows[fund.pk]) for fund in funds}


class FundsPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """A page of the fund module: sign-in first, then the rule (any signed-in person reads)."""

    permission_required = "funds.view_fund"


class FundMixin:
    """Views under /funds/<code>/: the fund from the URL, and the rule checked on it."""

    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def fund(self) -> Fund:
        return fund_or_404(self.request.user, self.kwargs["code"])

    def get_permission_object(self) -> Fund:
        return self.fund


class StepView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One step on a record, as a POST: on success a message and a redirect to the record's
    page; when the form or the service refuses, that page again with the form as typed, its
    errors, and status 400. A GET goes to the record's page."""

    success_message = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.record_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(self.success_url())
        return self.render_invalid(form)

    def record_url(self) -> str:
        raise NotImplementedError

    def success_url(self) -> str:
        return self.record_url()

    def make_form(self, data: Any = None) -> FundsForm:
        raise NotImplementedError

    def perform(self, form: Any) -> str:
        raise NotImplementedError

    def render_invalid(self, form: FundsForm) -> HttpResponse:
        raise NotImplementedError


class FormPageView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A page holding one form (record a contribution, open a call, ...): GET shows it, POST
    runs the service and redirects to what it made."""

    template_name = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(self.make_form(initial=self.initial()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form(data=request.POST)
        if form.is_valid():
            try:
                made, message = self.perform(form)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(made.get_absolute_url())
        return self.render_form(form, status=400)

    def initial(self) -> dict[str, Any]:
        return {}

    def context(self) -> dict[str, Any]:
        return {}

    def render_form(self, form: FundsForm, status: int = 200) -> HttpResponse:
        return render(
            self.request, self.template_name, {"form": form, **self.context()}, status=status
        )

    def make_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> FundsForm:
        raise NotImplementedError

    def perform(self, form: Any) -> tuple[Any, str]:
        raise NotImplementedError


# --- Funds and their dashboard ----------------------------------------------------------------


class FundListView(FilteredListView):
    permission_required = "funds.view_fund"
    filterset_class = FundFilterSet
    template_name = "funds/fund_list.html"
    export_name = "funds"
    search_fields = ["code", "name", "organization__name"]
    export_columns = [
        Column(gettext_lazy("Code"), "code"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Managed by"), "organization__name"),
        Column(gettext_lazy("Currency"), "currency"),
        Column(gettext_lazy("Funding target"), "funding_target"),
        Column(gettext_lazy("Source"), "source"),
    ]

    def get_base_queryset(self) -> QuerySet[Fund]:
        return selectors.funds_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        funds = list(context["object_list"])
        money = fund_balances(funds)
        context["rows"] = [(fund, money[fund.pk]) for fund in funds]
        return context


class FundDetailView(FundMixin, FundsPage):
    """The dashboard: the balances from the ledger, funding against the target, the portfolio
    by thematic area, region, objective and marker against its targets, and the pipeline."""

    template_name = "funds/fund_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        fund = self.fund
        user = self.request.user
        folio = selectors.portfolio(fund)
        money = folio.balances
        pools = list(money.available_by_pool)
        labels = pool_labels(pools, fund)
        return super().get_context_data(
            fund=fund,
            folio=folio,
            money=money,
            balances=balance_rows(money),
            balanced=ledger_balances(money),
            pools=[(labels[pool], amount) for pool, amount in money.available_by_pool.items()],
            progress_bar=Bar.of(folio.funding_progress),
            by_thematic_area=share_rows(folio.by_thematic_area),
            by_region=share_rows(folio.by_region),
            by_objective=share_rows(folio.by_objective),
            by_marker=[
                (name, share_rows(shares), f"by-marker-{number}")
                for number, (name, shares) in enumerate(folio.by_marker.items(), start=1)
            ],
            targets=share_rows(folio.targets),
            donors=Donor.objects.filter(contributions__fund=fund).distinct().order_by("name"),
            calls=selectors.calls_for(user).filter(fund=fund)[:5],
            seats=fund.seats.select_related("organization", "country"),
            can_manage=user.has_perm(MANAGE, fund),
            can_submit=user.has_perm(SUBMIT),
            can_read_ledger=can_read_ledger(user, fund),
            **kwargs,
        )


class StatementView(FundMixin, FundsPage):
    """Sources and uses of the fund's money, from the ledger."""

    template_name = "funds/statement.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = selectors.statement(self.fund)
        return super().get_context_data(
            fund=self.fund,
            statement=found,
            balanced=ledger_balances(found.balances),
            can_read_ledger=can_read_ledger(self.request.user, self.fund),
            **kwargs,
        )


class DonorReportView(FundMixin, FundsPage):
    """What one donor gave the fund, and its share of the fund."""

    template_name = "funds/donor_report.html"

    def donor(self) -> Donor:
        return get_object_or_404(
            Donor.objects.filter(contributions__fund=self.fund).distinct(), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = selectors.donor_report(self.fund, self.donor())
        return super().get_context_data(fund=self.fund, report=report, **kwargs)


class ReportDownloadView(FundMixin, LoginRequiredMixin, PermissionRequiredMixin, View):
    """A report as XLSX or PDF, from `reports.render`."""

    permission_required = "funds.view_fund"
    document = "portfolio"

    def get(self, request: HttpRequest, code: str, fmt: str, pk: int | None = None) -> HttpResponse:
        donor = None
        if self.document == "donor":
            donor = get_object_or_404(
                Donor.objects.filter(contributions__fund=self.fund).distinct(), pk=pk
            )
        if fmt not in reports.FORMATS:
            raise Http404
        try:
            content, content_type, filename = reports.render(
                self.document, fmt, fund=self.fund, donor=donor
            )
        except PdfUnavailable as error:
            return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- Contributions, deposits, exchange rates --------------------------------------------------


def deposited(contribution: Contribution) -> Decimal:
    """Received so far, in the contribution's currency (its deposits are prefetched)."""
    return sum((deposit.amount for deposit in contribution.deposits.all()), ZERO)


class ContributionListView(FilteredListView):
    permission_required = "funds.view_contribution"
    filterset_class = ContributionFilterSet
    template_name = "funds/contribution_list.html"
    export_name = "contributions"
    search_fields = ["donor__name", "reference", "fund__code"]
    export_columns = [
        Column(gettext_lazy("Id"), "pk"),
        Column(gettext_lazy("Fund"), "fund__code"),
        Column(gettext_lazy("Donor"), "donor__name"),
        Column(gettext_lazy("Kind of donor"), "donor__kind"),
        Column(gettext_lazy("Currency"), "currency"),
        Column(gettext_lazy("Amount pledged"), "amount"),
        Column(gettext_lazy("Deposited"), deposited),
        Column(
            gettext_lazy("Deposited (fund currency)"),
            lambda c: sum((d.fund_amount for d in c.deposits.all()), ZERO),
        ),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Pledged on"), "pledged_on"),
        Column(gettext_lazy("Signed on"), "signed_on"),
        Column(gettext_lazy("Earmarked to thematic area"), "earmarked_thematic_area__code"),
        Column(gettext_lazy("Earmarked to region"), "earmarked_region__m49_code"),
        Column(gettext_lazy("Agreement reference"), "reference"),
    ]

    def get_base_queryset(self) -> QuerySet[Contribution]:
        return selectors.contributions_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = [(c, deposited(c)) for c in context["object_list"]]
        return context


class ContributionCreateView(FundMixin, FormPageView):
    permission_required = MANAGE
    template_name = "funds/contribution_form.html"

    def make_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> FundsForm:
        return ContributionForm(data, initial=initial, fund=self.fund)

    def context(self) -> dict[str, Any]:
        return {"fund": self.fund}

    def perform(self, form: Any) -> tuple[Any, str]:
        data = form.cleaned_data
        # The donor record and the pledge are written together, or neither is.
        with transaction.atomic():
            donor = services.donor_for(**form.donor_arguments(), actor=self.request.user)
            contribution = services.record_contribution(
                actor=self.request.user,
                fund=self.fund,
                donor=donor,
                currency=data["currency"],
                amount=data["amount"],
                pledged_on=data["pledged_on"],
                earmarked_thematic_area=data["earmarked_thematic_area"],
                earmarked_region=data["earmarked_region"],
                reference=data["reference"],
            )
        return contribution, _("Contribution recorded as pledged.")


class ContributionMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def contribution(self) -> Contribution:
        return get_object_or_404(
            selectors.contributions_for(self.request.user), pk=self.kwargs["pk"]
        )

    def get_permission_object(self) -> Any:
        return self.contribution.fund

    def page_context(self, **forms: FundsForm) -> dict[str, Any]:
        contribution = self.contribution
        fund = contribution.fund
        user = self.request.user
        can_manage = user.has_perm(MANAGE, fund)
        context: dict[str, Any] = {
            "contribution": contribution,
            "fund": fund,
            "deposits": [
                (deposit, plain_rate(deposit.rate)) for deposit in contribution.deposits.all()
            ],
            "received": deposited(contribution),
            "remaining": contribution.amount - deposited(contribution),
            "can_manage": can_manage,
            # The fund's deposits are converted with its organization's rates only.
            "rates": [
                (rate, plain_rate(rate.rate))
                for rate in ExchangeRate.objects.filter(
                    organization=fund.organization_id,
                    currency=contribution.currency,
                    quote_currency=fund.currency,
                ).order_by("-date")[:5]
            ],
            "can_add_rate": user.has_perm("funds.add_exchangerate", fund.organization),
            "add_rate_url": reverse("funds:exchangerate_create")
            + "?"
            + urlencode(
                {
                    "organization": fund.organization_id,
                    "currency": contribution.currency,
                    "quote_currency": fund.currency,
                }
            ),
            "same_currency": contribution.currency == fund.currency,
        }
        if can_manage and contribution.status == ContributionStatus.PLEDGED:
            context["sign_form"] = forms.get("sign_form") or SignForm(prefix="sign")
        if can_manage and contribution.status == ContributionStatus.SIGNED:
            context["deposit_form"] = forms.get("deposit_form") or DepositForm(
                prefix="deposit", contribution=contribution
            )
        return context


class ContributionDetailView(ContributionMixin, FundsPage):
    permission_required = "funds.view_contribution"
    template_name = "funds/contribution_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**self.page_context(), **kwargs)


class ContributionStepView(ContributionMixin, StepView):
    permission_required = MANAGE
    form_name = ""

    def record_url(self) -> str:
        return self.contribution.get_absolute_url()

    def render_invalid(self, form: FundsForm) -> HttpResponse:
        context = self.page_context(**{self.form_name: form})
        return render(self.request, "funds/contribution_detail.html", context, status=400)


class SignContributionView(ContributionStepView):
    form_name = "sign_form"

    def make_form(self, data: Any = None) -> FundsForm:
        return SignForm(data, prefix="sign")

    def perform(self, form: Any) -> str:
        services.sign_contribution(
            actor=self.request.user,
            contribution=self.contribution,
            signed_on=form.cleaned_data["signed_on"],
        )
        return _("The agreement is signed: deposits can now be recorded.")


class DepositView(ContributionStepView):
    form_name = "deposit_form"

    def make_form(self, data: Any = None) -> FundsForm:
        return DepositForm(data, prefix="deposit", contribution=self.contribution)

    def perform(self, form: Any) -> str:
        # The version the page was rendered with: a second click on the same form is refused.
        deposit = services.record_deposit(
            actor=self.request.user,
            contribution=self.contribution,
            day=form.cleaned_data["date"],
            amount=form.cleaned_data["amount"],
            expected_version=form.cleaned_data["version"],
        )
        fund = self.contribution.fund
        return _(
            "Deposit recorded: %(amount)s at %(rate)s = %(fund_amount)s in the fund's ledger."
        ) % {
            "amount": ledger.money(deposit.amount, self.contribution.currency),
            "rate": plain_rate(deposit.rate),
            "fund_amount": ledger.money(deposit.fund_amount, fund.currency),
        }


def rate_organizations(user: Any) -> QuerySet[Tenant]:
    """The organizations in whose rate table the user may add or correct rates: those where
    they are a fund manager or an administrator (every one for a superuser)."""
    if user.is_superuser:
        return Tenant.objects.order_by("name")
    return Tenant.objects.filter(
        pk__in=organizations_with_role(user, Role.FUND_MANAGER, Role.ADMINISTRATOR)
    ).order_by("name")


class ExchangeRateListView(FilteredListView):
    """Every organization's rates, for anyone to read; the rates of the user's own
    organizations come with a link to correct them."""

    permission_required = "funds.view_exchangerate"
    filterset_class = ExchangeRateFilterSet
    template_name = "funds/exchangerate_list.html"
    export_name = "exchange-rates"
    search_fields = ["currency", "quote_currency", "source", "organization__name"]
    export_columns = [
        Column(gettext_lazy("Organization"), "organization__code"),
        Column(gettext_lazy("Date"), "date"),
        Column(gettext_lazy("Currency"), "currency"),
        Column(gettext_lazy("In currency"), "quote_currency"),
        Column(gettext_lazy("Rate"), "rate"),
        Column(gettext_lazy("Source"), "source"),
    ]

    def get_base_queryset(self) -> QuerySet[ExchangeRate]:
        return ExchangeRate.objects.select_related("organization").order_by(
            "-date", "currency", "quote_currency", "organization__name"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        context = super().get_context_data(
            can_add=user.has_perm("funds.add_exchangerate"), **kwargs
        )
        editable = set(rate_organizations(user).values_list("pk", flat=True))
        create_url = reverse("funds:exchangerate_create")
        context["rows"] = [
            (
                rate,
                plain_rate(rate.rate),
                create_url + "?" + urlencode(rate_initial(rate))
                if rate.organization_id in editable
                else None,
            )
            for rate in context["object_list"]
        ]
        return context


def rate_initial(rate: ExchangeRate) -> dict[str, Any]:
    """The query string that opens the form on an existing rate, to correct it."""
    return {
        "organization": rate.organization_id,
        "currency": rate.currency,
        "quote_currency": rate.quote_currency,
        "date": rate.date.isoformat(),
        "rate": plain_rate(rate.rate),
        "source": rate.source,
    }


class ExchangeRateCreateView(FormPageView):
    """Add a rate to (or correct one in) the table of an organization where the user is a
    fund manager or an administrator."""

    permission_required = "funds.add_exchangerate"
    template_name = "funds/exchangerate_form.html"
    prefilled = ("organization", "currency", "quote_currency", "date", "rate", "source")

    def initial(self) -> dict[str, Any]:
        # From the list's "Correct" links and the contribution page's link.
        return {
            name: self.request.GET[name][:300]
            for name in self.prefilled
            if self.request.GET.get(name)
        }

    def make_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> FundsForm:
        return ExchangeRateForm(
            data, initial=initial, organizations=rate_organizations(self.request.user)
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rate = services.set_exchange_rate(
                    actor=request.user,
                    organization=data["organization"],
                    currency=data["currency"],
                    quote_currency=data["quote_currency"],
                    day=data["date"],
                    rate=data["rate"],
                    source=data["source"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Rate saved: %(rate)s.") % {"rate": rate})
                return HttpResponseRedirect(
                    reverse("funds:exchangerate_list")
                    + "?"
                    + urlencode(
                        {"currency": rate.currency, "organization": data["organization"].code}
                    )
                )
        return self.render_form(form, status=400)


# --- Calls ------------------------------------------------------------------------------------


class CallListView(FilteredListView):
    permission_required = "funds.view_call"
    filterset_class = CallFilterSet
    template_name = "funds/call_list.html"
    export_name = "calls"
    search_fields = ["title", "description", "fund__code"]
    export_columns = [
        Column(gettext_lazy("Id"), "pk"),
        Column(gettext_lazy("Fund"), "fund__code"),
        Column(gettext_lazy("Title"), "title"),
        Column(gettext_lazy("Opens on"), "opens_on"),
        Column(gettext_lazy("Deadline"), "deadline"),
        Column(
            gettext_lazy("Thematic areas"),
            lambda call: ", ".join(area.code for area in call.thematic_areas.all()),
        ),
    ]

    def get_base_queryset(self) -> QuerySet[Call]:
        return selectors.calls_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(today=timezone.localdate(), **kwargs)


class CallDetailView(FundsPage):
    permission_required = "funds.view_call"
    template_name = "funds/call_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        call = get_object_or_404(selectors.calls_for(self.request.user), pk=kwargs["pk"])
        return super().get_context_data(
            call=call,
            fund=call.fund,
            is_open=call.is_open_on(timezone.localdate()),
            programmes=selectors.programmes_for(self.request.user).filter(call=call),
            can_submit=self.request.user.has_perm(SUBMIT),
            **kwargs,
        )


class CallCreateView(FundMixin, FormPageView):
    permission_required = MANAGE
    template_name = "funds/call_form.html"

    def make_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> FundsForm:
        return CallForm(data, initial=initial, fund=self.fund)

    def context(self) -> dict[str, Any]:
        return {"fund": self.fund}

    def perform(self, form: Any) -> tuple[Any, str]:
        data = form.cleaned_data
        call = services.open_call(
            actor=self.request.user,
            fund=self.fund,
            title=data["title"],
            opens_on=data["opens_on"],
            deadline=data["deadline"],
            description=data["description"],
            thematic_areas=list(data["thematic_areas"]),
        )
        return call, _("Call opened.")


# --- Programmes -------------------------------------------------------------------------------


class ProgrammeListView(FilteredListView):
    permission_required = "funds.view_programme"
    filterset_class = ProgrammeFilterSet
    template_name = "funds/programme_list.html"
    export_name = "programmes"
    search_fields = ["code", "title", "summary"]
    export_columns = [
        Column(gettext_lazy("Code"), "code"),
        Column(gettext_lazy("Title"), "title"),
        Column(gettext_lazy("Fund"), "fund__code"),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("Thematic area"), "thematic_area__code"),
        Column(
            gettext_lazy("Countries"),
            lambda p: ", ".join(country.alpha3 for country in p.countries.all()),
        ),
        Column(
            gettext_lazy("Participating organizations"),
            lambda p: ", ".join(part.organization.code for part in p.participants.all()),
        ),
        Column(gettext_lazy("Submitted by"), "submitted_by_organization__name"),
        Column(gettext_lazy("Budget"), "budget"),
        Column(gettext_lazy("Approved on"), "approved_on"),
        Column(gettext_lazy("Closed on"), "closed_on"),
    ]

    def get_base_queryset(self) -> QuerySet[Programme]:
        return selectors.programmes_for(self.request.user)


class ConceptNoteCreateView(FundMixin, FormPageView):
    """A concept note sent by one of the user's organizations, into a call or outside one."""

    template_name = "funds/concept_note_form.html"
    permission_required = SUBMIT

    def get_permission_object(self) -> None:
        return None  # any organization where the user may send one; the form offers those

    def organizations(self) -> QuerySet[Tenant]:
        user = self.request.user
        if user.is_superuser:
            return Tenant.objects.order_by("name")
        return Tenant.objects.filter(
            pk__in=organizations_with_role(user, *SUBMITTER_ROLES)
        ).order_by("name")

    def calls(self) -> QuerySet[Call]:
        today = timezone.localdate()
        return selectors.calls_for(self.request.user).filter(
            fund=self.fund, opens_on__lte=today, deadline__gte=today
        )

    def initial(self) -> dict[str, Any]:
        call = self.request.GET.get("call", "")
        return {"call": call} if call.isdigit() else {}

    def make_form(self, data: Any = None, initial: dict[str, Any] | None = None) -> FundsForm:
        return ConceptNoteForm(
            data,
            initial=initial,
            fund=self.fund,
            organizations=self.organizations(),
            calls=self.calls(),
        )

    def context(self) -> dict[str, Any]:
        return {"fund": self.fund}

    def perform(self, form: Any) -> tuple[Any, str]:
        programme = services.submit_concept_note(
            actor=self.request.user, fund=self.fund, **form.service_arguments()
        )
        return programme, _("Concept note %(code)s submitted.") % {"code": programme.code}


@dataclass(frozen=True)
class Step:
    """A step of the programme lifecycle a person takes on its page."""

    name: str
    permission: str
    title: Any
    button: Any


STEPS = {
    step.name: step
    for step in [
        Step("assess", ASSESS, gettext_lazy("Quality assessment"), gettext_lazy("Save scores")),
        Step(
            "decide",
            MANAGE,
            gettext_lazy("Steering Committee decision"),
            gettext_lazy("Record the decision"),
        ),
        Step(
            "document",
            MANAGE,
            gettext_lazy("Joint programme document"),
            gettext_lazy("Submit the document"),
        ),
        Step(
            "approve",
            MANAGE,
            gettext_lazy("Approve and allocate"),
            gettext_lazy("Approve and allocate"),
        ),
        Step(
            "transfer",
            MANAGE,
            gettext_lazy("Transfer a tranche"),
            gettext_lazy("Transfer the tranche"),
        ),
        Step("report", MANAGE, gettext_lazy("Record a report"), gettext_lazy("Record the report")),
        Step(
            "close",
            MANAGE,
            gettext_lazy("Close the programme"),
            gettext_lazy("Close and return the unspent balance"),
        ),
    ]
}


def programme_form(step: str, programme: Programme, user: Any, data: Any = None) -> FundsForm:
    """The form of one step, with what it needs from the programme."""
    if step == "assess":
        previous = programme.assessments.filter(assessor=user).first()
        return AssessmentForm(
            data,
            prefix=step,
            rubric=programme.fund.rubric or services.DEFAULT_RUBRIC,
            previous=previous,
        )
    if step == "decide":
        return DecisionForm(data, prefix=step)
    if step == "document":
        participants = list(programme.participants.select_related("organization"))
        return DocumentForm(
            data, prefix=step, participants=participants, currency=programme.fund.currency
        )
    if step == "approve":
        return ApproveForm(data, prefix=step)
    if step == "transfer":
        return TransferForm(data, prefix=step, programme=programme)
    if step == "report":
        return ReportForm(data, prefix=step, programme=programme)
    return CloseForm(data, prefix=step)


def run_step(step: str, form: Any, programme: Programme, user: Any) -> str:
    """Take the step through its service; the success message for the page after it."""
    data = form.cleaned_data
    fund = programme.fund
    if step == "assess":
        assessment = services.assess_programme(
            actor=user, programme=programme, scores=form.scores(), comment=data["comment"]
        )
        return _("Scores saved: %(total)s%%.") % {"total": assessment.total}
    if step == "decide":
        decision = services.decide_programme(
            actor=user,
            programme=programme,
            outcome=data["outcome"],
            reasons=data["reasons"],
            decided_on=data["decided_on"],
            meeting=data["meeting"],
        )
        return _("Decision recorded: %(outcome)s.") % {"outcome": decision.get_outcome_display()}
    if step == "document":
        services.submit_programme_document(
            actor=user,
            programme=programme,
            budgets=form.budgets(),
            document_url=data["document_url"],
        )
        return _("Programme document recorded with its budgets.")
    if step == "approve":
        services.approve_programme(actor=user, programme=programme, approved_on=data["approved_on"])
        return _("Approved: the budget is allocated from the fund.")
    if step == "transfer":
        tranche = services.transfer_tranche(
            actor=user,
            programme=programme,
            organization=data["organization"],
            amount=data["amount"],
            transferred_on=data["transferred_on"],
            expected_version=data["version"],
        )
        return _("Tranche %(number)s of %(amount)s transferred to %(organization)s.") % {
            "number": tranche.number,
            "amount": ledger.money(tranche.amount, fund.currency),
            "organization": tranche.organization,
        }
    if step == "report":
        services.submit_report(
            actor=user,
            programme=programme,
            kind=data["kind"],
            year=data["year"],
            submitted_on=data["submitted_on"],
            organization=data["organization"],
            expenditure=data["expenditure"] or None,
            tranches=list(data["tranches"]),
            summary=data["summary"],
        )
        return _("Report recorded.")
    services.close_programme(actor=user, programme=programme, closed_on=data["closed_on"])
    return _("Programme closed.")


def next_steps(programme: Programme, user: Any) -> list[str]:
    """The steps whose form the page shows: the next one for the programme's status, among
    those the user may take. An approved programme has three: transfer (while budget is left
    to transfer), report, and close."""
    status = programme.status
    can_manage = user.has_perm(MANAGE, programme)
    # Nobody assesses a note their own organization sent (the service refuses it too).
    can_assess = user.has_perm(ASSESS, programme) and (
        str(programme.submitted_by_organization_id) not in roles_of(user)
    )
    if status == ProgrammeStatus.SUBMITTED:
        return ["assess"] if can_assess else []
    if status == ProgrammeStatus.ASSESSED:
        if can_manage:
            return ["decide"]
        return ["assess"] if can_assess else []
    if status == ProgrammeStatus.PIPELINE:
        return ["decide"] if can_manage else []
    if status == ProgrammeStatus.SELECTED:
        return ["document"] if can_manage else []
    if status == ProgrammeStatus.DOCUMENT:
        return ["approve"] if can_manage else []
    if status == ProgrammeStatus.APPROVED and can_manage:
        return ["transfer", "report", "close"]
    return []


@dataclass
class Participation:
    """One participating organization's money in a programme."""

    organization: Any
    budget: Decimal
    transferred: Decimal
    spent: Decimal

    @property
    def left_to_transfer(self) -> Decimal:
        return self.budget - self.transferred

    @property
    def unspent(self) -> Decimal:
        return self.transferred - self.spent


def timeline(programme: Programme, money: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of the lifecycle with their state in words: done, next, or to come."""
    status = programme.status
    order = [
        ProgrammeStatus.SUBMITTED,
        ProgrammeStatus.ASSESSED,
        "decided",
        ProgrammeStatus.DOCUMENT,
        ProgrammeStatus.APPROVED,
        "transfers",
        "reports",
        ProgrammeStatus.CLOSED,
    ]
    reached = {
        ProgrammeStatus.SUBMITTED: 1,
        ProgrammeStatus.ASSESSED: 2,
        ProgrammeStatus.PIPELINE: 3,
        ProgrammeStatus.REJECTED: 3,
        ProgrammeStatus.SELECTED: 3,
        ProgrammeStatus.DOCUMENT: 4,
        ProgrammeStatus.APPROVED: 5,
        ProgrammeStatus.CLOSED: 8,
    }[status]
    titles = [
        _("Concept note submitted"),
        _("Quality assessment"),
        _("Steering Committee decision"),
        _("Joint programme document"),
        _("Approval and allocation"),
        _("Transfers to participating organizations"),
        _("Annual reports"),
        _("Closure"),
    ]
    steps = []
    for index, (key, title) in enumerate(zip(order, titles, strict=True)):
        if index < reached:
            state = "done"
        elif status == ProgrammeStatus.REJECTED:
            state = "stopped"
        elif index == reached or (status == ProgrammeStatus.APPROVED and index < 7):
            state = "next"
        else:
            state = "to-come"
        if status == ProgrammeStatus.PIPELINE and key == "decided":
            state = "next"  # endorsed, waiting for money: decided again when funds arrive
        if status == ProgrammeStatus.APPROVED and key == "transfers" and not money["left"]:
            state = "done"
        steps.append({"key": str(key), "title": title, "state": state})
    return steps


STATE_WORDS = {
    "done": gettext_lazy("Done"),
    "next": gettext_lazy("Next"),
    "to-come": gettext_lazy("To come"),
    "stopped": gettext_lazy("Not reached: the concept note was rejected"),
}


class ProgrammePageMixin:
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def programme(self) -> Programme:
        return get_object_or_404(
            selectors.programmes_for(self.request.user).select_related("fund__organization"),
            code=self.kwargs["code"],
        )

    def get_permission_object(self) -> Programme:
        return self.programme

    def page_context(self, bound: dict[str, FundsForm] | None = None) -> dict[str, Any]:
        programme = self.programme
        user = self.request.user
        fund = programme.fund
        bound = bound or {}
        participants = list(programme.participants.all())  # prefetched with organizations
        tranches = list(
            programme.tranches.select_related("organization").prefetch_related("reports")
        )
        reports_ = list(
            programme.reports.select_related("organization").prefetch_related("tranches")
        )
        money = self.programme_money(programme, participants, tranches, reports_)
        steps = list(dict.fromkeys(next_steps(programme, user) + list(bound)))
        actions = []
        for name in steps:
            actions.append(
                {
                    "step": STEPS[name],
                    "form": bound.get(name) or programme_form(name, programme, user),
                    "url": reverse("funds:programme_step", args=[programme.code, name]),
                }
            )
        objectives = list(programme.objectives.all())
        return {
            "programme": programme,
            "fund": fund,
            "participants": money["participations"],
            "money": money,
            "assessments": list(programme.assessments.select_related("assessor")),
            "decisions": list(programme.decisions.all()),
            "tranches": tranches,
            "reports": reports_,
            "timeline": [
                {**step, "words": STATE_WORDS[step["state"]]} for step in timeline(programme, money)
            ],
            "actions": actions,
            "objectives": [
                (item, reverse_or_none("registry:frameworkitem_detail", item.code))
                for item in objectives
            ],
            "countries": [
                (
                    country,
                    reverse_or_none("registry:country_detail", country.alpha3),
                    reverse_or_none("statistics:area_profile", country.m49_code),
                )
                for country in programme.countries.all()
            ],
            "regions": [
                (region, reverse_or_none("statistics:area_profile", region.m49_code))
                for region in programme.regions.all()
            ],
            "marker_labels": [
                (marker.name, marker.label_for(programme.marker_scores.get(marker.code)))
                for marker in fund.markers.all()
            ],
            "approval": self.approval(programme) if "approve" in steps else None,
        }

    def programme_money(
        self, programme: Programme, participants: list, tranches: list, reports_: list
    ) -> dict[str, Any]:
        participations = []
        for participant in participants:
            organization_id = participant.organization_id
            participations.append(
                Participation(
                    organization=participant.organization,
                    budget=participant.budget,
                    transferred=sum(
                        (t.amount for t in tranches if t.organization_id == organization_id),
                        ZERO,
                    ),
                    spent=sum(
                        (
                            r.expenditure or ZERO
                            for r in reports_
                            if r.kind == ReportKind.FINANCIAL
                            and r.organization_id == organization_id
                        ),
                        ZERO,
                    ),
                )
            )
        allocated = ledger.from_cents(
            sum(ledger.programme_cents_by_pool(programme, Account.ALLOCATIONS).values())
        )
        committed = -ledger.from_cents(
            sum(ledger.programme_cents_by_pool(programme, Account.COMMITMENTS).values())
        )
        unreported = [
            t for t in tranches if not any(r.kind == ReportKind.FINANCIAL for r in t.reports.all())
        ]
        return {
            "participations": participations,
            "document_budget": sum((p.budget for p in participants), ZERO),
            "allocated": allocated,
            "committed": committed,
            "transferred": sum((p.transferred for p in participations), ZERO),
            "spent": sum((p.spent for p in participations), ZERO),
            "unspent": sum((p.unspent for p in participations), ZERO),
            "left": sum((p.left_to_transfer for p in participations), ZERO),
            "unreported": unreported,
        }

    def approval(self, programme: Programme) -> dict[str, Any]:
        """What approving would take from each pool, as the service plans it
        (`services.plan_allocation`): when the pools fall short, what they could give."""
        available = ledger.available_cents_by_pool(programme.fund)
        budget = sum((p.budget for p in programme.participants.all()), ZERO)
        taken = services.plan_allocation(
            ledger.to_cents(budget),
            available,
            programme.thematic_area.code,
            services.programme_places(programme),
        )
        usable = ledger.from_cents(sum(taken.values()))
        labels = pool_labels(list(taken), programme.fund)
        return {
            "usable": usable,
            "budget": budget,
            "enough": usable >= budget,
            "pools": [(labels[pool], ledger.from_cents(part)) for pool, part in taken.items()],
        }


class ProgrammeDetailView(ProgrammePageMixin, FundsPage):
    """A programme: its timeline, money, and the form of the next step for who may take it."""

    permission_required = "funds.view_programme"
    template_name = "funds/programme_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**self.page_context(), **kwargs)


class ProgrammeStepView(ProgrammePageMixin, StepView):
    """POST /funds/programmes/<code>/<step>/: one step, checked by its own rule."""

    def get_permission_required(self) -> tuple[str, ...]:
        return (self.step.permission,)

    @cached_property
    def step(self) -> Step:
        if self.kwargs["step"] not in STEPS:
            raise Http404
        return STEPS[self.kwargs["step"]]

    def record_url(self) -> str:
        return self.programme.get_absolute_url()

    def make_form(self, data: Any = None) -> FundsForm:
        return programme_form(self.step.name, self.programme, self.request.user, data)

    def perform(self, form: Any) -> str:
        return run_step(self.step.name, form, self.programme, self.request.user)

    def render_invalid(self, form: FundsForm) -> HttpResponse:
        # The programme as it is now (the service wrote nothing), with the form as typed.
        self.__dict__.pop("programme", None)
        context = self.page_context(bound={self.step.name: form})
        return render(self.request, "funds/programme_detail.html", context, status=400)


# --- The ledger -------------------------------------------------------------------------------


def entry_lines(transaction_: LedgerTransaction) -> str:
    return "; ".join(
        f"{entry.account}{'/' + entry.pool if entry.pool else ''} {entry.amount:+.2f}"
        for entry in transaction_.entries.all()
    )


class LedgerView(FundMixin, FilteredListView):
    """The fund's transactions, each with its balanced entries."""

    permission_required = "funds.view_ledgertransaction"
    filterset_class = LedgerTransactionFilterSet
    template_name = "funds/ledger.html"
    search_fields = ["memo", "programme__code"]
    export_columns = [
        Column(gettext_lazy("Id"), "pk"),
        Column(gettext_lazy("Value date"), "date"),
        Column(gettext_lazy("Kind"), "kind"),
        Column(gettext_lazy("Memo"), "memo"),
        Column(gettext_lazy("Programme"), "programme__code"),
        Column(gettext_lazy("Contribution"), "contribution_id"),
        Column(
            gettext_lazy("Amount"),
            lambda t: ledger.from_cents(sum(e.cents for e in t.entries.all() if e.cents > 0)),
        ),
        Column(gettext_lazy("Entries (account/earmark amount)"), entry_lines),
        Column(gettext_lazy("Recorded"), "created_at"),
    ]

    def has_permission(self) -> bool:
        return super().has_permission() and can_read_ledger(self.request.user, self.fund)

    @property
    def export_name(self) -> str:  # type: ignore[override]
        return f"{self.fund.code}-ledger"

    def get_base_queryset(self) -> QuerySet[LedgerTransaction]:
        # The entries with their organizations, so a transfer names who received it.
        return selectors.transactions_for(self.request.user, self.fund)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        money = ledger.balances(self.fund)
        labels = pool_labels(
            sorted({e.pool for t in context["object_list"] for e in t.entries.all()}), self.fund
        )
        accounts = dict(Account.choices)
        context.update(
            fund=self.fund,
            money=money,
            balanced=ledger_balances(money),
            rows=[
                (
                    txn,
                    [
                        {
                            "entry": entry,
                            "account": accounts.get(entry.account, entry.account),
                            "pool": labels[entry.pool],
                            "debit": entry.amount if entry.cents > 0 else None,
                            "credit": -entry.amount if entry.cents < 0 else None,
                        }
                        for entry in txn.entries.all()
                    ],
                )
                for txn in context["object_list"]
            ],
        )
        return context

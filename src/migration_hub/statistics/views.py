"""Statistics pages: the list of areas, country and region profiles, downloads, comparison.

Published statistics are open data (see permissions.py: `view_*` is always allowed), so these
pages need no sign-in, unlike the registry's (`RegistryPage` is `LoginRequiredMixin`): a
ministry's analyst or a journalist reads and downloads them as they are. The views still go
through `PermissionRequiredMixin` with the app's view permission, so that a deployment that must
restrict them changes one rule, not every view.

The profile is read-heavy and changes only when a data set is imported (or a contribution is
merged): it is cached, keyed by the area and a version of the data (see `data_version`).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import fields
from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.core.choices import ExportFormat
from migration_hub.core.exports import Column, export_response
from migration_hub.core.models import Country, Region
from migration_hub.core.views import FilteredListView

from . import areas, charts, selectors, services
from .areas import ALIASES, LEVEL_TO_KIND, WORLD, m49, name_key
from .choices import AreaKind, ContributionStatus
from .errors import ImportRejected
from .filtersets import ContributionFilterSet
from .forms import MAX_COMPARED, CompareForm, ContributionForm, ReviewForm
from .models import Area, Contribution, Dataset
from .selectors import Profile
from .uploads import uploaded_to_path

CACHE_SECONDS = 60 * 60 * 24
AREA_CODE = re.compile(r"[A-Za-z0-9]{1,8}")
# Part of every profile's cache key: a deployment that changes the Profile dataclass does not
# read the pickles the previous code left in a shared cache (Redis).
PROFILE_SHAPE = zlib.crc32(",".join(f.name for f in fields(Profile)).encode())
REGION_KINDS = (AreaKind.REGION, AreaKind.SUB_REGION, AreaKind.INTERMEDIATE_REGION)
SECTIONS = [
    ("migrants", ["migrant-stock", "share-of-population"]),
    ("corridors", ["corridors", "top-origins", "top-destinations"]),
    ("refugees", ["refugees-hosted", "refugees-originating"]),
    ("remittances", ["remittance-costs", "remittances-received"]),
]
IMAGES = {"svg": "image/svg+xml; charset=utf-8", "png": "image/png"}


# --- Cache ------------------------------------------------------------------------------------


def data_version() -> str:
    """Changes whenever figures may have: a data set imported, replaced or deleted, or a
    contribution reviewed (merging one writes figures into an existing data set). One query."""
    stamp = Dataset.objects.aggregate(
        count=Count("pk", distinct=True),
        imported=Max("imported_at"),
        reviewed=Max("contributions__reviewed_at"),
    )
    parts = [stamp["count"], stamp["imported"], stamp["reviewed"]]
    return "-".join(
        str(int(part.timestamp() * 1000)) if hasattr(part, "timestamp") else str(part or 0)
        for part in parts
    )


def cached(name: str, version: str, build: Any, *, language: bool = False) -> Any:
    """`build()` once per version of the data (and per language when `language`)."""
    key = f"statistics:{name}:{version}" + (f":{get_language()}" if language else "")
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


def cached_profile(code: str, version: str | None = None) -> Profile | None:
    """`selectors.profile(code)` from the cache; None (not cached) for an unknown area."""
    version = version or data_version()
    key = f"statistics:profile:{PROFILE_SHAPE}:{code}:{version}"
    found = cache.get(key)
    if found is None:
        found = selectors.profile(code)
        if found is None:
            return None
        cache.set(key, found, CACHE_SECONDS)
    return found


def cached_area_figures(version: str | None = None) -> list[charts.AreaFigure]:
    return cached("areas", version or data_version(), charts.area_figures, language=True)


def is_world(figure: charts.AreaFigure) -> bool:
    return figure.code == WORLD or figure.kind == AreaKind.WORLD


# --- Finding an area --------------------------------------------------------------------------


def alias_target(code: str) -> str | None:
    """The canonical code an alias in the URL stands for (areas.canonical_code), or None when
    the code is already canonical or stands for nothing."""
    target = areas.canonical_code(code)
    return target if target != code else None


def core_area(code: str) -> Area | None:
    """An M49 country or region (by M49 or alpha-3 code) that is not yet a statistics area:
    the areas are created by the first import, so before it every profile is empty."""
    if code == WORLD:
        return Area(code=WORLD, name="World", kind=AreaKind.WORLD)
    country = (
        Country.objects.filter(Q(m49_code=m49(code)) | Q(alpha3=code.upper()))
        .values_list("m49_code", "name", "alpha3")
        .first()
    )
    if country:
        return Area(code=country[0], name=country[1], kind=AreaKind.COUNTRY, alpha3=country[2])
    region = Region.objects.filter(m49_code=m49(code)).values_list("m49_code", "name", "level")
    if found := region.first():
        return Area(code=found[0], name=found[1], kind=LEVEL_TO_KIND.get(found[2], "region"))
    return None


class AreaMixin:
    """Finds the area of `<code>` in the URL: the profile, a redirect from an alias, or 404."""

    url_name = "statistics:area_profile"

    def get_profile(self, request: HttpRequest, code: str, **url_kwargs: Any) -> Profile:
        if not AREA_CODE.fullmatch(code):  # before the code reaches a cache key
            raise Http404(_("No country or region has the code %(code)s.") % {"code": code[:16]})
        self.version = data_version()
        target = ALIASES.get(code)
        profile = None if target else cached_profile(code, self.version)
        if profile is not None:
            return profile
        target = target or alias_target(code)
        if target is None:
            area = core_area(code)
            if area is None:
                raise Http404(_("No country or region has the code %(code)s.") % {"code": code})
            if area.code == code:
                return charts.empty_profile(area)
            target = area.code
        url = reverse(self.url_name, kwargs={**url_kwargs, "code": target})
        query = request.META.get("QUERY_STRING")
        raise Redirect(f"{url}?{query}" if query else url)


class Redirect(Exception):
    """Raised to answer with a redirect to the canonical URL of an area."""

    def __init__(self, url: str) -> None:
        self.url = url


class StatisticsPage(PermissionRequiredMixin, TemplateView):
    """A public statistics page (see the module docstring)."""

    permission_required = "statistics.view_observation"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Redirect as redirect:
            return HttpResponseRedirect(redirect.url)


# --- Pages ------------------------------------------------------------------------------------


class IndexView(StatisticsPage):
    """Every area with figures (the world, M49 regions, countries, other groups), searchable,
    and the data sets loaded."""

    template_name = "statistics/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        figures = cached_area_figures()
        query = self.request.GET.get("q", "").strip()
        if query:
            wanted = name_key(query)
            figures = [
                figure
                for figure in figures
                if wanted in name_key(figure.name)
                or query.upper() in (figure.alpha3, figure.code)
                or m49(query) == figure.code
            ]
        world = next((figure for figure in figures if is_world(figure)), None)
        return super().get_context_data(
            query=query,
            world=world,
            regions=[figure for figure in figures if figure.kind in REGION_KINDS],
            countries=[figure for figure in figures if figure.kind == AreaKind.COUNTRY],
            groups=[
                figure
                for figure in figures
                if figure.kind == AreaKind.GROUP and not is_world(figure)
            ],
            result_count=len(figures),
            year=next((figure.year for figure in figures), None),
            needed=charts.needed("stock"),
            datasets=list(selectors.datasets().order_by("key", "-revision")),
            **kwargs,
        )


class AreaProfileView(AreaMixin, StatisticsPage):
    """A country or region profile: headline figures and every chart, each with its source
    and downloads, and a text table of its figures for reading without JavaScript."""

    template_name = "statistics/area_profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        profile = self.get_profile(self.request, kwargs["code"])
        built = charts.profile_charts(profile)
        sections = [
            {"key": key, "title": title, "charts": [built[name] for name in names]}
            for (key, names), title in zip(
                SECTIONS,
                [
                    _("International migrants"),
                    _("Migration corridors"),
                    _("Refugees and asylum seekers"),
                    _("Remittances"),
                ],
                strict=True,
            )
        ]
        datasets = {dataset.pk: dataset for chart in built.values() for dataset in chart.datasets}
        return super().get_context_data(
            profile=profile,
            area=profile.area,
            name=charts.area_name(profile.area),
            kind=dict(AreaKind.choices).get(profile.area.kind, ""),
            is_world=charts.is_world(profile.area),
            parents=self.parents(profile.area),
            figures=charts.headline_figures(profile),
            sections=sections,
            datasets=sorted(datasets.values(), key=lambda dataset: dataset.title),
            has_charts=any(chart.spec for chart in built.values()),
            **kwargs,
        )

    def parents(self, area: Area) -> list[dict[str, str]]:
        """The M49 regions a country belongs to, smallest first, for links to their profiles."""
        if area.kind != AreaKind.COUNTRY:
            return []
        country = (
            Country.objects.select_related("region", "sub_region", "intermediate_region")
            .filter(m49_code=area.code)
            .first()
        )
        if country is None:
            return []
        regions = [country.intermediate_region, country.sub_region, country.region]
        return [{"code": region.m49_code, "name": region.name} for region in regions if region] + [
            {"code": WORLD, "name": _("World")}
        ]


class CompareView(StatisticsPage):
    """Up to five areas side by side: migrant stock and share of the population over time,
    and a table of their latest figures."""

    template_name = "statistics/compare.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        version = data_version()
        figures = cached_area_figures(version)
        groups = [
            (
                _("World and regions"),
                [f for f in figures if f.kind in (*REGION_KINDS, AreaKind.GROUP, AreaKind.WORLD)],
            ),
            (_("Countries and areas"), [f for f in figures if f.kind == AreaKind.COUNTRY]),
        ]
        choices = [
            (label, [(figure.code, figure.name) for figure in items]) for label, items in groups
        ]
        choices[0][1].sort(key=lambda choice: (choice[0] != WORLD, str(choice[1])))
        aliases = {figure.alpha3: figure.code for figure in figures if figure.alpha3}
        form = CompareForm(
            self.request.GET if "areas" in self.request.GET else None,
            choices=choices,
            aliases=aliases,
        )
        profiles: list[Profile] = []
        if form.is_bound and form.is_valid():
            profiles = [
                found
                for code in form.cleaned_data["areas"]
                if (found := cached_profile(code, version)) is not None
            ]
        rows = [self.latest(profile) for profile in profiles]
        return super().get_context_data(
            form=form,
            max_areas=MAX_COMPARED,
            profiles=profiles,
            charts=list(charts.compare_charts(profiles).values()) if profiles else [],
            rows=rows,
            no_data=not figures,
            needed=charts.needed("stock"),
            **kwargs,
        )

    def latest(self, profile: Profile) -> dict[str, Any]:
        stock, share = profile.latest_stock, profile.latest_share
        refugees = [
            row for row in profile.refugees_hosted if row["indicator"] == selectors.REFUGEES
        ]
        costs = [row for row in profile.remittance_costs if row["direction"] == "to"]
        return {
            "area": profile.area,
            "name": charts.area_name(profile.area),
            "stock": charts.number(stock["value"]) if stock else None,
            "stock_year": stock["year"] if stock else None,
            "share": charts.number(share["value"], 1) if share else None,
            "refugees": charts.number(refugees[-1]["value"]) if refugees else None,
            "refugees_year": refugees[-1]["year"] if refugees else None,
            "cost": charts.number(costs[-1]["value"], 1) if costs else None,
            "cost_year": costs[-1]["year"] if costs else None,
        }


def _plain(value: Any) -> Any:
    """Counts as whole numbers in downloads: 452919, not 452919.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# --- Downloads --------------------------------------------------------------------------------
# Open data, like the pages: downloads are not audited (they hold no personal data), unlike
# the exports of registry lists (core.views.export_if_asked).


class ChartDownloadView(AreaMixin, PermissionRequiredMixin, View):
    """One chart as SVG or PNG (drawn on the server by vl-convert), or its data as CSV."""

    permission_required = "statistics.view_observation"
    url_name = "statistics:chart_download"

    def get(self, request: HttpRequest, code: str, name: str, fmt: str) -> HttpResponse:
        try:
            profile = self.get_profile(request, code, name=name, fmt=fmt)
        except Redirect as redirect:
            return HttpResponseRedirect(redirect.url)
        chart = charts.chart(profile, name)
        if chart is None or chart.spec is None:
            raise Http404(_("This profile has no such chart."))
        filename = f"{profile.area.code}-{chart.name}"
        if fmt == "csv":
            return self.csv(profile, chart, filename)
        spec = chart.spec
        render = charts.to_svg if fmt == "svg" else charts.to_png
        content = cached(
            f"chart:{profile.area.code}:{name}.{fmt}",
            self.version,
            lambda: render(spec),
            language=True,
        )
        response = HttpResponse(content, content_type=IMAGES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
        return response

    def csv(self, profile: Profile, chart: charts.Chart, filename: str) -> HttpResponse:
        """The chart's figures, one row each, with the area and the data set they come from.
        Text cells that a spreadsheet would run as a formula are neutralised (core.exports)."""
        area = profile.area
        source = "; ".join(
            f"{dataset.publisher}: {dataset.title} ({dataset.revision})"
            for dataset in chart.datasets
        )
        columns = [
            Column(_("Area code"), lambda row: area.code),
            Column(_("Area"), lambda row: area.name),
            *[
                Column(header, lambda row, key=key: _plain(row.get(key)))
                for key, header in chart.columns
            ],
            Column(_("Source"), lambda row: source),
        ]
        return export_response(chart.rows, columns, "csv", filename)


# HXL (Humanitarian Exchange Language, https://hxlstandard.org/standard/1-1final/dictionary/):
# a row of hashtags under the header row lets HXL tools read the columns without a mapping.
HXL_COLUMNS = [
    ("area_code", "Area code (M49)", "#{place}+code+v_m49"),
    ("area_iso3", "ISO alpha-3", "#{place}+code+v_iso3"),
    ("area_name", "Area", "#{place}+name"),
    ("indicator", "Indicator", "#indicator+code"),
    ("origin", "Country of birth or origin", "#country+name+origin"),
    ("destination", "Country of residence or asylum", "#country+name+dest"),
    ("year", "Year", "#date+year"),
    ("sex", "Sex", "#meta+sex"),
    ("value", "Value", "#indicator+value+num"),
    ("unit", "Unit", "#indicator+unit"),
    ("flag", "Flag", "#meta+flag"),
    ("source", "Source", "#meta+source"),
    ("licence", "Licence", "#meta+licence"),
    ("url", "Source URL", "#meta+url"),
]


class FiguresHxlView(AreaMixin, PermissionRequiredMixin, View):
    """Every figure of a profile as an HXL-tagged CSV file."""

    permission_required = "statistics.view_observation"
    url_name = "statistics:area_figures_hxl"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        try:
            profile = self.get_profile(request, code)
        except Redirect as redirect:
            return HttpResponseRedirect(redirect.url)
        place = "country" if profile.area.kind == AreaKind.COUNTRY else "region"
        hashtags = {key: tag.format(place=place) for key, _header, tag in HXL_COLUMNS}
        rows = [hashtags, *charts.figure_rows(profile)]
        # Headers stay in English: HXL files are exchanged between tools and offices.
        columns = [
            Column(header, lambda row, key=key: _plain(row.get(key)))
            for key, header, _tag in HXL_COLUMNS
        ]
        return export_response(rows, columns, "csv", f"{profile.area.code}-figures.hxl")


# --- Regional data contributions --------------------------------------------------------------


class ContributionListView(FilteredListView):
    """Contributions the user may see: those their organizations sent, and those sent to the
    data sets their organization keeps and reviews."""

    template_name = "statistics/contribution_list.html"
    permission_required = "statistics.view_contribution"
    filterset_class = ContributionFilterSet
    search_fields = ["file_name", "organization__name", "dataset__title"]
    export_name = "contributions"
    export_columns = [
        Column(gettext_lazy("File"), "file_name"),
        Column(gettext_lazy("Data set"), lambda c: str(c.dataset)),
        Column(gettext_lazy("Sent for"), "organization__name"),
        Column(gettext_lazy("Sent"), "submitted_at"),
        Column(gettext_lazy("Figures"), lambda c: len(c.rows)),
        Column(gettext_lazy("Status"), "status"),
        Column(gettext_lazy("File SHA-256"), "file_sha256"),
    ]

    def get_base_queryset(self) -> QuerySet[Contribution]:
        return selectors.contributions_for(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            can_contribute=self.request.user.has_perm("statistics.add_contribution"), **kwargs
        )


class ContributionCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    template_name = "statistics/contribution_form.html"
    form_class = ContributionForm
    permission_required = "statistics.add_contribution"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "datasets": selectors.contribution_targets(),
            "organizations": selectors.organizations_contributing(self.request.user),
        }

    def form_valid(self, form: ContributionForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            with uploaded_to_path(upload) as path:
                contribution = services.submit_contribution(
                    dataset=form.cleaned_data["dataset"],
                    organization=form.cleaned_data["organization"],
                    office=form.cleaned_data["office"],
                    path=path,
                    file_name=upload.name,
                    actor=self.request.user,
                )
        except ImportRejected as error:
            form.add_error("file", error.summary())
            return self.render_to_response(
                self.get_context_data(form=form, problems=error.lines(limit=200))
            )
        except PermissionDenied as error:
            form.add_error("organization", str(error))
            return self.form_invalid(form)
        messages.success(
            self.request, _("Sent for review. Nothing changes until a reviewer approves.")
        )
        return HttpResponseRedirect(contribution.get_absolute_url())


class ContributionDetailView(LoginRequiredMixin, TemplateView):
    """The figures sent, set against the data set: what approving would add or change."""

    template_name = "statistics/contribution_detail.html"

    def contribution(self) -> Contribution:
        return get_object_or_404(
            selectors.contributions_for(self.request.user), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contribution = kwargs.pop("contribution", None) or self.contribution()
        changes = services.contribution_diff(contribution)
        counts = {
            kind: sum(1 for c in changes if c.change == kind)
            for kind in ("added", "changed", "unchanged")
        }
        names = dict(
            Area.objects.filter(code__in={c.area for c in changes}).values_list("code", "name")
        )
        can_review = (
            contribution.status == ContributionStatus.SUBMITTED
            and self.request.user.has_perm("statistics.review_contribution", contribution)
        )
        return super().get_context_data(
            contribution=contribution,
            changes=[(change, names.get(change.area, change.area)) for change in changes],
            counts=counts,
            can_review=can_review,
            review_form=kwargs.pop("review_form", None) or ReviewForm(),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contribution = self.contribution()
        form = ReviewForm(request.POST)
        approve = "approve" in request.POST
        if form.is_valid():
            try:
                services.review_contribution(
                    contribution,
                    actor=request.user,
                    approve=approve,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error("note", error)
            else:
                messages.success(request, _("Approved and merged.") if approve else _("Rejected."))
                return HttpResponseRedirect(contribution.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(contribution=contribution, review_form=form), status=400
        )


# --- Data sets ----------------------------------------------------------------------------------

FIGURE_COLUMNS = [
    Column(gettext_lazy("Indicator"), "indicator__code"),
    Column(gettext_lazy("Area"), "area_id"),
    Column(gettext_lazy("Area name"), "area__name"),
    Column(gettext_lazy("Origin"), "origin_id"),
    Column(gettext_lazy("Year"), "year"),
    Column(gettext_lazy("Sex"), "sex"),
    Column(gettext_lazy("Value"), "value"),
    Column(gettext_lazy("Flag"), "flag"),
]


class DatasetView(StatisticsPage):
    """One data set as imported: where it comes from, what it holds, where its regional
    figures differ from the sum of their countries, and all its figures as a download."""

    template_name = "statistics/dataset_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dataset = get_object_or_404(selectors.datasets(), pk=kwargs["pk"])
        export_format = request.GET.get("export")
        if export_format in ExportFormat.values:
            rows = selectors.dataset_figures(dataset).values(*(c.value for c in FIGURE_COLUMNS))
            name = f"{dataset.key}-{dataset.revision}"
            return export_response(
                rows.iterator(chunk_size=2000), FIGURE_ROW_COLUMNS, export_format, name
            )
        self.dataset = dataset
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        dataset = self.dataset
        checks = {
            indicator: selectors.differences(dataset, indicator)
            for indicator in dataset.indicator_codes
            if not dataset.has_origins
        }
        return super().get_context_data(
            dataset=dataset,
            indicators=selectors.indicators().filter(code__in=dataset.indicator_codes),
            figure_count=selectors.dataset_figures(dataset).count(),
            differences=[
                (code, found[:200], len(found)) for code, found in checks.items() if found
            ],
            checked=bool(checks),
            **kwargs,
        )


# The same columns, read from the plain rows of `.values()` (no model instance per figure).
FIGURE_ROW_COLUMNS = [Column(column.header, itemgetter(column.value)) for column in FIGURE_COLUMNS]

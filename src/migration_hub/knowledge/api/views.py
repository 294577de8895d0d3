"""The Hub's API: resources with their translations, versions, files and peer review; calls
for practices; one search across the Hub; listed experts; discussion spaces; the Connection
Hub's demands and offers; and each person's saved searches.

Reads are public, as the Hub's pages are, and go through the selectors: a record out of the
caller's reach answers 404. Every write needs a signed-in caller and is one service call, which
checks the caller's permission on the record (403) and names the field of bad input (400,
through `core.api.errors`). A stale `expected_version` answers 409 and changes nothing.
Experts are read only through `listed_experts()`: an expert who opted out is absent everywhere.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from migration_hub.core.filtersets import YesNoFilter
from migration_hub.reviews.filtersets import CodeFilter, NumberFilter

from .. import selectors
from ..choices import DemandStatus, ResourceKind, ResourceStatus, SearchKind, SearchSort
from ..models import (
    CallForPractices,
    Demand,
    ExpertProfile,
    Offer,
    Post,
    Resource,
    ResourceFile,
    ResourceVersion,
    ReviewAssignment,
    SavedSearch,
    Space,
    Thread,
)
from ..services import connection, discussions, experts, peer_review, resources, subscriptions
from . import serializers

LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=[code for code, _name in settings.LANGUAGES],
    description="The language of `title` and `summary` (else the Accept-Language header); "
    "a resource without that translation is shown in its original language.",
)


class HubPermission(BasePermission):
    """Reads are public and scoped by the selectors; writes need a signed-in caller (anonymous
    callers get 401), and each service checks the permission on the record itself."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return True


def require_perm(user: Any, perm: str, obj: Any = None) -> None:
    """403 before the input is read, for callers who may not do this at all."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def language_of(request: Request) -> str:
    """`?lang=` when given (400 if unknown), else the language of the request."""
    wanted = request.query_params.get("lang", "").strip()
    codes = [code for code, _name in settings.LANGUAGES]
    if wanted:
        if wanted.lower() not in codes:
            raise ValidationError(
                {
                    "lang": [
                        _("Unknown language. Use one of: %(codes)s.") % {"codes": ", ".join(codes)}
                    ]
                }
            )
        return wanted.lower()
    return get_language() or settings.LANGUAGE_CODE


class IdLookupMixin:
    lookup_value_regex = "[0-9]+"


class ObjectiveFilter(django_filters.CharFilter):
    """A framework item by its code (`GCM-O7`, `MIGOF-TA-01`, `GCM-GP-F`) or by what follows
    the prefix (`7`, `1`, `F`)."""

    def __init__(self, *args: Any, prefix: str = "GCM-O", width: int = 1, **kwargs: Any) -> None:
        self.prefix = prefix
        self.width = width
        kwargs.setdefault("max_length", 48)
        super().__init__(*args, **kwargs)

    def filter(self, queryset: QuerySet, value: Any) -> QuerySet:
        value = str(value or "").strip()
        if not value:
            return queryset
        code = value
        if len(value) <= 3 and value.isalnum():
            code = (
                f"{self.prefix}{int(value):0{self.width}d}"
                if value.isdigit()
                else (f"{self.prefix}{value}")
            )
        return queryset.filter(**{f"{self.field_name}__code__iexact": code}).distinct()


# Resources --------------------------------------------------------------------------------------


class ResourceFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Kind"), choices=ResourceKind.choices
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"), choices=ResourceStatus.choices
    )
    language = django_filters.ChoiceFilter(
        label=gettext_lazy("Original language"), choices=settings.LANGUAGES
    )
    translated = django_filters.ChoiceFilter(
        label=gettext_lazy("Has a translation in"),
        choices=settings.LANGUAGES,
        field_name="translations__language",
        distinct=True,
    )
    objective = ObjectiveFilter(label=gettext_lazy("GCM objective"), field_name="objectives")
    principle = ObjectiveFilter(
        label=gettext_lazy("Guiding principle"), field_name="principles", prefix="GCM-GP-"
    )
    theme = ObjectiveFilter(
        label=gettext_lazy("MIGOF thematic area"), field_name="themes", prefix="MIGOF-TA-", width=2
    )
    country = CodeFilter(
        label=gettext_lazy("Country (ISO alpha-3)"), field_name="countries__alpha3", distinct=True
    )
    region = CodeFilter(
        label=gettext_lazy("Region (M49)"), field_name="regions__m49_code", distinct=True
    )
    organization = CodeFilter(
        label=gettext_lazy("Organization (code)"), field_name="organization__code"
    )
    year = NumberFilter(label=gettext_lazy("Year"), min_value=1900, max_value=2100)
    call = NumberFilter(label=gettext_lazy("Call for practices"), max_value=2**63 - 1)
    is_general = YesNoFilter(label=gettext_lazy("General"))
    peer_reviewed = YesNoFilter(label=gettext_lazy("Peer reviewed"))
    needs_update = YesNoFilter(label=gettext_lazy("Needs update"))
    is_sample = YesNoFilter(label=gettext_lazy("Sample"))

    class Meta:
        model = Resource
        fields: list[str] = []


FILE_ID = OpenApiParameter("file_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class ResourceViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Resources the caller may read: published ones for everyone; before publication, the
    submitting organization's, the submitter's, the assigned reviewers' and the Hub editors'.
    Title and summary come in the reader's language (`?lang=`, else Accept-Language)."""

    queryset = Resource.objects.none()
    serializer_class = serializers.ResourceSerializer
    filterset_class = ResourceFilterSet
    permission_classes = [HubPermission]
    ordering_fields = ["published_at", "created_at", "updated_at", "year"]

    def get_queryset(self) -> QuerySet:
        queryset = (
            selectors.resources_for(self.request.user)
            .select_related("organization")
            .prefetch_related(
                "translations",
                "publishers",
                "countries",
                "regions",
                "objectives",
                "principles",
                "themes",
            )
        )
        if self.action != "list":
            queryset = queryset.prefetch_related("files")
        return queryset

    def get_serializer_class(self) -> type[Any]:
        if self.action == "list":
            return serializers.ResourceSerializer
        return serializers.ResourceDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["language"] = language_of(self.request)
        context["user"] = self.request.user
        return context

    def _read(self, resource: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=resource.pk).first() or resource
        data = serializers.ResourceDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(data.data, status=status_code)

    @extend_schema(parameters=[LANG])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[LANG])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=serializers.ResourceCreateSerializer,
        responses={201: serializers.ResourceDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a resource in draft, version 1 (services.resources.create_resource)."""
        require_perm(request.user, "knowledge.add_resource")
        form = serializers.ResourceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        resource = resources.create_resource(request.user, **form.validated_data)
        return self._read(resource, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ResourceUpdateSerializer,
        responses={
            200: serializers.ResourceDetailSerializer,
            409: serializers.ConflictSerializer,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a resource (services.resources.update_resource): a new version. Send only the
        fields to change and `expected_version`; a stale one answers 409, nothing written."""
        resource = self.get_object()
        require_perm(request.user, "knowledge.change_resource", resource)
        form = serializers.ResourceUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        expected_version = changes.pop("expected_version")
        note = changes.pop("note", "")
        resource = resources.update_resource(
            request.user, resource, expected_version=expected_version, note=note, **changes
        )
        return self._read(resource)

    @extend_schema(responses=serializers.ResourceVersionSerializer(many=True))
    @action(detail=True, pagination_class=None, filter_backends=[])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """Every saved version, newest first, with what changed: the basis of the diffs."""
        resource = self.get_object()
        versions = ResourceVersion.objects.filter(resource=resource).select_related("created_by")
        return Response(serializers.ResourceVersionSerializer(versions, many=True).data)

    @extend_schema(
        request={"multipart/form-data": serializers.FileUploadSerializer},
        responses={201: serializers.ResourceFileSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
    )
    def files(self, request: Request, pk: str | None = None) -> Response:
        """Attach a PDF or Word file (services.resources.add_file): its real type and size
        are checked and its text is extracted for search."""
        resource = self.get_object()
        form = serializers.FileUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        added = resources.add_file(
            request.user,
            resource,
            form.validated_data["file"],
            language=form.validated_data["language"],
        )
        return Response(
            serializers.ResourceFileSerializer(added).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["GET"],
        parameters=[FILE_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @extend_schema(methods=["DELETE"], parameters=[FILE_ID], responses={204: None})
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"files/(?P<file_id>[0-9]{1,18})",
        url_name="file",
        filter_backends=[],
        pagination_class=None,
    )
    def file(self, request: Request, pk: str | None = None, file_id: str = "") -> Any:
        """Download one file of the resource, or remove it (services.resources.remove_file)."""
        resource = self.get_object()
        found = get_object_or_404(ResourceFile.objects.filter(resource=resource), pk=file_id)
        if request.method == "DELETE":
            resources.remove_file(request.user, found)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return FileResponse(
            found.file.open("rb"),
            as_attachment=True,
            filename=found.name,
            content_type=found.content_type,
        )

    @extend_schema(
        request=serializers.NeedsUpdateSerializer,
        responses=serializers.ResourceDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="needs-update")
    def needs_update(self, request: Request, pk: str | None = None) -> Response:
        """Flag the resource as out of date, or clear the flag."""
        resource = self.get_object()
        form = serializers.NeedsUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        resources.set_needs_update(request.user, resource, form.validated_data["needs_update"])
        return self._read(resource)

    @extend_schema(request=None, responses=serializers.ResourceDetailSerializer)
    @action(detail=True, methods=["post"])
    def checked(self, request: Request, pk: str | None = None) -> Response:
        """Record that the content was checked today (its freshness date)."""
        resource = self.get_object()
        resources.mark_checked(request.user, resource)
        return self._read(resource)

    # Peer review ----------------------------------------------------------------------------

    @extend_schema(request=None, responses=serializers.ResourceDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit a draft, or resubmit a revised resource, for peer review."""
        resource = peer_review.submit(request.user, self.get_object())
        return self._read(resource)

    @extend_schema(
        request=serializers.ScreenSerializer, responses=serializers.ResourceDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def screen(self, request: Request, pk: str | None = None) -> Response:
        """An editor accepts a submission for peer review, or returns it with reasons."""
        resource = self.get_object()
        form = serializers.ScreenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        resource = peer_review.screen(request.user, resource, **form.validated_data)
        return self._read(resource)

    @extend_schema(responses=serializers.MatchedPersonSerializer(many=True))
    @action(
        detail=True,
        url_path="suggested-reviewers",
        pagination_class=None,
        filter_backends=[],
    )
    def suggested_reviewers(self, request: Request, pk: str | None = None) -> Response:
        """Reviewers matched by theme and language, never from the submitting organization,
        best first with the reasons (editors only)."""
        resource = self.get_object()
        require_perm(request.user, "knowledge.edit_hub")
        rows = []
        for match in peer_review.suggest_reviewers(resource):
            person = getattr(match.item, "user", match.item)
            rows.append(
                {
                    "username": person.username,
                    "name": serializers.public_name(person) or "",
                    "score": match.score,
                    "reasons": [str(reason) for reason in match.reasons],
                }
            )
        return Response(serializers.MatchedPersonSerializer(rows, many=True).data)

    @extend_schema(
        request=serializers.AssignSerializer, responses={201: serializers.AssignmentSerializer}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """An editor assigns a reviewer (never one from the submitting organization)."""
        resource = self.get_object()
        require_perm(request.user, "knowledge.edit_hub")
        form = serializers.AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        assignment = peer_review.assign_reviewer(
            request.user, resource, form.validated_data["reviewer"]
        )
        return Response(
            serializers.AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(methods=["GET"], responses=serializers.AssignmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=serializers.ReviewSubmitSerializer,
        responses=serializers.AssignmentSerializer,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def reviews(self, request: Request, pk: str | None = None) -> Response:
        """GET: the reviews the caller may read. A reviewer reads their own, and the others of
        the round only once their own is submitted; editors read all. POST: the caller, an
        assigned reviewer, submits their review of the current round."""
        resource = self.get_object()
        if request.method == "GET":
            readable = selectors.readable_assignments(request.user, resource)
            return Response(serializers.AssignmentSerializer(readable, many=True).data)
        assignment = (
            ReviewAssignment.objects.filter(
                resource=resource, reviewer=request.user, round=resource.review_round
            )
            .select_related("resource", "reviewer")
            .first()
        )
        if assignment is None:
            raise PermissionDenied(_("You are not a reviewer of this round."))
        form = serializers.ReviewSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        assignment = peer_review.submit_review(request.user, assignment, **form.validated_data)
        return Response(serializers.AssignmentSerializer(assignment).data)

    @extend_schema(
        request=serializers.DecideSerializer, responses=serializers.ResourceDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """An editor publishes the resource, asks for a revision or rejects it, with reasons."""
        resource = self.get_object()
        form = serializers.DecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        peer_review.decide(request.user, resource, **form.validated_data)
        return self._read(resource)


class AssignmentViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's review assignments (their work as a reviewer); the Hub editors see every
    assignment. Other reviewers' reviews are read through `resources/{id}/reviews/`."""

    queryset = ReviewAssignment.objects.none()
    serializer_class = serializers.AssignmentSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["resource", "round"]
    ordering_fields = ["created_at", "submitted_at"]

    def get_queryset(self) -> QuerySet[ReviewAssignment]:
        if self.request.user.has_perm("knowledge.edit_hub"):
            return ReviewAssignment.objects.select_related("reviewer").order_by(
                "-created_at", "-id"
            )
        return selectors.assignments_for(self.request.user).select_related("reviewer")


# Calls for practices ----------------------------------------------------------------------------


class CallFilterSet(django_filters.FilterSet):
    organization = CodeFilter(
        label=gettext_lazy("Organization (code)"), field_name="organization__code"
    )
    objective = ObjectiveFilter(label=gettext_lazy("GCM objective"), field_name="objectives")
    is_sample = YesNoFilter(label=gettext_lazy("Sample"))

    class Meta:
        model = CallForPractices
        fields: list[str] = []


class CallViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Themed calls for practices with their deadlines. Public; the Hub editors open them."""

    queryset = CallForPractices.objects.none()
    serializer_class = serializers.CallSerializer
    filterset_class = CallFilterSet
    permission_classes = [HubPermission]
    search_fields = ["title", "description"]
    ordering_fields = ["deadline", "opens_on", "title"]

    def get_queryset(self) -> QuerySet[CallForPractices]:
        return selectors.calls()

    @extend_schema(
        request=serializers.CallCreateSerializer, responses={201: serializers.CallSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open a call for practices (services.peer_review.create_call)."""
        require_perm(request.user, "knowledge.edit_hub")
        form = serializers.CallCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        call = peer_review.create_call(request.user, **form.validated_data)
        fresh = self.get_queryset().get(pk=call.pk)
        return Response(serializers.CallSerializer(fresh).data, status=status.HTTP_201_CREATED)


# Search -----------------------------------------------------------------------------------------

SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="The words to look for: any text."),
    OpenApiParameter(
        "type",
        OpenApiTypes.STR,
        many=True,
        enum=[kind.value for kind in SearchKind],
        description="What to search (repeat for several): every kind by default, resources "
        "only for an empty query.",
    ),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[sort.value for sort in SearchSort]),
    LANG,
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("page_size", OpenApiTypes.INT),
    *(
        OpenApiParameter(
            name,
            OpenApiTypes.STR,
            many=True,
            description=f"Facet filter on resources ({description}); repeat for several values.",
        )
        for name, description in (
            ("kind", "publication, practice, tool ..."),
            ("objective", "GCM-O1 to GCM-O23, or general"),
            ("principle", "GCM-GP-A to GCM-GP-J"),
            ("theme", "MIGOF-TA-01 to MIGOF-TA-16"),
            ("region", "UN M49 code"),
            ("country", "ISO alpha-3"),
            ("language", "a UN language"),
            ("year", "four digits"),
            ("reviewed", "yes or no"),
        )
    ),
]


class SearchView(APIView):
    """One search box across resources, listed experts, discussions and registry records, with
    facets and their counts, highlighted snippets and a suggestion when a word looks mistyped.
    Any text is accepted: search syntax is read as words, never as an error. Facet filters
    narrow resources; values that are not valid are left out."""

    permission_classes = [HubPermission]

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=serializers.SearchResponseSerializer)
    def get(self, request: Request) -> Response:
        from .. import search

        form = serializers.SearchParametersSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        params = form.validated_data
        found = search.hub_search(
            request.user,
            params["q"].replace("\x00", ""),
            filters=search.parse_filters(request.query_params),
            kinds=params["type"] or None,
            sort=params["sort"],
            language=params["lang"] or get_language() or settings.LANGUAGE_CODE,
            page=params["page"],
            page_size=params["page_size"],
        )
        body = {
            "query": found.query,
            "total": found.total,
            "page": found.page,
            "page_size": found.page_size,
            "num_pages": found.num_pages,
            "types": found.kinds,
            "type_counts": found.kind_counts,
            "filters": found.filters,
            "suggestion": found.suggestion or "",
            "results": [
                {
                    "type": hit.kind,
                    "id": hit.id,
                    "title": hit.title,
                    "title_html": str(hit.title_html),
                    "snippet": str(hit.snippet),
                    "url": hit.url,
                    "language": hit.language,
                    "date": hit.date,
                    "details": [str(detail) for detail in hit.details],
                }
                for hit in found.results
            ],
            "facets": {
                name: [
                    {"value": str(value), "label": str(label), "count": count}
                    for value, label, count in rows
                ]
                for name, rows in found.facets.items()
            },
        }
        return Response(serializers.SearchResponseSerializer(body).data)


# Experts ----------------------------------------------------------------------------------------


class ExpertFilterSet(django_filters.FilterSet):
    objective = ObjectiveFilter(label=gettext_lazy("GCM objective"), field_name="objectives")
    theme = ObjectiveFilter(
        label=gettext_lazy("MIGOF thematic area"), field_name="themes", prefix="MIGOF-TA-", width=2
    )
    region = CodeFilter(
        label=gettext_lazy("Region (M49)"), field_name="regions__m49_code", distinct=True
    )
    country = CodeFilter(
        label=gettext_lazy("Country (ISO alpha-3)"), field_name="countries__alpha3", distinct=True
    )
    language = django_filters.CharFilter(
        label=gettext_lazy("Language (ISO 639-1)"), max_length=8, method="filter_language"
    )

    class Meta:
        model = ExpertProfile
        fields = ["availability"]

    def filter_language(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if not value:
            return queryset
        # A JSON list of codes; matched in Python so SQLite and PostgreSQL agree.
        code = value.strip().lower()
        ids = [pk for pk, codes in queryset.values_list("pk", "languages") if code in (codes or [])]
        return queryset.filter(pk__in=ids)


def listed_experts() -> QuerySet[ExpertProfile]:
    return (
        experts.listed_experts()
        .select_related("organization")
        .prefetch_related("themes", "objectives", "regions", "countries")
    )


class ExpertViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Experts who opted in to be listed. No e-mail address is ever shown: write to an expert
    through `contact`. An expert who opted out is absent (404)."""

    queryset = ExpertProfile.objects.none()
    serializer_class = serializers.ExpertSerializer
    filterset_class = ExpertFilterSet
    permission_classes = [HubPermission]
    ordering_fields = ["display_name"]

    def get_queryset(self) -> QuerySet[ExpertProfile]:
        return listed_experts()

    @extend_schema(
        parameters=[
            OpenApiParameter("question", OpenApiTypes.STR),
            OpenApiParameter("objectives", OpenApiTypes.STR, many=True),
            OpenApiParameter("themes", OpenApiTypes.STR, many=True),
            OpenApiParameter("languages", OpenApiTypes.STR, many=True),
            OpenApiParameter("regions", OpenApiTypes.STR, many=True),
            OpenApiParameter("country", OpenApiTypes.STR),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=serializers.ExpertMatchSerializer(many=True),
    )
    @action(detail=False, pagination_class=None, filter_backends=[])
    def find(self, request: Request) -> Response:
        """Experts for a question, ranked by how well they match, with the reasons."""
        form = serializers.FindExpertsSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        params = dict(form.validated_data)
        question = params.pop("question").replace("\x00", "")
        limit = params.pop("limit")
        matches = experts.find_experts(question, limit=limit, **params)
        listed = set(experts.listed_experts().values_list("pk", flat=True))
        rows = [
            {
                "expert": match.item,
                "score": match.score,
                "reasons": [str(r) for r in match.reasons],
            }
            for match in matches
            if match.item.pk in listed
        ]
        return Response(serializers.ExpertMatchSerializer(rows, many=True).data)

    @extend_schema(
        request=serializers.ContactSerializer,
        responses={201: serializers.ExpertMessageSerializer},
    )
    @action(detail=True, methods=["post"])
    def contact(self, request: Request, pk: str | None = None) -> Response:
        """Write to the expert through the platform: neither address is shown to the other."""
        expert = self.get_object()
        form = serializers.ContactSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        message = experts.contact_expert(request.user, expert, **form.validated_data)
        return Response(
            serializers.ExpertMessageSerializer(message).data, status=status.HTTP_201_CREATED
        )


# Discussions ------------------------------------------------------------------------------------


class SpaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Discussion spaces per theme or call, with their numbered questions and moderators."""

    queryset = Space.objects.none()
    serializer_class = serializers.SpaceSerializer
    permission_classes = [HubPermission]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]{1,80}"
    search_fields = ["title", "description"]
    ordering_fields = ["opens_at", "title"]

    def get_queryset(self) -> QuerySet[Space]:
        return discussions.spaces().prefetch_related("questions", "moderators")


class ThreadFilterSet(django_filters.FilterSet):
    space = django_filters.CharFilter(field_name="space__slug", max_length=80)
    question = NumberFilter(field_name="question__number", max_value=32767)

    class Meta:
        model = Thread
        fields = ["locked"]


class ThreadViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Threads of the spaces; hidden threads and posts are shown to the moderators only."""

    queryset = Thread.objects.none()
    serializer_class = serializers.ThreadSerializer
    filterset_class = ThreadFilterSet
    permission_classes = [HubPermission]
    ordering_fields = ["last_post_at", "created_at"]

    def get_queryset(self) -> QuerySet[Thread]:
        threads = discussions.visible_threads(self.request.user)
        if self.action != "list":
            threads = threads.prefetch_related(
                Prefetch("posts", queryset=Post.objects.select_related("author"))
            )
        return threads

    def get_serializer_class(self) -> type[Any]:
        if self.action == "list":
            return serializers.ThreadSerializer
        return serializers.ThreadDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action == "retrieve":
            thread = self.get_object()
            context["moderator"] = self.request.user.has_perm(
                "knowledge.moderate_space", thread.space
            )
        return context

    def _read(self, thread: Thread, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=thread.pk)
        moderator = self.request.user.has_perm("knowledge.moderate_space", fresh.space)
        data = serializers.ThreadDetailSerializer(fresh, context={"moderator": moderator}).data
        return Response(data, status=status_code)

    @extend_schema(
        request=serializers.ThreadCreateSerializer,
        responses={201: serializers.ThreadDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a thread in an open space, on one of its questions or not."""
        form = serializers.ThreadCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        space = data.pop("space")
        thread = discussions.start_thread(request.user, space, **data)
        return self._read(thread, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ReplySerializer, responses={201: serializers.PostSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """Reply in Markdown; HTML is shown as text, never run."""
        thread = self.get_object()
        form = serializers.ReplySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        post = discussions.reply(request.user, thread, body=form.validated_data["body"])
        return Response(serializers.PostSerializer(post).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.LockSerializer, responses=serializers.ThreadDetailSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request: Request, pk: str | None = None) -> Response:
        """A moderator locks the thread (no more replies) or unlocks it."""
        thread = self.get_object()
        form = serializers.LockSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        discussions.lock_thread(request.user, thread, locked=form.validated_data["locked"])
        return self._read(thread)


class PostViewSet(IdLookupMixin, viewsets.GenericViewSet):
    """Moderation of single posts: anyone signed in reports one; moderators hide or show it."""

    queryset = Post.objects.none()
    serializer_class = serializers.PostSerializer
    permission_classes = [HubPermission]

    def get_queryset(self) -> QuerySet[Post]:
        threads = discussions.visible_threads(self.request.user)
        return Post.objects.filter(thread__in=threads.values("pk")).select_related(
            "thread__space", "author"
        )

    def get_object(self) -> Post:
        post = super().get_object()
        if post.hidden and not discussions.is_moderator(self.request.user, post.thread.space):
            raise NotFound(_("No such post."))
        return post

    @extend_schema(request=serializers.ReasonSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """Ask the moderators to look at a post."""
        post = self.get_object()
        form = serializers.ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        discussions.report_post(request.user, post, reason=form.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.PostSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        """A moderator hides a post, with the reason (audited)."""
        post = self.get_object()
        form = serializers.ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        discussions.hide_post(request.user, post, reason=form.validated_data["reason"])
        post.refresh_from_db()
        return Response(serializers.PostSerializer(post).data)

    @extend_schema(request=None, responses=serializers.PostSerializer)
    @action(detail=True, methods=["post"])
    def unhide(self, request: Request, pk: str | None = None) -> Response:
        """A moderator shows a hidden post again."""
        post = self.get_object()
        discussions.unhide_post(request.user, post)
        post.refresh_from_db()
        return Response(serializers.PostSerializer(post).data)


# Connection Hub ---------------------------------------------------------------------------------


class DemandFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"), choices=DemandStatus.choices
    )
    country = CodeFilter(label=gettext_lazy("Country (ISO alpha-3)"), field_name="country__alpha3")
    objective = ObjectiveFilter(label=gettext_lazy("GCM objective"), field_name="objectives")
    theme = ObjectiveFilter(
        label=gettext_lazy("MIGOF thematic area"), field_name="themes", prefix="MIGOF-TA-", width=2
    )
    organization = CodeFilter(
        label=gettext_lazy("Organization (code)"), field_name="organization__code"
    )
    language = django_filters.ChoiceFilter(
        label=gettext_lazy("Working language"), choices=settings.LANGUAGES
    )
    is_sample = YesNoFilter(label=gettext_lazy("Sample"))

    class Meta:
        model = Demand
        fields: list[str] = []


class OfferFilterSet(django_filters.FilterSet):
    objective = ObjectiveFilter(label=gettext_lazy("GCM objective"), field_name="objectives")
    theme = ObjectiveFilter(
        label=gettext_lazy("MIGOF thematic area"), field_name="themes", prefix="MIGOF-TA-", width=2
    )
    country = CodeFilter(
        label=gettext_lazy("Country (ISO alpha-3)"), field_name="countries__alpha3", distinct=True
    )
    organization = CodeFilter(
        label=gettext_lazy("Organization (code)"), field_name="organization__code"
    )
    active = YesNoFilter(label=gettext_lazy("Available"))
    is_sample = YesNoFilter(label=gettext_lazy("Sample"))

    class Meta:
        model = Offer
        fields: list[str] = []


class DemandViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Demands for support, from open to an outcome report: public to read; the requesting
    organization's writers and the Hub editors move them on."""

    queryset = Demand.objects.none()
    serializer_class = serializers.DemandSerializer
    filterset_class = DemandFilterSet
    permission_classes = [HubPermission]
    search_fields = ["title", "need"]
    ordering_fields = ["created_at", "deadline", "status_changed_at"]

    def get_queryset(self) -> QuerySet[Demand]:
        return Demand.objects.select_related(
            "organization", "country", "matched_expert__user", "outcome_resource"
        ).prefetch_related("objectives", "themes")

    def _read(self, demand: Demand, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=demand.pk)
        serializer = serializers.DemandSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    @extend_schema(
        request=serializers.DemandCreateSerializer, responses={201: serializers.DemandSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Post a demand (services.connection.post_demand)."""
        require_perm(request.user, "knowledge.add_demand")
        form = serializers.DemandCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        demand = connection.post_demand(request.user, **form.validated_data)
        return self._read(demand, status_code=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.DemandMatchesSerializer)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def matches(self, request: Request, pk: str | None = None) -> Response:
        """The offers and listed experts that match the demand, best first, with the reasons."""
        demand = self.get_object()
        listed = set(experts.listed_experts().values_list("pk", flat=True))
        body = {
            "offers": [
                {"offer": m.item, "score": m.score, "reasons": [str(r) for r in m.reasons]}
                for m in connection.rank_offers(demand)
            ],
            "experts": [
                {"expert": m.item, "score": m.score, "reasons": [str(r) for r in m.reasons]}
                for m in connection.rank_experts(demand)
                if m.item.pk in listed
            ],
        }
        return Response(serializers.DemandMatchesSerializer(body).data)

    @extend_schema(request=serializers.MatchSerializer, responses=serializers.DemandSerializer)
    @action(detail=True, methods=["post"])
    def match(self, request: Request, pk: str | None = None) -> Response:
        """Match the open demand with an offer or a listed expert."""
        demand = self.get_object()
        form = serializers.MatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        expert = None
        if form.validated_data.get("expert"):
            expert = experts.listed_experts().filter(pk=form.validated_data["expert"]).first()
            if expert is None:
                raise ValidationError({"expert": [_("There is no listed expert with this id.")]})
        demand = connection.match_demand(
            request.user,
            demand,
            offer=form.validated_data.get("offer"),
            expert=expert,
            expected_version=form.validated_data.get("expected_version"),
        )
        return self._read(demand)

    def _transition_form(self, request: Request) -> dict[str, Any]:
        form = serializers.TransitionSerializer(data=request.data or {})
        form.is_valid(raise_exception=True)
        return {"expected_version": form.validated_data.get("expected_version")}

    @extend_schema(request=serializers.TransitionSerializer, responses=serializers.DemandSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """The matched partners start the work."""
        demand = self.get_object()
        demand = connection.start_work(request.user, demand, **self._transition_form(request))
        return self._read(demand)

    @extend_schema(request=serializers.OutcomeSerializer, responses=serializers.DemandSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str | None = None) -> Response:
        """Report the outcome: the demand is completed. Refused before it is matched."""
        demand = self.get_object()
        form = serializers.OutcomeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        demand = connection.report_outcome(
            request.user,
            demand,
            outcome=form.validated_data["outcome"],
            expected_version=form.validated_data.get("expected_version"),
        )
        return self._read(demand)

    @extend_schema(request=serializers.CloseSerializer, responses=serializers.DemandSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the demand without an outcome."""
        demand = self.get_object()
        form = serializers.CloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        demand = connection.close_demand(
            request.user,
            demand,
            reason=form.validated_data["reason"],
            expected_version=form.validated_data.get("expected_version"),
        )
        return self._read(demand)

    @extend_schema(
        request=serializers.TransitionSerializer,
        responses={201: serializers.ResourceDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def practice(self, request: Request, pk: str | None = None) -> Response:
        """Turn the outcome report of a completed demand into a draft practice resource."""
        demand = self.get_object()
        resource = connection.outcome_to_practice(
            request.user, demand, **self._transition_form(request)
        )
        fresh = selectors.resources_for(request.user).filter(pk=resource.pk).first() or resource
        context = {"language": language_of(request), "user": request.user}
        return Response(
            serializers.ResourceDetailSerializer(fresh, context=context).data,
            status=status.HTTP_201_CREATED,
        )


class OfferViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """What members of the Network offer: expertise, training, tools, peer exchange."""

    queryset = Offer.objects.none()
    serializer_class = serializers.OfferSerializer
    filterset_class = OfferFilterSet
    permission_classes = [HubPermission]
    search_fields = ["title", "description"]
    ordering_fields = ["created_at", "title"]

    def get_queryset(self) -> QuerySet[Offer]:
        return Offer.objects.select_related("organization").prefetch_related(
            "objectives", "themes", "countries"
        )

    @extend_schema(
        request=serializers.OfferCreateSerializer, responses={201: serializers.OfferSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Post an offer (services.connection.post_offer)."""
        require_perm(request.user, "knowledge.add_offer")
        form = serializers.OfferCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        offer = connection.post_offer(request.user, **form.validated_data)
        fresh = self.get_queryset().get(pk=offer.pk)
        return Response(serializers.OfferSerializer(fresh).data, status=status.HTTP_201_CREATED)


# Saved searches ---------------------------------------------------------------------------------


class SavedSearchViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own saved searches and subscriptions, with their e-mail alerts. Nobody
    reads another person's (404)."""

    queryset = SavedSearch.objects.none()
    serializer_class = serializers.SavedSearchSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SavedSearch]:
        return SavedSearch.objects.filter(user=self.request.user)

    @extend_schema(
        request=serializers.SavedSearchCreateSerializer,
        responses={201: serializers.SavedSearchSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save a search (services.subscriptions.save_search)."""
        form = serializers.SavedSearchCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        saved = subscriptions.save_search(request.user, **form.validated_data)
        return Response(
            serializers.SavedSearchSerializer(saved).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a saved search: its alerts stop."""
        subscriptions.delete_search(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

"""The reviews API: the GCM's review cycles, voluntary reviews written section by section,
their workflow and comments, and pledges with their status over cycles.

Reads go through the selectors (a review out of the caller's reach answers 404); every write is
one service call, which checks the caller's permission on the record (403) and names the field
of bad input (400, through `core.api.errors`). A stale section answers 409 with both texts; a
submission with required sections missing answers 400 with the `missing` list.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from migration_hub.core.api.permissions import RulesPermission
from migration_hub.core.services import ConflictError

from .. import selectors, services
from ..choices import Commission, CycleKind
from ..filtersets import NumberFilter, PledgeFilterSet, ReviewFilterSet
from ..models import Comment, Cycle, Pledge, PledgeUpdate, Review, ReviewAuthor, Section
from . import serializers


class ReviewsPermission(RulesPermission):
    """Signed-in callers only. Creating needs `<app>.add_<model>` somewhere (others get 403
    before their input is read); reads are scoped by the selectors and every other write is a
    service call that checks the permission on the record itself (a co-author from another
    organization may write the sections given to them)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "action", None) == "create":
            return super().has_permission(request, view)
        return True

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return True


class IdLookupMixin:
    lookup_value_regex = "[0-9]+"


class CycleFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CycleKind.choices)
    year = NumberFilter(min_value=2000, max_value=2100)
    commission = django_filters.ChoiceFilter(choices=Commission.choices)

    class Meta:
        model = Cycle
        fields: list[str] = []


class CycleViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """The GCM's review schedule: IMRFs, regional reviews and the Secretary-General's reports.
    Public: no sign-in needed."""

    queryset = Cycle.objects.none()
    serializer_class = serializers.CycleSerializer
    permission_classes = [AllowAny]
    filterset_class = CycleFilterSet
    search_fields = ["kind", "commission"]
    ordering_fields = ["year", "due_on"]

    def get_queryset(self) -> QuerySet[Cycle]:
        return selectors.cycles()


SECTION_KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="methodology, principles, implementation_plan, challenges, support, "
    "next_steps, or objective-1 to objective-23.",
)


class ReviewViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Voluntary GCM reviews the caller may read: published ones, their organizations' and the
    ones they co-author, and, for the Network's secretariat, submitted ones."""

    queryset = Review.objects.none()
    serializer_class = serializers.ReviewSerializer
    filterset_class = ReviewFilterSet
    permission_classes = [ReviewsPermission]
    search_fields = ["title", "entity_name"]
    ordering_fields = ["title", "entity_name", "submitted_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Review]:
        reviews = selectors.reviews_for(self.request.user)
        if self.action != "list":
            reviews = reviews.prefetch_related(
                Prefetch("sections", queryset=Section.objects.select_related("updated_by")),
                Prefetch("authors", queryset=ReviewAuthor.objects.select_related("user")),
            )
        return reviews

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "list":
            return serializers.ReviewSerializer
        return serializers.ReviewDetailSerializer

    def _read(self, review: Review) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=review.pk)
        return serializers.ReviewDetailSerializer(fresh).data

    @extend_schema(
        request=serializers.ReviewCreateSerializer,
        responses={201: serializers.ReviewDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a review in draft (services.create_review): the caller is its lead author."""
        form = serializers.ReviewCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        review = services.create_review(request.user, **form.validated_data)
        return Response(self._read(review), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ReviewUpdateSerializer,
        responses={
            200: serializers.ReviewDetailSerializer,
            409: serializers.ReviewConflictSerializer,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct the title, reporting entity, language or period of a review still being
        written (services.update_review): the lead author and the organization's editors. A
        stale `expected_version` answers 409 and changes nothing."""
        review = self.get_object()
        if not request.user.has_perm("reviews.change_review", review):
            raise PermissionDenied(_("You do not have permission to do this."))
        form = serializers.ReviewUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        expected_version = changes.pop("expected_version")
        try:
            review = services.update_review(
                request.user, review, expected_version=expected_version, **changes
            )
        except ConflictError as conflict:
            body = {
                "detail": str(conflict),
                "expected_version": conflict.expected_version,
                "current_version": conflict.current_version,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(self._read(review))

    # Sections -------------------------------------------------------------------------------

    @extend_schema(responses=serializers.SectionSerializer(many=True))
    @action(detail=True, pagination_class=None, filter_backends=[])
    def sections(self, request: Request, pk: str | None = None) -> Response:
        """Every section written or reserved so far, in the order of the form."""
        review = self.get_object()
        return Response(serializers.SectionSerializer(review.sections.all(), many=True).data)

    def _section(self, review: Review, key: str) -> Section:
        number = services.parse_section_key(key)
        for section in review.sections.all():
            if section.key == key:
                return section
        # An objective's section nobody wrote yet: version 0, so the first save creates it.
        return Section(review=review, key=key, objective_number=number, version=0)

    @extend_schema(
        methods=["GET"], parameters=[SECTION_KEY], responses=serializers.SectionSerializer
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        parameters=[SECTION_KEY],
        request=serializers.SectionWriteSerializer,
        responses={
            200: serializers.SectionSerializer,
            409: serializers.SectionConflictSerializer,
        },
    )
    @action(
        detail=True,
        methods=["get", "put", "patch"],
        url_path=r"sections/(?P<key>[A-Za-z0-9_-]{1,40})",
        url_name="section",
        pagination_class=None,
        filter_backends=[],
    )
    def section(self, request: Request, pk: str | None = None, key: str = "") -> Response:
        """One section. PUT saves it whole (fields left out become empty); PATCH changes only
        the fields sent. Both need the `expected_version` you read (services.save_section)."""
        review = self.get_object()
        section = self._section(review, key)
        if request.method == "GET":
            return Response(serializers.SectionSerializer(section).data)
        form = serializers.SectionWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        partial = request.method == "PATCH"
        fields = {
            name: data.get(name, getattr(section, name) if partial else empty)
            for name, empty in (("text", ""), ("evidence", ""), ("progress", ""), ("data", {}))
        }
        try:
            saved = services.save_section(
                request.user,
                review,
                key,
                expected_version=data["expected_version"],
                autosave=data["autosave"],
                **fields,
            )
        except services.SectionConflict as conflict:
            body = {
                "detail": str(conflict),
                "expected_version": conflict.expected_version,
                "current_version": conflict.current_version,
                "saved_by": str(conflict.saved_by.username) if conflict.saved_by else None,
                "mine": conflict.mine,
                "theirs": conflict.theirs,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        saved = Section.objects.select_related("updated_by").get(pk=saved.pk)
        return Response(serializers.SectionSerializer(saved).data)

    # Workflow -------------------------------------------------------------------------------

    @extend_schema(
        request=None,
        responses={
            200: serializers.ReviewDetailSerializer,
            400: serializers.SubmissionIncompleteSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit the review to its cycle. With required sections empty: 400 listing them all
        in `missing`, nothing changed. After the cycle's deadline it is accepted, marked late."""
        review = self.get_object()
        try:
            review = services.submit_review(request.user, review)
        except services.SubmissionIncomplete as incomplete:
            return Response(
                {
                    "detail": str(incomplete),
                    "missing": [
                        {"key": str(key), "label": str(label)} for key, label in incomplete.missing
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(self._read(review))

    @extend_schema(request=None, responses=serializers.ReviewDetailSerializer)
    @action(detail=True, methods=["post"], url_path="internal-review")
    def internal_review(self, request: Request, pk: str | None = None) -> Response:
        """Send a draft to the organization's internal review."""
        review = services.send_to_internal_review(request.user, self.get_object())
        return Response(self._read(review))

    @extend_schema(request=None, responses=serializers.ReviewDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request: Request, pk: str | None = None) -> Response:
        """Return a review in internal review to draft."""
        review = services.return_to_draft(request.user, self.get_object())
        return Response(self._read(review))

    @extend_schema(request=None, responses=serializers.ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish a submitted review (the secretariat's editors)."""
        review = services.publish_review(request.user, self.get_object())
        return Response(self._read(review))

    # Comments -------------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=serializers.CommentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=serializers.CommentCreateSerializer,
        responses={201: serializers.CommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """The co-authors' comments on the review; POST adds one (on a section with
        `section_key`)."""
        review = self.get_object()
        if not request.user.has_perm("reviews.comment_review", review):
            # The writers' working notes: readers of a published review do not see them.
            raise NotFound(_("No such review."))
        if request.method == "GET":
            comments = Comment.objects.filter(review=review).select_related("author")
            return Response(serializers.CommentSerializer(comments, many=True).data)
        form = serializers.CommentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        comment = services.add_comment(request.user, review, **form.validated_data)
        return Response(serializers.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class PledgeViewSet(
    IdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Pledges: concrete commitments tied to GCM objectives, with their status reported at
    each later cycle. Readable by every signed-in person; the pledging organization updates."""

    queryset = Pledge.objects.none()
    serializer_class = serializers.PledgeSerializer
    filterset_class = PledgeFilterSet
    permission_classes = [ReviewsPermission]
    search_fields = ["title", "entity_name", "description"]
    ordering_fields = ["title", "entity_name", "due_year", "updated_at"]

    def get_queryset(self) -> QuerySet[Pledge]:
        pledges = selectors.pledges_for(self.request.user)
        if self.action != "list":
            pledges = pledges.prefetch_related(
                Prefetch(
                    "updates",
                    queryset=PledgeUpdate.objects.select_related("cycle", "author").order_by(
                        "created_at", "id"
                    ),
                )
            )
        return pledges

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "list":
            return serializers.PledgeSerializer
        return serializers.PledgeDetailSerializer

    def _read(self, pledge: Pledge) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=pledge.pk)
        return serializers.PledgeDetailSerializer(fresh).data

    @extend_schema(
        request=serializers.PledgeCreateSerializer,
        responses={201: serializers.PledgeDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Announce a pledge (services.create_pledge)."""
        form = serializers.PledgeCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        pledge = services.create_pledge(request.user, **form.validated_data)
        return Response(self._read(pledge), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.PledgeStatusSerializer,
        responses={201: serializers.PledgeDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def report_status(self, request: Request, pk: str | None = None) -> Response:
        """Report the pledge's status at a cycle (services.update_pledge_status); the latest
        report becomes its current status."""
        pledge = self.get_object()
        form = serializers.PledgeStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.update_pledge_status(request.user, pledge, **form.validated_data)
        return Response(self._read(pledge), status=status.HTTP_201_CREATED)

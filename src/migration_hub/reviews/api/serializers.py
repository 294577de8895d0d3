"""Reviews API serializers. Organizations are named by their codes, countries by ISO alpha-3,
GCM objectives by their numbers (1-23) and review sections by their keys (`methodology`,
`objective-7`). Input serializers only parse: the services check the rest and name the field."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from migration_hub.accounts.models import Organization
from migration_hub.core.api.serializers import StrictFieldsMixin
from migration_hub.core.models import Country

from .. import selectors, services
from ..choices import (
    Commission,
    CycleStatus,
    PledgeStatus,
    ProgressStatus,
    ReviewLevel,
    ReviewStatus,
    Stakeholder,
)
from ..models import (
    Comment,
    Cycle,
    Pledge,
    PledgeUpdate,
    Review,
    ReviewAuthor,
    Section,
)

MAX_VERSION = 2**31 - 1


def code_field(field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field=field, read_only=True, **kwargs)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def no_nul_characters(value: Any) -> None:
    """PostgreSQL stores no NUL character in text or JSON: refuse it here, with the field."""
    if _has_nul(value):
        raise serializers.ValidationError(_("Null characters are not allowed."))


STATUS_CYCLE = [(status.value, status.label) for status in CycleStatus]


# Cycles -----------------------------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField()
    accepts_reviews = serializers.BooleanField(read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "kind",
            "year",
            "commission",
            "title",
            "status",
            "accepts_reviews",
            "opens_on",
            "due_on",
            "starts_on",
            "ends_on",
            "dates_confirmed",
            "source",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=STATUS_CYCLE, read_only=True))
    def get_status(self, cycle: Cycle) -> str:
        return str(cycle.status())


# Reviews ----------------------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Section
        fields = [
            "key",
            "label",
            "objective_number",
            "progress",
            "text",
            "evidence",
            "data",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields

    def get_label(self, section: Section) -> str:
        return str(services.section_label(section.key))


class ReviewAuthorSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    sections = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The section keys the co-author may edit; empty: every section."),
    )

    class Meta:
        model = ReviewAuthor
        fields = ["user", "is_lead", "sections"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    cycle_title = serializers.CharField(source="cycle.title", read_only=True)
    level = serializers.ChoiceField(choices=ReviewLevel.choices, read_only=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    organization = code_field()
    country = code_field("alpha3", allow_null=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "cycle",
            "cycle_title",
            "organization",
            "title",
            "level",
            "stakeholder",
            "entity_name",
            "country",
            "commission",
            "language",
            "period_from",
            "period_to",
            "status",
            "submitted_at",
            "published_at",
            "is_late",
            "is_sample",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewDetailSerializer(ReviewSerializer):
    sections = SectionSerializer(many=True, read_only=True)
    authors = ReviewAuthorSerializer(many=True, read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "sections", "authors"]
        read_only_fields = fields


class ReviewCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Start a review in draft: its sections empty, the caller its lead author."""

    cycle = serializers.PrimaryKeyRelatedField(
        queryset=selectors.review_cycles(), help_text=_("An IMRF or a regional review.")
    )
    organization = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organization.objects.all(),
        help_text=_("The code of the organization whose members write the review."),
    )
    title = serializers.CharField(max_length=300)
    level = serializers.ChoiceField(choices=ReviewLevel.choices)
    entity_name = serializers.CharField(max_length=200)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    country = serializers.SlugRelatedField(
        slug_field="alpha3", queryset=Country.objects.all(), required=False, allow_null=True
    )
    commission = serializers.ChoiceField(
        choices=Commission.choices, required=False, allow_blank=True, default=""
    )
    stakeholder = serializers.ChoiceField(
        choices=Stakeholder.choices, required=False, allow_blank=True, default=""
    )
    period_from = serializers.IntegerField(
        required=False, allow_null=True, min_value=1950, max_value=2100
    )
    period_to = serializers.IntegerField(
        required=False, allow_null=True, min_value=1950, max_value=2100
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("period_from"), attrs.get("period_to")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"period_to": [_("The period must end after it starts.")]}
            )
        return attrs


class ReviewUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Correct a review's details while it is a draft or in internal review. Send only the
    fields to change, with `expected_version`: the review's `version` as you read it (when
    someone changed the review since, the answer is 409 and nothing is written)."""

    expected_version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)
    title = serializers.CharField(max_length=300, required=False)
    entity_name = serializers.CharField(max_length=200, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    period_from = serializers.IntegerField(
        required=False, allow_null=True, min_value=1950, max_value=2100
    )
    period_to = serializers.IntegerField(
        required=False, allow_null=True, min_value=1950, max_value=2100
    )


class ReviewConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    expected_version = serializers.IntegerField()
    current_version = serializers.IntegerField(allow_null=True)


class SectionWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Save one section. `expected_version` is the section's `version` as you read it (0 for
    an objective's section not written yet): when someone saved it since, the answer is 409
    with both texts and nothing is written."""

    expected_version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_TEXT_CHARACTERS,
        trim_whitespace=False,
    )
    evidence = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_TEXT_CHARACTERS,
        trim_whitespace=False,
    )
    progress = serializers.ChoiceField(
        choices=ProgressStatus.choices,
        required=False,
        allow_blank=True,
        help_text=_("Objectives' sections only."),
    )
    data = serializers.JSONField(
        required=False,
        validators=[no_nul_characters],
        help_text=_(
            "The section's structured part: `government_bodies` and `stakeholders` "
            "(methodology), one text per principle code GCM-GP-A to GCM-GP-J (principles), "
            "`has_plan` and `url` (implementation_plan), `indicator_values` and `practices` "
            "(objectives)."
        ),
    )
    autosave = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("An automatic save: saves within minutes share one version in the history."),
    )

    def validate_data(self, value: Any) -> Any:
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError(_("Give an object of fields."))
        return value or {}


class SectionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    expected_version = serializers.IntegerField()
    current_version = serializers.IntegerField()
    saved_by = serializers.CharField(allow_null=True)
    mine = serializers.DictField(help_text=_("What you tried to save (not saved)."))
    theirs = serializers.DictField(help_text=_("What the section holds now."))


class MissingSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class SubmissionIncompleteSerializer(serializers.Serializer):
    detail = serializers.CharField()
    missing = MissingSectionSerializer(many=True)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "section_key", "author", "body", "created_at", "resolved_at"]
        read_only_fields = fields


class CommentCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    section_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=24)


# Pledges ----------------------------------------------------------------------------------------


class PledgeUpdateSerializer(serializers.ModelSerializer):
    cycle_title = serializers.CharField(source="cycle.title", read_only=True)
    status = serializers.ChoiceField(choices=PledgeStatus.choices, read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PledgeUpdate
        fields = ["id", "cycle", "cycle_title", "status", "note", "author", "created_at"]
        read_only_fields = fields


class PledgeSerializer(serializers.ModelSerializer):
    organization = code_field()
    country = code_field("alpha3", allow_null=True)
    cycle_title = serializers.CharField(source="cycle.title", read_only=True)
    level = serializers.ChoiceField(choices=ReviewLevel.choices, read_only=True)
    status = serializers.ChoiceField(choices=PledgeStatus.choices, read_only=True)
    objectives = serializers.SerializerMethodField()

    class Meta:
        model = Pledge
        fields = [
            "id",
            "organization",
            "entity_name",
            "level",
            "country",
            "cycle",
            "cycle_title",
            "review",
            "title",
            "description",
            "objectives",
            "due_year",
            "status",
            "is_sample",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_objectives(self, pledge: Pledge) -> list[int]:
        return sorted(
            int(item.code.removeprefix("GCM-O"))
            for item in pledge.objectives.all()
            if item.code.removeprefix("GCM-O").isdigit()
        )


class PledgeDetailSerializer(PledgeSerializer):
    updates = PledgeUpdateSerializer(many=True, read_only=True)

    class Meta(PledgeSerializer.Meta):
        fields = [*PledgeSerializer.Meta.fields, "updates"]
        read_only_fields = fields


class PledgeCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    organization = serializers.SlugRelatedField(
        slug_field="code", queryset=Organization.objects.all()
    )
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    title = serializers.CharField(max_length=300)
    entity_name = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=ReviewLevel.choices)
    objectives = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=23),
        min_length=1,
        max_length=23,
        help_text=_("GCM objective numbers, 1 to 23."),
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.MAX_TEXT_CHARACTERS
    )
    country = serializers.SlugRelatedField(
        slug_field="alpha3", queryset=Country.objects.all(), required=False, allow_null=True
    )
    review = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_VERSION,
        help_text=_("The id of the review announcing the pledge (of the same organization)."),
    )
    due_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=2018, max_value=2100
    )

    def validate_review(self, value: int | None) -> Review | None:
        if value is None:
            return None
        review = selectors.reviews_for(self.context["request"].user).filter(pk=value).first()
        if review is None:
            raise serializers.ValidationError(_("There is no review with this id you can read."))
        return review


class PledgeStatusSerializer(StrictFieldsMixin, serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(
        queryset=Cycle.objects.all(), help_text=_("The cycle the status is reported at.")
    )
    status = serializers.ChoiceField(choices=PledgeStatus.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.MAX_TEXT_CHARACTERS
    )

"""Hub API serializers.

Organizations are named by their codes, countries by ISO alpha-3, regions by their UN M49
codes and framework items by their codes (`GCM-O7`, `GCM-GP-A`, `MIGOF-TA-04`). Input
serializers only parse: the services check the rest and name the field. No payload carries an
e-mail address: people are shown by the name they chose (experts by `display_name`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from migration_hub.accounts.models import Organization, User
from migration_hub.core import people
from migration_hub.core.api.serializers import StrictFieldsMixin
from migration_hub.core.models import Country, Region
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from .. import selectors
from ..choices import (
    Availability,
    Criterion,
    Decision,
    DemandStatus,
    DigestFrequency,
    Licence,
    Recommendation,
    ResourceKind,
    ResourceStatus,
    SearchKind,
    SearchSort,
)
from ..models import (
    CallForPractices,
    Demand,
    EditorialDecision,
    ExpertMessage,
    ExpertProfile,
    Offer,
    Post,
    Question,
    Resource,
    ResourceFile,
    ResourceTranslation,
    ResourceVersion,
    ReviewAssignment,
    SavedSearch,
    Space,
    Thread,
)

MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
MAX_TEXT = 20_000
MAX_QUERY = 10_000
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

OBJECTIVE = "objective"
PRINCIPLE = "guiding-principle"
THEME = "thematic-area"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


def no_nul_characters(value: Any) -> None:
    """PostgreSQL stores no NUL character in text or JSON: refuse it here, with the field."""
    if _has_nul(value):
        raise serializers.ValidationError(_("Null characters are not allowed."))


def public_name(user: Any) -> str | None:
    """How a person appears to others (core.people.public_name); None for no one."""
    return None if user is None else people.public_name(user)


def page_url(obj: Any) -> str:
    """The object's page on the Hub ("" while the page is not wired)."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


class PageUrlMixin(serializers.Serializer):
    url = serializers.SerializerMethodField(help_text=_("The page of the record on the Hub."))

    def get_url(self, obj: Any) -> str:
        return page_url(obj)


def reader_language(context: Mapping[str, Any]) -> str:
    return context.get("language") or (get_language() or settings.LANGUAGE_CODE)


class CodeField(serializers.SlugRelatedField):
    """A record named by a code: text with a NUL character is refused before any lookup
    (PostgreSQL cannot compare it)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value="\\x00")
        return super().to_internal_value(data)


def code_field(field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field=field, read_only=True, **kwargs)


def codes_field(field: str = "code") -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field=field, read_only=True, many=True)


def items_input(kind: str, help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=CodeField(slug_field="code", queryset=FrameworkItem.objects.filter(kind=kind)),
        required=False,
        max_length=50,
        help_text=help_text,
    )


def countries_input(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=CodeField(slug_field="alpha3", queryset=Country.objects.all()),
        required=False,
        max_length=250,
        help_text=_("ISO 3166 alpha-3 codes."),
        **kwargs,
    )


def regions_input() -> serializers.ListField:
    return serializers.ListField(
        child=CodeField(slug_field="m49_code", queryset=Region.objects.all()),
        required=False,
        max_length=50,
        help_text=_("UN M49 region codes."),
    )


def languages_input() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=settings.LANGUAGES),
        required=False,
        max_length=len(settings.LANGUAGES),
    )


def text_field(max_length: int = MAX_TEXT, **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("validators", [no_nul_characters])
    return serializers.CharField(max_length=max_length, **kwargs)


# Resources --------------------------------------------------------------------------------------


class TranslationSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)

    class Meta:
        model = ResourceTranslation
        fields = ["language", "title", "summary"]
        read_only_fields = fields


class TranslationInputSerializer(StrictFieldsMixin, serializers.Serializer):
    title = text_field(max_length=300)
    summary = text_field(required=False, allow_blank=True, default="")


class ResourceFileSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True, allow_blank=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ResourceFile
        fields = ["id", "name", "size", "content_type", "language", "created_at", "download"]
        read_only_fields = fields

    def get_download(self, file: ResourceFile) -> str:
        return f"/api/knowledge/resources/{file.resource_id}/files/{file.pk}/"


class DecisionSerializer(serializers.ModelSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices, read_only=True)

    class Meta:
        model = EditorialDecision
        fields = ["round", "decision", "reasons", "decided_at"]
        read_only_fields = fields


class ResourceSerializer(PageUrlMixin, serializers.ModelSerializer):
    """A resource with its title and summary in the reader's language (`?lang=` or the
    Accept-Language header; the original language when there is no translation) and every
    translation listed."""

    kind = serializers.ChoiceField(choices=ResourceKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=ResourceStatus.choices, read_only=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    licence = serializers.ChoiceField(choices=Licence.choices, read_only=True)
    title = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    shown_language = serializers.SerializerMethodField(
        help_text=_("The language of `title` and `summary`.")
    )
    translations = TranslationSerializer(many=True, read_only=True)
    organization = code_field()
    publishers = codes_field()
    countries = codes_field("alpha3")
    regions = codes_field("m49_code")
    objectives = codes_field()
    principles = codes_field()
    themes = codes_field()
    authors = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "kind",
            "status",
            "language",
            "shown_language",
            "title",
            "summary",
            "translations",
            "organization",
            "authors",
            "publishers",
            "countries",
            "regions",
            "objectives",
            "is_general",
            "principles",
            "themes",
            "year",
            "licence",
            "link",
            "call",
            "needs_update",
            "checked_on",
            "peer_reviewed",
            "review_round",
            "published_at",
            "is_sample",
            "version",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def _translation(self, resource: Resource) -> ResourceTranslation | None:
        cache = self.context.setdefault("_translations", {})
        if resource.pk not in cache:
            cache[resource.pk] = resource.translation(reader_language(self.context))
        return cache[resource.pk]

    def get_title(self, resource: Resource) -> str:
        row = self._translation(resource)
        return row.title if row else ""

    def get_summary(self, resource: Resource) -> str:
        row = self._translation(resource)
        return row.summary if row else ""

    @extend_schema_field(serializers.ChoiceField(choices=settings.LANGUAGES, allow_null=True))
    def get_shown_language(self, resource: Resource) -> str | None:
        row = self._translation(resource)
        return row.language if row else None


class ResourceDetailSerializer(ResourceSerializer):
    files = ResourceFileSerializer(many=True, read_only=True)
    decisions = serializers.SerializerMethodField(
        help_text=_("The editors' decisions with their reasons: for the editors and the authors.")
    )

    class Meta(ResourceSerializer.Meta):
        fields = [*ResourceSerializer.Meta.fields, "files", "decisions"]
        read_only_fields = fields

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, resource: Resource) -> list[dict[str, Any]]:
        decisions = selectors.decisions_for(self.context.get("user"), resource)
        return DecisionSerializer(decisions, many=True).data


class ResourceVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = ResourceVersion
        fields = ["number", "note", "created_by", "created_at", "data"]
        read_only_fields = fields

    def get_created_by(self, version: ResourceVersion) -> str | None:
        return public_name(version.created_by)


def _check_translations(value: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(value) - set(LANGUAGE_CODES))
    if unknown:
        raise serializers.ValidationError(
            _("Unknown language: %(codes)s. Use one of %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(LANGUAGE_CODES)}
        )
    return value


class ResourceWriteFields(StrictFieldsMixin, serializers.Serializer):
    """The fields a resource is written with; every one optional (see the subclasses)."""

    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text=_("The original's language.")
    )
    translations = serializers.DictField(
        child=TranslationInputSerializer(),
        required=False,
        help_text=_('Title and summary per language code: {"en": {"title": ..., "summary": ...}}.'),
    )
    authors = serializers.ListField(
        child=text_field(max_length=200), required=False, max_length=100
    )
    publishers = serializers.ListField(
        child=CodeField(slug_field="code", queryset=RegistryOrganization.objects.all()),
        required=False,
        max_length=50,
        help_text=_("Codes of the registry's organizations that published it."),
    )
    countries = countries_input()
    regions = regions_input()
    objectives = items_input(OBJECTIVE, _("GCM objective codes, GCM-O1 to GCM-O23."))
    is_general = serializers.BooleanField(required=False)
    principles = items_input(PRINCIPLE, _("Guiding principle codes, GCM-GP-A to GCM-GP-J."))
    themes = items_input(THEME, _("MIGOF thematic area codes, MIGOF-TA-01 to MIGOF-TA-16."))
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=2100)
    licence = serializers.ChoiceField(choices=Licence.choices, required=False)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    call = serializers.PrimaryKeyRelatedField(
        queryset=CallForPractices.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The id of the call for practices it answers."),
    )
    note = text_field(
        max_length=300, required=False, allow_blank=True, help_text=_("What changed.")
    )

    def validate_translations(self, value: dict[str, Any]) -> dict[str, Any]:
        return _check_translations(value)


class ResourceCreateSerializer(ResourceWriteFields):
    """Start a resource in draft (version 1)."""

    organization = CodeField(
        slug_field="code",
        queryset=Organization.objects.all(),
        help_text=_("The code of the organization submitting it."),
    )
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, help_text=_("The original's language.")
    )
    translations = serializers.DictField(
        child=TranslationInputSerializer(),
        allow_empty=False,
        help_text=_('Title and summary per language code: {"en": {"title": ..., "summary": ...}}.'),
    )


class ResourceUpdateSerializer(ResourceWriteFields):
    """Change a resource: send only the fields to change, with `expected_version`, the
    resource's `version` as you read it (when someone changed it since, the answer is 409 and
    nothing is written)."""

    expected_version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField(allow_null=True)


class FileUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text=_("A PDF or Word (DOCX) file."))
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, allow_blank=True, default=""
    )


class NeedsUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    needs_update = serializers.BooleanField()


# Peer review ------------------------------------------------------------------------------------


class ScreenSerializer(StrictFieldsMixin, serializers.Serializer):
    accept = serializers.BooleanField(help_text=_("Send it to peer review, or return it."))
    reasons = text_field(required=False, allow_blank=True, default="")


class AssignSerializer(StrictFieldsMixin, serializers.Serializer):
    reviewer = CodeField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        help_text=_("The reviewer's user name."),
    )


class DecideSerializer(StrictFieldsMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reasons = text_field()


class ReviewSubmitSerializer(StrictFieldsMixin, serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text=_(
            "A score from 1 to 5 for each criterion: relevance, evidence, human_rights, "
            "gender, child, sustainability, replicability."
        ),
    )
    comments = text_field(allow_blank=True)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)

    def validate_scores(self, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(Criterion.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown criterion: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return value


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, read_only=True, allow_blank=True
    )
    scores = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "resource",
            "round",
            "reviewer",
            "scores",
            "comments",
            "recommendation",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields


class MatchedPersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class CallSerializer(PageUrlMixin, serializers.ModelSerializer):
    organization = code_field()
    objectives = codes_field()
    themes = codes_field()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = CallForPractices
        fields = [
            "id",
            "title",
            "description",
            "organization",
            "objectives",
            "themes",
            "opens_on",
            "deadline",
            "is_open",
            "is_sample",
            "version",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def get_is_open(self, call: CallForPractices) -> bool:
        return call.is_open()


class CallCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    organization = CodeField(slug_field="code", queryset=Organization.objects.all())
    title = text_field(max_length=300)
    description = text_field(required=False, allow_blank=True, default="")
    objectives = items_input(OBJECTIVE, _("GCM objective codes."))
    themes = items_input(THEME, _("MIGOF thematic area codes."))
    opens_on = serializers.DateField()
    deadline = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["deadline"] < attrs["opens_on"]:
            raise serializers.ValidationError(
                {"deadline": [_("The deadline must not be before the call opens.")]}
            )
        return attrs


# Search -----------------------------------------------------------------------------------------


class SearchParametersSerializer(serializers.Serializer):
    """The search's own parameters; the facet filters are read apart (`search.parse_filters`)."""

    q = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_QUERY, trim_whitespace=True
    )
    type = serializers.ListField(
        child=serializers.ChoiceField(choices=SearchKind.choices), required=False, default=list
    )
    sort = serializers.ChoiceField(
        choices=SearchSort.choices, required=False, default=SearchSort.RELEVANCE
    )
    lang = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, allow_blank=True, default=""
    )
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=10_000)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SearchKind.choices)
    id = serializers.CharField()
    title = serializers.CharField()
    title_html = serializers.CharField(
        help_text=_("The title as safe HTML, the query's words inside <mark> elements.")
    )
    snippet = serializers.CharField(
        help_text=_("Safe HTML: an excerpt with the query's words inside <mark> elements.")
    )
    url = serializers.CharField(allow_blank=True)
    language = serializers.CharField(allow_null=True)
    date = serializers.DateTimeField(allow_null=True)
    details = serializers.ListField(child=serializers.CharField())


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    types = serializers.ListField(child=serializers.ChoiceField(choices=SearchKind.choices))
    type_counts = serializers.DictField(child=serializers.IntegerField())
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    suggestion = serializers.CharField(allow_blank=True)
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True))


# Experts ----------------------------------------------------------------------------------------


class ExpertSerializer(PageUrlMixin, serializers.ModelSerializer):
    """A listed expert. No e-mail address, no user name: people write through `contact`."""

    availability = serializers.ChoiceField(choices=Availability.choices, read_only=True)
    organization = serializers.SerializerMethodField()
    themes = codes_field()
    objectives = codes_field()
    regions = codes_field("m49_code")
    countries = codes_field("alpha3")
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ExpertProfile
        fields = [
            "id",
            "display_name",
            "headline",
            "bio",
            "organization",
            "themes",
            "objectives",
            "languages",
            "regions",
            "countries",
            "availability",
            "is_sample",
            "url",
        ]
        read_only_fields = fields

    def get_organization(self, expert: ExpertProfile) -> str | None:
        organization = expert.organization
        return organization.name if organization else None


class ExpertMatchSerializer(serializers.Serializer):
    expert = ExpertSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class FindExpertsSerializer(serializers.Serializer):
    question = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_QUERY
    )
    objectives = serializers.ListField(
        child=CodeField(slug_field="code", queryset=FrameworkItem.objects.filter(kind=OBJECTIVE)),
        required=False,
        default=list,
    )
    themes = serializers.ListField(
        child=CodeField(slug_field="code", queryset=FrameworkItem.objects.filter(kind=THEME)),
        required=False,
        default=list,
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8, validators=[no_nul_characters]),
        required=False,
        default=list,
        help_text=_("ISO 639-1 language codes."),
    )
    regions = serializers.ListField(
        child=CodeField(slug_field="m49_code", queryset=Region.objects.all()),
        required=False,
        default=list,
    )
    country = CodeField(
        slug_field="alpha3", queryset=Country.objects.all(), required=False, allow_null=True
    )
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=50)


class ContactSerializer(StrictFieldsMixin, serializers.Serializer):
    subject = text_field(max_length=200)
    body = text_field(max_length=10_000)
    demand = serializers.PrimaryKeyRelatedField(
        queryset=Demand.objects.all(), required=False, allow_null=True
    )


class ExpertMessageSerializer(serializers.ModelSerializer):
    expert = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ExpertMessage
        fields = ["id", "expert", "subject", "demand", "created_at"]
        read_only_fields = fields


# Discussions ------------------------------------------------------------------------------------


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["number", "text"]
        read_only_fields = fields


class SpaceSerializer(PageUrlMixin, serializers.ModelSerializer):
    theme = code_field(allow_null=True)
    questions = QuestionSerializer(many=True, read_only=True)
    moderators = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "theme",
            "call",
            "opens_at",
            "closes_at",
            "is_open",
            "moderators",
            "questions",
            "is_sample",
            "url",
        ]
        read_only_fields = fields

    def get_moderators(self, space: Space) -> list[str]:
        return [public_name(user) or "" for user in space.moderators.all()]

    def get_is_open(self, space: Space) -> bool:
        return space.is_open()


class PostSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body_html = serializers.CharField(
        read_only=True, help_text=_("The Markdown body rendered and sanitised.")
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "author",
            "body",
            "body_html",
            "hidden",
            "hidden_reason",
            "created_at",
            "edited_at",
        ]
        read_only_fields = fields

    def get_author(self, post: Post) -> str | None:
        return public_name(post.author)


class ThreadSerializer(PageUrlMixin, serializers.ModelSerializer):
    space = code_field("slug")
    question = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "space",
            "question",
            "title",
            "author",
            "locked",
            "hidden",
            "last_post_at",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def get_question(self, thread: Thread) -> int | None:
        return thread.question.number if thread.question else None

    def get_author(self, thread: Thread) -> str | None:
        return public_name(thread.author)


class ThreadDetailSerializer(ThreadSerializer):
    posts = serializers.SerializerMethodField(
        help_text=_("Hidden posts are listed for the space's moderators only.")
    )

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "posts"]
        read_only_fields = fields

    @extend_schema_field(PostSerializer(many=True))
    def get_posts(self, thread: Thread) -> list[dict[str, Any]]:
        posts = [
            post
            for post in thread.posts.all()
            if not post.hidden or self.context.get("moderator", False)
        ]
        return PostSerializer(posts, many=True).data


class ThreadCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    space = CodeField(slug_field="slug", queryset=Space.objects.all())
    question = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=32767,
        help_text=_("The number of the space's question it answers."),
    )
    title = text_field(max_length=300)
    body = text_field(help_text=_("Markdown."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        number = attrs.pop("question", None)
        attrs["question"] = None
        if number is not None:
            question = attrs["space"].questions.filter(number=number).first()
            if question is None:
                raise serializers.ValidationError(
                    {"question": [_("This space has no question with this number.")]}
                )
            attrs["question"] = question
        return attrs


class ReplySerializer(StrictFieldsMixin, serializers.Serializer):
    body = text_field(help_text=_("Markdown."))


class ReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = text_field(max_length=300)


class LockSerializer(StrictFieldsMixin, serializers.Serializer):
    locked = serializers.BooleanField(default=True)


# Connection Hub ---------------------------------------------------------------------------------


class OfferSerializer(PageUrlMixin, serializers.ModelSerializer):
    organization = code_field()
    objectives = codes_field()
    themes = codes_field()
    countries = codes_field("alpha3")
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "organization",
            "title",
            "description",
            "objectives",
            "themes",
            "countries",
            "languages",
            "active",
            "is_sample",
            "version",
            "created_at",
            "url",
        ]
        read_only_fields = fields


class OfferCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    organization = CodeField(slug_field="code", queryset=Organization.objects.all())
    title = text_field(max_length=300)
    description = text_field()
    objectives = items_input(OBJECTIVE, _("GCM objective codes."))
    themes = items_input(THEME, _("MIGOF thematic area codes."))
    countries = countries_input()
    languages = languages_input()


class DemandSerializer(PageUrlMixin, serializers.ModelSerializer):
    organization = code_field()
    objectives = codes_field()
    themes = codes_field()
    country = code_field("alpha3")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    status = serializers.ChoiceField(choices=DemandStatus.choices, read_only=True)
    matched_expert = serializers.SerializerMethodField(
        help_text=_("The matched expert's id, while the expert is listed.")
    )
    outcome_resource = serializers.SerializerMethodField(
        help_text=_(
            "The id of the practice written from the outcome: once it is published, or to "
            "those who may read the draft."
        )
    )

    class Meta:
        model = Demand
        fields = [
            "id",
            "organization",
            "title",
            "need",
            "objectives",
            "themes",
            "country",
            "deadline",
            "language",
            "status",
            "matched_offer",
            "matched_expert",
            "outcome",
            "outcome_resource",
            "status_changed_at",
            "is_sample",
            "version",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def get_matched_expert(self, demand: Demand) -> int | None:
        expert = demand.matched_expert
        return expert.pk if expert is not None and expert.is_listed else None

    def get_outcome_resource(self, demand: Demand) -> int | None:
        resource = demand.outcome_resource
        if resource is None:
            return None
        if resource.status == ResourceStatus.PUBLISHED:
            return resource.pk
        # A draft is named only to those who may open it (its organization, the editors).
        request = self.context.get("request")
        user = self.context.get("user") or getattr(request, "user", None)
        visible = user is not None and selectors.resources_for(user).filter(pk=resource.pk)
        return resource.pk if visible and visible.exists() else None


class DemandCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    organization = CodeField(slug_field="code", queryset=Organization.objects.all())
    title = text_field(max_length=300)
    need = text_field()
    objectives = items_input(OBJECTIVE, _("GCM objective codes."))
    themes = items_input(THEME, _("MIGOF thematic area codes."))
    country = CodeField(slug_field="alpha3", queryset=Country.objects.all())
    deadline = serializers.DateField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="en")


class TransitionSerializer(StrictFieldsMixin, serializers.Serializer):
    """A step of a demand. `expected_version`, when sent, is the demand's `version` as you
    read it: when someone changed the demand since, the answer is 409 and nothing changes."""

    expected_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_VERSION
    )


class MatchSerializer(TransitionSerializer):
    offer = serializers.PrimaryKeyRelatedField(
        queryset=Offer.objects.all(), required=False, allow_null=True
    )
    expert = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("offer") and not attrs.get("expert"):
            raise serializers.ValidationError(
                {"offer": [_("Choose an offer or an expert to match the demand with.")]}
            )
        return attrs


class OutcomeSerializer(TransitionSerializer):
    outcome = text_field()


class CloseSerializer(TransitionSerializer):
    reason = text_field(max_length=2000, help_text=_("Why the demand is closed."))


class OfferMatchSerializer(serializers.Serializer):
    offer = OfferSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class DemandMatchesSerializer(serializers.Serializer):
    offers = OfferMatchSerializer(many=True)
    experts = ExpertMatchSerializer(many=True)


# Saved searches ---------------------------------------------------------------------------------


class SavedSearchSerializer(serializers.ModelSerializer):
    frequency = serializers.ChoiceField(choices=DigestFrequency.choices, read_only=True)
    filters = serializers.DictField(read_only=True)
    feed = serializers.SerializerMethodField(
        help_text=_("The private Atom feed of the search's new matches: keep it to yourself.")
    )

    class Meta:
        model = SavedSearch
        fields = [
            "id",
            "name",
            "query",
            "filters",
            "frequency",
            "last_alerted_at",
            "created_at",
            "feed",
        ]
        read_only_fields = fields

    def get_feed(self, saved: SavedSearch) -> str:
        try:
            return reverse("knowledge:saved_search_feed", kwargs={"token": saved.feed_token})
        except NoReverseMatch:
            return ""


class SavedSearchCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = text_field(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Made from the words and filters when left out."),
    )
    query = text_field(max_length=500, required=False, allow_blank=True, default="")
    filters = serializers.DictField(
        required=False,
        default=dict,
        validators=[no_nul_characters],
        help_text=_(
            'Lists of codes per filter: {"objectives": ["GCM-O3"], "regions": ["002"], '
            '"countries": ["MAR"], "kinds": ["practice"], "themes": [...], "principles": '
            '[...], "languages": ["fr"], "years": [2024], "reviewed": true}.'
        ),
    )
    frequency = serializers.ChoiceField(
        choices=DigestFrequency.choices, required=False, default=DigestFrequency.DAILY
    )

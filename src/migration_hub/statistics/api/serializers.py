from __future__ import annotations

from rest_framework import serializers

from migration_hub.accounts.models import Office
from migration_hub.accounts.models import Organization as AccountsOrganization
from migration_hub.core.api.serializers import PlainRowSerializer

from ..choices import Sex
from ..models import Area, Contribution, Dataset, Indicator


class DatasetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dataset
        fields = [
            "id",
            "key",
            "kind",
            "publisher",
            "title",
            "revision",
            "licence",
            "source_url",
            "file_name",
            "file_sha256",
            "imported_at",
            "indicator_codes",
            "has_origins",
            "last_year",
            "absent_means_zero",
            "notes",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "sdg_indicator", "publisher_code", "description"]


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name", "kind", "alpha3"]


class ObservationSerializer(PlainRowSerializer):
    """Reads plain rows from `api.views.OBSERVATION_FIELDS`."""

    indicator = serializers.CharField(source="indicator__code", read_only=True)
    area = serializers.CharField(source="area_id", read_only=True)
    origin = serializers.CharField(source="origin_id", read_only=True, allow_null=True)
    year = serializers.IntegerField(read_only=True)
    sex = serializers.ChoiceField(choices=Sex.choices, read_only=True)
    value = serializers.FloatField(read_only=True, allow_null=True)
    flag = serializers.CharField(read_only=True)
    dataset = serializers.CharField(source="dataset__key", read_only=True)
    revision = serializers.CharField(source="dataset__revision", read_only=True)


class RegionCheckSerializer(serializers.Serializer):
    region = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    sex = serializers.CharField(read_only=True)
    computed = serializers.FloatField(read_only=True, help_text="Sum of the country-level figures.")
    published = serializers.FloatField(
        read_only=True, allow_null=True, help_text="The publisher's own figure for the region."
    )
    difference = serializers.FloatField(read_only=True, allow_null=True)
    countries = serializers.IntegerField(read_only=True)


class ContributionSerializer(serializers.ModelSerializer):
    dataset = serializers.PrimaryKeyRelatedField(queryset=Dataset.objects.all())
    organization = serializers.SlugRelatedField(
        slug_field="code", queryset=AccountsOrganization.objects.all()
    )
    office = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.all(), required=False, allow_null=True
    )
    file = serializers.FileField(write_only=True)
    figures = serializers.SerializerMethodField()

    class Meta:
        model = Contribution
        fields = [
            "id",
            "dataset",
            "organization",
            "office",
            "file",
            "file_name",
            "file_sha256",
            "figures",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = [
            "file_name",
            "file_sha256",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_note",
        ]

    def get_figures(self, contribution: Contribution) -> int:
        return len(contribution.rows)


class ContributionChangeSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    area = serializers.CharField()
    origin = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    sex = serializers.CharField()
    before = serializers.FloatField(allow_null=True)
    after = serializers.FloatField(allow_null=True)
    change = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

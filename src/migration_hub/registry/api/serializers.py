from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from migration_hub.core.models import Country

from .. import selectors
from ..models import (
    Crosswalk,
    Framework,
    FrameworkItem,
    Instrument,
    Membership,
    Network,
    NetworkMembership,
    Organization,
    Participation,
    Provision,
    Right,
)


def code_field(field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field=field, read_only=True, **kwargs)


class RegistryOrganizationSerializer(serializers.ModelSerializer):
    founding_instrument = code_field()
    headquarters_country = code_field("alpha3")
    regions = code_field("m49_code", many=True)
    thematic_areas = code_field(many=True)
    facts = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "code",
            "acronym",
            "name",
            "names",
            "kind",
            "founding_instrument",
            "founded_year",
            "headquarters_country",
            "headquarters_city",
            "migration_mandate",
            "scope",
            "regions",
            "thematic_areas",
            "website",
            "description",
            "facts",
            "source",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_facts(self, organization: Organization) -> list[dict[str, Any]]:
        return [
            {"name": fact.name, "value": fact.value, "year": fact.year, "source": fact.source}
            for fact in organization.facts.all()
        ]


class RegistryMembershipSerializer(serializers.ModelSerializer):
    organization = code_field()
    member_country = code_field("alpha3")
    member_organization = code_field()

    class Meta:
        model = Membership
        fields = [
            "id",
            "organization",
            "member_country",
            "member_organization",
            "kind",
            "start_date",
            "end_date",
            "source",
        ]


class NetworkSerializer(serializers.ModelSerializer):
    region = code_field("m49_code")
    country = code_field("alpha3")
    parent = code_field()

    class Meta:
        model = Network
        fields = [
            "code",
            "name",
            "kind",
            "established_year",
            "region",
            "country",
            "parent",
            "description",
            "source",
        ]


class NetworkMembershipSerializer(serializers.ModelSerializer):
    network = code_field()
    organization = code_field()
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = NetworkMembership
        fields = ["id", "network", "organization", "roles", "start_date", "end_date", "source"]


class ProvisionSerializer(serializers.ModelSerializer):
    rights = code_field(many=True)

    class Meta:
        model = Provision
        fields = ["number", "title", "rights", "source"]


class InstrumentSerializer(serializers.ModelSerializer):
    parent = code_field()
    adopted_by = code_field()
    provisions = ProvisionSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "code",
            "title",
            "short_title",
            "kind",
            "binding",
            "core_migration",
            "adopted_on",
            "entry_into_force_on",
            "symbol",
            "parent",
            "adopted_by",
            "url",
            "provisions",
            "source",
        ]


class ParticipationSerializer(serializers.ModelSerializer):
    country = code_field("alpha3")
    instrument = code_field()

    class Meta:
        model = Participation
        fields = ["id", "country", "instrument", "action", "date", "reservations", "source"]


class RightSerializer(serializers.ModelSerializer):
    protected_by = serializers.SerializerMethodField()

    class Meta:
        model = Right
        fields = ["code", "name", "description", "protected_by", "source"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_protected_by(self, right: Right) -> list[dict[str, str]]:
        return [
            {"instrument": provision.instrument.code, "provision": provision.number}
            for provision in right.provisions.all()
        ]


class FrameworkSerializer(serializers.ModelSerializer):
    instrument = code_field()
    owner = code_field()

    class Meta:
        model = Framework
        fields = ["code", "name", "instrument", "owner", "source"]


class FrameworkItemSerializer(serializers.ModelSerializer):
    framework = code_field()
    parent = code_field()

    class Meta:
        model = FrameworkItem
        fields = ["code", "framework", "kind", "number", "title", "short_title", "parent", "source"]


class CrosswalkSerializer(serializers.ModelSerializer):
    from_item = code_field()
    to_item = code_field()

    class Meta:
        model = Crosswalk
        fields = ["id", "from_item", "to_item", "relation", "source"]


class RegistryCountrySerializer(serializers.ModelSerializer):
    region = code_field("m49_code")
    sub_region = code_field("m49_code")
    un_status = serializers.SerializerMethodField()

    class Meta:
        model = Country
        fields = ["alpha3", "alpha2", "m49_code", "name", "region", "sub_region", "un_status"]

    def get_un_status(self, country: Country) -> str:
        if hasattr(country, "un_status_cached"):  # annotated by the viewset: no extra query
            return country.un_status_cached or ""
        return selectors.un_status(country)


class GapRowSerializer(serializers.Serializer):
    instrument = serializers.CharField(source="instrument.code")
    title = serializers.CharField(source="instrument.title")
    status = serializers.ChoiceField(choices=["party", "signatory", "not-party"])
    action = serializers.CharField()
    date = serializers.DateField(allow_null=True)

from __future__ import annotations

from rest_framework import serializers

from migration_hub.core.api.serializers import StrictFieldsMixin, VersionedSerializerMixin
from migration_hub.core.models import Country

from ..models import Membership, Office, Organization, User


class OrganizationSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    country = serializers.SlugRelatedField(
        slug_field="alpha3", queryset=Country.objects.all(), required=False, allow_null=True
    )
    version = serializers.IntegerField(required=False, min_value=1)
    url = serializers.HyperlinkedIdentityField(
        view_name="accounts-api:organization-detail", lookup_field="code"
    )

    class Meta:
        model = Organization
        fields = [
            "url",
            "code",
            "name",
            "acronym",
            "kind",
            "country",
            "website",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class OfficeSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        slug_field="code", queryset=Organization.objects.all()
    )
    country = serializers.SlugRelatedField(slug_field="alpha3", queryset=Country.objects.all())
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Office
        fields = ["id", "organization", "country", "city", "name", "is_headquarters", "version"]


class MembershipSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(
        slug_field="code", queryset=Organization.objects.all()
    )
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())

    class Meta:
        model = Membership
        fields = ["id", "user", "organization", "role", "created_at"]
        read_only_fields = ["created_at"]


class CurrentUserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "preferred_language", "roles"]

    def get_roles(self, user: User) -> list[dict[str, str]]:
        return [
            {"organization": membership.organization.code, "role": membership.role}
            for membership in user.memberships.select_related("organization")
        ]

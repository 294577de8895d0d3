from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import AuditEvent, Region


class StrictFieldsMixin:
    """Reject fields the serializer does not know, instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class VersionedSerializerMixin(StrictFieldsMixin):
    """Updates must send the `version` they read; a stale one gets 409 Conflict."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "version" not in self.initial_data:  # type: ignore[attr-defined]
            raise serializers.ValidationError(
                {"version": [_("Send the version you read, so no one's change is overwritten.")]}
            )
        return attrs


class PlainRowSerializer(serializers.Serializer):
    """A read-only serializer of plain rows (dicts from `.values()`) whose fields need no
    conversion: each field is copied from its source key. The declared fields still describe
    the schema; skipping DRF's per-field machinery halves the cost of a list page."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        sources = getattr(self, "_row_sources", None)
        if sources is None:
            sources = [(name, field.source) for name, field in self.fields.items()]
            self._row_sources = sources
        return {name: instance[source] for name, source in sources}


class CountrySerializer(PlainRowSerializer):
    """Reads rows from `selectors.country_rows()` (plain dicts, the API's hottest list)."""

    alpha2 = serializers.CharField(read_only=True)
    alpha3 = serializers.CharField(read_only=True)
    m49_code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    official_name = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_code", read_only=True, allow_null=True)
    sub_region = serializers.CharField(source="sub_region_code", read_only=True, allow_null=True)
    intermediate_region = serializers.CharField(
        source="intermediate_region_code", read_only=True, allow_null=True
    )


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="m49_code", read_only=True)

    class Meta:
        model = Region
        fields = ["m49_code", "name", "level", "parent"]


class AuditEventSerializer(serializers.ModelSerializer):
    target_type = serializers.SlugRelatedField(slug_field="model", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_ref",
            "action",
            "target_type",
            "target_id",
            "organization_ref",
            "changes",
            "metadata",
        ]

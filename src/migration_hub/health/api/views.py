from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..choices import ApplicantCategory, Destination, Sex
from ..engine import ProfileError, requirements_for


class StaySerializer(serializers.Serializer):
    country = serializers.CharField(help_text="ISO 3166 alpha-2")
    # "from" is a Python keyword: the field is declared below under its JSON name.
    to = serializers.DateField(required=False, allow_null=True)


StaySerializer._declared_fields["from"] = serializers.DateField()


class ProfileSchemaSerializer(serializers.Serializer):
    """The profile, as documented in the schema; the engine itself checks every field."""

    destination = serializers.ChoiceField(choices=Destination.choices)
    category = serializers.ChoiceField(choices=ApplicantCategory.choices)
    date_of_birth = serializers.DateField(required=False)
    exam_date = serializers.DateField(required=False)
    age = serializers.IntegerField(required=False, min_value=0, max_value=130)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    pregnant = serializers.BooleanField(required=False)
    intends_to_give_birth_in_destination = serializers.BooleanField(required=False)
    citizenship = serializers.CharField(help_text="ISO 3166 alpha-2")
    exam_country = serializers.CharField(required=False, help_text="ISO 3166 alpha-2")
    residence_history = StaySerializer(many=True, required=False)
    intended_stay_months = serializers.IntegerField(required=False, min_value=0)
    symptoms = serializers.ListField(child=serializers.CharField(), required=False)
    conditions = serializers.ListField(child=serializers.CharField(), required=False)
    occupation = serializers.ListField(child=serializers.CharField(), required=False)
    protocol = serializers.CharField(required=False)


class RequirementsAPIView(APIView):
    """What the destination's protocol requires for a profile; nothing is stored."""

    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        request=ProfileSchemaSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        summary="Requirements for a profile",
        description="The required items with rule, reason and source; follow-ups; "
        "alternatives; validity. A 400 names every field to fix in `errors`.",
    )
    def post(self, request: Request) -> Response:
        try:
            result = requirements_for(request.data)
        except ProfileError as error:
            return Response(
                {
                    "detail": "The profile has problems: fix the fields named in errors.",
                    "errors": error.errors,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        response = Response(result.as_dict())
        response["Cache-Control"] = "no-store"
        return response

"""Funds API serializers. Money is a string with two decimals ("1250000.00"), never a float;
records are named by their codes (funds, programmes, thematic areas, organizations), countries
by ISO alpha-3 and regions by M49 code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from migration_hub.core.api.serializers import StrictFieldsMixin
from migration_hub.core.models import Country, Region
from migration_hub.registry.models import Organization as RegistryOrganization

from ..choices import Account, DecisionOutcome, ReportKind, TransactionKind
from ..models import (
    Call,
    Contribution,
    Decision,
    Deposit,
    Donor,
    Fund,
    GovernanceSeat,
    LedgerEntry,
    LedgerTransaction,
    Marker,
    Participant,
    Programme,
    ProgressReport,
    Target,
    ThematicArea,
    Tranche,
)


def code_field(field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field=field, read_only=True, **kwargs)


class MoneyField(serializers.DecimalField):
    """An amount read from the ledger or a money column: a string with exactly two decimals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        # No max_digits: a sum may be longer than one column; two decimals always.
        super().__init__(max_digits=None, decimal_places=2, coerce_to_string=True, **kwargs)


class PercentField(serializers.DecimalField):
    """A share in percent, as a string ("12.5")."""

    def __init__(self, decimal_places: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(
            max_digits=None, decimal_places=decimal_places, coerce_to_string=True, **kwargs
        )


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^\d{1,12}(\.\d{1,2})?$",
        "example": "250000.00",
    }
)
class AmountInputField(serializers.CharField):
    """An amount sent to a service. Text (or a whole number) only: a JSON number with a
    fraction has already lost the exact amount as a float. The service checks the rest
    (positive, two decimals at most, below 1,000,000,000,000) and names the field."""

    default_error_messages = {
        "float": _('Send the amount as a string, such as "250000.00", not as a JSON number.'),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, float):
            self.fail("float")
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


# Funds ------------------------------------------------------------------------------------------


class FundThematicAreaSerializer(serializers.ModelSerializer):
    objectives = code_field(many=True)

    class Meta:
        model = ThematicArea
        fields = ["code", "name", "position", "objectives"]


class FundMarkerSerializer(serializers.ModelSerializer):
    scale = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Marker
        fields = ["code", "name", "scale"]


class FundTargetSerializer(serializers.ModelSerializer):
    thematic_area = code_field()
    region = code_field("m49_code")
    marker = code_field()
    minimum_share = PercentField(decimal_places=2)
    subject = serializers.CharField(read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "dimension",
            "subject",
            "thematic_area",
            "region",
            "marker",
            "minimum_score",
            "minimum_share",
            "source",
        ]


class GovernanceSeatSerializer(serializers.ModelSerializer):
    organization = code_field()
    country = code_field("alpha3")

    class Meta:
        model = GovernanceSeat
        fields = ["body", "role", "organization", "country"]


class FundSerializer(serializers.ModelSerializer):
    organization = code_field()
    funding_target = MoneyField(allow_null=True)
    thematic_areas = FundThematicAreaSerializer(many=True, read_only=True)
    markers = FundMarkerSerializer(many=True, read_only=True)

    class Meta:
        model = Fund
        fields = [
            "code",
            "name",
            "organization",
            "currency",
            "funding_target",
            "thematic_areas",
            "markers",
            "description",
            "source",
            "version",
        ]


class FundDetailSerializer(FundSerializer):
    targets = FundTargetSerializer(many=True, read_only=True)
    seats = GovernanceSeatSerializer(many=True, read_only=True)
    rubric = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta(FundSerializer.Meta):
        fields = [*FundSerializer.Meta.fields, "targets", "seats", "rubric"]


class BalancesSerializer(serializers.Serializer):
    """`ledger.Balances`: every figure derived from the fund's ledger, in its currency."""

    currency = serializers.CharField(read_only=True)
    available = MoneyField(help_text=_("Cash not promised to any programme."))
    cash = MoneyField(help_text=_("Money the Administrative Agent holds."))
    commitments = MoneyField(help_text=_("Allocated to programmes, not yet transferred."))
    deposited = MoneyField()
    allocated = MoneyField()
    transferred = MoneyField()
    refunded = MoneyField(help_text=_("Unspent balances returned by organizations."))
    released = MoneyField(help_text=_("Commitments released when programmes closed."))
    net_allocated = MoneyField()
    uses = MoneyField(help_text=_("Transfers less the unspent balances returned."))
    available_by_pool = serializers.DictField(
        child=MoneyField(),
        read_only=True,
        help_text=_(
            "Available money by earmark: '' is unearmarked, 'TA:<code>' a thematic area, "
            "'R:<M49>' a region."
        ),
    )
    trial_balance = MoneyField(help_text=_("The sum of every entry: always 0.00."))


class PortfolioShareSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    amount = MoneyField()
    share = PercentField()
    target = PercentField(decimal_places=2, allow_null=True)
    gap = MoneyField(help_text=_("Money still to allocate to meet the target."))
    below_target = serializers.BooleanField(read_only=True)


class MarkerSharesSerializer(serializers.Serializer):
    marker = serializers.CharField(read_only=True)
    shares = PortfolioShareSerializer(many=True, read_only=True)


class PipelineItemSerializer(serializers.Serializer):
    programme = serializers.CharField(source="programme.code", read_only=True)
    title = serializers.CharField(source="programme.title", read_only=True)
    status = serializers.CharField(source="programme.status", read_only=True)
    budget = MoneyField()
    cumulative = MoneyField()
    fundable_now = serializers.BooleanField(read_only=True)


class PortfolioSerializer(serializers.Serializer):
    """`selectors.Portfolio`: allocations by thematic area, region, objective and marker
    against the fund's targets, and the pipeline of endorsed notes without money."""

    fund = serializers.CharField(source="fund.code", read_only=True)
    balances = BalancesSerializer(read_only=True)
    total_allocated = MoneyField()
    funding_progress = PercentField(
        allow_null=True, help_text=_("Deposits as a percentage of the funding target.")
    )
    by_thematic_area = PortfolioShareSerializer(many=True, read_only=True)
    by_region = PortfolioShareSerializer(many=True, read_only=True)
    by_objective = PortfolioShareSerializer(many=True, read_only=True)
    by_marker = serializers.SerializerMethodField()
    targets = PortfolioShareSerializer(many=True, read_only=True)
    pipeline = PipelineItemSerializer(many=True, read_only=True)
    pipeline_total = MoneyField()

    @extend_schema_field(MarkerSharesSerializer(many=True))
    def get_by_marker(self, portfolio: Any) -> list[dict[str, Any]]:
        return MarkerSharesSerializer(
            [{"marker": name, "shares": shares} for name, shares in portfolio.by_marker.items()],
            many=True,
        ).data


class DonorAmountSerializer(serializers.Serializer):
    donor = serializers.CharField(read_only=True, allow_null=True)
    amount = MoneyField()


class OrganizationFlowSerializer(serializers.Serializer):
    organization = serializers.CharField(read_only=True, allow_null=True)
    transferred = MoneyField()
    returned = MoneyField()


class StatementSerializer(serializers.Serializer):
    """`selectors.Statement`: the fund's sources and uses of money."""

    fund = serializers.CharField(source="fund.code", read_only=True)
    balances = BalancesSerializer(read_only=True)
    sources = MoneyField(help_text=_("Deposits received."))
    deposits_by_donor = serializers.SerializerMethodField()
    transfers_by_organization = serializers.SerializerMethodField()
    uses = MoneyField(source="balances.uses")
    balance = MoneyField(help_text=_("Cash held at the end."))

    @extend_schema_field(DonorAmountSerializer(many=True))
    def get_deposits_by_donor(self, statement: Any) -> list[dict[str, Any]]:
        return DonorAmountSerializer(
            [{"donor": name, "amount": amount} for name, amount in statement.deposits_by_donor],
            many=True,
        ).data

    @extend_schema_field(OrganizationFlowSerializer(many=True))
    def get_transfers_by_organization(self, statement: Any) -> list[dict[str, Any]]:
        return OrganizationFlowSerializer(
            [
                {"organization": name, "transferred": sent, "returned": returned}
                for name, sent, returned in statement.transfers_by_organization
            ],
            many=True,
        ).data


# Contributions ----------------------------------------------------------------------------------


class FundDonorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Donor
        fields = ["id", "kind", "name"]


class FundDepositSerializer(serializers.ModelSerializer):
    amount = MoneyField(help_text=_("In the contribution's currency."))
    rate = serializers.DecimalField(max_digits=20, decimal_places=8, read_only=True)
    fund_amount = MoneyField(help_text=_("In the fund's currency, at the rate of the day."))

    class Meta:
        model = Deposit
        fields = ["id", "date", "amount", "rate", "fund_amount", "transaction"]
        read_only_fields = fields


class FundContributionSerializer(serializers.ModelSerializer):
    fund = code_field()
    donor = FundDonorSerializer(read_only=True)
    amount = MoneyField(help_text=_("Pledged, in the contribution's currency."))
    deposited = serializers.SerializerMethodField()
    earmarked_thematic_area = code_field()
    earmarked_region = code_field("m49_code")
    deposits = FundDepositSerializer(many=True, read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "id",
            "fund",
            "donor",
            "currency",
            "amount",
            "deposited",
            "status",
            "pledged_on",
            "signed_on",
            "earmarked_thematic_area",
            "earmarked_region",
            "reference",
            "deposits",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(
        MoneyField(help_text=_("Deposited so far, in the contribution's currency."))
    )
    def get_deposited(self, contribution: Contribution) -> str:
        total = sum((d.amount for d in contribution.deposits.all()), Decimal("0"))
        return MoneyField().to_representation(total)


class FundContributionCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """A pledge: the donor is a state (`donor_country`), a registry organization
    (`donor_organization`) or a private donor by name (`donor_name`)."""

    fund = serializers.SlugRelatedField(slug_field="code", queryset=Fund.objects.all())
    donor_country = serializers.SlugRelatedField(
        slug_field="alpha3", queryset=Country.objects.all(), required=False, allow_null=True
    )
    donor_organization = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RegistryOrganization.objects.all(),
        required=False,
        allow_null=True,
    )
    donor_name = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=300
    )
    currency = serializers.CharField(max_length=3)
    amount = AmountInputField()
    pledged_on = serializers.DateField()
    earmarked_thematic_area = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=32,
        help_text=_("A thematic area code of the fund."),
    )
    earmarked_region = serializers.SlugRelatedField(
        slug_field="m49_code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        donors = [
            name
            for name in ("donor_country", "donor_organization", "donor_name")
            if attrs.get(name)
        ]
        if len(donors) != 1:
            raise serializers.ValidationError(
                {
                    "donor": [
                        _(
                            "Name the donor once: donor_country (a state), donor_organization "
                            "(an organization) or donor_name (a private donor)."
                        )
                    ]
                }
            )
        code = attrs.pop("earmarked_thematic_area", None)
        if code:
            area = attrs["fund"].thematic_areas.filter(code=code.strip().upper()).first()
            if area is None:
                raise serializers.ValidationError(
                    {
                        "earmarked_thematic_area": [
                            _("The fund %(fund)s has no thematic area %(code)s.")
                            % {"fund": attrs["fund"].code, "code": code}
                        ]
                    }
                )
            attrs["earmarked_thematic_area"] = area
        return attrs


class SignatureSerializer(StrictFieldsMixin, serializers.Serializer):
    signed_on = serializers.DateField()


def version_field(help_text: Any) -> serializers.IntegerField:
    """The optional `version` of a write that posts money: when given and the record has
    changed since (every deposit or tranche moves its version), the service refuses with a 400
    on `version` and records nothing, so a retried or repeated request cannot post twice."""
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2**63 - 1, help_text=help_text
    )


class DepositCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    date = serializers.DateField(
        help_text=_(
            "The day the money arrived (its exchange rate, in the fund organization's rate "
            "table): not in the future, not before the signature."
        )
    )
    amount = AmountInputField(help_text=_("In the contribution's currency."))
    version = version_field(
        _(
            "Optional. The contribution's `version` as you read it. When given, a request made "
            "after the contribution changed (another deposit, even this same request sent "
            "twice) is refused with a 400 on `version` and nothing is recorded."
        )
    )


# Calls and programmes ---------------------------------------------------------------------------


class FundCallSerializer(serializers.ModelSerializer):
    fund = code_field()
    thematic_areas = code_field(many=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "fund",
            "title",
            "opens_on",
            "deadline",
            "description",
            "thematic_areas",
            "version",
        ]
        read_only_fields = fields


class ProgrammeParticipantSerializer(serializers.ModelSerializer):
    organization = code_field()
    name = serializers.CharField(source="organization.name", read_only=True)
    budget = MoneyField()

    class Meta:
        model = Participant
        fields = ["organization", "name", "budget"]


class TrancheSerializer(serializers.ModelSerializer):
    organization = code_field()
    amount = MoneyField()

    class Meta:
        model = Tranche
        fields = ["number", "organization", "amount", "transferred_on", "transaction"]
        read_only_fields = fields


class ProgrammeDecisionSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices, read_only=True)

    class Meta:
        model = Decision
        fields = ["outcome", "reasons", "decided_on", "meeting"]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices, read_only=True)
    organization = code_field()
    expenditure = MoneyField(allow_null=True)
    tranches = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "kind", "organization", "year", "submitted_on", "expenditure", "tranches"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    fund = code_field()
    call = serializers.PrimaryKeyRelatedField(read_only=True)
    thematic_area = code_field()
    submitted_by_organization = code_field()
    countries = code_field("alpha3", many=True)
    regions = code_field("m49_code", many=True)
    objectives = code_field(many=True)
    participants = ProgrammeParticipantSerializer(many=True, read_only=True)
    national_partners = serializers.ListField(
        child=serializers.CharField(), source="national_partner_list", read_only=True
    )
    budget = MoneyField(help_text=_("Budget requested in the concept note."))
    marker_scores = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    decisions = ProgrammeDecisionSerializer(many=True, read_only=True)
    tranches = TrancheSerializer(many=True, read_only=True)
    reports = ProgressReportSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "code",
            "fund",
            "call",
            "title",
            "summary",
            "status",
            "thematic_area",
            "submitted_by_organization",
            "countries",
            "regions",
            "objectives",
            "participants",
            "national_partners",
            "budget",
            "marker_scores",
            "document_url",
            "approved_on",
            "closed_on",
            "decisions",
            "tranches",
            "reports",
            "version",
        ]
        read_only_fields = fields


class ApprovalSerializer(StrictFieldsMixin, serializers.Serializer):
    approved_on = serializers.DateField()


class TransferSerializer(StrictFieldsMixin, serializers.Serializer):
    organization = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RegistryOrganization.objects.all(),
        help_text=_("The participating organization's registry code, such as IOM."),
    )
    amount = AmountInputField()
    transferred_on = serializers.DateField(
        help_text=_("Not in the future, not before the approval.")
    )
    version = version_field(
        _(
            "Optional. The programme's `version` as you read it. When given, a request made "
            "after the programme changed (another tranche, even this same request sent twice) "
            "is refused with a 400 on `version` and nothing is recorded."
        )
    )


# The ledger -------------------------------------------------------------------------------------


class LedgerEntrySerializer(serializers.ModelSerializer):
    account = serializers.ChoiceField(choices=Account.choices, read_only=True)
    programme = code_field()
    organization = code_field()
    amount = MoneyField(help_text=_("Debit positive, credit negative."))

    class Meta:
        model = LedgerEntry
        fields = ["account", "pool", "programme", "organization", "amount"]
        read_only_fields = fields


class LedgerTransactionSerializer(serializers.ModelSerializer):
    fund = code_field()
    kind = serializers.ChoiceField(choices=TransactionKind.choices, read_only=True)
    programme = code_field()
    contribution = serializers.PrimaryKeyRelatedField(read_only=True)
    donor = serializers.CharField(
        source="contribution.donor.name", read_only=True, allow_null=True, default=None
    )
    entries = LedgerEntrySerializer(many=True, read_only=True)

    class Meta:
        model = LedgerTransaction
        fields = [
            "id",
            "fund",
            "kind",
            "date",
            "memo",
            "programme",
            "contribution",
            "donor",
            "entries",
            "created_at",
        ]
        read_only_fields = fields

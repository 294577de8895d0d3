from .access import DEFAULT_SCOPE, BreakGlassRequest, CaseStaff, Team
from .cases import DETAIL_FIELDS, Case, CaseEvent, CaseNote, CaseSequence, CaseTask
from .consent import Consent
from .people import Household, IdentityDocument, Person, PersonLink
from .referrals import DataSharingAgreement, Referral

__all__ = [
    "DEFAULT_SCOPE",
    "DETAIL_FIELDS",
    "BreakGlassRequest",
    "Case",
    "CaseEvent",
    "CaseNote",
    "CaseSequence",
    "CaseStaff",
    "CaseTask",
    "Consent",
    "DataSharingAgreement",
    "Household",
    "IdentityDocument",
    "Person",
    "PersonLink",
    "Referral",
    "Team",
]

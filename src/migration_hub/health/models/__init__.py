from .assessments import (
    Assessment,
    Certificate,
    PanelSite,
    Physician,
    Result,
    TbReferral,
    TrainingRecord,
)
from .protocols import CountryList, ProtocolVersion, TbIncidence

__all__ = [
    "Assessment",
    "Certificate",
    "CountryList",
    "PanelSite",
    "Physician",
    "ProtocolVersion",
    "Result",
    "TbIncidence",
    "TbReferral",
    "TrainingRecord",
]

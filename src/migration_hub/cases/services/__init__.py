"""Every write of case management, each in one transaction with its audit row (see the
modules: `cases`, `people`, `consent`, `access`)."""

from .access import (
    add_staff,
    approve_break_glass,
    break_glass_duration,
    create_team,
    request_break_glass,
    reveal,
    reveal_note,
)
from .cases import (
    add_note,
    add_task,
    assign_case,
    complete_task,
    next_reference,
    open_case,
    transition,
    update_details,
)
from .consent import has_consent, record_consent, withdraw_consent
from .people import add_document, link_people, update_person

__all__ = [
    "add_document",
    "add_note",
    "add_staff",
    "add_task",
    "approve_break_glass",
    "assign_case",
    "break_glass_duration",
    "complete_task",
    "create_team",
    "has_consent",
    "link_people",
    "next_reference",
    "open_case",
    "record_consent",
    "request_break_glass",
    "reveal",
    "reveal_note",
    "transition",
    "update_details",
    "update_person",
    "withdraw_consent",
]

"""The workflow of each case type, as a python-statemachine machine bound to the case: the
case's `state` column holds the id of its state. `cases.services.transition` is the only
writer; it runs an event on the machine and refuses one the current state does not allow.

avrr (assisted voluntary return and reintegration)::

    application -assess_eligibility-> eligibility -approve-> approved
      -arrange_travel-> travel_arranged -depart-> departed -arrive-> arrived
      -plan_reintegration-> reintegration_plan -start_monitoring-> monitoring -close-> closed
    application | eligibility -reject-> rejected -close-> closed
    application | eligibility | approved | travel_arranged -withdraw-> withdrawn -close-> closed
    travel_arranged -cancel_travel-> approved   (the journey is rebooked)

  A return is voluntary until departure, so the migrant may withdraw up to then; afterwards
  the case runs to the end of monitoring (a migrant who declines reintegration support is
  recorded in the plan and monitoring, not by skipping them).

counter_trafficking::

    identification -assess-> assessment -plan_protection-> protection_plan -refer-> referral
      -start_follow_up-> follow_up -close-> closed
    identification | assessment | protection_plan | referral -decline-> closed
      (not identified as a victim, or the person declines assistance)

  `plan_protection` records the services of the plan (shelter, medical, legal,
  psychosocial): at least one is required, kept in the encrypted trafficking details.

stranded_assistance (migrants stranded in transit)::

    registration -assess_needs-> needs_assessment -provide_assistance-> assistance
      -resolve-> resolved -close-> closed
    registration | needs_assessment -decline-> closed
  `resolved` means a durable solution was found (often an AVRR case opened for the return).

resettlement_movement::

    referral_received -start_processing-> pre_departure -book_travel-> travel_booked
      -depart-> departed -arrive-> arrived -close-> closed
    referral_received | pre_departure | travel_booked -cancel-> cancelled -close-> closed
    travel_booked -cancel_travel-> pre_departure
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from statemachine import State, StateMachine

from .choices import CaseType

CLOSED = "closed"


class AvrrWorkflow(StateMachine):
    application = State(_("Application"), initial=True)
    eligibility = State(_("Eligibility assessment"))
    approved = State(_("Approved"))
    travel_arranged = State(_("Travel arranged"))
    departed = State(_("Departed"))
    arrived = State(_("Arrived"))
    reintegration_plan = State(_("Reintegration plan"))
    monitoring = State(_("Monitoring"))
    rejected = State(_("Rejected"))
    withdrawn = State(_("Withdrawn"))
    closed = State(_("Closed"), final=True)

    assess_eligibility = application.to(eligibility)
    approve = eligibility.to(approved)
    reject = application.to(rejected) | eligibility.to(rejected)
    withdraw = (
        application.to(withdrawn)
        | eligibility.to(withdrawn)
        | approved.to(withdrawn)
        | travel_arranged.to(withdrawn)
    )
    arrange_travel = approved.to(travel_arranged)
    cancel_travel = travel_arranged.to(approved)
    depart = travel_arranged.to(departed)
    arrive = departed.to(arrived)
    plan_reintegration = arrived.to(reintegration_plan)
    start_monitoring = reintegration_plan.to(monitoring)
    close = monitoring.to(closed) | rejected.to(closed) | withdrawn.to(closed)


class CounterTraffickingWorkflow(StateMachine):
    identification = State(_("Identification"), initial=True)
    assessment = State(_("Assessment"))
    protection_plan = State(_("Protection plan"))
    referral = State(_("Referral"))
    follow_up = State(_("Follow-up"))
    closed = State(_("Closed"), final=True)

    assess = identification.to(assessment)
    plan_protection = assessment.to(protection_plan)
    refer = protection_plan.to(referral)
    start_follow_up = referral.to(follow_up)
    close = follow_up.to(closed)
    decline = (
        identification.to(closed)
        | assessment.to(closed)
        | protection_plan.to(closed)
        | referral.to(closed)
    )


class StrandedAssistanceWorkflow(StateMachine):
    registration = State(_("Registration"), initial=True)
    needs_assessment = State(_("Needs assessment"))
    assistance = State(_("Assistance"))
    resolved = State(_("Resolved"))
    closed = State(_("Closed"), final=True)

    assess_needs = registration.to(needs_assessment)
    provide_assistance = needs_assessment.to(assistance)
    resolve = assistance.to(resolved)
    close = resolved.to(closed)
    decline = registration.to(closed) | needs_assessment.to(closed)


class ResettlementMovementWorkflow(StateMachine):
    referral_received = State(_("Referral received"), initial=True)
    pre_departure = State(_("Pre-departure processing"))
    travel_booked = State(_("Travel booked"))
    departed = State(_("Departed"))
    arrived = State(_("Arrived"))
    cancelled = State(_("Cancelled"))
    closed = State(_("Closed"), final=True)

    start_processing = referral_received.to(pre_departure)
    book_travel = pre_departure.to(travel_booked)
    cancel_travel = travel_booked.to(pre_departure)
    depart = travel_booked.to(departed)
    arrive = departed.to(arrived)
    cancel = (
        referral_received.to(cancelled) | pre_departure.to(cancelled) | travel_booked.to(cancelled)
    )
    close = arrived.to(closed) | cancelled.to(closed)


WORKFLOWS: dict[str, type[StateMachine]] = {
    CaseType.AVRR: AvrrWorkflow,
    CaseType.COUNTER_TRAFFICKING: CounterTraffickingWorkflow,
    CaseType.STRANDED_ASSISTANCE: StrandedAssistanceWorkflow,
    CaseType.RESETTLEMENT_MOVEMENT: ResettlementMovementWorkflow,
}


def workflow_for(case: Any) -> StateMachine:
    """The machine of `case`'s type, bound to the case (its `state` field)."""
    return WORKFLOWS[case.case_type](case, state_field="state")


def initial_state(case_type: str) -> str:
    return str(WORKFLOWS[case_type].initial_state.id)


def state_ids(case_type: str) -> list[str]:
    return [str(state.id) for state in WORKFLOWS[case_type].states]


def event_ids(case_type: str) -> list[str]:
    return [str(event.id) for event in WORKFLOWS[case_type].events]


def allowed_events(case: Any) -> list[str]:
    """The events the case's current state allows, in the workflow's order."""
    return [str(event.id) for event in workflow_for(case).allowed_events]


def state_label(case_type: str, state: str) -> str:
    for candidate in WORKFLOWS[case_type].states:
        if candidate.id == state:
            return str(candidate.name)
    return state


def all_state_choices() -> list[tuple[str, str]]:
    """(id, label) of every state of every workflow, each id once."""
    seen: dict[str, str] = {}
    for machine in WORKFLOWS.values():
        for state in machine.states:
            seen.setdefault(str(state.id), str(state.name))
    return sorted(seen.items())

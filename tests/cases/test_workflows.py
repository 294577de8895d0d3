"""Each workflow from intake to closure, invalid transitions, and stale versions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from migration_hub.cases import services, workflows
from migration_hub.cases.choices import CaseAuditAction, CaseType
from migration_hub.cases.models import Case, CaseEvent
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError

from .conftest import person_data

PATHS = {
    CaseType.AVRR: [
        ("assess_eligibility", "eligibility"),
        ("approve", "approved"),
        ("arrange_travel", "travel_arranged"),
        ("cancel_travel", "approved"),
        ("arrange_travel", "travel_arranged"),
        ("depart", "departed"),
        ("arrive", "arrived"),
        ("plan_reintegration", "reintegration_plan"),
        ("start_monitoring", "monitoring"),
        ("close", "closed"),
    ],
    CaseType.COUNTER_TRAFFICKING: [
        ("assess", "assessment"),
        ("plan_protection", "protection_plan"),
        ("refer", "referral"),
        ("start_follow_up", "follow_up"),
        ("close", "closed"),
    ],
    CaseType.STRANDED_ASSISTANCE: [
        ("assess_needs", "needs_assessment"),
        ("provide_assistance", "assistance"),
        ("resolve", "resolved"),
        ("close", "closed"),
    ],
    CaseType.RESETTLEMENT_MOVEMENT: [
        ("start_processing", "pre_departure"),
        ("book_travel", "travel_booked"),
        ("cancel_travel", "pre_departure"),
        ("book_travel", "travel_booked"),
        ("depart", "departed"),
        ("arrive", "arrived"),
        ("close", "closed"),
    ],
}
SERVICES = ["shelter", "medical", "psychosocial"]


def run(actor, case, steps):
    for event, state in steps:
        extra = {"services": SERVICES} if event == "plan_protection" else {}
        case = services.transition(
            actor=actor, case=case, event=event, version=case.version, note=f"step {event}", **extra
        )
        assert case.state == state
    return case


@pytest.mark.parametrize("case_type", list(PATHS))
def test_each_workflow_runs_from_intake_to_closure(world, case_type) -> None:
    case = services.open_case(actor=world.cw1, case_type=case_type, person=person_data())
    assert case.state == workflows.initial_state(case_type)
    assert case.version == 1
    case = run(world.cw1, case, PATHS[case_type])
    case.refresh_from_db()
    assert case.state == "closed"
    assert case.closed_at is not None
    assert case.version == 1 + len(PATHS[case_type])
    timeline = list(case.events.values_list("event", "from_state", "to_state"))
    assert timeline[0] == ("open", "", workflows.initial_state(case_type))
    assert [step[0] for step in timeline[1:]] == [event for event, _ in PATHS[case_type]]
    assert case.events.last().note == "step close"
    transitions = AuditEvent.objects.filter(
        action=CaseAuditAction.TRANSITION, target_id=str(case.pk)
    )
    assert transitions.count() == len(PATHS[case_type])
    assert workflows.allowed_events(case) == []


@pytest.mark.parametrize(
    ("case_type", "event"),
    [("avrr", "withdraw"), ("avrr", "reject")],
)
def test_an_avrr_application_may_end_early(world, case_type, event) -> None:
    case = services.open_case(actor=world.cw1, case_type=case_type, person=person_data())
    case = services.transition(actor=world.cw1, case=case, event=event, version=1)
    case = services.transition(actor=world.cw1, case=case, event="close", version=2)
    assert case.state == "closed"


@pytest.mark.parametrize(
    ("case_type", "steps", "event"),
    [
        ("avrr", [], "depart"),  # departed before approved
        ("avrr", ["assess_eligibility"], "depart"),
        ("avrr", [], "close"),
        ("avrr", ["assess_eligibility", "approve", "arrange_travel", "depart"], "withdraw"),
        ("counter_trafficking", [], "refer"),
        ("counter_trafficking", ["assess"], "close"),
        ("stranded_assistance", [], "resolve"),
        ("resettlement_movement", [], "depart"),
    ],
)
def test_an_invalid_transition_names_the_state_and_allowed_events(
    world, case_type, steps, event
) -> None:
    case = services.open_case(actor=world.cw1, case_type=case_type, person=person_data())
    for step in steps:
        case = services.transition(
            actor=world.cw1,
            case=case,
            event=step,
            version=case.version,
            **({"services": SERVICES} if step == "plan_protection" else {}),
        )
    before_events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError) as error:
        services.transition(actor=world.cw1, case=case, event=event, version=case.version)
    message = error.value.message_dict["event"][0]
    assert case.state in message
    for allowed in workflows.allowed_events(case):
        assert allowed in message
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.version) == (case.state, case.version)
    assert CaseEvent.objects.filter(case=case).count() == before_events


def test_departed_before_approved_is_refused(world) -> None:
    case = world.c2  # AVRR, application
    with pytest.raises(ValidationError) as error:
        services.transition(actor=world.cw2, case=case, event="depart", version=1)
    assert error.value.message_dict["event"] == [
        "The case is in the state application, which does not allow depart. "
        "Allowed: assess_eligibility, reject, withdraw."
    ]


def test_an_event_of_another_workflow_is_refused(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.transition(actor=world.cw2, case=world.c2, event="plan_protection", version=1)
    assert "not an event of this workflow" in error.value.message_dict["event"][0]


def test_a_closed_case_allows_nothing(world) -> None:
    case = services.transition(actor=world.cw1, case=world.c1, event="decline", version=1)
    with pytest.raises(ValidationError) as error:
        services.transition(actor=world.cw1, case=case, event="assess", version=case.version)
    assert "the case is closed" in error.value.message_dict["event"][0]


def test_the_protection_plan_records_its_services_encrypted(world) -> None:
    case = services.transition(actor=world.cw1, case=world.c1, event="assess", version=1)
    with pytest.raises(ValidationError) as error:
        services.transition(actor=world.cw1, case=case, event="plan_protection", version=2)
    assert "services" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.transition(
            actor=world.cw1, case=case, event="plan_protection", version=2, services=["spa"]
        )
    case = services.transition(
        actor=world.cw1,
        case=case,
        event="plan_protection",
        version=2,
        services=["shelter", "legal"],
    )
    case.refresh_from_db()
    assert case.trafficking_details["protection_plan"]["services"] == ["shelter", "legal"]
    assert case.trafficking_details["recruitment"] == "online job offer"


def test_a_stale_version_is_a_conflict_and_writes_nothing(world) -> None:
    case = world.c2
    services.transition(actor=world.cw2, case=case, event="assess_eligibility", version=1)
    audit_rows = AuditEvent.objects.count()
    events = CaseEvent.objects.count()
    for call in [
        lambda: services.transition(actor=world.cw2, case=case, event="approve", version=1),
        lambda: services.update_details(
            actor=world.cw2, case=case, version=1, details={"health": {"x": 1}}
        ),
        lambda: services.assign_case(actor=world.mgr1, case=case, assignee=world.cw1, version=1),
    ]:
        with pytest.raises(ConflictError):
            call()
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.version, stored.assigned_to) == ("eligibility", 2, world.cw2)
    assert stored.health_details == {}
    assert AuditEvent.objects.count() == audit_rows
    assert CaseEvent.objects.count() == events


def test_a_stale_person_update_is_a_conflict(world) -> None:
    person = world.c1.person
    services.update_person(actor=world.cw1, person=person, version=1, changes={"sex": "other"})
    with pytest.raises(ConflictError):
        services.update_person(
            actor=world.cw1, person=person, version=1, changes={"given_name": "Z"}
        )
    person.refresh_from_db()
    assert (person.given_name, person.sex, person.version) == ("Amina", "other", 2)


def test_notes_and_tasks(world) -> None:
    note = services.add_note(actor=world.cw1, case=world.c1, text="Met at the shelter.")
    assert note.author == world.cw1
    task = services.add_task(actor=world.cw1, case=world.c1, title="Call the embassy")
    task = services.complete_task(actor=world.cw1, task=task)
    assert task.done and task.done_at
    with pytest.raises(ValidationError):
        services.complete_task(actor=world.cw1, task=task)
    with pytest.raises(ValidationError) as error:
        services.add_note(actor=world.cw1, case=world.c1, text="  ")
    assert "text" in error.value.message_dict

"""The case pages through the test client: every route for the right role (200), out of scope
or another organization (404, GET and POST), a role that may not act (403), a stale version
(409, nothing written), mass assignment at intake, and notes rendered inert.

The world of tests/cases/conftest.py is built once for the module (`shared_world`); each test
runs in a savepoint rolled back after it, and reads the cases afresh rather than refreshing
the shared objects."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from migration_hub.cases import services
from migration_hub.cases.choices import CaseAuditAction
from migration_hub.cases.models import Case, CaseEvent, CaseNote, CaseTask, Consent, Person
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent

from .conftest import CANARY


@pytest.fixture
def w(shared_world: SimpleNamespace, db: None) -> SimpleNamespace:
    return shared_world


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def detail(case: Case, key: str = "") -> str:
    return reverse("cases:case_detail", args=[key or case.public_id])


def url(name: str, case: Case, *args: Any) -> str:
    return reverse(f"cases:{name}", args=[case.public_id, *args])


def body(response: Any) -> str:
    return response.content.decode()


def intake_data(**changes: Any) -> dict[str, Any]:
    data = {
        "case_type": "avrr",
        "given_name": "Efua",
        "family_name": CANARY,
        "date_of_birth": "1988-02-03",
        "date_of_birth_precision": "exact",
        "sex": "female",
        "nationalities": "gh, NG",
        "languages": "en",
        "phone": "+233 20 000 0000",
        "vulnerabilities": ["single_parent"],
        "document_kind": "passport",
        "document_country": "gh",
        "document_number": "G0000001",
        "note": "",
    }
    data.update(changes)
    return data


# --- anonymous and users without a case role ------------------------------------------------


@pytest.mark.parametrize("path", ["/cases/", "/cases/new/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, w, path) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_sign_in_on_a_case(client, w) -> None:
    for path in [detail(w.c1), url("case_transition", w.c1)]:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url("note_add", w.c1), {"text": "x"}).status_code == 302
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize("path", ["/cases/", "/cases/new/"])
def test_a_superuser_without_a_staff_row_is_refused(client, w, path) -> None:
    assert login(client, w.outsider).get(path).status_code == 403


def test_a_superuser_without_a_staff_row_does_not_reach_a_case(client, w) -> None:
    assert login(client, w.outsider).get(detail(w.c1)).status_code == 404


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("cw1", {"c1"}),
        ("mgr1", {"c1", "c2"}),
        ("dpo", {"c1", "c2", "c3"}),
        ("auditor", {"c1", "c2", "c3"}),
        ("cwb", {"cb"}),
    ],
)
def test_the_list_shows_the_users_scope_and_is_audited(client, w, username, seen) -> None:
    response = login(client, getattr(w, username)).get(reverse("cases:case_list"))
    assert response.status_code == 200
    page = body(response)
    for name in ("c1", "c2", "c3", "cb"):
        case = getattr(w, name)
        assert (str(case.public_id) in page) == (name in seen), name
    assert CANARY not in page  # no name on the list
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, target_id="").latest("sequence")
    assert event.metadata["list"] == "cases"
    assert set(event.metadata["cases"]) == {getattr(w, name).pk for name in seen}
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_list_filters_by_type_state_office_and_reference(client, w) -> None:
    login(client, w.dpo)
    page = body(client.get(reverse("cases:case_list"), {"case_type": "avrr"}))
    assert str(w.c2.public_id) in page and str(w.c1.public_id) not in page
    page = body(client.get(reverse("cases:case_list"), {"state": "identification"}))
    assert str(w.c1.public_id) in page and str(w.c2.public_id) not in page
    page = body(client.get(reverse("cases:case_list"), {"office": w.a2.pk}))
    assert str(w.c3.public_id) in page and str(w.c1.public_id) not in page
    page = body(client.get(reverse("cases:case_list"), {"q": w.c3.reference.lower()}))
    assert str(w.c3.public_id) in page and str(w.c1.public_id) not in page
    # A name finds nothing: names are encrypted, the search reads the reference only.
    page = body(client.get(reverse("cases:case_list"), {"q": CANARY}))
    assert "No case matches these filters." in page
    # Lookup smuggling and SQL-ish text are plain text to the search.
    for query in ["' OR 1=1 --", "reference__startswith=A", "%", "_"]:
        response = client.get(reverse("cases:case_list"), {"q": query})
        assert response.status_code == 200
        assert "No case matches these filters." in body(response)


def test_an_office_of_another_organization_is_not_a_filter(client, w) -> None:
    response = login(client, w.dpo).get(reverse("cases:case_list"), {"office": w.b1.pk})
    assert response.status_code == 200
    assert str(w.cb.public_id) not in body(response)
    assert "Select a valid choice" in body(response)


def test_the_list_answers_htmx_with_the_rows_only(client, w) -> None:
    response = login(client, w.dpo).get(reverse("cases:case_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<h1>" not in body(response) and str(w.c1.public_id) in body(response)
    assert "HX-Request" in response["Vary"]


def test_the_list_has_a_query_budget(client, w, django_assert_max_num_queries) -> None:
    login(client, w.dpo)
    client.get(reverse("cases:case_list"))  # warm the session and the content types
    with django_assert_max_num_queries(20):
        client.get(reverse("cases:case_list"))


def test_the_export_carries_no_name_and_is_audited_with_its_rows(client, w) -> None:
    response = login(client, w.dpo).get(reverse("cases:case_list"), {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert w.c1.reference in text and w.c3.reference in text
    assert "OTHER" not in text  # another organization's case (same reference as c2)
    assert CANARY not in text and "Amina" not in text and "A1234567" not in text
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("sequence")
    assert event.metadata["count"] == 3
    assert set(event.metadata["cases"]) == {w.c1.pk, w.c2.pk, w.c3.pk}


# --- intake ---------------------------------------------------------------------------------


def test_intake_opens_a_case_in_the_actors_office_and_team(client, w) -> None:
    login(client, w.cw1)
    assert client.get(reverse("cases:case_create")).status_code == 200
    before = Case.objects.count()
    response = client.post(
        reverse("cases:case_create"),
        intake_data(
            # Mass assignment: none of these is read.
            organization=w.other.pk,
            organization_id=w.other.pk,
            office=w.b1.pk,
            team=w.tb.pk,
            assigned_to=w.cwb.pk,
            state="closed",
            reference="AVRR-1999-999999",
            version="99",
            consent_given="on",
        ),
    )
    assert response.status_code == 302
    assert Case.objects.count() == before + 1
    case = Case.objects.latest("id")
    assert response["Location"] == detail(case)
    assert (case.organization, case.office, case.team) == (w.home, w.a1, w.t1)
    assert case.assigned_to == w.cw1
    assert case.state == "application" and case.version == 1
    assert case.reference != "AVRR-1999-999999"
    assert not Consent.objects.filter(person=case.person).exists()
    person = case.person
    assert person.organization == w.home
    assert person.nationalities == ["GH", "NG"]
    assert person.documents.get().issuing_country == "GH"
    page = body(client.get(response["Location"]))
    assert "Case opened" in page and CANARY in page


def test_intake_needs_neither_a_phone_nor_a_vulnerability(client, w) -> None:
    login(client, w.cw1)
    response = client.post(reverse("cases:case_create"), intake_data(phone="", vulnerabilities=[]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"given_name": "", "family_name": ""}, "given_name", "Give at least a given"),
        ({"nationalities": "ZZ, NG"}, "nationalities", "Unknown codes: ZZ"),
        ({"languages": "xx"}, "languages", "Unknown codes: xx"),
        ({"case_type": "smuggling"}, "case_type", "Select a valid choice"),
        ({"document_number": ""}, "document_number", "Give the document number."),
        ({"document_country": "QQ"}, "document_country", "ISO 3166 alpha-2"),
    ],
)
def test_intake_names_each_wrong_field_and_writes_nothing(client, w, changes, field, message):
    login(client, w.cw1)
    counts = (Case.objects.count(), Person.objects.count(), CaseEvent.objects.count())
    response = client.post(reverse("cases:case_create"), intake_data(**changes))
    assert response.status_code == 400
    page = body(response)
    assert "Nothing was saved" in page
    assert f'href="#id_{field}"' in page
    assert message in page
    assert (Case.objects.count(), Person.objects.count(), CaseEvent.objects.count()) == counts


@pytest.mark.parametrize("username", ["dpo", "admin", "auditor", "platform"])
def test_roles_that_do_not_handle_cases_cannot_open_one(client, w, username) -> None:
    login(client, getattr(w, username))
    before = Case.objects.count()
    assert client.get(reverse("cases:case_create")).status_code == 403
    assert client.post(reverse("cases:case_create"), intake_data()).status_code == 403
    assert Case.objects.count() == before


# --- one case -------------------------------------------------------------------------------


def test_viewing_a_case_writes_one_view_audit_row(client, w) -> None:
    login(client, w.cw1)
    before = AuditEvent.objects.count()
    response = client.get(detail(w.c1))
    assert response.status_code == 200
    new = list(AuditEvent.objects.order_by("sequence")[before:])
    assert [(event.action, event.target_id) for event in new] == [(AuditAction.VIEW, str(w.c1.pk))]
    page = body(response)
    assert w.c1.reference in page and "Amina" in page
    assert "online job offer" in page  # the caseworker sees every class of their case
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_case_is_reached_by_its_reference_too(client, w) -> None:
    response = login(client, w.cw1).get(detail(w.c1, w.c1.reference))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("username", "case_name"),
    [("cw1", "c2"), ("cw1", "cb"), ("sup1", "c2"), ("mgr1", "c3"), ("dpo", "cb"), ("cwb", "c1")],
)
def test_a_case_out_of_scope_is_404_and_the_refusal_audited(client, w, username, case_name):
    case = getattr(w, case_name)
    response = login(client, getattr(w, username)).get(detail(case))
    assert response.status_code == 404
    assert w.c1.reference not in body(response) or case_name == "c1"
    event = AuditEvent.objects.latest("sequence")
    assert event.action == CaseAuditAction.ACCESS_DENIED


@pytest.mark.parametrize(
    "key", ["nope", "AVRR-2026-99999x", "00000000-0000-0000-0000-000000000000"]
)
def test_unknown_or_malformed_keys_are_404(client, w, key) -> None:
    assert login(client, w.cw1).get(detail(w.c1, key)).status_code == 404


# Every action route of a case, with a valid-looking POST.
def action_routes(world: SimpleNamespace, case: Case) -> list[tuple[str, dict[str, Any]]]:
    note = CaseNote.objects.filter(case=case).first() or services.add_note(
        actor=None, case=case, text="note", sensitivity="health"
    )
    task = CaseTask.objects.filter(case=case).first() or services.add_task(
        actor=None, case=case, title="task"
    )
    consent = Consent.objects.filter(person=case.person).first() or services.record_consent(
        actor=None, person=case.person, purpose="services"
    )
    version = fresh(case).version
    first_event = "assess" if case.case_type == "counter_trafficking" else "assess_eligibility"
    if case.case_type == "stranded_assistance":
        first_event = "assess_needs"
    return [
        (url("case_transition", case), {"version": version, "event": first_event}),
        (url("case_reveal", case), {"sensitivity": "health", "reason": "Audit check"}),
        (url("note_add", case), {"text": "A note", "sensitivity": ""}),
        (url("note_reveal", case, note.pk), {"reason": "Audit check"}),
        (url("task_add", case), {"title": "Call back"}),
        (url("task_done", case, task.pk), {}),
        (url("consent_record", case), {"purpose": "statistics"}),
        (url("consent_withdraw", case, consent.pk), {"reason": ""}),
    ]


def snapshot(case: Case) -> tuple[Any, ...]:
    current = fresh(case)
    return (
        current.version,
        current.state,
        CaseNote.objects.filter(case=case).count(),
        CaseTask.objects.filter(case=case, done=True).count(),
        CaseTask.objects.count(),
        Consent.objects.filter(person=case.person, withdrawn_at__isnull=True).count(),
        Consent.objects.count(),
        CaseEvent.objects.filter(case=case).count(),
    )


@pytest.mark.parametrize("username", ["cw1", "sup1", "dpo", "outsider"])
def test_every_route_of_another_organizations_case_is_404_get_and_post(client, w, username):
    routes = action_routes(w, w.cb)
    before = snapshot(w.cb)
    login(client, getattr(w, username))
    for path, data in routes:
        assert client.get(path).status_code == 404, path
        assert client.post(path, data).status_code == 404, path
    assert client.get(detail(w.cb)).status_code == 404
    assert snapshot(w.cb) == before
    assert not AuditEvent.objects.filter(action=CaseAuditAction.REVEAL).exists()


def test_every_route_of_a_case_out_of_the_caseworkers_scope_is_404(client, w) -> None:
    routes = action_routes(w, w.c2)
    before = snapshot(w.c2)
    login(client, w.cw1)
    for path, data in routes:
        assert client.get(path).status_code == 404, path
        assert client.post(path, data).status_code == 404, path
    assert snapshot(w.c2) == before


def test_a_row_id_of_another_case_is_404(client, w) -> None:
    other_note = services.add_note(actor=None, case=w.cb, text="x", sensitivity="health")
    other_task = services.add_task(actor=None, case=w.cb, title="x")
    other_consent = services.record_consent(actor=None, person=w.cb.person, purpose="services")
    login(client, w.cw1)
    assert client.post(url("note_reveal", w.c1, other_note.pk), {"reason": "r"}).status_code == 404
    assert client.post(url("task_done", w.c1, other_task.pk)).status_code == 404
    assert client.post(url("consent_withdraw", w.c1, other_consent.pk)).status_code == 404
    assert not CaseTask.objects.get(pk=other_task.pk).done
    assert Consent.objects.get(pk=other_consent.pk).withdrawn_at is None


def test_the_get_of_an_action_in_scope_goes_back_to_the_case(client, w) -> None:
    response = login(client, w.cw1).get(url("case_transition", w.c1))
    assert response.status_code == 302 and response["Location"] == detail(w.c1)


@pytest.mark.parametrize(
    ("username", "route", "data"),
    [
        ("auditor", "case_transition", {"event": "assess"}),
        ("admin", "case_transition", {"event": "assess"}),
        ("dpo", "case_transition", {"event": "assess"}),
        ("auditor", "note_add", {"text": "x"}),
        ("dpo", "task_add", {"title": "x"}),
        ("admin", "consent_record", {"purpose": "services"}),
        ("auditor", "consent_record", {"purpose": "services"}),
        ("auditor", "case_reveal", {"sensitivity": "trafficking", "reason": "curious"}),
        ("admin", "case_reveal", {"sensitivity": "health", "reason": "curious"}),
        ("sup1", "case_reveal", {"sensitivity": "nonsense%d", "reason": "curious"}),
    ],
)
def test_a_role_that_may_not_act_is_refused_and_nothing_written(client, w, username, route, data):
    data = {"version": fresh(w.c1).version, **data}
    before = snapshot(w.c1)
    response = login(client, getattr(w, username)).post(url(route, w.c1), data)
    assert response.status_code in (400, 403)
    if username != "sup1":
        assert response.status_code == 403
    assert snapshot(w.c1) == before
    assert not AuditEvent.objects.filter(action=CaseAuditAction.REVEAL).exists()


def test_roles_see_what_their_classes_allow(client, w) -> None:
    # The supervisor sees trafficking and child protection in clear, health masked.
    page = body(login(client, w.sup1).get(detail(w.c1)))
    assert "online job offer" in page
    assert "Reveal Health" in page and "Reveal Trafficking details" not in page
    # The auditor sees every class masked, and may reveal none.
    page = body(login(client, w.auditor).get(detail(w.c1)))
    assert "online job offer" not in page and "victim_of_trafficking" not in page
    assert "Victim of trafficking" not in page
    assert "Your role cannot reveal this class." in page
    assert 'name="reason"' not in page
    assert "Your role cannot move this case along its workflow." in page
    # The data protection officer may reveal every class.
    page = body(login(client, w.dpo).get(detail(w.c1)))
    assert "online job offer" not in page and "Reveal Trafficking details" in page


def test_a_reveal_needs_a_reason_shows_the_value_and_is_audited(client, w) -> None:
    login(client, w.dpo)
    response = client.post(url("case_reveal", w.c1), {"sensitivity": "trafficking", "reason": ""})
    assert response.status_code == 400
    assert "This field is required." in body(response)
    assert not AuditEvent.objects.filter(action=CaseAuditAction.REVEAL).exists()
    response = client.post(
        url("case_reveal", w.c1), {"sensitivity": "trafficking", "reason": "Subject access"}
    )
    assert response.status_code == 200
    page = body(response)
    assert "online job offer" in page and "Victim of trafficking" in page
    event = AuditEvent.objects.get(action=CaseAuditAction.REVEAL)
    assert event.metadata["field"] == "trafficking_details"
    assert event.metadata["reason"] == "Subject access"
    assert event.actor == w.dpo
    # Not kept: the next view masks it again.
    assert "online job offer" not in body(client.get(detail(w.c1)))


def test_a_masked_note_is_revealed_on_record(client, w) -> None:
    services.add_note(
        actor=w.cw1, case=w.c1, text="Clinic appointment Tuesday", sensitivity="health"
    )
    note = CaseNote.objects.get(case=w.c1)
    login(client, w.sup1)
    assert "Clinic appointment Tuesday" not in body(client.get(detail(w.c1)))
    response = client.post(url("note_reveal", w.c1, note.pk), {"reason": "Supervision"})
    assert response.status_code == 200
    assert "Clinic appointment Tuesday" in body(response)
    event = AuditEvent.objects.get(action=CaseAuditAction.REVEAL)
    assert event.metadata["sensitivity"] == "health"


# --- the workflow ---------------------------------------------------------------------------


def test_a_transition_moves_the_case_and_records_the_step(client, w) -> None:
    login(client, w.cw1)
    response = client.post(
        url("case_transition", w.c1),
        {
            "version": fresh(w.c1).version,
            "event": "assess",
            "note": "Met at the shelter",
            "state": "closed",
        },
    )
    assert response.status_code == 302
    case = fresh(w.c1)
    assert case.state == "assessment" and case.version == 2
    page = body(client.get(detail(w.c1)))
    assert "Start the assessment" in page and "Met at the shelter" in page
    assert "Record the protection plan" in page and "Services of the protection plan" in page


def test_a_stale_version_is_409_and_writes_nothing(client, w) -> None:
    login(client, w.cw1)
    stale = fresh(w.c1).version
    assert (
        client.post(url("case_transition", w.c1), {"version": stale, "event": "assess"}).status_code
        == 302
    )
    before = snapshot(w.c1)
    # The same page sent again (a double click, or a second tab): refused.
    response = client.post(
        url("case_transition", w.c1),
        {"version": stale, "event": "plan_protection", "services": ["shelter"]},
    )
    assert response.status_code == 409
    page = body(response)
    assert "Someone else changed this case since you opened it" in page
    assert "Reload the case" in page
    assert snapshot(w.c1) == before
    assert fresh(w.c1).state == "assessment"
    assert "protection_plan" not in fresh(w.c1).trafficking_details


def test_the_protection_plan_needs_its_services(client, w) -> None:
    login(client, w.cw1)
    client.post(url("case_transition", w.c1), {"version": fresh(w.c1).version, "event": "assess"})
    before = snapshot(w.c1)
    response = client.post(
        url("case_transition", w.c1), {"version": fresh(w.c1).version, "event": "plan_protection"}
    )
    assert response.status_code == 400
    assert "Choose the services of the protection plan" in body(response)
    assert snapshot(w.c1) == before
    response = client.post(
        url("case_transition", w.c1),
        {
            "version": fresh(w.c1).version,
            "event": "plan_protection",
            "services": ["shelter", "legal"],
        },
    )
    assert response.status_code == 302
    case = fresh(w.c1)
    assert case.state == "protection_plan"
    assert case.trafficking_details["protection_plan"]["services"] == ["shelter", "legal"]
    page = body(client.get(detail(w.c1)))
    assert "Shelter, Legal assistance" in page


def test_an_event_the_state_does_not_allow_is_refused(client, w) -> None:
    login(client, w.cw2)
    before = snapshot(w.c2)
    response = client.post(
        url("case_transition", w.c2), {"version": fresh(w.c2).version, "event": "depart"}
    )
    assert response.status_code == 400
    assert "does not allow depart" in body(response)
    assert snapshot(w.c2) == before


# --- notes, tasks, consent ------------------------------------------------------------------


def test_html_in_a_note_is_rendered_inert(client, w) -> None:
    login(client, w.cw1)
    text = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert client.post(url("note_add", w.c1), {"text": text, "sensitivity": ""}).status_code == 302
    page = body(client.get(detail(w.c1)))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_note_needs_text_and_a_class_the_author_sees(client, w) -> None:
    login(client, w.sup1)
    response = client.post(url("note_add", w.c1), {"text": "", "sensitivity": ""})
    assert response.status_code == 400 and "This field is required." in body(response)
    response = client.post(url("note_add", w.c1), {"text": "x", "sensitivity": "health"})
    assert response.status_code == 400
    assert not CaseNote.objects.filter(case=w.c1).exists()


def test_tasks_are_added_and_marked_done_once(client, w) -> None:
    login(client, w.cw1)
    response = client.post(
        url("task_add", w.c1), {"title": "Book the shelter", "due_on": "2030-01-02"}
    )
    assert response.status_code == 302
    task = CaseTask.objects.get(case=w.c1)
    assert task.due_on == datetime.date(2030, 1, 2)
    assert client.post(url("task_done", w.c1, task.pk)).status_code == 302
    assert CaseTask.objects.get(pk=task.pk).done
    response = client.post(url("task_done", w.c1, task.pk))
    assert response.status_code == 400 and "already done" in body(response)
    assert client.post(url("task_add", w.c1), {"title": ""}).status_code == 400


def test_consent_is_recorded_and_withdrawn_at_once(client, w) -> None:
    login(client, w.cw1)
    response = client.post(url("consent_record", w.c1), {"purpose": "sharing"})
    assert response.status_code == 400
    assert "Name the organizations the data may be shared with." in body(response)
    response = client.post(
        url("consent_record", w.c1),
        {"purpose": "sharing", "organizations": [w.other.pk], "scope": "Referral for shelter"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=w.c1.person)
    assert list(consent.organizations.all()) == [w.other]
    assert consent.collected_by == w.cw1
    assert services.has_consent(w.c1.person, "sharing", w.other)
    page = body(client.get(detail(w.c1)))
    assert "Sharing with named organizations: in force" in page
    response = client.post(url("consent_withdraw", w.c1, consent.pk), {"reason": "Changed mind"})
    assert response.status_code == 302
    assert not services.has_consent(w.c1.person, "sharing", w.other)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at <= timezone.now()
    response = client.post(url("consent_withdraw", w.c1, consent.pk), {"reason": ""})
    assert response.status_code == 400 and "already withdrawn" in body(response)


def test_a_childs_consent_needs_assent_and_a_guardian(client, w) -> None:
    login(client, w.cw1)
    client.post(
        reverse("cases:case_create"),
        intake_data(
            date_of_birth=(
                timezone.localdate().replace(year=timezone.localdate().year - 10)
            ).isoformat()
        ),
    )
    case = Case.objects.latest("id")
    response = client.post(url("consent_record", case), {"purpose": "services"})
    assert response.status_code == 400 and "the person is under 18" in body(response)
    response = client.post(
        url("consent_record", case),
        {"purpose": "services", "child_assent": "on", "guardian_name": "Aunt"},
    )
    assert response.status_code == 302
    assert Consent.objects.get(person=case.person).is_child

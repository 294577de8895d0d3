"""Experts: profiles listed only with the person's consent, messages through the platform with
no address shown and a daily limit, and "find experts" ranked with reasons in words."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from migration_hub.core import search
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError
from migration_hub.knowledge.choices import Availability
from migration_hub.knowledge.models import ExpertMessage, ExpertProfile
from migration_hub.knowledge.services import experts as services
from migration_hub.registry.models import Organization as RegistryOrganization

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def make_expert(username: str, *, listed: bool = True, **fields: Any) -> ExpertProfile:
    """A person with an expert profile, saved by themselves through the service."""
    user = UserFactory(username=username, first_name=username.title(), last_name="Expert")
    values: dict[str, Any] = {
        "display_name": f"{username.title()} Expert",
        "headline": "",
        "languages": ["en"],
    }
    values.update(fields)
    return services.save_profile(user, user=user, opted_in=listed, **values)


def registry_organization(code: str = "IOM", name: str = "International Organization") -> Any:
    return RegistryOrganization.objects.create(
        code=code, name=name, kind="igo-specialized", source="https://example.org/registry"
    )


def indexed(profile: ExpertProfile) -> bool:
    return search.filter_queryset(
        ExpertProfile.objects.filter(pk=profile.pk), profile.display_name
    ).exists()


# --- profiles and consent ------------------------------------------------------------------


def test_a_new_profile_is_not_listed_until_the_person_opts_in(objectives) -> None:
    user = UserFactory(username="amina")
    profile = services.save_profile(
        user, user=user, display_name="Amina Diallo", objectives=["GCM-O7"], languages=["fr"]
    )
    assert profile.opted_in is False
    assert not services.listed_experts().filter(pk=profile.pk).exists()
    assert not indexed(profile)
    assert services.find_experts(objectives=["GCM-O7"]) == []

    listed = services.set_opt_in(user, profile, True)
    assert services.listed_experts().filter(pk=profile.pk).exists()
    assert indexed(listed)
    assert [match.item for match in services.find_experts(objectives=["GCM-O7"])] == [listed]


def test_opting_out_removes_the_profile_everywhere_at_once(objectives) -> None:
    profile = make_expert("amina", objectives=["GCM-O7"], headline="Remittances and diaspora bonds")
    assert indexed(profile)
    assert services.find_experts("remittances")

    services.save_profile(
        profile.user, user=profile.user, expected_version=profile.version, opted_in=False
    )
    assert not services.listed_experts().filter(pk=profile.pk).exists()
    assert not indexed(profile)
    assert services.find_experts("remittances") == []
    assert services.find_experts(objectives=["GCM-O7"]) == []


def test_a_disabled_account_is_never_listed(objectives) -> None:
    profile = make_expert("amina", objectives=["GCM-O7"])
    profile.user.is_active = False
    profile.user.save()
    assert not services.listed_experts().filter(pk=profile.pk).exists()
    assert services.find_experts(objectives=["GCM-O7"]) == []


def test_the_owner_edits_their_profile_and_a_stale_edit_is_refused(objectives, themes) -> None:
    profile = make_expert("amina")
    first = services.save_profile(
        profile.user,
        user=profile.user,
        expected_version=profile.version,
        headline="Labour migration",
        objectives=["GCM-O5", "GCM-O6"],
        themes=["MIGOF-TA-03"],
    )
    assert first.version == profile.version + 1
    assert sorted(first.objectives.values_list("code", flat=True)) == ["GCM-O5", "GCM-O6"]

    with pytest.raises(ConflictError):
        services.save_profile(
            profile.user,
            user=profile.user,
            expected_version=profile.version,  # opened before the first save
            headline="Overwritten",
            objectives=["GCM-O1"],
        )
    first.refresh_from_db()
    assert first.headline == "Labour migration"
    assert sorted(first.objectives.values_list("code", flat=True)) == ["GCM-O5", "GCM-O6"]
    changes = AuditEvent.objects.filter(target_id=str(profile.pk), action="update")
    assert changes.exists()


def test_only_the_person_changes_their_profile(objectives, hub_editor) -> None:
    profile = make_expert("amina")
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        services.save_profile(
            stranger, user=profile.user, expected_version=profile.version, headline="Hacked"
        )
    with pytest.raises(PermissionDenied):
        services.set_opt_in(stranger, profile, False)
    # A Hub editor may unlist a profile, never list one.
    unlisted = services.set_opt_in(hub_editor, profile, False)
    assert unlisted.opted_in is False
    with pytest.raises(PermissionDenied):
        services.set_opt_in(hub_editor, unlisted, True)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"objectives": ["GCM-O99"]}, "objectives"),
        ({"objectives": ["MIGOF-TA-01"]}, "objectives"),  # a theme is not an objective
        ({"themes": ["GCM-O1"]}, "themes"),
        ({"languages": ["klingon"]}, "languages"),
        ({"languages": ["xx"]}, "languages"),
        ({"countries": ["ZZZ"]}, "countries"),
        ({"regions": ["999"]}, "regions"),
        ({"availability": "sometimes"}, "availability"),
        ({"display_name": "   "}, "display_name"),
        ({"bio": "nul \x00 byte"}, "bio"),
        ({"email": "x@example.org"}, "email"),
    ],
)
def test_bad_profile_input_names_the_field(objectives, themes, fields, field) -> None:
    user = UserFactory(username="amina")
    with pytest.raises(ValidationError) as error:
        services.save_profile(user, user=user, **{"display_name": "Amina", **fields})
    assert field in error.value.message_dict
    assert not ExpertProfile.objects.filter(user=user).exists()


def test_languages_are_normalised(objectives) -> None:
    profile = make_expert("amina", languages=["FR", "zh-hans", "fr", "es"])
    assert profile.languages == ["fr", "zh", "es"]


# --- contacting experts --------------------------------------------------------------------


def test_contacting_an_expert_stores_and_emails_the_message_without_addresses(
    objectives, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    expert = make_expert("amina")
    sender = UserFactory(username="omar", first_name="Omar", last_name="Haddad")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.contact_expert(
            sender, expert, subject="Skills partnerships", body="Could we talk about Q.2?"
        )
    assert ExpertMessage.objects.get() == message
    assert message.sender == sender and message.expert == expert
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [expert.user.email]
    assert "Skills partnerships" in mail.subject
    assert "Omar Haddad wrote to you" in mail.body
    assert "Could we talk about Q.2?" in mail.body
    assert sender.email not in mail.body
    assert AuditEvent.objects.filter(target_id=str(message.pk), action="create").exists()


def test_an_unlisted_expert_cannot_be_contacted(objectives) -> None:
    expert = make_expert("amina", listed=False)
    sender = UserFactory(username="omar")
    with pytest.raises(ValidationError) as error:
        services.contact_expert(sender, expert, subject="Hello", body="Hi")
    assert "expert" in error.value.message_dict
    assert not ExpertMessage.objects.exists()


def test_no_one_writes_to_themselves_or_anonymously(objectives) -> None:
    from django.contrib.auth.models import AnonymousUser

    expert = make_expert("amina")
    with pytest.raises(ValidationError):
        services.contact_expert(expert.user, expert, subject="Hello", body="Hi")
    with pytest.raises(PermissionDenied):
        services.contact_expert(AnonymousUser(), expert, subject="Hello", body="Hi")


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [
        ("", "Hi", "subject"),
        ("Hello", "   ", "body"),
        ("x" * 201, "Hi", "subject"),
        ("Hello", "a\x00b", "body"),
    ],
)
def test_bad_messages_name_the_field(objectives, subject, body, field) -> None:
    expert = make_expert("amina")
    with pytest.raises(ValidationError) as error:
        services.contact_expert(UserFactory(username="omar"), expert, subject=subject, body=body)
    assert field in error.value.message_dict


def test_contacts_are_limited_per_sender_per_day(objectives) -> None:
    experts = [make_expert(f"expert{n}") for n in range(3)]
    sender = UserFactory(username="omar")
    with override_settings(KNOWLEDGE_EXPERT_CONTACTS_PER_DAY=3):
        for n in range(3):
            services.contact_expert(sender, experts[n % 3], subject=f"S{n}", body="Hello")
        with pytest.raises(ValidationError) as error:
            services.contact_expert(sender, experts[0], subject="One more", body="Hello")
    assert "3 messages to experts in the last 24 hours" in " ".join(error.value.messages)
    assert ExpertMessage.objects.filter(sender=sender).count() == 3
    # Another sender is not affected.
    services.contact_expert(UserFactory(username="lena"), experts[0], subject="Hi", body="Hello")


def test_the_default_limit_is_ten_a_day(objectives) -> None:
    expert = make_expert("amina")
    sender = UserFactory(username="omar")
    for n in range(10):
        services.contact_expert(sender, expert, subject=f"S{n}", body="Hello")
    with pytest.raises(ValidationError):
        services.contact_expert(sender, expert, subject="S11", body="Hello")


def test_the_expert_answers_through_the_platform(
    objectives, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    expert = make_expert("amina")
    sender = UserFactory(username="omar")
    message = services.contact_expert(sender, expert, subject="Hello", body="A question")
    with pytest.raises(PermissionDenied):
        services.reply_to_message(UserFactory(username="lena"), message, body="Not mine")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reply_to_message(expert.user, message, body="Happy to help.") == 1
    mail = mailoutbox[0]
    assert mail.to == [sender.email]
    assert "Amina Expert answered your message" in mail.subject
    assert "Happy to help." in mail.body
    assert expert.user.email not in mail.body


# --- find experts --------------------------------------------------------------------------


@pytest.fixture
def pool(objectives, themes, countries) -> dict[str, ExpertProfile]:
    return {
        "fatou": make_expert(
            "fatou",
            headline="Regular pathways and skills partnerships",
            bio="Bilateral labour agreements in West Africa.",
            objectives=["GCM-O5", "GCM-O18"],
            languages=["fr", "en"],
            countries=["SEN"],
            themes=["MIGOF-TA-03"],
        ),
        "ivan": make_expert(
            "ivan",
            headline="Remittances",
            bio="Cheaper transfers of remittances.",
            objectives=["GCM-O20"],
            languages=["ru", "en"],
            countries=["KAZ"],
        ),
        "lucia": make_expert(
            "lucia",
            headline="Vulnerable migrants",
            bio="Protection of migrants in vulnerable situations.",
            objectives=["GCM-O7"],
            languages=["es", "fr"],
            regions=["419"],
            availability=Availability.UNAVAILABLE,
        ),
        "hidden": make_expert(
            "hidden",
            listed=False,
            headline="Remittances and skills partnerships",
            objectives=["GCM-O5", "GCM-O7", "GCM-O20"],
            languages=["fr", "es", "ru"],
            countries=["SEN", "KAZ"],
        ),
    }


def names(matches: list[Any]) -> list[str]:
    return [match.item.user.username for match in matches]


def test_find_experts_ranks_by_overlap_with_reasons(pool) -> None:
    matches = services.find_experts(
        "skills partnerships for labour migration",
        objectives=["GCM-O5"],
        languages=["fr"],
        country="SEN",
    )
    assert names(matches) == ["fatou", "lucia"]
    top = matches[0]
    assert "Works on objective 5" in top.reasons
    assert "Speaks French" in top.reasons
    assert "Works in Senegal" in top.reasons
    assert any("skills" in reason and "partnerships" in reason for reason in top.reasons)
    assert matches[1].reasons == ["Speaks French"]
    assert top.score > matches[1].score


def test_find_experts_by_question_words_alone(pool) -> None:
    matches = services.find_experts("Who knows about remittances?")
    assert names(matches) == ["ivan"]
    assert matches[0].reasons == ["Their profile mentions “remittances”"]


def test_find_experts_by_region_of_the_country(pool) -> None:
    # Kazakhstan's sub-region (Central Asia): Ivan works in Kazakhstan itself.
    matches = services.find_experts(country="KAZ")
    assert names(matches) == ["ivan"]
    # Latin America and the Caribbean (419): Lucia lists it; Mexico is in it.
    matches = services.find_experts(country="MEX")
    assert names(matches) == ["lucia"]
    assert matches[0].reasons == ["Works in the region Latin America and the Caribbean"]


def test_an_unavailable_expert_ranks_lower(pool) -> None:
    matches = services.find_experts(languages=["fr"])
    assert names(matches) == ["fatou", "lucia"]
    assert matches[0].score == 2.0 and matches[1].score == 1.0


def test_an_opted_out_expert_never_matches(pool) -> None:
    everything = services.find_experts(
        "remittances skills partnerships",
        objectives=["GCM-O5", "GCM-O7", "GCM-O20"],
        languages=["fr", "es", "ru"],
        country="SEN",
        limit=None,
    )
    assert "hidden" not in names(everything)
    assert len(everything) == 3


def test_find_experts_leaves_out_organizations(pool, organization) -> None:
    from migration_hub.core.choices import Role

    from ..factories import MembershipFactory

    iom = registry_organization()
    services.save_profile(
        pool["fatou"].user,
        user=pool["fatou"].user,
        expected_version=pool["fatou"].version,
        organization=iom,
    )
    assert names(services.find_experts(languages=["fr"], exclude_organizations=[iom])) == ["lucia"]
    MembershipFactory(user=pool["lucia"].user, organization=organization, role=Role.VIEWER)
    assert names(services.find_experts(languages=["fr"], exclude_organizations=[organization])) == [
        "fatou"
    ]


def test_find_experts_with_nothing_asked_finds_no_one(pool) -> None:
    assert services.find_experts() == []
    assert services.find_experts("the and for") == []


@pytest.mark.parametrize(
    "question",
    ['"', "*", "NEAR(a b)", "a AND (b", "-", "x" * 5000, "\x00", "@@@ ### !!!"],
)
def test_find_experts_never_fails_on_odd_questions(pool, question) -> None:
    services.find_experts(question)


def test_bad_filters_raise_a_validation_error(pool) -> None:
    with pytest.raises(ValidationError):
        services.find_experts(objectives=["GCM-O99"])
    with pytest.raises(ValidationError):
        services.find_experts(country="ZZZ")

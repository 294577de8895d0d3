"""Experts: profiles people keep themselves, listed only while they opt in; messages through
the platform (no e-mail address is ever shown); "find experts" for a question.

`listed_experts()` is the only way any page, API, search or ranking reads other people's
profiles: a profile whose owner opted out (or whose account is disabled) is in none of them.
Opting out takes effect at once: the profile leaves the search index in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pycountry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from migration_hub.core import audit, search
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country, Region
from migration_hub.core.people import public_name
from migration_hub.core.permissions import require
from migration_hub.core.services import update_versioned
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from ..choices import Availability
from ..matching import Match, ranked
from ..models import ExpertMessage, ExpertProfile
from ..notifications import notify, translated_later

# Messages one person may send to experts in 24 hours (settings can change it).
DEFAULT_CONTACTS_PER_DAY = 10
MAX_SUBJECT = 200
MAX_MESSAGE = 5_000
MAX_BIO = 5_000
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "headline",
        "bio",
        "organization",
        "themes",
        "objectives",
        "languages",
        "regions",
        "countries",
        "availability",
        "opted_in",
    }
)
MANY_FIELDS = ("themes", "objectives", "regions", "countries")

# Weights of each kind of overlap in "find experts".
OBJECTIVE_WEIGHT = 3.0
THEME_WEIGHT = 2.0
LANGUAGE_WEIGHT = 2.0
COUNTRY_WEIGHT = 2.0
REGION_WEIGHT = 1.0
WORD_WEIGHT = 1.0
MAX_WORDS = 5
AVAILABILITY_FACTOR = {
    Availability.AVAILABLE: 1.0,
    Availability.LIMITED: 0.8,
    Availability.UNAVAILABLE: 0.5,
}
MIN_WORD_LENGTH = 4
STEM_LENGTH = 5
# Words too common to say anything about expertise (English, French, Spanish), normalised;
# on a migration platform, "migration" itself says nothing either.
_STOP_WORDS = """
    about after also been before being between both could does each from have having here
    into more most much need needs other over some such than that their them then there these
    they this those through under very want what when where which while with would your
    help looking someone expert experts anyone know knows question working work works
    avec dans depuis elle elles entre leur leurs mais nous pour quel quelle quels quelles
    sans sont sous tout tous vous votre aide cherche
    como cual cuales desde donde entre esta este estos estas para pero porque sobre todo
    todos tiene tienen ayuda busco
    migration migrations migrant migrants migratory migracion migraciones migrante migrantes
    migratoire migratoires
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


# --- reading -----------------------------------------------------------------------------


def listed_experts() -> QuerySet[ExpertProfile]:
    """Every profile others may see: opted in, with an active account. THE way to read them."""
    return ExpertProfile.objects.filter(opted_in=True, user__is_active=True).select_related(
        "organization"
    )


def own_profile(user: Any) -> ExpertProfile | None:
    """The person's own profile, listed or not (for their "my expert profile" page)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ExpertProfile.objects.filter(user=user).select_related("organization").first()


def contacts_per_day() -> int:
    return int(getattr(settings, "KNOWLEDGE_EXPERT_CONTACTS_PER_DAY", DEFAULT_CONTACTS_PER_DAY))


def language_name(code: str) -> str:
    """The language's name in the reader's language when Django knows it, else in English."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        language = pycountry.languages.get(alpha_2=code)
        return language.name if language else code


def language_choices() -> list[tuple[str, str]]:
    """Every ISO 639-1 language, by name in the reader's language."""
    codes = [language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2")]
    return sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1])


# --- validation --------------------------------------------------------------------------


def _reject_nul(value: str, field: str) -> None:
    if "\x00" in value:
        raise ValidationError({field: _("Remove the null character (\\x00) from this text.")})


def _framework_items(values: Iterable[Any], kind: str, field: str) -> list[FrameworkItem]:
    """FrameworkItems of one kind from items or codes; ValidationError names the field."""
    values = list(values or ())
    codes = [value for value in values if not isinstance(value, FrameworkItem)]
    found = {item.code: item for item in FrameworkItem.objects.filter(code__in=codes)}
    items: list[FrameworkItem] = []
    for value in values:
        item = value if isinstance(value, FrameworkItem) else found.get(str(value))
        if item is None or item.kind != kind:
            raise ValidationError({field: _("Unknown item: %(value)s.") % {"value": str(value)}})
        if item not in items:
            items.append(item)
    return items


def _regions(values: Iterable[Any]) -> list[Region]:
    values = list(values or ())
    codes = [value for value in values if not isinstance(value, Region)]
    found = {region.m49_code: region for region in Region.objects.filter(m49_code__in=codes)}
    result: list[Region] = []
    for value in values:
        region = value if isinstance(value, Region) else found.get(str(value))
        if region is None:
            raise ValidationError(
                {"regions": _("Unknown region: %(value)s.") % {"value": str(value)}}
            )
        if region not in result:
            result.append(region)
    return result


def _countries(values: Iterable[Any], field: str = "countries") -> list[Country]:
    values = list(values or ())
    codes = [str(value).upper() for value in values if not isinstance(value, Country)]
    found = {country.alpha3: country for country in Country.objects.filter(alpha3__in=codes)}
    result: list[Country] = []
    for value in values:
        country = value if isinstance(value, Country) else found.get(str(value).upper())
        if country is None:
            raise ValidationError({field: _("Unknown country: %(value)s.") % {"value": str(value)}})
        if country not in result:
            result.append(country)
    return result


def normalise_languages(values: Iterable[Any]) -> list[str]:
    """ISO 639-1 codes, lower case, each once; "zh-hans" counts as "zh"."""
    result: list[str] = []
    for value in values or ():
        code = str(value).strip().lower().split("-")[0].split("_")[0]
        if not code:
            continue
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise ValidationError(
                {
                    "languages": _(
                        "Unknown language code %(value)s: use two-letter ISO 639-1 codes."
                    )
                    % {"value": str(value)[:20]}
                }
            )
        if code not in result:
            result.append(code)
    return result


def _clean_profile_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """(plain field values, many-to-many values), checked."""
    unknown = sorted(set(fields) - PROFILE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown or read-only field.") for name in unknown})
    plain: dict[str, Any] = {}
    many: dict[str, list[Any]] = {}
    for name, value in fields.items():
        if name == "themes":
            many[name] = _framework_items(value, "thematic-area", name)
        elif name == "objectives":
            many[name] = _framework_items(value, "objective", name)
        elif name == "regions":
            many[name] = _regions(value)
        elif name == "countries":
            many[name] = _countries(value)
        elif name == "languages":
            plain[name] = normalise_languages(value)
        elif name in ("display_name", "headline", "bio"):
            text = str(value or "").strip()
            _reject_nul(text, name)
            plain[name] = text
        elif name == "organization":
            if value is not None and not isinstance(value, RegistryOrganization):
                raise ValidationError({name: _("Choose an organization from the registry.")})
            plain[name] = value
        elif name == "availability":
            if value not in Availability.values:
                raise ValidationError({name: _("Choose one of the availability options.")})
            plain[name] = value
        elif name == "opted_in":
            plain[name] = bool(value)
    if "display_name" in plain and not plain["display_name"]:
        raise ValidationError({"display_name": _("Enter the name to show on your profile.")})
    if len(plain.get("bio", "")) > MAX_BIO:
        raise ValidationError(
            {"bio": _("Keep this under %(count)s characters.") % {"count": MAX_BIO}}
        )
    return plain, many


def _sync_index(profile: ExpertProfile) -> None:
    """Listed profiles are in the search index, others are not."""
    if profile.opted_in and profile.user.is_active:
        search.index_object(profile)
    else:
        search.remove_object(profile)


def _codes(profile: ExpertProfile) -> dict[str, list[str]]:
    return {
        "themes": sorted(profile.themes.values_list("code", flat=True)),
        "objectives": sorted(profile.objectives.values_list("code", flat=True)),
        "regions": sorted(profile.regions.values_list("m49_code", flat=True)),
        "countries": sorted(profile.countries.values_list("alpha3", flat=True)),
    }


# --- writing -----------------------------------------------------------------------------


@transaction.atomic
def save_profile(
    actor: Any,
    *,
    user: Any,
    expected_version: int | None = None,
    is_sample: bool = False,
    **fields: Any,
) -> ExpertProfile:
    """Create or change `user`'s expert profile. Only the person (or the system, actor None)
    writes it. A change needs the version the form was opened at: a stale one raises
    ConflictError and nothing is saved (None skips the check: the pages always pass it)."""
    if actor is not None and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(_("Only the person can change their expert profile."))
    plain, many = _clean_profile_fields(fields)
    profile = ExpertProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        plain.setdefault("display_name", user.get_full_name() or user.username)
        profile = ExpertProfile(user=user, is_sample=is_sample, created_by=_real(actor), **plain)
        profile.full_clean()
        profile.save()
        for name, values in many.items():
            getattr(profile, name).set(values)
        audit.record(
            actor,
            AuditAction.CREATE,
            profile,
            changes={name: [None, value] for name, value in audit.snapshot(profile).items()},
            metadata=_codes(profile),
        )
    else:
        before = _codes(profile)
        profile = update_versioned(
            profile,
            actor=actor,
            expected_version=profile.version if expected_version is None else expected_version,
            changes=plain,
        )
        for name, values in many.items():
            getattr(profile, name).set(values)
        after = _codes(profile)
        changed = {
            name: [before[name], after[name]] for name in after if before[name] != after[name]
        }
        if changed:
            audit.record(actor, AuditAction.UPDATE, profile, changes=changed)
    _sync_index(profile)
    return profile


def _real(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def set_opt_in(actor: Any, profile: ExpertProfile, opted_in: bool) -> ExpertProfile:
    """List or unlist a profile, at once. The person does both; a Hub editor may only unlist
    (e.g. a profile that misuses the database)."""
    is_owner = actor is None or getattr(actor, "pk", None) == profile.user_id
    if not is_owner:
        require(actor, "knowledge.edit_hub")
        if opted_in:
            raise PermissionDenied(_("Only the person can list their expert profile."))
    current = ExpertProfile.objects.get(pk=profile.pk)
    if current.opted_in != bool(opted_in):
        current = update_versioned(
            current,
            actor=actor,
            expected_version=current.version,
            changes={"opted_in": bool(opted_in)},
        )
    _sync_index(current)
    return current


@transaction.atomic
def contact_expert(
    actor: Any, expert: ExpertProfile, *, subject: str, body: str, demand: Any = None
) -> ExpertMessage:
    """Write to a listed expert through the platform: the message is kept and e-mailed to the
    expert with the sender's name; neither person sees the other's address. At most
    `contacts_per_day()` messages per sender in 24 hours."""
    require(actor, "knowledge.post")
    if actor is None:
        raise PermissionDenied(_("Sign in to write to an expert."))
    expert = listed_experts().select_related("user").filter(pk=expert.pk).first()
    if expert is None:
        raise ValidationError({"expert": _("This expert is not listed in the expert database.")})
    if expert.user_id == actor.pk:
        raise ValidationError({"expert": _("You cannot write to yourself.")})
    subject = (subject or "").strip()
    body = (body or "").strip()
    _reject_nul(subject, "subject")
    _reject_nul(body, "body")
    if not subject:
        raise ValidationError({"subject": _("Enter a subject.")})
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(
            {"subject": _("Keep the subject under %(count)s characters.") % {"count": MAX_SUBJECT}}
        )
    if not body:
        raise ValidationError({"body": _("Write your message.")})
    if len(body) > MAX_MESSAGE:
        raise ValidationError(
            {"body": _("Keep the message under %(count)s characters.") % {"count": MAX_MESSAGE}}
        )
    limit = contacts_per_day()
    since = timezone.now() - timedelta(days=1)
    # Lock the sender's row so two requests at once cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    sent = ExpertMessage.objects.filter(sender=actor, created_at__gte=since).count()
    if sent >= limit:
        raise ValidationError(
            _(
                "You have sent %(count)s messages to experts in the last 24 hours, the most "
                "allowed. Nothing was sent: try again tomorrow."
            )
            % {"count": sent}
        )
    message = ExpertMessage.objects.create(
        expert=expert, sender=actor, subject=subject, body=body, demand=demand
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        message,
        metadata={"expert": expert.pk, "demand": getattr(demand, "pk", None)},
    )
    notify(
        [expert.user],
        translated_later(
            gettext_lazy("A message through Migration Hub: %(subject)s"), subject=subject[:80]
        ),
        "expert_message.txt",
        {
            "message": message,
            "expert": expert,
            "sender_name": sender_name(actor),
            "demand": demand,
            "site_url": getattr(settings, "SITE_URL", ""),
            "messages_path": reverse("knowledge:expert_messages"),
        },
    )
    return message


def sender_name(user: Any) -> str:
    """How a person is named to an expert: their expert name, else their full name, else their
    username; never their e-mail address."""
    profile = ExpertProfile.objects.filter(user=user).only("display_name").first()
    return (profile.display_name if profile else "") or public_name(user)


def messages_for(user: Any) -> QuerySet[ExpertMessage]:
    """Messages written to the person's expert profile, newest first."""
    return (
        ExpertMessage.objects.filter(expert__user=user)
        .select_related("sender", "expert", "demand")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def reply_to_message(actor: Any, message: ExpertMessage, *, body: str) -> int:
    """The expert answers a message through the platform: the sender gets the answer by
    e-mail, with the expert's name and no address. Returns how many e-mails were queued."""
    require(actor, "knowledge.post")
    if actor is None or message.expert.user_id != actor.pk:
        raise PermissionDenied(_("Only the expert who received the message can answer it."))
    body = (body or "").strip()
    _reject_nul(body, "body")
    if not body:
        raise ValidationError({"body": _("Write your answer.")})
    if len(body) > MAX_MESSAGE:
        raise ValidationError(
            {"body": _("Keep the message under %(count)s characters.") % {"count": MAX_MESSAGE}}
        )
    audit.record(actor, AuditAction.UPDATE, message, metadata={"reply": True})
    return notify(
        [message.sender],
        translated_later(
            gettext_lazy("%(expert)s answered your message: %(subject)s"),
            expert=message.expert.display_name,
            subject=message.subject[:80],
        ),
        "expert_reply.txt",
        {
            "message": message,
            "expert": message.expert,
            "answer": body,
            "site_url": getattr(settings, "SITE_URL", ""),
            "expert_path": message.expert.get_absolute_url(),
        },
    )


# --- finding experts ---------------------------------------------------------------------


def question_words(question: str) -> list[str]:
    """The words of a question worth matching: normalised, long enough, not stop words."""
    words: list[str] = []
    for word in search.normalise(question or "").split():
        if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[: search.MAX_QUERY_TERMS * 2]


def _stem(word: str) -> str:
    return word[:STEM_LENGTH]


def _mentioned(words: list[str], profile: ExpertProfile) -> list[str]:
    """Question words found in the profile (same word, or same first letters)."""
    text = " ".join(
        [
            profile.headline,
            profile.bio,
            *(item.title for item in profile.objectives.all()),
            *(item.title for item in profile.themes.all()),
        ]
    )
    profile_words = set(search.normalise(text).split())
    stems = {_stem(word) for word in profile_words if len(word) >= STEM_LENGTH}
    return [
        word
        for word in words
        if word in profile_words or (len(word) >= STEM_LENGTH and _stem(word) in stems)
    ][:MAX_WORDS]


def _objective_label(item: FrameworkItem) -> str:
    if item.number:
        return _("Works on objective %(number)s") % {"number": item.number}
    return _("Works on %(item)s") % {"item": item.short_title or item.title}


def find_experts(
    question: str = "",
    *,
    objectives: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    languages: Iterable[str] = (),
    regions: Iterable[Any] = (),
    country: Any = None,
    exclude_organizations: Iterable[Any] = (),
    limit: int | None = 10,
) -> list[Match]:
    """Listed experts ranked by what they share with the question: objectives, themes,
    languages, the country or region, and words of the question found in their profile. Each
    match carries the reasons in words ("Works on objective 7", "Speaks French").

    `exclude_organizations` takes registry organizations (the expert's organization) and
    accounts organizations (the expert is a member there); bad codes raise ValidationError.
    """
    wanted_objectives = _framework_items(objectives, "objective", "objectives")
    wanted_themes = _framework_items(themes, "thematic-area", "themes")
    wanted_languages = normalise_languages(languages)
    wanted_regions = _regions(regions)
    wanted_country = _countries([country], "country")[0] if country else None
    words = question_words(question)
    if not (
        wanted_objectives
        or wanted_themes
        or wanted_languages
        or wanted_regions
        or wanted_country
        or words
    ):
        return []
    area_regions = list(wanted_regions)
    if wanted_country is not None:
        area_ids = {
            wanted_country.region_id,
            wanted_country.sub_region_id,
            wanted_country.intermediate_region_id,
        } - {None}
        area_regions += [
            region
            for region in Region.objects.filter(pk__in=area_ids)
            if region not in area_regions
        ]

    experts = listed_experts().prefetch_related("objectives", "themes", "regions", "countries")
    registry_excluded: list[Any] = []
    member_of: list[Any] = []
    for organization in exclude_organizations or ():
        if isinstance(organization, RegistryOrganization):
            registry_excluded.append(organization.pk)
        elif hasattr(organization, "memberships"):
            member_of.append(organization.pk)
        else:
            registry_excluded.append(organization)
    if registry_excluded:
        experts = experts.exclude(organization__in=registry_excluded)
    if member_of:
        experts = experts.exclude(user__memberships__organization__in=member_of)

    matches = []
    for expert in experts:
        score = 0.0
        reasons: list[str] = []
        expert_objectives = {item.pk for item in expert.objectives.all()}
        for item in wanted_objectives:
            if item.pk in expert_objectives:
                score += OBJECTIVE_WEIGHT
                reasons.append(_objective_label(item))
        expert_themes = {item.pk for item in expert.themes.all()}
        for item in wanted_themes:
            if item.pk in expert_themes:
                score += THEME_WEIGHT
                reasons.append(
                    _("Works on the thematic area %(title)s")
                    % {"title": item.short_title or item.title}
                )
        for code in wanted_languages:
            if code in (expert.languages or []):
                score += LANGUAGE_WEIGHT
                reasons.append(_("Speaks %(language)s") % {"language": language_name(code)})
        expert_countries = list(expert.countries.all())
        in_country = wanted_country is not None and wanted_country in expert_countries
        if in_country:
            score += COUNTRY_WEIGHT
            reasons.append(_("Works in %(country)s") % {"country": wanted_country.name})
        else:
            expert_region_ids = {region.pk for region in expert.regions.all()}
            for country_row in expert_countries:
                expert_region_ids |= {
                    country_row.region_id,
                    country_row.sub_region_id,
                    country_row.intermediate_region_id,
                }
            for region in area_regions:
                if region.pk in expert_region_ids:
                    score += REGION_WEIGHT
                    reasons.append(_("Works in the region %(region)s") % {"region": region.name})
                    break
        found = _mentioned(words, expert) if words else []
        if found:
            score += WORD_WEIGHT * len(found)
            reasons.append(
                _("Their profile mentions %(words)s")
                % {"words": ", ".join(f"“{word}”" for word in found)}
            )
        if score > 0:
            score *= AVAILABILITY_FACTOR.get(expert.availability, 1.0)
            matches.append(Match(expert, round(score, 2), reasons))
    return ranked(matches, limit)

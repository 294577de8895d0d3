"""The Connection Hub: a state, a local government or a network asks for support (a demand),
members of the Network say what they can provide (offers), and the platform ranks the offers
and experts that fit each demand, with the reasons a person can read.

A demand moves open -> matched (with an offer, an expert or both) -> in progress -> completed
(with an outcome report), or closed with a reason from any state that is not final. Every
change checks the version the caller read (`core.services.update_versioned`), is audited and
e-mails the requesting organization's writers, the matched offer's organization and the matched
expert. A completed demand's outcome can become a draft practice resource.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.accounts.models import Organization, User
from migration_hub.core import audit
from migration_hub.core import search as core_search
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country
from migration_hub.core.permissions import require
from migration_hub.core.services import update_versioned
from migration_hub.registry.models import FrameworkItem

from ..choices import DemandStatus, ResourceKind
from ..matching import Match, ranked, shared
from ..models import Demand, ExpertProfile, Offer, Resource
from ..notifications import notify, translated_later
from ..permissions import WRITER_ROLES

# Organizations that may ask for support: states (ministries, parliaments), networks, and local
# governments, which the accounts app files under "other" (it has no kind of their own).
DEMAND_ORGANIZATION_KINDS = (
    OrganizationKind.MINISTRY,
    OrganizationKind.PARLIAMENT,
    OrganizationKind.NETWORK_SECRETARIAT,
    OrganizationKind.OTHER,
)
FINAL_STATUSES = (DemandStatus.COMPLETED, DemandStatus.CLOSED)
MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_REASON = 2_000
OBJECTIVE_PREFIX = "GCM-O"
THEME_PREFIX = "MIGOF-TA-"
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

# Points per shared feature when ranking an offer for a demand.
OBJECTIVE_POINTS = 3.0
THEME_POINTS = 2.0
COUNTRY_POINTS = 2.0
ANY_COUNTRY_POINTS = 0.5
LANGUAGE_POINTS = 1.0
WORD_POINTS = 0.5
MAX_WORD_POINTS = 3.0
MIN_WORD_LENGTH = 4
# Common words of the UN languages written in Latin script that say nothing about a need.
STOP_WORDS = frozenset(
    core_search.normalise(
        "about also been being between could from have into more most need needs needed other "
        "ours over should some such than that their them then there these they this those "
        "through under very want were what when where which while will with within would your "
        "support help country countries government ministry national local capacity "
        "avec dans pour elle elles nous vous sont leur leurs cette celui comme plus mais être "
        "avoir besoin pays gouvernement appui para como esta este estos estas pero sobre entre "
        "desde tiene tienen nuestro nuestra necesita apoyo gobierno"
    ).split()
)


# --- helpers ------------------------------------------------------------------------------------


def _reject_nul(field: str, value: str) -> None:
    if "\x00" in value:
        raise ValidationError({field: _("Remove the null character (\\x00) from this text.")})


def _text(field: str, value: Any, *, required: bool, max_length: int) -> str:
    text = str(value or "").strip()
    _reject_nul(field, text)
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("Write at most %(limit)s characters (this has %(count)s).")
                % {"limit": max_length, "count": len(text)}
            }
        )
    return text


def _framework_items(values: Iterable[Any], *, field: str, prefix: str) -> list[FrameworkItem]:
    """FrameworkItems from items, numbers ("5", 5) or codes ("GCM-O5", "MIGOF-TA-05"), checked
    to belong to the right framework; a ValidationError names the field and the bad values."""
    items: list[FrameworkItem] = []
    wanted: list[str] = []
    for value in values or ():
        if isinstance(value, FrameworkItem):
            if not value.code.startswith(prefix):
                raise ValidationError(
                    {field: _("%(code)s does not belong here.") % {"code": value.code}}
                )
            items.append(value)
            continue
        text = str(value).strip().upper()
        if text.isdigit():
            number = int(text)
            text = f"{prefix}{number:02d}" if prefix == THEME_PREFIX else f"{prefix}{number}"
        wanted.append(text)
    if wanted:
        found = {
            item.code: item
            for item in FrameworkItem.objects.filter(code__in=wanted, code__startswith=prefix)
        }
        unknown = [code for code in wanted if code not in found]
        if unknown:
            raise ValidationError(
                {field: _("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown[:10])}}
            )
        items += [found[code] for code in wanted]
    unique: dict[int, FrameworkItem] = {item.pk: item for item in items}
    return list(unique.values())


def _country(value: Any, field: str = "country") -> Country:
    if isinstance(value, Country):
        return value
    code = str(value or "").strip().upper()
    country = None
    if len(code) == 3:
        country = Country.objects.filter(alpha3=code).first()
    elif len(code) == 2:
        country = Country.objects.filter(alpha2=code).first()
    if country is None:
        raise ValidationError(
            {field: _("Choose a country (an ISO alpha-3 or alpha-2 code such as KEN or KE).")}
        )
    return country


def _countries(values: Iterable[Any], field: str = "countries") -> list[Country]:
    return list({country.pk: country for country in (_country(v, field) for v in values)}.values())


def _language(value: Any, field: str = "language") -> str:
    code = str(value or "").strip().lower()
    if code == "zh":
        code = "zh-hans"
    if code not in LANGUAGE_CODES:
        raise ValidationError(
            {
                field: _("Choose one of the UN languages: %(codes)s.")
                % {"codes": ", ".join(LANGUAGE_CODES)}
            }
        )
    return code


def writers_of(organization: Organization | None) -> QuerySet[User]:
    """The people who may act for an organization: its contributors, editors, administrators."""
    if organization is None:
        return User.objects.none()
    return User.objects.filter(
        memberships__organization=organization, memberships__role__in=WRITER_ROLES, is_active=True
    ).distinct()


def may_write_for(actor: Any, organization: Organization) -> bool:
    """True when `actor` holds a writer role in `organization`, is a Hub editor or is the system."""
    if actor is None:
        return True
    return bool(actor.has_perm("knowledge.change_demand", Demand(organization=organization)))


def _require_writer(actor: Any, organization: Organization, perm: str) -> None:
    require(actor, perm)
    if not may_write_for(actor, organization):
        raise ValidationError(
            {
                "organization": _("You do not write for %(organization)s.")
                % {"organization": organization}
            }
        )


def words(text: str) -> list[str]:
    """The meaningful words of a text, normalised as the search index does, in order."""
    seen: dict[str, None] = {}
    for word in core_search.normalise(text).split():
        if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


# --- demands and offers -------------------------------------------------------------------------


@transaction.atomic
def post_demand(
    actor: Any,
    *,
    organization: Organization,
    title: str,
    need: str,
    objectives: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    country: Any,
    deadline: date | None = None,
    language: str = "en",
    is_sample: bool = False,
) -> Demand:
    """A state, a local government or a network asks for support; the demand opens."""
    if organization is None:
        raise ValidationError({"organization": _("Choose the requesting organization.")})
    _require_writer(actor, organization, "knowledge.add_demand")
    if organization.kind not in DEMAND_ORGANIZATION_KINDS:
        raise ValidationError(
            {
                "organization": _(
                    "Demands are posted by states, local governments and networks; "
                    "%(organization)s is registered as: %(kind)s."
                )
                % {"organization": organization, "kind": organization.get_kind_display()}
            }
        )
    title = _text("title", title, required=True, max_length=MAX_TITLE)
    need = _text("need", need, required=True, max_length=MAX_TEXT)
    objective_items = _framework_items(objectives, field="objectives", prefix=OBJECTIVE_PREFIX)
    theme_items = _framework_items(themes, field="themes", prefix=THEME_PREFIX)
    country = _country(country)
    language = _language(language)
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The date by which support is needed has passed.")})
    demand = Demand(
        organization=organization,
        title=title,
        need=need,
        country=country,
        deadline=deadline,
        language=language,
        is_sample=is_sample,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    demand.full_clean()
    demand.save()
    demand.objectives.set(objective_items)
    demand.themes.set(theme_items)
    audit.record(
        actor,
        AuditAction.CREATE,
        demand,
        organization_id=organization.pk,
        metadata={"status": demand.status},
    )
    return demand


def _update_with_related(
    actor: Any,
    obj: Demand | Offer,
    *,
    expected_version: int,
    changes: dict[str, Any],
    related: dict[str, tuple[list[Any], str]],
) -> Any:
    """`update_versioned` of a demand or an offer with `changes`, then each many-to-many
    relation of `related` (name -> (the new items, the field naming them)) set to its items;
    a change of the related items is audited apart, by their names, when there is one."""
    before = {
        name: sorted(getattr(obj, name).values_list(key, flat=True))
        for name, (_items, key) in related.items()
    }
    updated = update_versioned(
        obj,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        organization_id=obj.organization_id,
    )
    for name, (items, _key) in related.items():
        getattr(updated, name).set(items)
    after = {
        name: sorted(getattr(item, key) for item in items) for name, (items, key) in related.items()
    }
    if before != after:
        audit.record(
            actor,
            AuditAction.UPDATE,
            updated,
            changes=audit.diff(before, after),
            organization_id=obj.organization_id,
        )
    return updated


@transaction.atomic
def update_demand(
    actor: Any,
    demand: Demand,
    *,
    expected_version: int,
    title: str,
    need: str,
    objectives: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    country: Any,
    deadline: date | None = None,
    language: str = "en",
) -> Demand:
    """Edit what is asked for while the demand is not final; refuses a stale version."""
    require(actor, "knowledge.change_demand", demand)
    if demand.status in FINAL_STATUSES:
        raise ValidationError(
            {"status": _("A completed or closed demand can no longer be edited.")}
        )
    objective_items = _framework_items(objectives, field="objectives", prefix=OBJECTIVE_PREFIX)
    theme_items = _framework_items(themes, field="themes", prefix=THEME_PREFIX)
    return _update_with_related(
        actor,
        demand,
        expected_version=expected_version,
        changes={
            "title": _text("title", title, required=True, max_length=MAX_TITLE),
            "need": _text("need", need, required=True, max_length=MAX_TEXT),
            "country": _country(country),
            "deadline": deadline,
            "language": _language(language),
        },
        related={"objectives": (objective_items, "code"), "themes": (theme_items, "code")},
    )


@transaction.atomic
def post_offer(
    actor: Any,
    *,
    organization: Organization,
    title: str,
    description: str,
    objectives: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    countries: Iterable[Any] = (),
    languages: Iterable[str] = (),
    is_sample: bool = False,
) -> Offer:
    """A member says what it can provide; no countries means open to every country."""
    if organization is None:
        raise ValidationError({"organization": _("Choose the offering organization.")})
    _require_writer(actor, organization, "knowledge.add_offer")
    offer = Offer(
        organization=organization,
        title=_text("title", title, required=True, max_length=MAX_TITLE),
        description=_text("description", description, required=True, max_length=MAX_TEXT),
        languages=list(dict.fromkeys(_language(code, "languages") for code in languages)),
        is_sample=is_sample,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    objective_items = _framework_items(objectives, field="objectives", prefix=OBJECTIVE_PREFIX)
    theme_items = _framework_items(themes, field="themes", prefix=THEME_PREFIX)
    country_items = _countries(countries)
    offer.full_clean()
    offer.save()
    offer.objectives.set(objective_items)
    offer.themes.set(theme_items)
    offer.countries.set(country_items)
    audit.record(actor, AuditAction.CREATE, offer, organization_id=organization.pk)
    return offer


@transaction.atomic
def update_offer(
    actor: Any,
    offer: Offer,
    *,
    expected_version: int,
    title: str,
    description: str,
    objectives: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    countries: Iterable[Any] = (),
    languages: Iterable[str] = (),
    active: bool = True,
) -> Offer:
    """Edit an offer, or withdraw it (`active=False`); refuses a stale version."""
    require(actor, "knowledge.change_offer", offer)
    objective_items = _framework_items(objectives, field="objectives", prefix=OBJECTIVE_PREFIX)
    theme_items = _framework_items(themes, field="themes", prefix=THEME_PREFIX)
    country_items = _countries(countries)
    return _update_with_related(
        actor,
        offer,
        expected_version=expected_version,
        changes={
            "title": _text("title", title, required=True, max_length=MAX_TITLE),
            "description": _text("description", description, required=True, max_length=MAX_TEXT),
            "languages": list(dict.fromkeys(_language(code, "languages") for code in languages)),
            "active": bool(active),
        },
        related={
            "objectives": (objective_items, "code"),
            "themes": (theme_items, "code"),
            "countries": (country_items, "alpha3"),
        },
    )


# --- ranking --------------------------------------------------------------------------------


def _objective_reason(items: list[FrameworkItem]) -> str:
    numbers = ", ".join(item.number or item.code for item in items)
    return ngettext(
        "Works on objective %(numbers)s", "Works on objectives %(numbers)s", len(items)
    ) % {"numbers": numbers}


def _theme_reason(items: list[FrameworkItem]) -> str:
    titles = "; ".join(item.short_title or item.title for item in items)
    return ngettext(
        "Works on the thematic area %(titles)s",
        "Works on the thematic areas %(titles)s",
        len(items),
    ) % {"titles": titles}


def offer_match(
    demand: Demand,
    offer: Offer,
    *,
    need_words: list[str] | None = None,
    wanted: tuple[list[FrameworkItem], list[FrameworkItem]] | None = None,
) -> Match:
    """How well one offer fits a demand, with a reason per shared feature. The score is 0 (no
    match) when the offer shares no objective, thematic area or word of the need with the
    demand, or when it names countries and the demand's is not one of them."""
    reasons: list[str] = []
    score = 0.0
    demand_objectives, demand_themes = wanted or (
        list(demand.objectives.all()),
        list(demand.themes.all()),
    )
    objectives = shared(demand_objectives, offer.objectives.all())
    if objectives:
        score += OBJECTIVE_POINTS * len(objectives)
        reasons.append(_objective_reason(objectives))
    themes = shared(demand_themes, offer.themes.all())
    if themes:
        score += THEME_POINTS * len(themes)
        reasons.append(_theme_reason(themes))
    need_words = need_words if need_words is not None else words(f"{demand.title} {demand.need}")
    common = shared(need_words, words(f"{offer.title} {offer.description}"))
    if common:
        score += min(MAX_WORD_POINTS, WORD_POINTS * len(common))
        reasons.append(
            _("Its description mentions %(words)s")
            % {"words": ", ".join(f"“{word}”" for word in common[:8])}
        )
    if score == 0:
        return Match(offer, 0.0, [])
    covered = list(offer.countries.all())
    if covered:
        if demand.country_id not in {country.pk for country in covered}:
            return Match(offer, 0.0, [])
        score += COUNTRY_POINTS
        reasons.append(_("Covers %(country)s") % {"country": demand.country.name})
    else:
        score += ANY_COUNTRY_POINTS
        reasons.append(_("Open to every country"))
    if demand.language in (offer.languages or []):
        score += LANGUAGE_POINTS
        reasons.append(_("Works in %(language)s") % {"language": _language_name(demand.language)})
    return Match(offer, score, reasons)


def candidate_offers() -> QuerySet[Offer]:
    """Active offers with what ranking reads, fetched in a fixed number of queries."""
    return (
        Offer.objects.filter(active=True)
        .select_related("organization")
        .prefetch_related(
            Prefetch("objectives", queryset=FrameworkItem.objects.order_by("position", "code")),
            Prefetch("themes", queryset=FrameworkItem.objects.order_by("position", "code")),
            "countries",
        )
    )


def rank_offers(demand: Demand, *, limit: int = 10) -> list[Match]:
    """Active offers of other organizations that fit the demand, best first, with reasons."""
    need_words = words(f"{demand.title} {demand.need}")
    wanted = (list(demand.objectives.all()), list(demand.themes.all()))
    offers = candidate_offers().exclude(organization_id=demand.organization_id)
    return ranked(
        (offer_match(demand, offer, need_words=need_words, wanted=wanted) for offer in offers),
        limit=limit,
    )


def rank_experts(demand: Demand, *, limit: int = 10) -> list[Match]:
    """Listed experts who fit the demand (services.experts.find_experts), best first, with
    reasons. The requesting organization's own people are left out, and so are experts who
    share only a language or a place with the demand: each must share an objective, a
    thematic area or words of the need."""
    from . import experts

    question = f"{demand.title} {demand.need}"
    objectives = list(demand.objectives.all())
    themes = list(demand.themes.all())
    own = [demand.organization]
    topical = {
        match.item.pk
        for match in experts.find_experts(
            question, objectives=objectives, themes=themes, exclude_organizations=own, limit=None
        )
    }
    if not topical:
        return []
    matches = experts.find_experts(
        question,
        objectives=objectives,
        themes=themes,
        languages=[demand.language],
        country=demand.country,
        exclude_organizations=own,
        limit=None,
    )
    return [match for match in matches if match.item.pk in topical][:limit]


# --- the workflow ----------------------------------------------------------------------------


def _status_subject(demand: Demand, status: str) -> Any:
    """The e-mail subject, translated when rendered in each recipient's language."""
    return translated_later(
        gettext_noop("Demand “%(title)s”: %(status)s"),
        title=demand.title[:80],
        status=DemandStatus(status).label,
    )


def _notify(demand: Demand, actor: Any, *, reason: str = "", tell_expert: bool = True) -> int:
    users: list[Any] = list(writers_of(demand.organization))
    if demand.matched_offer_id:
        users += list(writers_of(demand.matched_offer.organization))
    if tell_expert and demand.matched_expert_id and demand.matched_expert.is_listed:
        users.append(demand.matched_expert.user)
    return notify(
        users,
        _status_subject(demand, demand.status),
        "demand_status.txt",
        {
            "demand": demand,
            "status": demand.status,
            "actor": actor,
            "reason": reason,
            "site_url": getattr(settings, "SITE_URL", ""),
        },
    )


def _expected(demand: Demand, expected_version: int | None) -> int:
    return demand.version if expected_version is None else expected_version


def _transition(
    actor: Any,
    demand: Demand,
    *,
    status: str,
    expected_version: int | None,
    reason: str = "",
    tell_expert: bool = True,
    **changes: Any,
) -> Demand:
    updated = update_versioned(
        demand,
        actor=actor,
        expected_version=_expected(demand, expected_version),
        changes={"status": status, "status_changed_at": timezone.now(), **changes},
        organization_id=demand.organization_id,
    )
    _notify(updated, actor, reason=reason, tell_expert=tell_expert)
    return updated


def _refuse_final(demand: Demand) -> None:
    if demand.status == DemandStatus.COMPLETED:
        raise ValidationError({"status": _("This demand is already completed.")})
    if demand.status == DemandStatus.CLOSED:
        raise ValidationError({"status": _("This demand is closed.")})


@transaction.atomic
def match_demand(
    actor: Any,
    demand: Demand,
    *,
    offer: Offer | None = None,
    expert: ExpertProfile | None = None,
    expected_version: int | None = None,
) -> Demand:
    """Match an open demand (or change the match of a matched one) with an offer, an expert,
    or both."""
    require(actor, "knowledge.change_demand", demand)
    _refuse_final(demand)
    if demand.status == DemandStatus.IN_PROGRESS:
        raise ValidationError(
            {"status": _("The work has started: the match can no longer be changed.")}
        )
    if offer is None and expert is None:
        raise ValidationError(
            {"offer": _("Name the offer or the expert that will answer this demand.")}
        )
    if offer is not None:
        if not offer.active:
            raise ValidationError({"offer": _("This offer has been withdrawn.")})
        if offer.organization_id == demand.organization_id:
            raise ValidationError(
                {"offer": _("An organization cannot answer its own demand with its own offer.")}
            )
    if expert is not None and not expert.is_listed:
        raise ValidationError({"expert": _("This expert is not listed in the expert database.")})
    if (
        demand.status == DemandStatus.MATCHED
        and demand.matched_offer_id == (offer.pk if offer else None)
        and demand.matched_expert_id == (expert.pk if expert else None)
    ):
        raise ValidationError({"offer": _("The demand is already matched with this.")})
    return _transition(
        actor,
        demand,
        status=DemandStatus.MATCHED,
        expected_version=expected_version,
        # An expert hears of a match once, when it first names them, not at every change.
        tell_expert=expert is not None and expert.pk != demand.matched_expert_id,
        matched_offer=offer,
        matched_expert=expert,
    )


@transaction.atomic
def start_work(actor: Any, demand: Demand, *, expected_version: int | None = None) -> Demand:
    """The matched partners start the work."""
    require(actor, "knowledge.change_demand", demand)
    _refuse_final(demand)
    if demand.status == DemandStatus.OPEN:
        raise ValidationError(
            {"status": _("Match the demand with an offer or an expert before starting the work.")}
        )
    if demand.status == DemandStatus.IN_PROGRESS:
        raise ValidationError({"status": _("The work has already started.")})
    return _transition(
        actor, demand, status=DemandStatus.IN_PROGRESS, expected_version=expected_version
    )


@transaction.atomic
def report_outcome(
    actor: Any, demand: Demand, *, outcome: str, expected_version: int | None = None
) -> Demand:
    """The work is done: the outcome report completes the demand."""
    require(actor, "knowledge.change_demand", demand)
    _refuse_final(demand)
    if demand.status == DemandStatus.OPEN:
        raise ValidationError(
            {
                "outcome": _(
                    "The outcome cannot be reported before the demand is matched with an offer "
                    "or an expert."
                )
            }
        )
    if demand.status == DemandStatus.MATCHED:
        raise ValidationError({"outcome": _("Start the work before reporting its outcome.")})
    outcome = _text("outcome", outcome, required=True, max_length=MAX_TEXT)
    return _transition(
        actor,
        demand,
        status=DemandStatus.COMPLETED,
        expected_version=expected_version,
        outcome=outcome,
    )


@transaction.atomic
def close_demand(
    actor: Any, demand: Demand, *, reason: str = "", expected_version: int | None = None
) -> Demand:
    """Close a demand that will not be completed, saying why; the reason is kept in the
    demand's outcome field (what came of it) and in the audit trail."""
    require(actor, "knowledge.change_demand", demand)
    _refuse_final(demand)
    reason = _text("reason", reason, required=True, max_length=MAX_REASON)
    updated = _transition(
        actor,
        demand,
        status=DemandStatus.CLOSED,
        expected_version=expected_version,
        reason=reason,
        outcome=reason,
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        updated,
        organization_id=demand.organization_id,
        metadata={"closed_from": demand.status, "reason": reason},
    )
    return updated


@transaction.atomic
def outcome_to_practice(
    actor: Any, demand: Demand, *, expected_version: int | None = None
) -> Resource:
    """Write a completed demand's outcome up as a draft practice of the requesting
    organization, tagged like the demand; the demand links to it."""
    require(actor, "knowledge.change_demand", demand)
    if demand.status != DemandStatus.COMPLETED:
        raise ValidationError(
            {"status": _("Only a completed demand's outcome can become a practice.")}
        )
    if demand.outcome_resource_id:
        raise ValidationError(
            {"outcome_resource": _("This outcome has already been turned into a practice.")}
        )
    from . import resources

    summary = demand.outcome
    partner = demand.matched_offer.organization.name if demand.matched_offer_id else ""
    if partner:
        summary += "\n\n" + _("Support provided by %(partner)s through the Connection Hub.") % {
            "partner": partner
        }
    resource = resources.create_resource(
        actor,
        organization=demand.organization,
        kind=ResourceKind.PRACTICE,
        language=demand.language,
        translations={demand.language: {"title": demand.title, "summary": summary}},
        countries=[demand.country],
        objectives=list(demand.objectives.all()),
        themes=list(demand.themes.all()),
        year=timezone.localdate().year,
        is_sample=demand.is_sample,
        note=_("Written from the outcome of a Connection Hub demand."),
    )
    update_versioned(
        demand,
        actor=actor,
        expected_version=_expected(demand, expected_version),
        changes={"outcome_resource": resource},
        organization_id=demand.organization_id,
    )
    demand.refresh_from_db()
    return resource

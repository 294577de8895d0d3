"""Forms of the experts and discussions pages. They only collect input; the services
(`services/experts.py`, `services/discussions.py`) check the rules and write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from migration_hub.core.forms import SummaryForm
from migration_hub.core.models import Country, Region
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from .choices import Availability, DigestFrequency
from .models import Space
from .services import discussions as discussion_services
from .services import experts as expert_services

MARKDOWN_HELP = _("Markdown: **bold**, _italic_, [a link](https://example.org), lists with -.")


def objectives() -> QuerySet[FrameworkItem]:
    return FrameworkItem.objects.filter(kind="objective", code__startswith="GCM-O").order_by(
        "position", "code"
    )


def thematic_areas() -> QuerySet[FrameworkItem]:
    return FrameworkItem.objects.filter(kind="thematic-area").order_by("position", "code")


def objective_label(item: FrameworkItem) -> str:
    title = item.short_title or item.title
    return str(_("Objective %(number)s: %(title)s") % {"number": item.number, "title": title})


def theme_label(item: FrameworkItem) -> str:
    return item.short_title or item.title


class FindExpertsForm(SummaryForm):
    """ "Find experts": a question in words, narrowed by objective, theme, language and place."""

    question = forms.CharField(
        label=_("Your question"),
        required=False,
        max_length=1000,
        help_text=_("Say in a few words what you need help with."),
    )
    objective = forms.ModelChoiceField(
        label=_("GCM objective"),
        queryset=FrameworkItem.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Any objective"),
    )
    theme = forms.ModelChoiceField(
        label=_("Thematic area"),
        queryset=FrameworkItem.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Any thematic area"),
    )
    language = forms.ChoiceField(label=_("Speaks"), required=False)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name"),
        required=False,
        to_field_name="m49_code",
        empty_label=_("Any region"),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name"),
        required=False,
        to_field_name="alpha3",
        empty_label=_("Any country"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = objectives()
        self.fields["objective"].label_from_instance = objective_label
        self.fields["theme"].queryset = thematic_areas()
        self.fields["theme"].label_from_instance = theme_label
        self.fields["language"].choices = [
            ("", _("Any language")),
            *expert_services.language_choices(),
        ]

    def has_criteria(self) -> bool:
        data = self.cleaned_data
        return any(data.get(name) for name in self.fields)

    def search_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "question": data.get("question") or "",
            "objectives": [data["objective"]] if data.get("objective") else [],
            "themes": [data["theme"]] if data.get("theme") else [],
            "languages": [data["language"]] if data.get("language") else [],
            "regions": [data["region"]] if data.get("region") else [],
            "country": data.get("country"),
        }


class ExpertProfileForm(SummaryForm):
    """The person's own expert profile, with the version it was opened at."""

    opted_in = forms.BooleanField(
        label=_("List my profile in the expert database"),
        required=False,
        help_text=_(
            'Others find you in search, "find experts" and the API, and can write to you '
            "through the platform. Your e-mail address is never shown. Untick to hide your "
            "profile at once."
        ),
    )
    display_name = forms.CharField(label=_("Name shown"), max_length=150)
    headline = forms.CharField(
        label=_("Headline"),
        max_length=200,
        required=False,
        help_text=_('One line on your expertise, e.g. "Labour migration and skills partnerships".'),
    )
    bio = forms.CharField(
        label=_("About"),
        required=False,
        max_length=expert_services.MAX_BIO,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=RegistryOrganization.objects.order_by("name"),
        required=False,
        empty_label=_("None or not in the registry"),
    )
    availability = forms.ChoiceField(
        label=_("Availability"), choices=Availability.choices, widget=forms.RadioSelect
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("GCM objectives you work on"),
        queryset=FrameworkItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Thematic areas"),
        queryset=FrameworkItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you work in"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions you work in"),
        queryset=Region.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries you work in"),
        queryset=Country.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = objectives()
        self.fields["objectives"].label_from_instance = objective_label
        self.fields["themes"].queryset = thematic_areas()
        self.fields["themes"].label_from_instance = theme_label
        self.fields["languages"].choices = expert_services.language_choices()

    @staticmethod
    def initial_for(profile: Any, user: Any) -> dict[str, Any]:
        if profile is None:
            return {
                "display_name": user.get_full_name() or user.username,
                "availability": Availability.AVAILABLE,
                "languages": [str(user.preferred_language or "en").split("-")[0]],
            }
        return {
            "opted_in": profile.opted_in,
            "display_name": profile.display_name,
            "headline": profile.headline,
            "bio": profile.bio,
            "organization": profile.organization,
            "availability": profile.availability,
            "objectives": list(profile.objectives.all()),
            "themes": list(profile.themes.all()),
            "languages": profile.languages,
            "regions": list(profile.regions.all()),
            "countries": list(profile.countries.all()),
            "expected_version": profile.version,
        }

    def profile_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in expert_services.PROFILE_FIELDS if name in data}


class ContactExpertForm(SummaryForm):
    subject = forms.CharField(label=_("Subject"), max_length=expert_services.MAX_SUBJECT)
    body = forms.CharField(
        label=_("Message"),
        max_length=expert_services.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The expert receives your name and this message by e-mail; neither of you sees the "
            "other's e-mail address. They answer through the platform."
        ),
    )


class AnswerMessageForm(SummaryForm):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=expert_services.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent by e-mail to the person who wrote, without your address."),
    )


# --- discussions ---------------------------------------------------------------------------


class SpaceForm(SummaryForm):
    """A new discussion space (Hub editors)."""

    title = forms.CharField(label=_("Title"), max_length=discussion_services.MAX_TITLE)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        help_text=_("Letters, digits and hyphens; the space's page is /hub/spaces/<address>/."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    theme = forms.ModelChoiceField(
        label=_("Thematic area"),
        queryset=FrameworkItem.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to open at once."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to keep the space open."),
    )
    questions = forms.CharField(
        label=_("Questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line; they are numbered Q.1, Q.2 ... in this order."),
    )
    moderators = forms.CharField(
        label=_("Moderators"),
        required=False,
        help_text=_("Usernames separated by commas. The Hub's editors moderate every space."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = thematic_areas()
        self.fields["theme"].label_from_instance = theme_label

    def clean_moderators(self) -> list[Any]:
        names = [name.strip() for name in self.cleaned_data["moderators"].split(",")]
        names = [name for name in names if name]
        users = list(get_user_model().objects.filter(username__in=names, is_active=True))
        missing = sorted(set(names) - {user.username for user in users})
        if missing:
            raise ValidationError(
                _("No account with the username %(names)s.") % {"names": ", ".join(missing)}
            )
        return users

    def clean_questions(self) -> list[str]:
        lines = self.cleaned_data["questions"].splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("opens_at", "closes_at"):
            value: datetime | None = data.get(name)
            if value is not None and timezone.is_naive(value):
                data[name] = timezone.make_aware(value)
        return data


class ThreadForm(SummaryForm):
    question = forms.TypedChoiceField(
        label=_("Question"), required=False, coerce=int, empty_value=None
    )
    title = forms.CharField(label=_("Title"), max_length=discussion_services.MAX_TITLE)
    body = forms.CharField(
        label=_("Message"),
        max_length=discussion_services.MAX_POST,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = list(space.questions.all())
        if questions:
            self.fields["question"].choices = [
                ("", _("General discussion")),
                *((str(q.number), f"Q.{q.number} {q.text[:100]}") for q in questions),
            ]
        else:
            del self.fields["question"]


class ReplyForm(SummaryForm):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=discussion_services.MAX_POST,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )


class SubscribeForm(SummaryForm):
    frequency = forms.ChoiceField(
        label=_("E-mail me"),
        choices=DigestFrequency.choices,
        initial=DigestFrequency.DAILY,
        widget=forms.RadioSelect,
    )


class ReportForm(SummaryForm):
    reason = forms.CharField(label=_("Why should a moderator look at this post?"), max_length=500)


class HideForm(SummaryForm):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        max_length=discussion_services.MAX_REASON,
        help_text=_("Kept in the audit log and shown to the moderators."),
    )


class QuestionForm(SummaryForm):
    text = forms.CharField(
        label=_("New question"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

"""Protocols and the reference data their rules read: versioned, dated and sourced."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import Destination


class CountryList(models.Model):
    """One dated version of a country list a protocol reads (the UK's Appendix T, Australia's
    lower-risk Schedule 1, ...). The version in force on the exam date is the one applied."""

    code = models.SlugField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    countries = models.JSONField(
        _("countries"), default=list, help_text=_("ISO 3166 alpha-2 codes of the members.")
    )
    source_title = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("country list")
        verbose_name_plural = _("country lists")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="%(app_label)s_%(class)s_one_per_date"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="%(app_label)s_%(class)s_period_forward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.effective_from:%Y-%m-%d})"


class TbIncidence(models.Model):
    """WHO's estimated TB incidence for one country and year, from one release of the estimates.

    `per_100k` is empty when WHO lists the country without an estimate."""

    country = models.CharField(_("country"), max_length=2, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    per_100k = models.DecimalField(
        _("incidence per 100,000"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    release = models.CharField(_("release"), max_length=100)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["country", "-year"]
        verbose_name = _("TB incidence estimate")
        verbose_name_plural = _("TB incidence estimates")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "year"], name="%(app_label)s_%(class)s_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.year}: {self.per_100k}"


class ProtocolVersion(models.Model):
    """One version of a receiving country's protocol, as loaded from its file."""

    protocol = models.SlugField(_("protocol"), max_length=64)
    destination = models.CharField(_("destination"), max_length=2, choices=Destination.choices)
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=32)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    document = models.JSONField(_("document"))
    text = models.TextField(_("file text"))
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        ordering = ["destination", "protocol", "-effective_from"]
        verbose_name = _("protocol version")
        verbose_name_plural = _("protocol versions")
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "version"], name="%(app_label)s_%(class)s_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="%(app_label)s_%(class)s_period_forward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("health:protocol_detail", args=[self.protocol]) + f"#v-{self.version}"

    @property
    def sources(self) -> list[dict]:
        return list(self.document.get("sources", []))

from __future__ import annotations

from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rules.contrib.views import PermissionRequiredMixin

from migration_hub.core.exports import Column
from migration_hub.core.services import ConflictError
from migration_hub.core.views import FilteredListView

from . import selectors, services
from .filtersets import OrganizationFilterSet
from .forms import OrganizationForm, TwoFactorTokenForm
from .models import Organization


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("core:home")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("core:home")


class OrganizationListView(FilteredListView):
    permission_required = "accounts.view_organization"
    filterset_class = OrganizationFilterSet
    template_name = "accounts/organization_list.html"
    export_name = "organizations"
    export_columns = [
        Column(gettext_lazy("Code"), "code"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Acronym"), "acronym"),
        Column(gettext_lazy("Kind"), "kind"),
        Column(gettext_lazy("Country of headquarters"), "country__alpha3"),
        Column(gettext_lazy("Website"), "website"),
    ]

    def get_base_queryset(self) -> QuerySet[Organization]:
        return selectors.organizations()


class OrganizationDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "accounts.view_organization"
    template_name = "accounts/organization_detail.html"
    context_object_name = "organization"

    def get_object(self, queryset: QuerySet | None = None) -> Organization:
        return get_object_or_404(selectors.organizations(), code=self.kwargs["code"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["offices"] = self.object.offices.select_related("country")
        context["can_change"] = user.has_perm("accounts.change_organization", self.object)
        context["members"] = selectors.memberships_for(user).filter(organization=self.object)
        return context


class OrganizationUpdateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "accounts.change_organization"
    template_name = "accounts/organization_form.html"

    def get_permission_object(self) -> Organization:
        if not hasattr(self, "organization"):
            self.organization = get_object_or_404(
                selectors.organizations(), code=self.kwargs["code"]
            )
        return self.organization

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        organization = self.get_permission_object()
        form = OrganizationForm(
            instance=organization,
            initial={"version": organization.version},
            can_change_kind=request.user.is_superuser,
        )
        return render(request, self.template_name, {"form": form, "organization": organization})

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        organization = self.get_permission_object()
        form = OrganizationForm(
            request.POST,
            instance=Organization.objects.get(pk=organization.pk),
            can_change_kind=request.user.is_superuser,
        )
        status = 200
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in OrganizationForm.Meta.fields}
            try:
                services.update_organization(
                    organization,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                )
            except ConflictError as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(organization.get_absolute_url())
        else:
            status = 400
        return render(
            request,
            self.template_name,
            {"form": form, "organization": organization},
            status=status,
        )


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["memberships"] = user.memberships.select_related("organization")
        context["has_two_factor"] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        context["two_factor_required"] = selectors.two_factor_required(user)
        return context


class ApiTokenView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        token = services.rotate_api_token(user=request.user)
        # Shown once: the page that follows is the only place the key appears.
        return render(request, "accounts/api_token.html", {"token": token.key})


def _throttle_message(device: TOTPDevice) -> str | None:
    """A message when django-otp holds back further attempts after wrong codes."""
    allowed, _details = device.verify_is_allowed()
    if allowed:
        return None
    return _("Too many wrong codes. Wait a few seconds, then type the code currently shown.")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


class TwoFactorSetupView(LoginRequiredMixin, View):
    """Enrol an authenticator app. Replacing an existing one needs a verified session first,
    so a stolen password alone cannot swap in the thief's authenticator."""

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        ):
            return HttpResponseRedirect(
                f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor_setup')}"
            )
        return super().dispatch(request, *args, **kwargs)

    def _device(self, request: HttpRequest) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        return device or services.start_totp_enrolment(user=request.user)

    def _render(
        self, request: HttpRequest, form: TwoFactorTokenForm, status: int = 200
    ) -> HttpResponse:
        device = self._device(request)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr_svg": _qr_svg(device.config_url),
                "secret": b32encode(device.bin_key).decode(),
                "next": _safe_next(request),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TwoFactorTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TwoFactorTokenForm(request.POST)
        if form.is_valid():
            device = self._device(request)
            throttled = _throttle_message(device)
            if throttled:
                form.add_error("token", throttled)
            elif services.confirm_totp_enrolment(
                user=request.user, device=device, token=form.cleaned_data["token"]
            ):
                otp_login(request, device)
                messages.success(request, _("Two-factor sign-in is set up."))
                return HttpResponseRedirect(_safe_next(request))
            else:
                form.add_error(
                    "token",
                    _(
                        "That code is not valid. Check the clock of your phone "
                        "and type the code currently shown."
                    ),
                )
        return self._render(request, form, status=400)


class TwoFactorVerifyView(LoginRequiredMixin, View):
    template_name = "accounts/two_factor_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, self.template_name, {"form": TwoFactorTokenForm(), "next": _safe_next(request)}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TwoFactorTokenForm(request.POST)
        if form.is_valid():
            devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
            throttled = next(filter(None, map(_throttle_message, devices)), None)
            for device in [] if throttled else devices:
                if device.verify_token(form.cleaned_data["token"]):
                    otp_login(request, device)
                    return HttpResponseRedirect(_safe_next(request))
            form.add_error(
                "token",
                throttled
                or _(
                    "That code is not valid. Type the code currently shown "
                    "in your authenticator app."
                ),
            )
        return render(
            request, self.template_name, {"form": form, "next": _safe_next(request)}, status=400
        )

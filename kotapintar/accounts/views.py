"""Account pages: sign-up, verification, sign-in/out, staff two-factor, profile, my data."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from kotapintar.core.errors import DomainError

from . import forms, privacy, selectors, services, totp
from .contact import EMAIL, PHONE, identifier_for_login, mask_contact
from .errors import AccountError, ThrottledError

BACKEND = "kotapintar.accounts.backends.EmailOrPhoneBackend"


def _next_url(request: HttpRequest, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _with_next(url_name: str, next_url: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def apply_language(request: HttpRequest, response: HttpResponse, language: str) -> HttpResponse:
    """Make the account's language the one of the pages that follow."""
    if language not in dict(settings.LANGUAGES):
        return response
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _after_sign_in(request: HttpRequest, user, next_url: str) -> HttpResponse:
    if user.is_staff_member:
        target = _with_next("accounts:two_factor", next_url)
    elif not user.is_contact_verified:
        target = _with_next("accounts:verify", next_url)
    else:
        target = next_url
    return apply_language(request, redirect(target), user.preferred_language)


# --- Sign-up, verification, sign-in -----------------------------------------------------


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.citizen_signup(
                full_name=data["full_name"],
                contact=data["contact"].value,
                password=data["password1"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                privacy_consent=data["consent"],
            )
        except (AccountError, ValidationError) as exc:
            forms.apply_error(form, exc, default_field="contact")
        else:
            auth_login(request, user, backend=BACKEND)
            messages.success(
                request,
                _("Your account was created. Enter the code we sent to %(address)s.")
                % {"address": mask_contact(data["contact"].value)},
            )
            return redirect("accounts:verify")
    return render(request, "accounts/signup.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    pending = services.open_code(user)
    next_url = _next_url(request)
    if pending is None and user.is_contact_verified:
        return redirect(next_url if request.GET.get("next") else "accounts:profile")
    form = forms.VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_confirm(user=user, code=form.cleaned_data["code"])
        except AccountError as exc:
            forms.apply_error(form, exc, default_field="code")
        else:
            messages.success(request, _("Thank you: your address is confirmed."))
            return redirect(next_url)
    return _render_verify(request, form=form, pending=pending, next_url=next_url)


def _render_verify(request, *, form=None, replace_form=None, pending=None, next_url=None, status=200):
    user = request.user
    pending = pending if pending is not None else services.open_code(user)
    context = {
        "form": form or forms.VerifyForm(),
        "replace_form": None if user.is_contact_verified else (replace_form or forms.ContactReplaceForm()),
        "pending": pending,
        "expired": bool(pending and pending.expires_at <= timezone.now()),
        "target": mask_contact(pending.target) if pending else mask_contact(user.email or user.phone or ""),
        "channel": pending.channel if pending else (EMAIL if user.email else PHONE),
        "next": next_url or _next_url(request),
    }
    return render(request, "accounts/verify.html", context, status=status)


@login_required
@require_POST
def verify_resend(request: HttpRequest) -> HttpResponse:
    try:
        row = services.verification_resend(user=request.user)
    except ThrottledError as exc:
        messages.error(request, exc.message)
    except AccountError as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, _("A new code was sent to %(address)s.") % {"address": mask_contact(row.target)})
    return redirect(_with_next("accounts:verify", _next_url(request)))


@login_required
@require_POST
def verify_change(request: HttpRequest) -> HttpResponse:
    """An account that has not verified anything yet may fix a mistyped address."""
    user = request.user
    if user.is_contact_verified:
        return redirect("accounts:profile")
    replace_form = forms.ContactReplaceForm(request.POST)
    if replace_form.is_valid():
        contact = replace_form.cleaned_data["contact"]
        try:
            row = services.contact_change_request(user=user, channel=contact.channel, value=contact.value)
        except (AccountError, ValidationError) as exc:
            forms.apply_error(replace_form, exc, default_field="contact")
        else:
            messages.success(request, _("A code was sent to %(address)s.") % {"address": mask_contact(row.target)})
            return redirect(_with_next("accounts:verify", _next_url(request)))
    return _render_verify(request, replace_form=replace_form, status=400)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=identifier_for_login(form.cleaned_data["username"]),
            password=form.cleaned_data["password"],
        )
        if user is not None:
            auth_login(request, user)
            return _after_sign_in(request, user, next_url)
        # When django-axes locks the account out, its middleware answers instead of this page.
        form.add_error(None, _("The email/phone number or the password is not correct."))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("home")


# --- Staff two-factor -------------------------------------------------------------------


def _wrong_code_message(result: services.TwoFactorResult) -> str:
    if result.wait_seconds:
        return _("Too many wrong codes. Wait %(seconds)d seconds, then enter the new code.") % {
            "seconds": result.wait_seconds
        }
    return _("The code is not correct. Check that the time on your phone is right and try the new code.")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if not user.is_staff_member or user.is_verified():
        return redirect(next_url)
    if services.confirmed_device(user) is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = forms.TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.two_factor_verify(user=user, token=form.cleaned_data["code"])
        if result.ok:
            request.session.cycle_key()
            otp_login(request, result.device)
            return redirect(next_url)
        form.add_error("code", _wrong_code_message(result))
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if not user.is_staff_member:
        return redirect(next_url)
    if services.confirmed_device(user) is not None:
        return redirect(_with_next("accounts:two_factor", next_url))
    device = services.two_factor_device_ensure(user=user)
    form = forms.TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.two_factor_setup_confirm(user=user, token=form.cleaned_data["code"])
        if result.ok:
            request.session.cycle_key()
            otp_login(request, result.device)
            messages.success(request, _("Two-step verification is on. You will need a code at every sign-in."))
            return redirect(next_url)
        form.add_error("code", _wrong_code_message(result))
    uri = totp.otpauth_uri(device)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": totp.qr_svg(uri, title=_("QR code for your authenticator app")),
        "secret": totp.secret_for_display(device),
        "otpauth_uri": uri,
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "accounts/two_factor_setup.html", context)


# --- Profile ----------------------------------------------------------------------------

PROFILE_FORMS = {
    "profile": lambda request, data=None: forms.ProfileForm(
        data,
        prefix="profile",
        initial={"full_name": request.user.full_name, "preferred_language": request.user.preferred_language},
    ),
    "email": lambda request, data=None: forms.EmailChangeForm(data, prefix="email"),
    "phone": lambda request, data=None: forms.PhoneChangeForm(data, prefix="phone"),
    "nik": lambda request, data=None: forms.NikForm(data, prefix="nik"),
    "password": lambda request, data=None: forms.PasswordChangeForm(data, prefix="password", user=request.user),
}


def _render_profile(request: HttpRequest, *, bound: dict | None = None, status: int = 200, **extra) -> HttpResponse:
    user = request.user
    context = {name: factory(request) for name, factory in PROFILE_FORMS.items()}
    context = {f"{name}_form": form for name, form in context.items()}
    for name, form in (bound or {}).items():
        context[f"{name}_form"] = form
    context.update(
        {
            "nik_masked": selectors.nik_masked(user),
            "pending": services.open_code(user),
            "memberships": list(selectors.memberships_of(user)) if user.is_staff_member else [],
            "two_factor_enabled": selectors.two_factor_enabled(user) if user.is_staff_member else False,
        }
    )
    context.update(extra)
    return render(request, "accounts/profile.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_profile(request)
    form = PROFILE_FORMS["profile"](request, request.POST)
    if form.is_valid():
        try:
            user = services.user_profile_update(
                actor=request.user,
                user=request.user,
                full_name=form.cleaned_data["full_name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except (DomainError, ValidationError) as exc:
            forms.apply_error(form, exc)
        else:
            response = redirect("accounts:profile")
            apply_language(request, response, user.preferred_language)
            messages.success(request, _("Your profile was saved."))
            return response
    return _render_profile(request, bound={"profile": form}, status=400)


@login_required
@require_POST
def profile_contact(request: HttpRequest, channel: str) -> HttpResponse:
    name = "email" if channel == EMAIL else "phone"
    form = PROFILE_FORMS[name](request, request.POST)
    if form.is_valid():
        try:
            row = services.contact_change_request(user=request.user, channel=channel, value=form.cleaned_data[name])
        except (AccountError, ValidationError) as exc:
            forms.apply_error(form, exc, default_field=name)
        else:
            messages.success(
                request,
                _("We sent a code to %(address)s. Enter it to finish the change.")
                % {"address": mask_contact(row.target)},
            )
            return redirect(_with_next("accounts:verify", reverse("accounts:profile")))
    return _render_profile(request, bound={name: form}, status=400)


@login_required
@require_POST
def profile_nik(request: HttpRequest) -> HttpResponse:
    form = PROFILE_FORMS["nik"](request, request.POST)
    if form.is_valid():
        try:
            services.user_nik_set(actor=request.user, user=request.user, nik=form.cleaned_data["nik"])
        except (DomainError, ValidationError) as exc:
            forms.apply_error(form, exc, default_field="nik")
        else:
            messages.success(request, _("Your NIK was saved."))
            return redirect("accounts:profile")
    return _render_profile(request, bound={"nik": form}, status=400)


@never_cache
@login_required
@require_POST
def profile_nik_reveal(request: HttpRequest) -> HttpResponse:
    nik = services.user_nik_reveal(viewer=request.user, subject=request.user)
    return _render_profile(request, nik_clear=nik)


@sensitive_post_parameters()
@login_required
@require_POST
def profile_password(request: HttpRequest) -> HttpResponse:
    form = PROFILE_FORMS["password"](request, request.POST)
    if form.is_valid():
        try:
            user = services.user_password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except (AccountError, ValidationError) as exc:
            forms.apply_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, pgettext("account", "Your password was changed."))
            return redirect("accounts:profile")
    return _render_profile(request, bound={"password": form}, status=400)


# --- My data (UU PDP) -------------------------------------------------------------------


@never_cache
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "summaries": privacy.summaries(user),
        "nik_masked": selectors.nik_masked(user),
        "memberships": list(selectors.memberships_of(user)) if user.is_staff_member else [],
        "can_delete": services.policies.can_delete_own_account(user),
    }
    return render(request, "accounts/my_data.html", context)


@never_cache
@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    data = services.user_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="data-saya-{stamp}.json"'
    return response


@never_cache
@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    allowed = services.policies.can_delete_own_account(user)
    form = forms.DeleteAccountForm(request.POST or None)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            services.user_delete(actor=user, user=user, password=form.cleaned_data["password"])
        except (DomainError, ValidationError) as exc:
            forms.apply_error(form, exc, default_field="password")
        else:
            auth_logout(request)
            messages.success(
                request, _("Your account and personal data were deleted. Thank you for using the service.")
            )
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form, "allowed": allowed}, status=status)

"""Forms of the accounts pages. They check what they can; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kotapintar.core.forms import Form

from .contact import EMAIL, PHONE, parse_contact, parse_email, parse_phone
from .errors import AccountError
from .models import User
from .nik import parse_nik


def _code_field(label):
    return forms.CharField(
        label=label,
        min_length=6,
        max_length=7,  # "123 456" is accepted too
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"[0-9 ]*", "size": 8}
        ),
    )


def _password_field(label, *, new: bool = False, help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password" if new else "current-password"}),
    )


def _clean_code(value: str) -> str:
    digits = "".join(ch for ch in value if not ch.isspace())
    if len(digits) != 6 or not digits.isdigit():
        raise ValidationError(_("Enter the 6-digit code."), code="code_format")
    return digits


def apply_error(form: forms.Form, exc: Exception, *, default_field: str | None = None) -> None:
    """Show a service's error next to the field it concerns (or at the top of the form)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    if isinstance(exc, AccountError):
        field = exc.field if exc.field in form.fields else default_field
        form.add_error(field, exc.message)
        return
    message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
    form.add_error(default_field, message)


class SignupForm(Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As on your KTP, so that the city can answer you by name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact = forms.CharField(
        label=_("Email or mobile number"),
        max_length=254,
        help_text=_("We send a 6-digit code there to confirm it is yours."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )
    password1 = _password_field(
        pgettext_lazy("account", "Password"),
        new=True,
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = _password_field(_("Password again"), new=True)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that the city processes my data to serve my requests."),
    )

    def clean_contact(self):
        contact = parse_contact(self.cleaned_data["contact"])
        if contact.channel == EMAIL and User.objects.filter(email__iexact=contact.value).exists():
            raise ValidationError(
                _("An account with this email address already exists. Sign in instead, or use another address."),
                code="taken",
            )
        if contact.channel == PHONE and User.objects.filter(phone=contact.value).exists():
            raise ValidationError(
                _("An account with this phone number already exists. Sign in instead, or use another number."),
                code="taken",
            )
        return contact

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            probe = User(full_name=cleaned.get("full_name") or "")
            contact = cleaned.get("contact")
            if contact is not None:
                setattr(probe, "email" if contact.channel == EMAIL else "phone", contact.value)
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class LoginForm(Form):
    # Named "username": django-axes reads this field to count failures per account.
    username = forms.CharField(
        label=_("Email or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = _password_field(pgettext_lazy("account", "Password"))


class VerifyForm(Form):
    code = _code_field(_("Verification code"))

    def clean_code(self):
        return _clean_code(self.cleaned_data["code"])


class ContactReplaceForm(Form):
    """For an account that has not verified anything yet: fix a mistyped address."""

    contact = forms.CharField(
        label=_("Another email or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )

    def clean_contact(self):
        return parse_contact(self.cleaned_data["contact"])


class EmailChangeForm(Form):
    email = forms.CharField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return parse_email(self.cleaned_data["email"])


class PhoneChangeForm(Form):
    phone = forms.CharField(
        label=_("New mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        return parse_phone(self.cleaned_data["phone"])


class ProfileForm(Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Used for pages and messages after you sign in."),
    )


class NikForm(Form):
    nik = forms.CharField(
        label=_("NIK (16-digit national identity number)"),
        max_length=24,
        help_text=_("As printed on your KTP or family card (KK). It is stored encrypted."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_nik(self):
        return parse_nik(self.cleaned_data["nik"]).nik


class PasswordChangeForm(Form):
    old_password = _password_field(_("Current password"))
    new_password1 = _password_field(
        pgettext_lazy("account", "New password"),
        new=True,
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = _password_field(_("New password again"), new=True)

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("The two passwords are not the same."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


class DeleteAccountForm(Form):
    password = _password_field(_("Your password"))
    confirm = forms.BooleanField(label=_("I understand that my account and personal data are deleted for good."))


class TwoFactorForm(Form):
    code = _code_field(_("6-digit code from your authenticator app"))

    def clean_code(self):
        return _clean_code(self.cleaned_data["code"])

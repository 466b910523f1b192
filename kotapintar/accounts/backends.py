"""Sign-in with an email address or a phone number."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .models import User
from .phone import normalize_phone


class EmailOrPhoneBackend(ModelBackend):
    """Authenticate with `username` = email or phone number (any common Indonesian form)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get("email") or "").strip()
        if not identifier or password is None:
            return None
        user = lookup_by_identifier(identifier)
        if user is None:
            # Spend the same time as a real check so that timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lookup_by_identifier(identifier: str) -> User | None:
    identifier = identifier.strip()
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier, deleted_at__isnull=True).first()
    phone = normalize_phone(identifier)
    if phone is None:
        return None
    return User.objects.filter(phone=phone, deleted_at__isnull=True).first()

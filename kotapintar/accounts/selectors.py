"""Reads about accounts that depend on who asks."""

from __future__ import annotations

from django.http import Http404

from . import policies
from .models import User
from .nik import mask


def nik_masked(user: User) -> str:
    """3374********0001, or "" when no NIK is recorded. Reading it masked is not a reveal."""
    if not user.has_nik:
        return ""
    from .services import nik_clear

    return mask(nik_clear(user))


def memberships_of(user: User):
    """The agencies a staff member works for (active memberships)."""
    from kotapintar.agencies.models import Membership

    return (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency", "unit")
        .order_by("agency__name")
    )


def account_for(viewer: User, pk: int) -> User:
    """An account the viewer may see (themself, or any for administrators); 404 otherwise."""
    user = User.objects.filter(pk=pk).first()
    if user is None or not policies.can_view_profile(viewer, user):
        raise Http404
    return user


def two_factor_enabled(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()

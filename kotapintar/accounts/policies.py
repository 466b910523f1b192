"""Who may do what to which account. Every view, API view and admin page asks here."""

from __future__ import annotations

from .models import Role

# Staff roles that may read a resident's NIK in clear (the complaint desk checks identities).
NIK_READER_ROLES = frozenset({Role.ADMIN, Role.VERIFIER})


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_read_nik(viewer, subject) -> bool:
    """The person themself, or an administrator or verifier; every reveal is audited."""
    if not _active(viewer) or subject is None:
        return False
    if viewer.pk == subject.pk:
        return True
    return viewer.role in NIK_READER_ROLES


def can_manage_accounts(actor) -> bool:
    """Administrators create staff, change roles, reset 2FA and close accounts.

    `None` is the system itself (a management command such as the demo loader).
    """
    if actor is None:
        return True
    return _active(actor) and (actor.role == Role.ADMIN or actor.is_superuser)


def can_delete_own_account(user) -> bool:
    """Residents close their own account; staff accounts are closed by an administrator."""
    return _active(user) and not user.is_staff_member


def can_view_profile(viewer, subject) -> bool:
    return _active(viewer) and (viewer.pk == subject.pk or can_manage_accounts(viewer))

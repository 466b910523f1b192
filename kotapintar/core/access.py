"""Row-level access: which rows of a model a user may see, or act on.

Row-level access
================

Every read that depends on who asks goes through ONE mechanism::

    from kotapintar.core import access

    reports = access.scope(Report.objects.all(), request.user)            # action="view"
    report = access.get_object_or_404(Report.objects.all(), request.user, pk=pk)
    if not access.can(request.user, report, "change"): ...

**Policies.** Each model that users may read has a policy, registered in its app's
``policies.py`` (found automatically the first time access is checked)::

    @access.policy(Report)
    class ReportPolicy(access.Policy):
        actions = frozenset({"view", "change"})

        def citizen(self, qs, user, action):
            return qs.filter(reporter=user) if action == "view" else qs.none()

        def agency(self, qs, user, action):
            return qs.filter(agency_id__in=access.agency_ids(user))

        def admin(self, qs, user, action):
            return qs

A policy has one method per role — ``anonymous``, ``citizen``, ``verifier``, ``agency``
(officers and heads: use ``agency_ids(user)`` / ``headed_agency_ids(user)``, the agencies of
the user's active memberships), ``leadership`` and ``admin`` — each returning the queryset
filtered to the rows that role may use for ``action``. The role comes from ``user.role``;
superusers count as ``admin``; anonymous and inactive accounts as ``anonymous``.

**Deny by default.** A role method a policy does not define, an action a policy does not
list in ``actions``, and a model with no policy at all give an empty queryset — for every
role, administrators included (a warning is logged for a missing policy). Access is only
ever granted by a line of code someone wrote on purpose.

**404, not 403, for hidden rows.** ``get_object_or_404`` answers a row the user may not see
exactly like a missing one, so ids cannot be probed. A row the user *may* see but not
change answers 403 (``ScopedAccessPermission`` in the API, ``core.errors.NotAllowed`` in
services).

**Where it plugs in.** Selectors call ``scope``; DRF views use ``ScopedQuerysetMixin``
(``get_queryset`` → ``scope``) with ``ScopedAccessPermission`` (roles that may use the
endpoint at all, and the per-object action for writes); Django class-based views use
``ScopedViewMixin`` (login, roles, scoped ``get_queryset``). Services check writes with
``can(actor, obj, action)``.

**Caching.** ``agency_ids``/``headed_agency_ids`` are computed once per user object, i.e.
once per request (``request.user`` is built per request). Services that change memberships
call ``forget(user)``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.apps import apps
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.utils.module_loading import autodiscover_modules
from rest_framework import permissions

logger = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
CITIZEN = "citizen"
VERIFIER = "verifier"
AGENCY = "agency"
LEADERSHIP = "leadership"
ADMIN = "admin"
ROLES = (ANONYMOUS, CITIZEN, VERIFIER, AGENCY, LEADERSHIP, ADMIN)

VIEW = "view"


class Policy:
    """Who may use which rows of one model. Every role is denied unless a method says otherwise."""

    #: The actions this policy answers for; any other action is denied for everybody.
    actions: frozenset[str] = frozenset({VIEW})

    def anonymous(self, qs: models.QuerySet, user: Any, action: str) -> models.QuerySet:
        return qs.none()

    def citizen(self, qs: models.QuerySet, user: Any, action: str) -> models.QuerySet:
        return qs.none()

    def verifier(self, qs: models.QuerySet, user: Any, action: str) -> models.QuerySet:
        return qs.none()

    def agency(self, qs: models.QuerySet, user: Any, action: str) -> models.QuerySet:
        return qs.none()

    def leadership(self, qs: models.QuerySet, user: Any, action: str) -> models.QuerySet:
        return qs.none()

    def admin(self, qs: models.QuerySet, user: Any, action: str) -> models.QuerySet:
        return qs.none()


_registry: dict[type[models.Model], Policy] = {}
_discovered = False
_discover_lock = threading.Lock()


def policy(model: type[models.Model]):
    """Class decorator: register a Policy subclass for `model` (one policy per model)."""

    def decorator(cls: type[Policy]) -> type[Policy]:
        if not (isinstance(cls, type) and issubclass(cls, Policy)):
            raise TypeError(f"{cls!r} must subclass access.Policy")
        existing = _registry.get(model)
        if existing is not None and type(existing).__qualname__ != cls.__qualname__:
            raise RuntimeError(f"{model.__name__} already has the access policy {type(existing).__name__}")
        _registry[model] = cls()
        return cls

    return decorator


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    with _discover_lock:
        if not _discovered:
            autodiscover_modules("policies")
            _discovered = True


def get_policy(model: type[models.Model]) -> Policy | None:
    """The policy of a model; a proxy model without its own policy uses its concrete model's."""
    _discover()
    found = _registry.get(model)
    concrete = model._meta.concrete_model
    if found is None and model._meta.proxy and concrete is not None:
        found = _registry.get(concrete)
    return found


def role_of(user: Any) -> str:
    """The access role of a user (see the module docstring)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ANONYMOUS
    if getattr(user, "is_superuser", False):
        return ADMIN
    role = getattr(user, "role", "")
    # An account with a role this module does not know gets nothing beyond anonymous access.
    return role if role in ROLES else ANONYMOUS


def scope(queryset: models.QuerySet, user: Any, action: str = VIEW) -> models.QuerySet:
    """`queryset` narrowed to the rows `user` may use for `action` (empty when none)."""
    model = queryset.model
    found = get_policy(model)
    if found is None:
        logger.warning("No access policy for %s: every row is denied", model._meta.label)
        return queryset.none()
    if action not in found.actions:
        return queryset.none()
    result = getattr(found, role_of(user))(queryset, user, action)
    if not isinstance(result, models.QuerySet) or result.model is not model:
        raise TypeError(f"{type(found).__name__} must return a queryset of {model._meta.label}")
    return result


def can(user: Any, obj: models.Model, action: str = VIEW) -> bool:
    """May `user` use the saved object `obj` for `action`?"""
    if obj.pk is None:
        return False
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def get_object_or_404(queryset: models.QuerySet | type[models.Model], user: Any, action: str = VIEW, **lookup):
    """One row the user may use for `action`; a hidden row raises Http404 exactly like a missing one."""
    qs: models.QuerySet = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return scope(qs, user, action).get(**lookup)
    except (ObjectDoesNotExist, ValueError, ValidationError) as exc:
        # A malformed id in the URL is "not found" too.
        raise Http404(str(qs.model._meta.verbose_name)) from exc


# --- The user's agencies ------------------------------------------------------------------

_CACHE_ATTR = "_kp_access_memberships"


def _memberships(user: Any) -> tuple[frozenset[int], frozenset[int]]:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset(), frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        membership = apps.get_model("agencies", "Membership")
        rows = list(
            membership.objects.filter(user_id=user.pk, is_active=True, agency__is_active=True).values_list(
                "agency_id", "role"
            )
        )
        cached = (
            frozenset(agency_id for agency_id, _ in rows),
            frozenset(agency_id for agency_id, role in rows if role == membership.Role.HEAD),
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def agency_ids(user: Any) -> frozenset[int]:
    """Ids of the active agencies where the user has an active membership (officer or head)."""
    return _memberships(user)[0]


def headed_agency_ids(user: Any) -> frozenset[int]:
    """Ids of the active agencies the user heads."""
    return _memberships(user)[1]


def forget(user: Any) -> None:
    """Drop the cached memberships of this user object (after a membership changed)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# --- DRF ----------------------------------------------------------------------------------


class ScopedQuerysetMixin:
    """DRF generic views: `get_queryset()` is scoped for the request's user.

    Lists show only the rows the user may see; a detail lookup of a hidden row is a 404.
    """

    access_action: str = VIEW

    def get_access_action(self) -> str:
        return self.access_action

    def get_queryset(self):
        return scope(super().get_queryset(), self.request.user, self.get_access_action())  # type: ignore[misc,attr-defined]


class ScopedAccessPermission(permissions.BasePermission):
    """DRF permission: the user's role may use the endpoint, and may act on the object.

    - `view.access_roles` (optional): the roles allowed at all; others get 403 (401 when
      not signed in).
    - Object level: reads are already scoped by the queryset; writes need
      `can(user, obj, <action of the HTTP method>)`, so a visible row that may not be
      changed answers 403.
    """

    method_actions = {
        "GET": VIEW,
        "HEAD": VIEW,
        "OPTIONS": VIEW,
        "POST": "change",
        "PUT": "change",
        "PATCH": "change",
        "DELETE": "delete",
    }

    def has_permission(self, request, view) -> bool:
        roles = getattr(view, "access_roles", None)
        if roles is None:
            return True
        return role_of(request.user) in roles

    def has_object_permission(self, request, view, obj) -> bool:
        action = self.method_actions.get(request.method, "change")
        if isinstance(view, ScopedQuerysetMixin) and action == view.get_access_action():
            return True  # the object came out of the scoped queryset
        return can(request.user, obj, action)


# --- Django class-based views -------------------------------------------------------------


class ScopedViewMixin(AccessMixin):
    """Django CBVs: sign-in required, optional `access_roles`, scoped `get_queryset()`.

    Anonymous visitors are sent to sign in; a signed-in user whose role is not in
    `access_roles` gets a 404 (they are not told the page exists, as with hidden rows).
    With ListView/DetailView this gives scoped lists and a 404 for a hidden object.
    """

    access_action: str = VIEW
    access_roles: frozenset[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.access_roles is not None and role_of(request.user) not in self.access_roles:
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_queryset(self):
        return scope(super().get_queryset(), self.request.user, self.access_action)  # type: ignore[misc,attr-defined]

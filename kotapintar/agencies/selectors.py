"""Reads of the agencies app."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from kotapintar.core import access

from .models import Agency, Membership, Unit


def agencies_public() -> QuerySet[Agency]:
    """The city's active agencies, as anybody may see them (no staff)."""
    return (
        Agency.objects.filter(is_active=True)
        .select_related("region")
        .defer("region__boundary")
        .prefetch_related(Prefetch("units", queryset=Unit.objects.filter(is_active=True).order_by("name")))
        .order_by("name")
    )


def agencies_visible(user: Any, action: str = access.VIEW) -> QuerySet[Agency]:
    """Agencies the user may use for `action` (everybody sees active ones; administrators all)."""
    return access.scope(Agency.objects.select_related("region").defer("region__boundary"), user, action).order_by(
        "name"
    )


def memberships_visible(user: Any, *, agency: Agency | None = None) -> QuerySet[Membership]:
    """Memberships the user may see, optionally of one agency."""
    qs = Membership.objects.select_related("user", "agency", "unit")
    if agency is not None:
        qs = qs.filter(agency=agency)
    return access.scope(qs, user).order_by("agency__name", "-role", "user__full_name", "pk")


def can_see_members(user: Any, agency: Agency) -> bool:
    """May the user list this agency's members (administrators, leadership, its own staff)?"""
    return access.can(user, agency, "view_members")


def district_code(region_code: str) -> str:
    """The kecamatan code of a kecamatan or kelurahan/desa code ("33.74.01.1001" → "33.74.01")."""
    parts = (region_code or "").strip().split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else ""


def agency_for_district(region_code: str) -> Agency | None:
    """The active kecamatan office serving a kecamatan (or the kecamatan of a kelurahan/desa).

    Routing helper for other modules: a report located in a kelurahan goes to its
    kecamatan office. None when the code is not a kecamatan of a known office.
    """
    code = district_code(region_code)
    if not code:
        return None
    return (
        Agency.objects.filter(kind=Agency.Kind.KECAMATAN, region_id=code, is_active=True)
        .select_related("region")
        .defer("region__boundary")
        .first()
    )

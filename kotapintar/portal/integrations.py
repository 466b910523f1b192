"""Wiring to the permits app through its selectors (called from PortalConfig.ready()).

The portal never writes into another app; it reads through that app's selectors:

- `permits.selectors.applications_of(user)` → the "Permit applications" section of Layanan Saya;
- `permits.selectors.permits_of(user)` → the "My permits" section, with expiry warnings;
- `permits.selectors.expiring_permits(first_day, last_day)` → the 30/7-day reminders;
- `permits.selectors.permit_types_public()` → the online form of a catalogue service of kind
  "permit" is `permits:apply` only when that type is open (otherwise "apply at the office").

Each is wired only when the permits app is installed and exposes that selector. An app may
register its own section under the same key instead (register_section replaces). Lapor
registers its "My reports" section itself (reports/resident_integration.py).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import registry

logger = logging.getLogger(__name__)

PERMITS_APP = "kotapintar.permits"
EXPIRY_SOON_DAYS = 30
PERMIT_STATUS_LABELS = {
    "valid": _("In force"),
    "not_yet_valid": _("Not yet in force"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
}


def _permits_selectors():
    if not apps.is_installed(PERMITS_APP):
        return None
    try:
        return importlib.import_module(f"{PERMITS_APP}.selectors")
    except ImportError:
        logger.warning("the permits app has no selectors module: its Layanan Saya sections are left out")
        return None


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def applications_section(user) -> dict | None:
    selectors = _permits_selectors()
    if selectors is None or not getattr(user, "is_authenticated", False):
        return None
    rows = selectors.applications_of(user)
    items = [
        {
            "title": row.permit_type.name,
            "number": row.registration_number or "",
            "status": row.get_status_display(),
            "needs_action": bool(getattr(row, "needs_action", False)),
            "created_at": row.created_at,
            "url": _url("permits:application_detail", row.pk),
        }
        for row in rows[:6]
    ]
    return {
        "items": items,
        "count": len(rows),
        "attention": sum(1 for row in rows if getattr(row, "needs_action", False)),
        "all_url": _url("permits:my_applications"),
        "new_url": _url("permits:index"),
    }


def permits_section(user) -> dict | None:
    selectors = _permits_selectors()
    if selectors is None or not getattr(user, "is_authenticated", False):
        return None
    rows = selectors.permits_of(user)
    items = []
    for permit in rows[:8]:
        days_left = getattr(permit, "days_left", None)
        status = str(getattr(permit, "status", ""))
        items.append(
            {
                "title": permit.permit_type.name,
                "number": permit.number,
                "status": PERMIT_STATUS_LABELS.get(status, status),
                "in_force": status == "valid",
                "expires_on": getattr(permit, "expires_on", None),
                "days_left": days_left,
                "expiring": status == "valid" and days_left is not None and 0 <= days_left <= EXPIRY_SOON_DAYS,
                "url": _url("permits:permit_detail", permit.pk),
            }
        )
    return {
        "items": items,
        "count": len(rows),
        "attention": sum(1 for item in items if item["expiring"]),
    }


def permit_form_url(code: str) -> str | None:
    """`permits:apply` for an open permit type; None (apply at the office) for an unknown or closed one."""
    selectors = _permits_selectors()
    if selectors is None or not code:
        return None
    if not selectors.permit_types_public().filter(code=code).exists():
        return None
    return _url("permits:apply", code) or None


def connect() -> None:
    """Register what the installed apps make possible (see the module docstring)."""
    selectors = _permits_selectors()
    if selectors is None:
        return
    if hasattr(selectors, "applications_of"):
        registry.register_section(
            "permit_applications",
            _("My permit applications"),
            "portal/sections/permit_applications.html",
            loader=applications_section,
            order=20,
        )
    if hasattr(selectors, "permits_of"):
        registry.register_section(
            "permits", _("My permits"), "portal/sections/permits.html", loader=permits_section, order=30
        )
    if hasattr(selectors, "expiring_permits"):
        registry.register_expiry_source("permits", selectors.expiring_permits)
    if hasattr(selectors, "permit_types_public"):
        registry.register_online_target("permit", permit_form_url)

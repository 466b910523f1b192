"""How other apps plug into the portal, without the portal importing them.

Three hooks, each called from the other app's AppConfig.ready():

1. "Layanan Saya" sections — what a signed-in resident has going on in that app::

       from kotapintar.portal.registry import register_section

       register_section(
           "reports",                        # key, unique
           _("My reports"),                  # title (lazy translation)
           "reports/portal/section.html",    # template, rendered with the loader's context
           loader=my_reports_context,        # loader(user) -> dict | None (None hides the section)
           order=10,
       )

   The loader reads through the app's own selectors for `user` (only their own rows).
   Its dict may carry "count" (a number shown in the page's summary) and "attention"
   (how many items need the resident's action, shown as a badge). A loader that raises
   is logged and its section shows a short apology; the rest of the page still works.

2. Online forms of catalogue services — a service standard names its form by kind and
   code ("permit" + "IZIN-REKLAME"); the app that owns the form says how to reach it::

       register_online_target("permit", lambda code: reverse("permits:apply", args=[code]))

   The resolver returns a URL, or None when the code is unknown or the form is closed;
   the page then says to apply at the office. Defaults for "permit", "report" and "link"
   are registered by the portal itself (see links.py).

3. Expiry reminders — things that expire (permits) and whose holder should be told
   30 and 7 days before::

       register_expiry_source("permits", expiring_permits)
       # expiring_permits(first_day, last_day) -> iterable of ExpiringItem whose
       # `expires_on` lies in [first_day, last_day]

   The daily task `portal.expiry_reminders` sends each reminder once (see services).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

SectionLoader = Callable[[Any], dict | None]
OnlineResolver = Callable[[str], str | None]


# --- Layanan Saya sections -----------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    template: str
    loader: SectionLoader
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: Any
    html: str
    count: int | None = None
    attention: int = 0
    failed: bool = False


_sections: dict[str, Section] = {}


def register_section(key: str, title: Any, template: str, loader: SectionLoader, order: int = 100) -> Section:
    """Add (or replace) the "Layanan Saya" section `key`."""
    if not callable(loader):
        raise TypeError("loader must be callable: loader(user) -> dict | None")
    section = Section(key=key, title=title, template=template, loader=loader, order=order)
    _sections[key] = section
    return section


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def render_sections(request) -> list[RenderedSection]:
    """The sections for the signed-in user of `request`, rendered, in order."""
    rendered = []
    for section in sections():
        try:
            context = section.loader(request.user)
            if context is None:
                continue
            html = render_to_string(section.template, {**context, "section": section}, request=request)
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("Layanan Saya: the section %r could not be loaded", section.key)
            rendered.append(
                RenderedSection(
                    key=section.key,
                    title=section.title,
                    html=render_to_string("portal/sections/failed.html", {"section": section}, request=request),
                    failed=True,
                )
            )
            continue
        count = context.get("count")
        rendered.append(
            RenderedSection(
                key=section.key,
                title=section.title,
                html=html,
                count=int(count) if count is not None else None,
                attention=int(context.get("attention") or 0),
            )
        )
    return rendered


# --- online forms ----------------------------------------------------------------------------

_online_targets: dict[str, OnlineResolver] = {}


def register_online_target(kind: str, resolver: OnlineResolver) -> None:
    """Say how to reach the online form of services of this kind (see the module docstring)."""
    if not callable(resolver):
        raise TypeError("resolver must be callable: resolver(code) -> url | None")
    _online_targets[kind] = resolver


def online_resolver(kind: str) -> OnlineResolver | None:
    return _online_targets.get(kind)


# --- expiry reminders --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringItem:
    """Something of a resident that stops being valid on `expires_on` (its last valid day)."""

    kind: str  # e.g. "permit"
    id: str  # its id in its app: with kind, names it in the reminder's dedupe key
    holder: Any  # the account to remind
    label: str  # e.g. "Izin Reklame 503/IR/2026/0007"
    expires_on: dt.date
    url: str = ""  # where to renew or read it
    extra: dict = field(default_factory=dict)


ExpirySource = Callable[[dt.date, dt.date], Iterable[ExpiringItem]]
_expiry_sources: dict[str, ExpirySource] = {}


def register_expiry_source(key: str, loader: ExpirySource) -> None:
    """Add (or replace) a source of expiring items (see the module docstring)."""
    if not callable(loader):
        raise TypeError("loader must be callable: loader(first_day, last_day) -> iterable of ExpiringItem")
    _expiry_sources[key] = loader


def unregister_expiry_source(key: str) -> None:
    _expiry_sources.pop(key, None)


def expiry_sources() -> list[tuple[str, ExpirySource]]:
    return sorted(_expiry_sources.items())

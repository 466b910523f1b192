"""The online form of a catalogue service, resolved to a URL when a page is shown.

A service standard stores only a kind and a code (`online_kind`, `online_code`). The app
that owns the form registers a resolver (registry.register_online_target); until it does,
the defaults below try the URL names that app is expected to expose. Whatever the
outcome, a page never breaks: an unresolvable form is shown as "apply at the office".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import OnlineKind, ServiceStandard

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnlineLink:
    url: str
    label: Promise
    external: bool = False


_LABELS = {
    OnlineKind.PERMIT: _("Apply online"),
    OnlineKind.REPORT: _("Send a report online"),
    OnlineKind.LINK: _("Open the online service"),
}


def _first_reversible(candidates: list[tuple[str, dict]]) -> str | None:
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    return None


def default_permit_url(code: str) -> str | None:
    """The permits app's application form of permit type `code`, if that app offers one."""
    if not code:
        return None
    return _first_reversible(
        [
            ("permits:apply", {"code": code}),
            ("permits:apply", {"type_code": code}),
            ("permits:application_create", {"code": code}),
        ]
    )


def default_report_url(code: str) -> str | None:
    """Lapor's form to file a report (pre-selecting the category `code` when given)."""
    url = _first_reversible([("reports:create", {}), ("reports:new", {}), ("reports:submit", {})])
    if url and code:
        url = f"{url}?{urlencode({'category': code})}"
    return url


def default_link_url(code: str) -> str | None:
    """A page of this site (/path/) or another website (https://…)."""
    code = (code or "").strip()
    if code.startswith("/") and not code.startswith("//"):
        return code
    if code.startswith(("https://", "http://")):
        return code
    return None


def register_defaults() -> None:
    """Called by the portal's AppConfig.ready(); apps registering later win."""
    for kind, resolver in (
        (OnlineKind.PERMIT, default_permit_url),
        (OnlineKind.REPORT, default_report_url),
        (OnlineKind.LINK, default_link_url),
    ):
        if registry.online_resolver(kind) is None:
            registry.register_online_target(kind, resolver)


def online_link(service: ServiceStandard) -> OnlineLink | None:
    """Where to use `service` online, or None (offline only, or its form is not available)."""
    if not service.online_kind:
        return None
    resolver = registry.online_resolver(service.online_kind)
    if resolver is None:
        return None
    try:
        url = resolver(service.online_code)
    except Exception:  # another app's resolver must not break the catalogue
        logger.exception("online form of service %s (%s) could not be resolved", service.slug, service.online_kind)
        return None
    if not url:
        return None
    return OnlineLink(
        url=url,
        label=_LABELS.get(service.online_kind, _("Open the online service")),
        external=url.startswith(("http://", "https://")),
    )

"""Personal data held about one person, across apps (UU PDP No. 27/2022).

Every app that stores personal data registers a source from its AppConfig.ready():

    privacy.register(
        "reports",
        label=_("Reports"),
        exporter=lambda user: [...],       # JSON-ready data for "download my data"
        eraser=erase_reports_of,           # called when the person deletes their account
        summary=lambda user: ngettext(...) # one line for the "My data" page (optional)
    )

Exporters return JSON-ready values (dicts, lists, strings, numbers). Erasers run inside the
account-deletion transaction: they must anonymise or delete the person's data without
breaking foreign keys or the audit log. The accounts app registers its own source and the
kernel's notification inbox (see accounts.apps).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]
Summary = Callable[[Any], str]

EXPORT_FORMAT = "kotapintar-personal-data/1"


@dataclass(frozen=True)
class DataSource:
    key: str
    label: str  # a lazy translation
    exporter: Exporter | None = None
    eraser: Eraser | None = None
    summary: Summary | None = None
    order: int = 100


_sources: dict[str, DataSource] = {}


def register(
    key: str,
    *,
    label,
    exporter: Exporter | None = None,
    eraser: Eraser | None = None,
    summary: Summary | None = None,
    order: int = 100,
) -> DataSource:
    """Register (or replace) the personal-data source `key`."""
    source = DataSource(key=key, label=label, exporter=exporter, eraser=eraser, summary=summary, order=order)
    _sources[key] = source
    return source


def unregister(key: str) -> None:
    _sources.pop(key, None)


def sources() -> list[DataSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def export_user_data(user) -> dict:
    """Everything the platform holds about `user`, as one JSON-ready document."""
    sections = {s.key: s.exporter(user) for s in sources() if s.exporter is not None}
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "account_id": user.pk,
        "sections": sections,
    }


def summaries(user) -> list[tuple[DataSource, str]]:
    """(source, one-line summary) for the "My data" page."""
    result = []
    for source in sources():
        if source.summary is not None:
            result.append((source, source.summary(user)))
    return result


def erase_user_data(user) -> list[str]:
    """Call every registered eraser; return the keys that ran. Call inside a transaction."""
    ran = []
    for source in sources():
        if source.eraser is not None:
            source.eraser(user)
            ran.append(source.key)
    return ran

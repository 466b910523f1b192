"""What the home pages show: cards on the staff home, tiles on the public home.

Apps register theirs from AppConfig.ready(), so a new module adds its queue to the staff
home (or its service to the residents' home) without touching the kernel:

    from kotapintar.core.dashboard import Card, Tile, register_card, register_tile

    register_card(Card(key="reports.queue", title=_("Reports to verify"), template="reports/cards/queue.html",
                       roles={"verifier"}, context=queue_context, order=10))
    register_tile(Tile(key="reports.new", title=_("Report a problem"), description=_("..."),
                       url_name="reports:create", icon="megaphone", order=10))

A card's `context(request)` returns the template context (it may query through the app's
selectors for `request.user`); returning None hides the card for this request. A tile whose
URL cannot be reversed (its app is not installed) is left out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

ALL_STAFF = "all_staff"  # a card role: every staff role


@dataclass(frozen=True)
class Card:
    key: str
    title: Any  # a lazy translation
    template: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({ALL_STAFF}))
    context: Callable[[HttpRequest], dict | None] | None = None
    order: int = 100
    wide: bool = False  # two columns wide on large screens

    def visible_to(self, user) -> bool:
        if not getattr(user, "is_staff_member", False):
            return False
        return ALL_STAFF in self.roles or user.role in self.roles


@dataclass(frozen=True)
class Tile:
    key: str
    title: Any
    description: Any
    url_name: str
    icon: str = ""
    order: int = 100
    audience: str = "all"  # "all", "anonymous" (e.g. sign up) or "authenticated"

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""

    def visible_to(self, user) -> bool:
        signed_in = bool(getattr(user, "is_authenticated", False))
        if self.audience == "anonymous":
            return not signed_in
        if self.audience == "authenticated":
            return signed_in
        return True


@dataclass(frozen=True)
class RenderedCard:
    key: str
    title: Any
    html: str
    wide: bool


_cards: dict[str, Card] = {}
_tiles: dict[str, Tile] = {}


def register_card(card: Card) -> None:
    _cards[card.key] = card


def register_tile(tile: Tile) -> None:
    _tiles[tile.key] = tile


def cards_for(request: HttpRequest) -> list[RenderedCard]:
    """The staff home's cards for this user, rendered, in order."""
    rendered = []
    user = request.user
    for card in sorted(_cards.values(), key=lambda c: (c.order, c.key)):
        if not card.visible_to(user):
            continue
        context = card.context(request) if card.context else {}
        if context is None:
            continue
        html = render_to_string(card.template, {**context, "card": card}, request=request)
        rendered.append(RenderedCard(key=card.key, title=card.title, html=html, wide=card.wide))
    return rendered


def tiles_for(user) -> list[Tile]:
    """The public home's tiles for this visitor, in order."""
    return sorted(
        (t for t in _tiles.values() if t.visible_to(user) and t.url),
        key=lambda t: (t.order, t.key),
    )

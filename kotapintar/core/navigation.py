"""The main navigation: each app registers its entries with the roles that see them.

Apps call `register()` from their AppConfig.ready(); the base layout shows the entries
that fit the signed-in user's role (and the public ones to everybody).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

PUBLIC = "public"  # shown to everybody, signed in or not
AUTHENTICATED = "authenticated"  # any signed-in account


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise  # a lazy translation
    url_name: str
    icon: str = ""
    order: int = 100
    roles: frozenset[str] = field(default_factory=lambda: frozenset({PUBLIC}))

    def visible_to(self, user) -> bool:
        if PUBLIC in self.roles:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return AUTHENTICATED in self.roles or user.role in self.roles

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


_items: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _items[item.key] = item


def items_for(user) -> list[NavItem]:
    return sorted((i for i in _items.values() if i.visible_to(user) and i.url), key=lambda i: (i.order, i.key))

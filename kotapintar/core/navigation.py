"""The main navigation: each app registers its entries with the roles that see them.

Apps call `register()` from their AppConfig.ready(); the base layout shows the entries
that fit the signed-in user's role (and the public ones to everybody).

Roles of an entry: a platform role ("citizen", "verifier", "agency", "leadership",
"admin"), or PUBLIC (everybody), AUTHENTICATED (any signed-in account), VISITOR (anyone who
is not staff: residents and people not signed in — e.g. "file a report"). The bar must stay
short on a phone and on a laptop: an entry that is personal (my reports, my services)
goes in the account menu (`menu=USER_MENU`), not in the bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

PUBLIC = "public"  # shown to everybody, signed in or not
AUTHENTICATED = "authenticated"  # any signed-in account
VISITOR = "visitor"  # anyone who is not staff: residents and people not signed in
MAIN_MENU = "main"
USER_MENU = "user"  # the account menu under the person's name


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise  # a lazy translation
    url_name: str
    icon: str = ""
    order: int = 100
    roles: frozenset[str] = field(default_factory=lambda: frozenset({PUBLIC}))
    menu: str = MAIN_MENU

    def visible_to(self, user) -> bool:
        if PUBLIC in self.roles:
            return True
        signed_in = bool(getattr(user, "is_authenticated", False))
        if VISITOR in self.roles and not (signed_in and getattr(user, "is_staff_member", False)):
            return True
        if not signed_in:
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


def items_for(user, menu: str = MAIN_MENU) -> list[NavItem]:
    return sorted(
        (i for i in _items.values() if i.menu == menu and i.visible_to(user) and i.url),
        key=lambda i: (i.order, i.key),
    )

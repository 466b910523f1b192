"""Template helpers of the kernel: navigation, dates in WIB, rupiah."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from kotapintar.core import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context, menu: str = navigation.MAIN_MENU):
    request = context.get("request")
    return navigation.items_for(getattr(request, "user", None), menu)


@register.filter
def wib(value, fmt: str = "DATETIME_FORMAT"):
    """A datetime shown in Asia/Jakarta with the WIB suffix."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{date_format(local, fmt)} WIB"


@register.filter
def rupiah(value) -> str:
    """Rp 1.250.000 — rupiah with Indonesian thousands separators, no cents unless needed."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    whole = int(amount)
    cents = amount - whole
    text = f"{whole:,}".replace(",", ".")
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    return f"{sign}Rp {text}"

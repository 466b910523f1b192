"""Template helpers of the residents' pages of Lapor."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def with_token(url: str, token: str) -> str:
    """A private photo's address opened through the tracking link: add the token (public
    media files are served directly and need nothing)."""
    if not token or not url or url.startswith(settings.MEDIA_URL):
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({'token': token})}"

"""Wiring to the permits and reports apps, through their selectors, when they are installed.

Filled in once those apps expose their selectors; see docs/portal.md for the hooks they call.
"""

from __future__ import annotations


def connect() -> None:
    """Register the Layanan Saya sections and expiry sources of the other apps (if present)."""

"""Admin of the reports app. The Open311 part (client applications and their keys, categories
with their questions) lives in reports/open311/admin.py."""

from .open311 import admin as open311_admin  # noqa: F401

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


#: What the report form is built from (its first paint is styled by the rules these can use).
FORM_TEMPLATES = (
    "base.html",
    "components/field.html",
    "reports/resident/form.html",
    "reports/resident/_radio_group.html",
    "reports/resident/_icon.html",
    "reports/resident/partials/location.html",
    "reports/resident/partials/questions.html",
    "reports/resident/partials/similar.html",
    "reports/resident/partials/suggestions.html",
    "reports/resident/partials/supported.html",
)
FORM_STYLESHEETS = ("vendor/bootstrap/bootstrap.min.css", "css/kotapintar.css", "reports/resident.css")
FORM_SCRIPTS = ("reports/report-form.js",)
#: Classes the form's widgets get in Python (core.forms.BootstrapFormMixin, reports.forms).
FORM_WIDGET_CLASSES = ("form-control", "form-select", "form-check-input", "is-invalid")


@register.simple_tag
def report_form_critical_css():
    """The report form's critical CSS, inlined (see reports/critical_css.py)."""
    from kotapintar.reports.critical_css import critical_style

    return critical_style(FORM_TEMPLATES, FORM_STYLESHEETS, FORM_SCRIPTS, FORM_WIDGET_CLASSES)

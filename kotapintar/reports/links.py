"""Links to a report's pages, for notifications and API answers.

The web pages are built by the UI modules and registered under these URL names (namespace
"reports"); until a name exists, the documented default path is used, so notifications
always carry a usable link:

| URL name                       | default path                         | who                       |
|--------------------------------|--------------------------------------|---------------------------|
| reports:detail                 | /lapor/saya/<tracking_number>/       | the signed-in reporter    |
| reports:track                  | /lapor/lacak/<tracking_number>/      | anybody with ?token=…     |
| reports:public_detail          | /lapor/publik/<tracking_number>/     | the public                |
| reports:staff_detail           | /staff/laporan/<tracking_number>/    | staff (desk and agencies) |
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

DEFAULT_PATHS = {
    "reports:detail": "/lapor/saya/{n}/",
    "reports:track": "/lapor/lacak/{n}/",
    "reports:public_detail": "/lapor/publik/{n}/",
    "reports:staff_detail": "/staff/laporan/{n}/",
}


def _path(name: str, tracking_number: str) -> str:
    try:
        return reverse(name, kwargs={"tracking_number": tracking_number})
    except NoReverseMatch:
        return DEFAULT_PATHS[name].format(n=tracking_number)


def tracking_path(tracking_number: str, token: str | None = None) -> str:
    """The tracking page; with the token it opens the reporter's view without an account."""
    path = _path("reports:track", tracking_number)
    return f"{path}?{urlencode({'token': token})}" if token else path


def reporter_path(report) -> str:
    return _path("reports:detail", report.tracking_number)


def public_path(report) -> str:
    return _path("reports:public_detail", report.tracking_number)


def staff_path(report) -> str:
    return _path("reports:staff_detail", report.tracking_number)

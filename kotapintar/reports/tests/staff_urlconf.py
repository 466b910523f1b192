"""The root URLconf plus the staff pages at /lapor/ (namespace "reports"), for the staff
page tests while reports/urls.py is not yet mounted in kotapintar/urls.py."""

from django.urls import include, path

from kotapintar.urls import handler404, handler500  # noqa: F401
from kotapintar.urls import urlpatterns as root

urlpatterns = [
    path("lapor/", include(([path("", include("kotapintar.reports.urls_staff"))], "reports"))),
    *root,
]

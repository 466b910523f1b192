"""Public transparency pages of Lapor, included by reports/urls.py (namespace "reports",
under /lapor/). The open-data endpoints (map JSON, statistics JSON, CSV and GeoJSON exports)
are in reports/public_api.py, under /api/v1/public/.

| path                            | name                     |
|---------------------------------|--------------------------|
| publik/                         | reports:public_index     |
| publik/<tracking_number>/       | reports:public_detail    |
| statistik/                      | reports:public_stats     |

The navigation entry and home tiles are registered at start-up (reports.apps, through
reports/public_integration.py).
"""

from django.urls import path

from .views import public

urlpatterns = [
    path("publik/", public.index, name="public_index"),
    path("publik/<str:tracking_number>/", public.detail, name="public_detail"),
    path("statistik/", public.statistics, name="public_stats"),
]

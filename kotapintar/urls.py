"""URL map of the platform. Each app mounts its own web UI and API routes here."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from kotapintar.core import views as core_views

api_v1 = [
    path("", include("kotapintar.core.api.urls")),
    path("", include("kotapintar.accounts.api.urls")),
    path("", include("kotapintar.regions.api.urls")),
    path("", include("kotapintar.agencies.api.urls")),
    path("", include("kotapintar.core.audit_api")),
    path("", include("kotapintar.permits.api.urls")),
    path("", include("kotapintar.portal.api.urls")),
    path("", include("kotapintar.reports.api.urls")),
    path("", include("kotapintar.reports.public_api")),  # public map, statistics, exports
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kotapintar.accounts.urls")),
    path("wilayah/", include("kotapintar.regions.urls")),
    path("lapor/", include("kotapintar.reports.urls")),
    path("perizinan/", include("kotapintar.permits.urls")),
    path("", include("kotapintar.permits.verify_urls")),  # /verify/<code>/ (the QR of every permit)
    path("layanan/", include("kotapintar.portal.urls")),
    path("", include("kotapintar.core.urls")),  # /staff/, /notifications/
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("kotapintar.reports.open311.urls")),  # Open311 GeoReport v2
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# API paths answer errors in the API's JSON body; pages get the site's error pages.
handler404 = "kotapintar.core.views.page_not_found"
handler500 = "kotapintar.core.views.server_error"

if getattr(settings, "BENCH_BASELINE_VIEWS", False):
    # Baselines of the benchmarks (bench/); off unless BENCH_BASELINE_VIEWS=1.
    urlpatterns += [path("bench/", include("kotapintar.reports.bench_views"))]

if settings.DEBUG or settings.SERVE_MEDIA:
    # Only the public part of the media storage is ever served directly; private files
    # (application documents, identity scans) are streamed by views that check access.
    urlpatterns += [path("media/public/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "public"})]

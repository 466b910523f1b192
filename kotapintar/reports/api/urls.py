"""Reports API routes (mounted under /api/v1/ by kotapintar/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="report")
router.register("categories", views.CategoryViewSet, basename="report-category")
router.register("public/reports", views.PublicReportViewSet, basename="public-report")

urlpatterns = [
    # Fixed paths first: they must win over /reports/{tracking_number}/.
    path("reports/suggest-category/", views.SuggestCategoryView.as_view(), name="report-suggest-category"),
    path("reports/similar/", views.SimilarReportsView.as_view(), name="report-similar"),
    path("reports/photos/<int:pk>/", views.PhotoView.as_view(), name="report-photo"),
    path("reports/photos/<int:pk>/thumbnail/", views.PhotoView.as_view(thumbnail=True), name="report-photo-thumbnail"),
    *router.urls,
]

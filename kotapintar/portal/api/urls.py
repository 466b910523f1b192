"""Portal API routes (mounted under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("services", views.ServiceStandardViewSet, basename="service-standard")
router.register("surveys", views.SurveyViewSet, basename="survey")

urlpatterns = [
    path("ikm/", views.IkmView.as_view(), name="ikm"),
    path("ikm/breakdown/", views.IkmBreakdownView.as_view(), name="ikm-breakdown"),
    path("surveys/questions/", views.SurveyQuestionsView.as_view(), name="survey-questions"),
    *router.urls,
]

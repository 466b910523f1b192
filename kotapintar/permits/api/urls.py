"""Permits API routes (mounted under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("permits/types", views.PermitTypeViewSet, basename="permit-type")
router.register("permits/applications", views.ApplicationViewSet, basename="permit-application")
router.register("permits/permits", views.PermitViewSet, basename="permit")
router.register("permits/staff/applications", views.StaffApplicationViewSet, basename="permit-staff-application")
router.register("permits/staff/permits", views.StaffPermitViewSet, basename="permit-staff-permit")

urlpatterns = [
    path("permits/verify/<path:code>/", views.VerifyView.as_view(), name="permit-verify-api"),
    path("payments/callback/", views.PaymentCallbackView.as_view(), name="payment-callback"),
    *router.urls,
]

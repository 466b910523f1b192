"""Accounts API, mounted at /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/token/", views.TokenObtainView.as_view(), name="api-auth-token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="api-auth-token-revoke"),
]

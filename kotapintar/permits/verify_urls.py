"""The public verification page, mounted at the site root: the address printed in every QR code."""

from django.urls import path

from . import views

urlpatterns = [
    path("verify/<path:code>/", views.verify, name="permit_verify"),
]

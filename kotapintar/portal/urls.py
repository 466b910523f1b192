"""Portal pages, mounted at /layanan/ under the namespace "portal"."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("saya/", views.mine, name="mine"),
    path("ikm/", views.ikm, name="ikm"),
    path("survei/<int:pk>/", views.survey, name="survey"),
    path("saran/", views.suggestions, name="suggestions"),
    # Last: any other single segment is a service's address name (services.RESERVED_SLUGS).
    path("<slug:slug>/", views.detail, name="detail"),
]

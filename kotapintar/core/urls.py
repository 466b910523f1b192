"""Kernel pages, mounted at the site root under the namespace "core".

The staff desk lives under /staff/; the inbox is for every signed-in person, resident or
staff, so it sits at /notifications/.
"""

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]

# The audit log viewer (core/audit_views.py): /staff/audit/.
from .audit_views import urlpatterns as audit_urlpatterns  # noqa: E402

urlpatterns += audit_urlpatterns

"""The kernel's API: root, health, and the signed-in person's notification inbox."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kotapintar.core import selectors
from kotapintar.core.notifications import notification_mark_all_read, notification_mark_read

from .serializers import ApiRootSerializer, HealthSerializer, NotificationSerializer, ReadAllResultSerializer


class ApiRootView(APIView):
    """Where to start: links to the health check, the schema and the documentation."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ApiRootSerializer, tags=["platform"])
    def get(self, request: Request) -> Response:
        return Response(
            {
                "name": settings.SPECTACULAR_SETTINGS.get("TITLE", "Kota Pintar API"),
                "version": settings.SPECTACULAR_SETTINGS.get("VERSION", "1"),
                "health": reverse("api-health", request=request),
                "schema": reverse("api-schema", request=request),
                "docs": reverse("api-docs", request=request),
            }
        )


class HealthView(APIView):
    """The API is up and reaches its database."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=HealthSerializer, tags=["platform"])
    def get(self, request: Request) -> Response:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        version = settings.SPECTACULAR_SETTINGS.get("VERSION", "1")
        return Response({"status": "ok", "version": version, "time": timezone.now()})


@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in person's own in-app notifications, newest first."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self):
        return selectors.inbox_for(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk=None) -> Response:
        """Mark one notification read (doing it again changes nothing)."""
        item = self.get_object()
        notification_mark_read(user=request.user, notification=item)
        return Response(self.get_serializer(item).data)

    @extend_schema(request=None, responses=ReadAllResultSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification read."""
        return Response({"marked_read": notification_mark_all_read(user=request.user)})

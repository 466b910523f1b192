"""GET /api/v1/audit/: the audit log, read only, scoped like the staff page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import SimpleRouter

from . import access, audit
from .audit_filters import AuditLogFilter
from .models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()
    ip = serializers.SerializerMethodField()

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "agency_id",
            "before",
            "after",
            "request_id",
            "ip",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_object_type(self, obj: AuditLog) -> str | None:
        content_type = obj.content_type
        if content_type is None:
            return None
        return f"{content_type.app_label}.{content_type.model}"

    @extend_schema_field(serializers.IPAddressField(allow_null=True))
    def get_ip(self, obj: AuditLog) -> str | None:
        # The client address is personal data: administrators only.
        request = self.context.get("request")
        if request is not None and access.role_of(request.user) == access.ADMIN:
            return obj.ip
        return None


@extend_schema_view(
    list=extend_schema(summary="Audit log rows the caller may read", tags=["audit"]),
    retrieve=extend_schema(summary="One audit row", tags=["audit"]),
)
class AuditLogViewSet(access.ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Administrators read every row; agency staff the rows of their agencies. Append-only:
    there is no write method (POST, PUT, PATCH and DELETE answer 405)."""

    queryset = AuditLog.objects.select_related("content_type").order_by("-created_at", "-id")
    serializer_class = AuditLogSerializer
    permission_classes = [permissions.IsAuthenticated, access.ScopedAccessPermission]
    access_roles = audit.READER_ROLES
    filterset_class = AuditLogFilter


router = SimpleRouter()
router.register("audit", AuditLogViewSet, basename="audit")
urlpatterns = router.urls

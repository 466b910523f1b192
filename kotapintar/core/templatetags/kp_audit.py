"""`{% audit_history obj %}`: the audit trail of one object, for its page (staff who may read it)."""

from __future__ import annotations

from django import template
from django.contrib.contenttypes.models import ContentType

from kotapintar.core import audit

register = template.Library()


@register.inclusion_tag("core/audit/_history.html", takes_context=True)
def audit_history(context, obj, limit: int = 10):
    """The latest changes of `obj` the signed-in user may read; nothing for other users."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or getattr(obj, "pk", None) is None or not audit.may_read(user):
        return {"may_read": False}
    rows = list(audit.history_for(obj, user)[: limit + 1])
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return {
        "may_read": True,
        "rows": rows[:limit],
        "more": len(rows) > limit,
        "object_type": f"{content_type.app_label}.{content_type.model}",
        "object_id": str(obj.pk),
        "anchor": f"{content_type.model}-{obj.pk}",
        "request": request,
    }

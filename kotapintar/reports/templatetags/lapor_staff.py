"""Template helpers of the staff pages of Lapor: status and deadline badges."""

from __future__ import annotations

from django import template

from ..models import Status

register = template.Library()

STATUS_CSS = {
    Status.SUBMITTED: "text-bg-secondary",
    Status.VERIFIED: "text-bg-info",
    Status.DISPOSITIONED: "text-bg-primary",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-dark",
    Status.SET_ASIDE: "text-bg-warning",
    Status.MERGED: "text-bg-light border",
}

DEADLINE_CSS = {
    "on_time": "text-bg-success",
    "due_soon": "text-bg-warning",
    "overdue": "text-bg-danger",
    "met": "text-bg-success",
    "late": "text-bg-danger",
}


@register.inclusion_tag("reports/staff/partials/status_badge.html")
def status_badge(report):
    return {"status": report.status, "label": report.get_status_display(), "css": STATUS_CSS.get(report.status, "")}


@register.inclusion_tag("reports/staff/partials/deadline_badge.html")
def deadline_badge(badge):
    """A deadline badge from selectors.deadline_badge() (or a stage of the staff page)."""
    state = badge.get("state") or "none"
    return {
        "state": state,
        "css": DEADLINE_CSS.get(state, ""),
        "due": badge.get("due"),
        "days_left": badge.get("days_left"),
        "late_days": -badge["days_left"] if isinstance(badge.get("days_left"), int) else None,
        "stage": badge.get("stage", ""),
    }


@register.filter
def set_aside_label(code: str) -> str:
    from ..models import SetAsideReason

    try:
        return str(SetAsideReason(code).label)
    except ValueError:
        return code


@register.filter
def percent(score) -> int:
    try:
        return round(float(score) * 100)
    except (TypeError, ValueError):
        return 0

"""Personal data in reports (UU PDP): what "download my data" exports, and account deletion.

Deletion keeps the report for the city's record (it is public-interest work: a road was
repaired, an agency answered) but detaches the person from it: the account link, the
contact given on the form, the public name and the device id are cleared; follows are
removed; the person's own timeline entries lose their author. Photos stay (their metadata
was already removed on upload).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import ngettext


def _reports_of(user):
    from .models import Report

    return Report.objects.filter(reporter=user)


def export_reports(user) -> dict[str, Any]:
    from .models import Follower, Visibility

    reports = []
    rows = (
        _reports_of(user)
        .select_related("category", "village", "district")
        .defer("village__boundary", "district__boundary")
        .prefetch_related("events")
    )
    for report in rows:
        reports.append(
            {
                "tracking_number": report.tracking_number,
                "filed_at": report.created_at.isoformat(),
                "kind": report.kind,
                "category": report.category.code,
                "title": report.title,
                "text": report.text,
                "attributes": report.attributes,
                "lat": report.lat,
                "lng": report.lng,
                "address": report.address,
                "kelurahan": report.village.name if report.village else "",
                "kecamatan": report.district.name if report.district else "",
                "privacy": report.privacy,
                "show_name": report.show_name,
                "status": report.status,
                "rating": report.rating,
                "rating_comment": report.rating_comment,
                "timeline": [
                    {"time": e.created_at.isoformat(), "kind": e.kind, "text": e.text}
                    for e in report.events.all()
                    if e.visibility != Visibility.INTERNAL
                ],
            }
        )
    follows = [
        {"tracking_number": f.report.tracking_number, "supports": f.supports, "since": f.created_at.isoformat()}
        for f in Follower.objects.filter(user=user).select_related("report")
    ]
    return {"reports": reports, "following": follows}


def erase_reports(user) -> None:
    """Detach the person from their reports (runs inside the account-deletion transaction)."""
    from .models import Follower, Report, ReportEvent

    for report_id in list(Follower.objects.filter(user=user).values_list("report_id", flat=True)):
        Follower.objects.filter(user=user, report_id=report_id).delete()
        _recount(report_id)
    Report.objects.filter(reporter=user).update(
        reporter=None,
        reporter_name="",
        reporter_email="",
        reporter_phone="",
        public_name="",
        show_name=False,
        device_id="",
        idempotency_scope="",
        idempotency_key=None,
    )
    # Only the person's own acts as a resident; staff accounts are not erased this way.
    ReportEvent.objects.filter(Q(actor=user)).update(actor=None)


def _recount(report_id: int) -> None:
    from django.db.models import Count

    from .models import Follower, Report

    counts = Follower.objects.filter(report_id=report_id).aggregate(
        total=Count("id"), supports=Count("id", filter=Q(supports=True))
    )
    Report.objects.filter(pk=report_id).update(follower_count=counts["total"], support_count=counts["supports"])


def summary(user) -> str:
    n = _reports_of(user).count()
    return ngettext("%(n)d report filed.", "%(n)d reports filed.", n) % {"n": n}

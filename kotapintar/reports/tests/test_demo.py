"""The demo loader: every state, consistent with the services' rules, idempotent."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.db.models import Count

from kotapintar.reports import demo, services
from kotapintar.reports.models import Disposition, Privacy, Report, ReportEvent, Status


def test_demo_reports_cover_every_state_and_obey_the_rules(lapor, monkeypatch):
    monkeypatch.setattr(demo, "COUNT", 400)
    accounts = demo.load(stdout=io.StringIO())
    logins = {a.login.split("@")[0]: a for a in accounts}
    assert set(logins) >= {"verifikator", "pimpinan", "warga001"}
    # The printed password is the resident's (the published demo password).
    resident = logins["warga001"]
    assert get_user_model().objects.get(email=resident.login).check_password(resident.password)
    # Nothing happened in the future (a re-route the morning after a report routed today).
    from django.utils import timezone

    assert not ReportEvent.objects.filter(created_at__gt=timezone.now()).exists()
    statuses = dict(Report.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Status.values), statuses
    assert Report.objects.count() == 400
    # Nothing confidential or unverified is public.
    assert not Report.objects.filter(is_public=True, privacy=Privacy.CONFIDENTIAL).exists()
    assert not Report.objects.filter(is_public=True, verified_at__isnull=True).exists()
    # Every report routed has its active or finished disposition to the responsible agency.
    routed = Report.objects.filter(status__in=[Status.DISPOSITIONED, Status.IN_PROGRESS])
    assert all(
        Disposition.objects.filter(report=r, agency=r.responsible_agency, state="active").exists() for r in routed
    )
    # Timelines start with the filing; merged reports point at their original.
    assert ReportEvent.objects.filter(kind="submitted").count() == 400
    assert not Report.objects.filter(status=Status.MERGED, duplicate_of__isnull=True).exists()
    # The SLA sweep finds the demo consistent: nothing to escalate or close.
    result = services.reports_sla_sweep()
    assert (result.levels, result.auto_closed) == (0, 0)
    # Loading again adds nothing.
    demo.load(stdout=io.StringIO())
    assert Report.objects.count() == 400

"""Baseline views for the benchmarks (bench/bench_lapor_intake.py, bench/bench_lapor_million.py).

Mounted at /bench/ ONLY when settings.BENCH_BASELINE_VIEWS is on (environment variable
BENCH_BASELINE_VIEWS=1, which the benchmark scripts set for the server they start); a normal
instance never routes to them. They measure what every request pays anyway, so that each
figure of a benchmark is printed next to a baseline taken on the same server in the same run:

- POST /bench/baseline-insert/: the unavoidable durable write of an intake — ONE report-sized
  row (a report's columns and a text of a typical length) inserted into the reports table,
  with its indexes, in its own transaction. No validation, no timeline, no audit row, no
  notification. The rows are marked (channel "demo", status "set aside", not public) so that
  queues and public pages never show them.
- GET /bench/ping/: no database at all (the cost of the stack: gunicorn, middleware, routing).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .models import Category, Channel, Privacy, Report, SetAsideReason, Status

TEXT = (
    "Jalan berlubang cukup dalam di Jl. Pandanaran dekat halte BRT, sudah dua minggu belum ditambal. "
    "Kalau hujan jadi kubangan dan banyak motor hampir jatuh, mohon segera diperbaiki sebelum ada korban."
)
_category_id: int | None = None


def _category() -> int:
    global _category_id
    if _category_id is None:
        _category_id = Category.objects.order_by("pk").values_list("pk", flat=True).first()
    return _category_id


@csrf_exempt
@require_POST
def baseline_insert(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    number = "BASE-" + secrets.token_hex(6).upper()
    with transaction.atomic():
        Report(
            tracking_number=number,
            category_id=_category(),
            title=TEXT[:80],
            text=TEXT,
            lat=-6.99,
            lng=110.42,
            address="Jl. Pandanaran",
            privacy=Privacy.CONFIDENTIAL,
            status=Status.SET_ASIDE,
            set_aside_reason=SetAsideReason.INCOMPLETE,
            channel=Channel.DEMO,
            channel_client="bench-baseline",
            created_at=now,
            updated_at=now,
        ).save(force_insert=True)
    return JsonResponse({"tracking_number": number}, status=201)


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("baseline-insert/", baseline_insert, name="bench-baseline-insert"),
    path("ping/", ping, name="bench-ping"),
]

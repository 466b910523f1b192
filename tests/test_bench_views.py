"""The benchmarks' baseline views exist only when BENCH_BASELINE_VIEWS is on."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import include, path

from kotapintar.reports.models import Report, Status

urlpatterns = [path("bench/", include("kotapintar.reports.bench_views"))]


@pytest.mark.django_db
def test_not_routed_by_default(client):
    assert client.get("/bench/ping/").status_code == 404
    assert client.post("/bench/baseline-insert/").status_code == 404


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_baseline_insert_writes_one_hidden_row(client, lapor):
    assert client.get("/bench/ping/").content == b"ok"
    response = client.post("/bench/baseline-insert/")
    assert response.status_code == 201
    report = Report.objects.get(tracking_number=response.json()["tracking_number"])
    # Never in a queue, never public.
    assert report.status == Status.SET_ASIDE and not report.is_public and report.due_at is None
    assert client.get("/bench/baseline-insert/").status_code == 405

"""The public transparency surfaces of Lapor: the map (clusters, then points), the keyset
list, one report's public page, the pre-aggregated statistics and the open-data exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kotapintar.core import dashboard, navigation
from kotapintar.reports import services, stats, transparency
from kotapintar.reports.models import Privacy, Report, Status
from kotapintar.reports.models_stats import ReportMapCell, ReportMapTotal, ReportStat
from kotapintar.reports.transparency import BBox, PublicFilters

pytestmark = pytest.mark.django_db

MAP = "/api/v1/public/map/reports/"
CITY_BOX = "-7.20,110.20,-6.85,110.60"


def _shift(point, i: int):
    lat, lng = point
    return (round(lat + 0.0002 * (i % 5), 6), round(lng + 0.0002 * (i // 5), 6))


@pytest.fixture
def spread(lapor, make_report):
    """Public reports in two kecamatan, plus ones the public must never see."""
    made = {
        "pleburan": [
            make_report(status="dispositioned", point=_shift(lapor.point("Pleburan"), i), privacy=Privacy.PUBLIC)
            for i in range(3)
        ],
        "tugu": [
            make_report(status="resolved", category="DRAINASE", point=_shift(lapor.point("Mangkang Wetan"), i))
            for i in range(2)
        ],
        "confidential": make_report(status="dispositioned", privacy=Privacy.CONFIDENTIAL),
        "unverified": make_report(),
        "set_aside": make_report(status="set_aside"),
    }
    return made


def _get(api, **params):
    response = api.get(MAP, params)
    assert response.status_code == 200, response.content
    return response.json()


# --- the map ---------------------------------------------------------------------------------


def test_whole_city_answers_clusters_and_zoomed_in_answers_points(api, spread):
    city = _get(api, bbox=CITY_BOX, zoom=12)
    assert city["mode"] == "clusters"
    assert city["total"] == 5  # 3 + 2 public; confidential, unverified, set aside never
    assert sum(f["properties"]["count"] for f in city["features"]) == 5
    assert all(f["properties"]["cluster"] for f in city["features"])
    assert {f["properties"]["count"] for f in city["features"]} == {3, 2}
    assert "tracking_number" not in json.dumps(city)

    lat, lng = spread["pleburan"][0].lat, spread["pleburan"][0].lng
    box = f"{lat - 0.003},{lng - 0.003},{lat + 0.003},{lng + 0.003}"
    near = _get(api, bbox=box, zoom=16)
    assert near["mode"] == "points"
    assert sorted(f["properties"]["tracking_number"] for f in near["features"]) == sorted(
        r.tracking_number for r in spread["pleburan"]
    )
    feature = near["features"][0]
    assert feature["properties"]["url"].startswith("/lapor/publik/")
    assert feature["properties"]["status"] == Status.DISPOSITIONED


def test_a_cluster_lies_at_the_mean_of_its_reports_and_gives_its_cell(api, spread):
    city = _get(api, bbox=CITY_BOX, zoom=12)
    three = next(f for f in city["features"] if f["properties"]["count"] == 3)
    lng, lat = three["geometry"]["coordinates"]
    reports = spread["pleburan"]
    assert lat == pytest.approx(sum(r.lat for r in reports) / 3, abs=1e-5)
    assert lng == pytest.approx(sum(r.lng for r in reports) / 3, abs=1e-5)
    (south, west), (north, east) = three["properties"]["bounds"]
    assert all(south <= r.lat < north and west <= r.lng < east for r in reports)
    assert north - south == pytest.approx(city["cell"], abs=1e-5)
    assert three["properties"]["open"] == 3


def test_clusters_from_the_rollup_equal_clusters_from_the_reports(api, spread, lapor, make_report):
    make_report(status="in_progress", point=_shift(lapor.point("Pleburan"), 7), category="DRAINASE")
    stats.refresh()
    assert ReportMapCell.objects.exists()
    box = BBox.parse(CITY_BOX).clamp_to_city()
    for zoom in (10, 12, 13, 14):
        for filters in (
            PublicFilters(),
            PublicFilters(category="DRAINASE"),
            PublicFilters(status="open"),
            PublicFilters(district=spread["tugu"][0].district_id),
        ):
            grid = transparency.grid_for(box, zoom)
            live = transparency._cluster_features(transparency._clusters_from_reports(grid, filters), grid)
            rollup = transparency._cluster_features(transparency._clusters_from_rollup(grid, filters), grid)
            assert rollup == live, (zoom, filters)
        grid = transparency.grid_for(box, zoom)
        totals = transparency._cluster_features(transparency._clusters_from_totals(grid), grid)
        assert totals == transparency._cluster_features(
            transparency._clusters_from_reports(grid, PublicFilters()), grid
        )
    answer = _get(api, bbox=CITY_BOX, zoom=12)
    assert answer["source"] == "rollup" and answer["computed_at"]
    assert answer["total"] == 6


def test_a_refresh_makes_cached_map_answers_stale(api, spread, make_report, lapor):
    stats.refresh()
    assert _get(api, bbox=CITY_BOX, zoom=12)["total"] == 5
    make_report(status="verified", point=_shift(lapor.point("Pleburan"), 9))
    assert _get(api, bbox=CITY_BOX, zoom=12)["total"] == 5  # cached, and the rollup is as it was
    stats.refresh()
    assert _get(api, bbox=CITY_BOX, zoom=12)["total"] == 6


def test_a_date_filter_is_answered_from_the_reports(api, spread):
    stats.refresh()
    old = spread["tugu"][0]
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    today = timezone.localdate()
    answer = _get(api, bbox=CITY_BOX, zoom=12, date_from=(today - dt.timedelta(days=30)).isoformat())
    assert answer["source"] == "live"
    assert answer["total"] == 4


def test_the_number_of_cells_is_capped(api, lapor, make_report):
    grid = transparency.grid_for(BBox(-8.0, 109.0, -6.0, 112.0), 14)
    assert grid.cells <= transparency.MAX_CELLS
    assert grid.factor > 1  # coarsened from the zoom-14 cells
    make_report(status="verified")
    answer = _get(api, bbox="-8.0,109.0,-6.0,112.0", zoom=14)
    assert answer["mode"] == "clusters" and len(answer["features"]) <= transparency.MAX_CELLS


def test_points_are_capped_newest_first(api, lapor, make_report, monkeypatch):
    monkeypatch.setattr(transparency, "MAX_POINTS", 3)
    made = [make_report(status="verified", point=_shift(lapor.point("Pleburan"), i)) for i in range(5)]
    for i, report in enumerate(made):
        Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(hours=10 - i))
    lat, lng = made[0].lat, made[0].lng
    answer = _get(api, bbox=f"{lat - 0.01},{lng - 0.01},{lat + 0.01},{lng + 0.01}", zoom=17)
    assert answer["truncated"] is True
    assert [f["properties"]["tracking_number"] for f in answer["features"]] == [
        r.tracking_number for r in reversed(made[2:])
    ]


def test_map_filters(api, spread):
    assert _get(api, bbox=CITY_BOX, zoom=12, category="DRAINASE")["total"] == 2
    assert _get(api, bbox=CITY_BOX, zoom=12, status="done")["total"] == 2
    assert _get(api, bbox=CITY_BOX, zoom=12, status="dispositioned")["total"] == 3
    assert _get(api, bbox=CITY_BOX, zoom=12, district=spread["pleburan"][0].district_id)["total"] == 3
    assert _get(api, bbox="10,10,11,11", zoom=12)["total"] == 0  # far from the city


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"zoom": 12}, "bbox"),
        ({"bbox": "a,b,c,d", "zoom": 12}, "bbox"),
        ({"bbox": "-6.9,110.3,-7.1,110.5", "zoom": 12}, "bbox"),  # south above north
        ({"bbox": CITY_BOX, "zoom": "dekat"}, "zoom"),
        ({"bbox": CITY_BOX, "zoom": 12, "category": "TIDAKADA"}, "category"),
        ({"bbox": CITY_BOX, "zoom": 12, "date_from": "2025-13-45"}, "date_from"),
        ({"bbox": CITY_BOX, "zoom": 12, "date_from": "2025-05-02", "date_to": "2025-05-01"}, "date_to"),
    ],
)
def test_map_refuses_bad_input_with_a_clear_message(api, lapor, params, field):
    response = api.get(MAP, params, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    body = response.json()["error"]
    assert field in body["fields"]
    assert body["message"]


# --- the list (keyset) ------------------------------------------------------------------------------


def test_keyset_pages_walk_every_report_once_both_ways(lapor, make_report):
    made = [make_report(status="verified", point=_shift(lapor.point("Pleburan"), i)) for i in range(7)]
    moment = timezone.now() - dt.timedelta(days=1)
    # Two pairs share a timestamp: the id breaks the tie.
    stamps = [moment, moment, moment - dt.timedelta(hours=1), moment - dt.timedelta(hours=2)]
    stamps += [moment - dt.timedelta(hours=2), moment - dt.timedelta(hours=3), moment - dt.timedelta(hours=4)]
    for report, stamp in zip(made, stamps, strict=True):
        Report.objects.filter(pk=report.pk).update(created_at=stamp)
    expected = [r.tracking_number for r in Report.objects.filter(is_public=True).order_by("-created_at", "-id")]

    pages, page = [], transparency.public_list(PublicFilters(), size=3)
    pages.append(page)
    while page.next_cursor:
        page = transparency.public_list(PublicFilters(), after=page.next_cursor, size=3)
        pages.append(page)
    seen = [row.tracking_number for p in pages for row in p.rows]
    assert seen == expected
    assert pages[0].is_first and not pages[0].prev_cursor
    assert [len(p.rows) for p in pages] == [3, 3, 1]

    back = transparency.public_list(PublicFilters(), before=pages[-1].prev_cursor, size=3)
    assert [r.tracking_number for r in back.rows] == expected[3:6]
    first = transparency.public_list(PublicFilters(), before=back.prev_cursor, size=3)
    assert [r.tracking_number for r in first.rows] == expected[:3] and first.is_first


def test_a_new_report_does_not_shift_the_next_page(lapor, make_report):
    made = [make_report(status="verified", point=_shift(lapor.point("Pleburan"), i)) for i in range(4)]
    first = transparency.public_list(PublicFilters(), size=2)
    make_report(status="verified")  # arrives while the visitor reads page one
    second = transparency.public_list(PublicFilters(), after=first.next_cursor, size=2)
    assert [r.tracking_number for r in second.rows] == [r.tracking_number for r in made[1::-1]]


def test_list_page_shows_public_reports_with_filters_and_links(client, spread):
    response = client.get("/lapor/publik/")
    assert response.status_code == 200
    html = response.content.decode()
    for report in spread["pleburan"] + spread["tugu"]:
        assert report.tracking_number in html
    for hidden in ("confidential", "unverified", "set_aside"):
        assert spread[hidden].tracking_number not in html
    assert "Batas wilayah perkiraan (demo), bukan batas resmi" in html  # the map component's note
    filtered = client.get("/lapor/publik/", {"category": "DRAINASE"}).content.decode()
    assert spread["tugu"][0].tracking_number in filtered
    assert spread["pleburan"][0].tracking_number not in filtered
    assert "/api/v1/public/exports/reports.csv?category=DRAINASE" in filtered


def test_list_page_next_link_and_a_broken_cursor(client, lapor, make_report, monkeypatch):
    monkeypatch.setattr(transparency, "PAGE_SIZE", 2)
    made = [make_report(status="verified", point=_shift(lapor.point("Pleburan"), i)) for i in range(3)]
    page_one = client.get("/lapor/publik/")
    next_url = page_one.context["next_url"]
    assert next_url
    page_two = client.get("/lapor/publik/" + next_url).content.decode()
    assert made[0].tracking_number in page_two and made[2].tracking_number not in page_two
    broken = client.get("/lapor/publik/", {"after": "bukan-kursor"})
    assert broken.status_code == 200
    assert "tidak berlaku lagi" in broken.content.decode()
    assert made[2].tracking_number in broken.content.decode()


def test_invalid_filters_are_shown_next_to_the_field(client, lapor):
    response = client.get("/lapor/publik/", {"date_from": "2025-05-09", "date_to": "2025-05-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    assert "Tanggal akhir harus sama dengan atau sesudah tanggal awal." in html


# --- one report's page -----------------------------------------------------------------------------------


def test_report_page_shows_progress_responsibility_and_timeline(client, make_report, officer, jpeg_bytes, commit):
    from kotapintar.testing.reports import upload

    with commit():
        report = make_report(status="dispositioned", privacy=Privacy.PUBLIC, photos_in=[upload(jpeg_bytes())])
        services.report_follow_up(actor=officer, report=report, text="Tim sudah meninjau lokasi hari ini.")
    response = client.get(f"/lapor/publik/{report.tracking_number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert report.title in html
    assert "Dinas Pekerjaan Umum" in html  # the responsible agency, and the follow-up's author
    assert "Tim sudah meninjau lokasi hari ini." in html
    assert "Budi Petugas" not in html  # staff names never
    assert "Semarang Selatan" in html and "Pleburan" in html
    assert 'data-testid="deadline-badge"' in html
    assert 'data-testid="support"' in html
    assert "kp-pub-thumb" in html  # the reporter's photo, as a thumbnail
    assert response.context["page"].deadline["stage"] == "resolution"  # answered: now the resolution is due


def test_report_page_shows_the_rating_and_the_name_only_when_chosen(client, make_report, citizen):
    named = make_report(status="resolved", reporter=citizen, privacy=Privacy.PUBLIC, show_name=True)
    services.report_rate(report=named, rating=4, actor=citizen)
    html = client.get(f"/lapor/publik/{named.tracking_number}/").content.decode()
    assert 'data-testid="shown-name"' in html and "Siti Warga" in html
    assert 'data-testid="rating"' in html and "4 dari 5" in html
    unnamed = make_report(status="resolved", reporter=citizen, privacy=Privacy.PUBLIC, show_name=False)
    html = client.get(f"/lapor/publik/{unnamed.tracking_number}/").content.decode()
    assert "Siti Warga" not in html and 'data-testid="shown-name"' not in html


@pytest.mark.parametrize("kind", ["confidential", "unverified", "set_aside", "missing"])
def test_report_page_of_a_hidden_report_is_a_404_like_a_missing_one(client, make_report, kind):
    number = "LPR-26-ZZZZZZ"
    if kind == "confidential":
        number = make_report(status="in_progress", privacy=Privacy.CONFIDENTIAL).tracking_number
    elif kind == "unverified":
        number = make_report().tracking_number
    elif kind == "set_aside":
        number = make_report(status="set_aside").tracking_number
    response = client.get(f"/lapor/publik/{number}/")
    assert response.status_code == 404


def test_a_merged_report_points_to_the_report_it_joined(client, make_report, verifier):
    target = make_report(status="dispositioned")
    duplicate = make_report(status="verified")
    services.report_merge(actor=verifier, report=duplicate, into=target)
    html = client.get(f"/lapor/publik/{duplicate.tracking_number}/").content.decode()
    assert f"/lapor/publik/{target.tracking_number}/" in html


def test_anonymous_reports_show_an_approximate_point_and_no_address(client, api, lapor, make_report):
    lat, lng = lapor.point("Pleburan")
    point = (round(lat + 0.000437, 6), round(lng - 0.000291, 6))
    anonymous = make_report(status="verified", point=point, address="Depan rumah Pak RT no. 9")
    public = make_report(status="verified", point=_shift(point, 3), privacy=Privacy.PUBLIC, address="Depan SD 2")
    page = client.get(f"/lapor/publik/{anonymous.tracking_number}/")
    html = page.content.decode()
    assert "Depan rumah Pak RT" not in html
    assert str(anonymous.lat) not in html and str(anonymous.lng) not in html
    shown = page.context["report"]
    assert (shown.lat, shown.lng) == (transparency.blur(anonymous.lat), transparency.blur(anonymous.lng))
    assert abs(shown.lat - anonymous.lat) <= 0.0005 and abs(shown.lng - anonymous.lng) <= 0.0005
    assert "sekitar 100 m" in html
    exact = client.get(f"/lapor/publik/{public.tracking_number}/")
    assert "Depan SD 2" in exact.content.decode()
    assert (exact.context["report"].lat, exact.context["report"].lng) == (public.lat, public.lng)
    box = f"{point[0] - 0.01},{point[1] - 0.01},{point[0] + 0.01},{point[1] + 0.01}"
    points = {f["properties"]["tracking_number"]: f for f in _get(api, bbox=box, zoom=17)["features"]}
    assert points[anonymous.tracking_number]["geometry"]["coordinates"] == [shown.lng, shown.lat]
    assert points[anonymous.tracking_number]["properties"]["approximate"] is True
    assert points[public.tracking_number]["geometry"]["coordinates"] == [public.lng, public.lat]


# --- statistics ---------------------------------------------------------------------------------------------


def _timed(report, *, filed_days_ago: float, response_days: float | None = None, resolution_days: float | None = None):
    filed = timezone.now() - dt.timedelta(days=filed_days_ago)
    fields = {"created_at": filed}
    if response_days is not None:
        fields["first_response_at"] = filed + dt.timedelta(days=response_days)
    if resolution_days is not None:
        fields["resolved_at"] = filed + dt.timedelta(days=resolution_days)
    Report.objects.filter(pk=report.pk).update(**fields)


@pytest.fixture
def figures(lapor, make_report, citizen):
    """DPU: three resolved (2, 4 and 10 days; one late), one in progress, one rated 5 and one 2.
    DLH: one routed, not yet answered. Desk: one awaiting verification, one set aside."""
    dpu = [make_report(status="resolved", reporter=citizen) for _ in range(3)]
    for report, days in zip(dpu, (2, 4, 10), strict=True):
        _timed(report, filed_days_ago=20, response_days=days / 2, resolution_days=days)
    Report.objects.filter(pk=dpu[2].pk).update(resolved_on_time=False)
    services.report_rate(report=dpu[0], rating=5, actor=citizen)
    services.report_rate(report=dpu[1], rating=2, actor=citizen)
    busy = make_report(status="in_progress")
    _timed(busy, filed_days_ago=10, response_days=1)
    dlh = make_report(status="dispositioned", category="SAMPAH", village="Mangkang Wetan")
    waiting = make_report()
    aside = make_report(status="set_aside")
    old = make_report(status="resolved")
    _timed(old, filed_days_ago=200, response_days=1, resolution_days=3)
    return {"dpu": dpu, "busy": busy, "dlh": dlh, "waiting": waiting, "aside": aside, "old": old}


def test_statistics_per_city_agency_and_kecamatan(figures, lapor):
    stats.refresh()
    view = stats.read("90d")
    city = view.city
    assert (city.received, city.in_progress, city.resolved, city.set_aside) == (7, 3, 3, 1)
    assert (city.with_deadline, city.on_time) == (3, 2)
    assert city.on_time_percent == pytest.approx(66.7)
    assert city.median_resolution_days == 4.0  # 2, 4, 10 calendar days
    assert city.median_response_days == 1.5  # 1, 1, 2, 5 → halfway between 1 and 2
    assert (city.rated, city.rating_avg) == (2, 3.5)

    agencies = {row.key: row for row in view.agencies}
    assert set(agencies) == {"DPU", "DLH"}
    assert (agencies["DPU"].received, agencies["DPU"].resolved, agencies["DPU"].in_progress) == (4, 3, 1)
    assert agencies["DPU"].label == "Dinas Pekerjaan Umum"
    assert (agencies["DLH"].received, agencies["DLH"].responded, agencies["DLH"].median_response_days) == (1, 0, None)

    districts = {row.label: row for row in view.districts}
    assert districts["Semarang Selatan"].received == 6
    assert districts["Tugu"].received == 1
    assert sum(row.received for row in view.months) == 7

    year = stats.read("365d").city
    assert year.received == 8 and year.median_resolution_days == 3.5  # the old one (3 days) counts too


def test_merged_duplicates_are_counted_once(lapor, make_report, verifier):
    target = make_report(status="dispositioned")
    duplicate = make_report(status="verified")
    services.report_merge(actor=verifier, report=duplicate, into=target)
    stats.refresh()
    assert stats.read("30d").city.received == 1


def test_the_statistics_page_reads_only_the_rollup(client, figures):
    stats.refresh()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/lapor/statistik/", {"period": "90d"})
    assert response.status_code == 200
    report_table = Report._meta.db_table
    assert not [q["sql"] for q in queries.captured_queries if f'"{report_table}"' in q["sql"]]
    html = response.content.decode()
    assert 'data-testid="headline-received">7<' in html
    assert "Dinas Pekerjaan Umum" in html and "Semarang Selatan" in html
    assert "diperbarui" in html and "lalu" in html
    assert 'id="chart-agencies"' in html and 'data-testid="table-agencies"' in html
    assert "chart.umd.min.js" in html
    data = json.loads(html.split('id="report-stats-data" type="application/json">')[1].split("</script>")[0])
    assert data["agencies"]["names"][0] == "Dinas Pekerjaan Umum"
    assert data["agencies"]["resolved"][0] == 3


def test_stale_figures_are_refreshed_and_fresh_ones_are_not(client, figures):
    stats.refresh()
    assert stats.read("90d").city.received == 7
    make_report_time = timezone.now() - dt.timedelta(minutes=10)
    ReportStat.objects.update(computed_at=make_report_time)
    Report.objects.filter(pk=figures["aside"].pk).delete()
    client.get("/lapor/statistik/")  # embedded mode: the refresh runs in this request
    refreshed = stats.read("90d")
    assert refreshed.city.received == 6
    assert timezone.now() - refreshed.computed_at < dt.timedelta(minutes=1)
    Report.objects.filter(pk=figures["waiting"].pk).delete()
    client.get("/lapor/statistik/")
    assert stats.read("90d").city.received == 6  # fresh: left as is until it is 5 minutes old


def test_statistics_page_without_figures_yet_and_a_wrong_period(client, lapor, monkeypatch):
    monkeypatch.setattr(stats.refresh_public_stats, "delay", lambda: None)  # a broker that has not run it
    html = client.get("/lapor/statistik/").content.decode()
    assert 'data-testid="stats-pending"' in html
    stats.refresh()
    response = client.get("/lapor/statistik/", {"period": "1999"})
    assert response.status_code == 200
    assert "Pilih periode dari daftar." in response.content.decode()


def test_statistics_api_and_years(api, figures):
    stats.refresh()
    body = api.get("/api/v1/public/stats/reports/", {"period": "90d"}).json()
    assert body["city"]["received"] == 7
    assert body["city"]["median_days_to_resolution"] == 4.0
    assert body["city"]["on_time_share"] == pytest.approx(0.6667, abs=1e-4)
    assert {a["key"] for a in body["agencies"]} == {"DPU", "DLH"}
    this_year = str(timezone.localdate().year)
    assert this_year in [k for k, _label in stats.available_periods()]
    assert api.get("/api/v1/public/stats/reports/", {"period": "kemarin"}).status_code == 400


def test_calendar_years_each_have_their_figures(lapor, make_report):
    this_year = timezone.localdate().year
    old = make_report(status="resolved")
    filed = dt.datetime(this_year - 2, 12, 31, 20, 0, tzinfo=dt.UTC)  # 1 January in WIB
    Report.objects.filter(pk=old.pk).update(
        created_at=filed, first_response_at=filed + dt.timedelta(days=2), resolved_at=filed + dt.timedelta(days=6)
    )
    make_report(status="verified")
    stats.refresh()
    years = [k for k, _label in stats.available_periods() if k.isdigit()]
    assert years == [str(this_year), str(this_year - 1)]  # the old one filed on 1 January WIB
    before = stats.read(str(this_year - 1))
    assert (before.city.received, before.city.resolved, before.city.median_resolution_days) == (1, 1, 6.0)
    assert [row.key for row in before.months] == [f"{this_year - 1}-01"]
    assert [row.label for row in before.agencies] == ["Dinas Pekerjaan Umum"]
    assert stats.read(str(this_year)).city.received == 1


def test_refresh_command_and_schedule(lapor, make_report):
    from django.core.management import call_command

    make_report(status="verified")
    out = io.StringIO()
    call_command("refresh_report_stats", stdout=out)
    assert "map cells" in out.getvalue()
    assert stats.read("30d").city.received == 1
    assert ReportMapCell.objects.get().count == 1
    assert ReportMapTotal.objects.get().open_count == 1
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reports.refresh_public_stats")
    assert entry["schedule"] <= 300
    assert "kotapintar.reports.stats" in settings.CELERY_IMPORTS


# --- exports ------------------------------------------------------------------------------------------------------


def test_csv_export_streams_the_public_reports(client, spread):
    response = client.get("/api/v1/public/exports/reports.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(transparency.EXPORT_COLUMNS)
    numbers = {r["tracking_number"] for r in rows}
    assert numbers == {r.tracking_number for r in spread["pleburan"] + spread["tugu"]}
    pleburan = next(r for r in rows if r["tracking_number"] == spread["pleburan"][0].tracking_number)
    assert pleburan["agency"] == "Dinas Pekerjaan Umum"
    assert pleburan["location_precision"] == "exact"
    assert pleburan["url"].endswith(f"/lapor/publik/{pleburan['tracking_number']}/")
    tugu = next(r for r in rows if r["tracking_number"] == spread["tugu"][0].tracking_number)
    assert tugu["location_precision"] == "approx_100m" and tugu["address"] == ""
    assert float(tugu["lat"]) == transparency.blur(spread["tugu"][0].lat)
    drains = client.get("/api/v1/public/exports/reports.csv", {"category": "DRAINASE"})
    assert len(list(csv.DictReader(io.StringIO(b"".join(drains.streaming_content).decode("utf-8-sig"))))) == 2


def test_geojson_export(client, spread):
    response = client.get("/api/v1/public/exports/reports.geojson", {"status": "done"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(b"".join(response.streaming_content))
    assert data["type"] == "FeatureCollection"
    assert {f["properties"]["tracking_number"] for f in data["features"]} == {r.tracking_number for r in spread["tugu"]}
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["filed_at"].endswith("+07:00")
    assert "lat" not in feature["properties"]
    assert client.get("/api/v1/public/exports/reports.geojson", {"status": "hilang"}).status_code == 400


# --- navigation ------------------------------------------------------------------------------------------------------


def test_navigation_and_home_tiles(client, lapor):
    client.get("/lapor/publik/")  # the URL map loads, the entries register
    assert "reports.public" in {item.key for item in navigation.items_for(None)}
    tiles = {tile.key for tile in dashboard.tiles_for(None)}
    assert {"reports.public", "reports.statistics"} <= tiles
    html = client.get("/lapor/publik/").content.decode()
    assert "Peta laporan" in html

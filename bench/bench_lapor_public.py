"""Lapor's public transparency pages with many reports in PostgreSQL (a first check; the
million-row benchmark is bench_lapor_million, by the Open311/scale work).

    .venv/bin/python bench/bench_lapor_public.py [--count 200000] [--runs 25] [--keep]
        [--db-url postgres://postgres@127.0.0.1:5432/kp_bench_public]

In a throw-away PostgreSQL database (dropped and created, dropped again at the end unless
--keep): Kota Semarang's areas, demo boundaries, agencies and categories; then --count
reports over six years loaded with COPY (realistic mix of states, privacy, timelines,
ratings; points inside the city). Then, in-process through Django's test client (the
whole request: middleware, view, SQL, template), measured side by side:

- baseline: the map endpoint for an area outside the city (same stack, no data);
- the statistics page (/lapor/statistik/, reads the rollup only)        target p50 ≤ 300 ms;
- the map, whole-city viewport at zoom 12, cache cleared before each request (clusters
  from the pre-aggregated cells)                                           target p50 ≤ 200 ms;
- the same warm (cached for a minute), with a date filter (clusters computed from the
  reports), and zoomed in (points);
- the list: first page and a page deep down (keyset), and their ratio;
- the rollup refresh itself (what the periodic task costs).

Prints every figure and its ratio to the baseline; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_STATS_MS = 300.0
TARGET_MAP_MS = 200.0
SEMARANG = "33.74"
CITY_BOX = "-7.15,110.25,-6.90,110.52"  # Semarang and a margin, as the map asks at zoom 12

TEXTS = [
    "Jalan berlubang cukup dalam di dekat pertigaan, sudah banyak pengendara motor yang hampir jatuh saat hujan.",
    "Saluran air tersumbat sampah sehingga setiap hujan deras air meluap ke jalan dan masuk ke rumah warga.",
    "Lampu penerangan jalan mati sejak seminggu lalu, jalan menjadi gelap dan rawan kejahatan pada malam hari.",
    "Sampah menumpuk di TPS dan belum diangkut selama beberapa hari, baunya menyengat dan mengundang lalat.",
    "Pohon besar di pinggir jalan miring dan dahannya sudah retak, khawatir tumbang menimpa kendaraan.",
    "Air PDAM mati sejak kemarin pagi tanpa pemberitahuan, mohon segera diperbaiki karena warga kesulitan.",
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _recreate(url: str, *, drop_only: bool = False) -> None:
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def _reference_data() -> None:
    from django.core.management import call_command

    from kotapintar.agencies.services import agency_import
    from kotapintar.reports.services import category_import

    call_command("import_regions", "--only", SEMARANG, verbosity=0)
    call_command("import_boundaries", "--demo", verbosity=0)
    agency_import(actor=None)
    category_import(actor=None)


def _points(n: int, rng: random.Random):
    """n (lat, lng, village code, district code) inside the city."""
    import numpy as np

    from kotapintar.core import geo

    bounds = geo.city_bounds()
    found: list[tuple[float, float, str, str]] = []
    while len(found) < n:
        k = int((n - len(found)) * 1.6) + 100
        lats = np.array([rng.uniform(bounds.min_lat, bounds.max_lat) for _ in range(k)])
        lngs = np.array([rng.uniform(bounds.min_lng, bounds.max_lng) for _ in range(k)])
        for lat, lng, loc in zip(lats, lngs, geo.locate_many(lats, lngs), strict=True):
            if loc is not None:
                found.append((round(float(lat), 6), round(float(lng), 6), loc.village_code, loc.district_code))
    return found[:n]


def _generate(count: int, seed: int = 7) -> float:
    """COPY `count` reports into reports_report; returns the seconds it took."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from kotapintar.agencies.models import Agency
    from kotapintar.reports.models import Category, Report

    rng = random.Random(seed)
    started = time.perf_counter()
    categories = list(Category.objects.filter(is_active=True).values_list("id", "default_agency_id", "resolution_days"))
    fallback_agency = Agency.objects.order_by("id").values_list("id", flat=True).first()
    points = _points(count, rng)
    now = timezone.now()
    six_years = 6 * 365 * 86400
    fields = [f for f in Report._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    defaults = {f.column: f.get_default() for f in fields}
    for column, value in defaults.items():
        if isinstance(value, dict | list):
            defaults[column] = json.dumps(value)

    def row(i: int) -> list:
        lat, lng, village, district = points[i]
        category_id, agency_id, resolution_days = rng.choice(categories)
        created = now - dt.timedelta(seconds=rng.uniform(60, six_years))
        age_days = (now - created).days
        roll = rng.random()
        if age_days > 60:
            status = (
                "closed"
                if roll < 0.70
                else "resolved"
                if roll < 0.80
                else "set_aside"
                if roll < 0.88
                else "merged"
                if roll < 0.90
                else "in_progress"
                if roll < 0.96
                else "dispositioned"
            )
        else:
            status = (
                "submitted"
                if roll < 0.08
                else "verified"
                if roll < 0.14
                else "dispositioned"
                if roll < 0.30
                else "in_progress"
                if roll < 0.55
                else "resolved"
                if roll < 0.70
                else "closed"
                if roll < 0.90
                else "set_aside"
            )
        proll = rng.random()
        privacy = "anonymous" if proll < 0.55 else "public" if proll < 0.90 else "confidential"
        v = dict(defaults)
        text = rng.choice(TEXTS)
        v.update(
            tracking_number=f"BN-{i:09d}",
            kind="complaint",
            category_id=category_id,
            submitted_category_id=category_id,
            title=text[:80],
            text=text,
            lat=lat,
            lng=lng,
            village_id=village,
            district_id=district,
            privacy=privacy,
            status=status,
            channel="demo",
            created_at=created,
            updated_at=created,
        )
        if status != "submitted":
            v["verified_at"] = created + dt.timedelta(hours=rng.uniform(2, 60))
            v["updated_at"] = v["verified_at"]
        if status == "set_aside":
            v["set_aside_reason"] = "incomplete"
            v["set_aside_at"] = v["verified_at"]
        if status in ("dispositioned", "in_progress", "resolved", "closed", "merged"):
            routed = v["verified_at"] + dt.timedelta(hours=rng.uniform(1, 24))
            v["dispositioned_at"] = routed
            v["responsible_agency_id"] = agency_id or fallback_agency
            v["resolution_due"] = routed + dt.timedelta(days=resolution_days * 1.4)
            v["updated_at"] = routed
        if status in ("in_progress", "resolved", "closed"):
            v["first_response_at"] = v["dispositioned_at"] + dt.timedelta(days=rng.uniform(0.2, 8))
            v["last_follow_up_at"] = v["first_response_at"]
            v["updated_at"] = v["first_response_at"]
        if status in ("resolved", "closed"):
            v["resolved_at"] = v["first_response_at"] + dt.timedelta(days=rng.expovariate(1 / 9))
            v["resolved_on_time"] = v["resolved_at"] <= v["resolution_due"]
            v["updated_at"] = v["resolved_at"]
            if rng.random() < 0.3:
                v["rating"] = rng.choice((1, 2, 3, 4, 4, 5, 5, 5))
        if status == "closed":
            v["closed_at"] = v["resolved_at"] + dt.timedelta(days=14)
            v["updated_at"] = v["closed_at"]
        if status in ("submitted", "verified", "dispositioned", "in_progress"):
            v["due_at"] = created + dt.timedelta(days=rng.uniform(3, 30))
        for stamp in ("verified_at", "updated_at", "first_response_at", "resolved_at", "closed_at"):
            if v.get(stamp) and v[stamp] > now:
                v[stamp] = now
        v["is_public"] = privacy != "confidential" and status not in ("submitted", "set_aside")
        v["support_count"] = int(rng.expovariate(1 / 1.5))
        return [v[c] for c in columns]

    table = connection.ops.quote_name(Report._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for i in range(count):
                copy.write_row(row(i))
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


_visitor = iter(range(1, 10**9))


def _address() -> str:
    """Every request from another visitor (the throttles count per address, as for real)."""
    n = next(_visitor)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def _measure(client, path: str, runs: int, *, params=None, before=None) -> dict:
    client.get(path, params or {}, REMOTE_ADDR=_address())  # warm-up (imports, first connection)
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(path, params or {}, REMOTE_ADDR=_address())
        if getattr(response, "streaming", False):
            for _chunk in response.streaming_content:
                pass
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        times.append(elapsed)
    return {"p50": statistics.median(times), "p95": _percentile(times, 0.95), "response": response}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left (no reload)")
    parser.add_argument(
        "--db-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kp_bench_public"),
    )
    args = parser.parse_args()

    if not args.reuse:
        _recreate(args.db_url)
    os.environ["DATABASE_URL"] = args.db_url
    os.environ["CITY_CODE"] = SEMARANG
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from kotapintar.reports import stats, transparency
    from kotapintar.reports.models import Report

    settings.CITY_CODE = SEMARANG
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Templates without a collectstatic manifest (as in the tests).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    failed = False
    try:
        call_command("migrate", verbosity=0)
        if args.reuse:
            t_load = 0.0
        else:
            _reference_data()
            t_load = _generate(args.count)
        total = Report.objects.count()
        public = Report.objects.filter(is_public=True).count()
        print(f"reports: {total:,} ({public:,} public)" + (f" loaded with COPY in {t_load:.1f} s" if t_load else ""))

        refresh = stats.refresh()
        print(
            f"rollup refresh: {refresh.seconds * 1000:8.0f} ms  ({refresh.stat_rows} statistic rows, "
            f"{refresh.map_cells:,} map cells; runs every 4 minutes)"
        )

        client = Client()
        runs = args.runs
        clear = transparency.forget_map_cache  # every cached map answer stale (not the whole cache)
        baseline = _measure(client, "/api/v1/public/map/reports/", runs, params={"bbox": "10,10,11,11", "zoom": 12})
        healthz = _measure(client, "/healthz/", runs)
        stats.refresh()  # fresh figures: the page must not refresh them while measured
        page = _measure(client, "/lapor/statistik/", runs)
        assert b"diperbarui" in page["response"].content or b"updated" in page["response"].content
        cold = _measure(
            client, "/api/v1/public/map/reports/", runs, params={"bbox": CITY_BOX, "zoom": 12}, before=clear
        )
        body = json.loads(cold["response"].content)
        warm = _measure(client, "/api/v1/public/map/reports/", runs, params={"bbox": CITY_BOX, "zoom": 12})
        since = (timezone.localdate() - dt.timedelta(days=90)).isoformat()
        dated = _measure(
            client,
            "/api/v1/public/map/reports/",
            max(5, runs // 2),
            params={"bbox": CITY_BOX, "zoom": 12, "date_from": since},
            before=clear,
        )
        dated_all = _measure(
            client,
            "/api/v1/public/map/reports/",
            max(5, runs // 3),
            params={"bbox": CITY_BOX, "zoom": 12, "date_from": "2000-01-01"},
            before=clear,
        )
        center = "-6.995,110.415,-6.985,110.435"
        points = _measure(
            client, "/api/v1/public/map/reports/", runs, params={"bbox": center, "zoom": 16}, before=clear
        )
        first = _measure(client, "/lapor/publik/", runs)
        oldest = Report.objects.filter(is_public=True).order_by("created_at", "id")[200]
        deep_cursor = transparency.encode_cursor(oldest.created_at, oldest.pk)
        deep = _measure(client, "/lapor/publik/", runs, params={"after": deep_cursor})
        export = _measure(client, "/api/v1/public/exports/reports.csv", 2)
        exported = Report.objects.filter(is_public=True).count()

        base = baseline["p50"]

        def line(label: str, m: dict, target: float | None = None) -> None:
            verdict = ""
            if target is not None:
                verdict = "  OK" if m["p50"] <= target else f"  MISSED (target ≤ {target:.0f} ms)"
            print(
                f"{label:<58} p50 {m['p50']:7.1f} ms  p95 {m['p95']:7.1f} ms  ×{m['p50'] / base:6.1f} baseline{verdict}"
            )

        print(f"\n{args.runs} runs each, in-process (Django test client), PostgreSQL")
        line("baseline: map endpoint, area outside the city (no data)", baseline)
        line("healthz (SELECT 1)", healthz)
        line("statistics page /lapor/statistik/ (rollup)", page, TARGET_STATS_MS)
        line(
            f"map, whole city, zoom 12, uncached ({body['source']}, {len(body['features'])} cells)", cold, TARGET_MAP_MS
        )
        line("map, whole city, zoom 12, cached", warm)
        line("map, whole city, zoom 12, filed in the last 90 days (live)", dated)
        line("map, whole city, zoom 12, date filter from 2000 (live, all rows)", dated_all)
        line("map, zoomed in (zoom 16, points)", points)
        line("list, first page (keyset)", first)
        line("list, a page near the oldest report (keyset)", deep)
        print(f"list: deep page / first page = {deep['p50'] / first['p50']:.2f}")
        rate = exported / (export["p50"] / 1000) if export["p50"] else 0
        print(f"CSV export, every public report: {exported:,} rows in {export['p50']:.0f} ms ({rate:,.0f} rows/s)")
        failed = page["p50"] > TARGET_STATS_MS or cold["p50"] > TARGET_MAP_MS
        print("\nRESULT:", "targets missed" if failed else "targets met")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _recreate(args.db_url, drop_only=True)
        else:
            print(f"kept: {args.db_url} (run again with --reuse)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

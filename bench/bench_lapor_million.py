"""Lapor with a million reports: the hot pages and APIs through a real server (issue 4).

    .venv/bin/python bench/bench_lapor_million.py            # 100,000 then 1,000,000 reports
    .venv/bin/python bench/bench_lapor_million.py --quick    # 20,000 then 100,000 (iteration)
    options: --small N --large N --rounds N --keep --explain FILE --skip-intake

Steps, on this machine only (PostgreSQL on 127.0.0.1, gunicorn on a loopback port):

1. a throw-away database `kp_bench_million` (schema, Semarang areas and demo boundaries,
   agencies, categories; bench/lapor_bench.py), staff accounts with confirmed TOTP devices
   (a verifier, an officer of the busiest agency, one officer per agency);
2. `generate_reports` up to the small size, VACUUM ANALYZE, the public statistics refreshed
   (timed: they must be fresh within 5 minutes), then gunicorn (2 workers × 4 threads,
   DEBUG off, Redis cache on a free database number) and the measurements below;
3. the same after generating up to the large size, plus intake under load, worker memory
   and deep pages; EXPLAIN (ANALYZE, BUFFERS) of the queries behind each page (--explain).

Latencies are taken by one client in rounds: each round requests every endpoint once, the
baseline `/healthz/` (one `SELECT 1` through the whole stack) among them, so every figure
has its baseline measured side by side. Each request is also charged the CPU time that the
gunicorn workers and their PostgreSQL backends spent on it (/proc), a figure that does not
depend on how busy the machine is. Staff pages are requested with sessions signed in through
the real sign-in and two-factor pages.

Targets (exit 1 when one is missed):
- Open311 GET requests.json with typical filters, page of 50: p50 ≤ 50 ms, p99 ≤ 150 ms, and
  p50 at the large size ≤ 1.5 × p50 at the small size;
- agency inbox first page, verifier queue: p50 ≤ 100 ms;
- public statistics page: p50 ≤ 300 ms, statistics computed ≤ 5 minutes before;
- map of the whole city: clusters (not points), p50 ≤ 200 ms without the cache; points only
  when zoomed in;
- intake under load ≥ 0.3 × the single-insert baseline (bench_lapor_intake's measure);
- each gunicorn worker < 300 MB resident after the runs;
- deep pages (Open311 page ~1000, inbox and public list far down): p50 ≤ 1.5 × page 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lapor_bench as lb

DB = "kp_bench_million"
PASSWORD = "Bench-Lapor-2026"  # noqa: S105 - throw-away accounts of a throw-away database
OPEN311_P50, OPEN311_P99, OPEN311_GROWTH = 0.050, 0.150, 1.5
STAFF_P50 = 0.100
STATS_P50 = 0.300
STATS_MAX_AGE = dt.timedelta(minutes=5)
MAP_P50 = 0.200
INTAKE_RATIO = 0.3
WORKER_MB = 300
DEEP_RATIO = 1.5


def log(message: str) -> None:
    print(message, flush=True)


# --- set-up --------------------------------------------------------------------------------------------


@dataclass
class Staff:
    email: str
    device: object


def make_staff() -> dict[str, Staff]:
    """A verifier, an officer of DPU (roads and drains: the busiest inbox) and one officer
    per other agency (so generated reports get assigned officers), each with a TOTP device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kotapintar.accounts.models import User
    from kotapintar.agencies.models import Agency, Membership

    def account(email: str, role: str, name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=PASSWORD, full_name=name, role=role)
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        return user

    verifier = account("verifikator@bench.kotapintar.id", "verifier", "Verifikator Bench")
    officer = account("petugas.dpu@bench.kotapintar.id", "agency", "Petugas DPU Bench")
    Membership.objects.get_or_create(user=officer, agency=Agency.objects.get(code="DPU"), defaults={"role": "officer"})
    for agency in Agency.objects.filter(is_active=True).exclude(code="DPU"):
        user = account(f"petugas.{agency.code.lower()}@bench.kotapintar.id", "agency", f"Petugas {agency.code}")
        Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": "officer"})
    return {
        "verifier": Staff(verifier.email, TOTPDevice.objects.get(user=verifier, name="bench")),
        "officer": Staff(officer.email, TOTPDevice.objects.get(user=officer, name="bench")),
    }


def grow_to(total: int) -> dict:
    """Generate reports up to `total`, VACUUM ANALYZE, refresh the statistics; timings."""
    from django.db import connection

    from kotapintar.reports import generate, stats
    from kotapintar.reports.models import Report

    have = Report.objects.filter(channel__in=["web", "api", "whatsapp", "open311", "staff"]).count()
    figures: dict = {"reports": total}
    if total > have:
        log(f"generating {total - have:,} reports (to {total:,}) …")
        result = generate.generate(count=total - have, seed=2026, refresh_stats=False)
        figures["generate_s"] = result.seconds
        figures["generate_cpu"] = (result.cpu_self, result.cpu_database)
        cpu_db = f", {result.cpu_database:.0f} s in PostgreSQL" if result.cpu_database is not None else ""
        log(
            f"  {result.reports:,} reports, {result.events:,} timeline entries, {result.dispositions:,} "
            f"dispositions in {result.seconds:.0f} s ({result.reports / result.seconds:,.0f} reports/s, "
            f"{result.rows_per_second:,.0f} rows/s; CPU {result.cpu_self:.0f} s here{cpu_db})"
        )
    started = time.perf_counter()
    connection.close()
    with connection.cursor() as cursor:
        for table in generate.TABLES:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    figures["vacuum_s"] = time.perf_counter() - started
    started = time.perf_counter()
    stats.refresh()
    figures["stats_refresh_s"] = time.perf_counter() - started
    log(f"  VACUUM ANALYZE {figures['vacuum_s']:.0f} s; statistics refreshed in {figures['stats_refresh_s']:.1f} s")
    return figures


# --- what is measured ------------------------------------------------------------------------------------


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open311_paths(now: dt.datetime) -> list[str]:
    """Typical client queries: a category, open or closed, a recent window, a page of 50."""
    windows = [(7, 0), (30, 0), (90, 0), (60, 30), (14, 0), (45, 15)]
    codes = ["JALAN", "SAMPAH", "PJU", "DRAINASE", "BANJIR", "LALIN"]
    paths = []
    for i, (start, end) in enumerate(windows):
        query = {
            "service_code": codes[i % len(codes)],
            "status": "open" if i % 2 == 0 else "closed",
            "start_date": _iso(now - dt.timedelta(days=start)),
            "end_date": _iso(now - dt.timedelta(days=end)),
            "page_size": "50",
        }
        paths.append("/open311/v2/requests.json?" + urllib.parse.urlencode(query))
    return paths


def open311_deep(now: dt.datetime) -> tuple[str, str, int]:
    """Page 1 and a deep page (about page 1000 of 50) of the last 90 days' public reports."""
    from kotapintar.reports.open311 import selectors

    start = now - dt.timedelta(days=89)
    count = selectors.public_requests().filter(created_at__gte=start).count()
    deep = max(1, min(1000, int(count * 0.95) // 50))
    base = {"start_date": _iso(start), "end_date": _iso(now), "page_size": "50"}
    first = "/open311/v2/requests.json?" + urllib.parse.urlencode({**base, "page": "1"})
    far = "/open311/v2/requests.json?" + urllib.parse.urlencode({**base, "page": str(deep)})
    return first, far, deep


def inbox_deep_cursor(email: str, depth: int) -> tuple[str, int]:
    """The inbox cursor after `depth` rows (what following "next" that many rows gives)."""
    from kotapintar.accounts.models import User
    from kotapintar.agencies.models import Agency
    from kotapintar.reports import desk_selectors, selectors

    user = User.objects.get(email=email)
    qs = selectors.agency_inbox(user, agency=Agency.objects.get(code="DPU"))
    size = qs.count()
    depth = max(1, min(depth, size - desk_selectors.PAGE_SIZE))
    page = desk_selectors.keyset_page(qs, "due", None, size=depth)
    return page.next_cursor or "", depth


def public_deep_cursor(depth: int) -> tuple[str, int]:
    from kotapintar.reports import transparency

    qs = transparency.public_base(transparency.PublicFilters()).order_by("-created_at", "-id")
    depth = min(depth, int(qs.count() * 0.8))
    row = qs.values_list("created_at", "id")[depth : depth + 1]
    found = list(row)
    if not found:
        return "", 0
    return transparency.encode_cursor(*found[0]), depth


def city_bbox() -> str:
    from kotapintar.core import geo

    b = geo.city_bounds()
    return f"{b.min_lat:.4f},{b.min_lng:.4f},{b.max_lat:.4f},{b.max_lng:.4f}"


@dataclass
class Figure:
    name: str
    p50: float
    p99: float
    cpu_ms: float
    base_p50: float
    n: int
    failures: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.p50 / self.base_p50 if self.base_p50 else float("nan")


class CpuProbe:
    """CPU seconds of the server side: gunicorn workers and their PostgreSQL backends."""

    def __init__(self, server: lb.Server):
        self.server = server
        self.workers = server.worker_pids()

    def backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB])
            return [r[0] for r in cursor.fetchall()]

    @staticmethod
    def _cpu(pid: int) -> float:
        from kotapintar.reports.generate import _backend_cpu

        return _backend_cpu(pid) or 0.0

    def total(self) -> float:
        return sum(self._cpu(p) for p in self.workers + self.backends())


def measure(server: lb.Server, staff: dict[str, Staff], *, rounds: int, label: str, redis_db: int | None) -> dict:
    from django.utils import timezone

    now = timezone.now()
    port = server.port
    verifier = lb.sign_in_staff(port, staff["verifier"].email, PASSWORD, staff["verifier"].device)
    officer = lb.sign_in_staff(port, staff["officer"].email, PASSWORD, staff["officer"].device)
    anon = lb.Client(port)
    first311, deep311, deep_page = open311_deep(now)
    inbox_cursor, inbox_depth = inbox_deep_cursor(staff["officer"].email, 2000)
    public_cursor, public_depth = public_deep_cursor(20_000)
    bbox = city_bbox()
    lat0, lng0 = lb.city_points(1, seed=11)[0]
    zoomed = f"{lat0 - 0.004:.5f},{lng0 - 0.006:.5f},{lat0 + 0.004:.5f},{lng0 + 0.006:.5f}"
    map_city = [f"/api/v1/public/map/reports/?bbox={bbox}&zoom={z}" for z in (11, 12, 13)]

    # name: (paths, client, clear the map cache before each request?); the Open311 list is
    # asked three times a round (its p99 is a target).
    plan = {
        "baseline /healthz/ (SELECT 1)": (["/healthz/"], anon, False),
        "ping (no database)": (["/bench/ping/"], anon, False),
        "Open311 requests.json, filtered, 50": (open311_paths(now), anon, False),
        "Open311 page 1 (90 days)": ([first311], anon, False),
        f"Open311 page {deep_page} (90 days)": ([deep311], anon, False),
        "agency inbox, first page": (["/lapor/staf/opd/"], officer, False),
        f"agency inbox, after {inbox_depth} rows": ([f"/lapor/staf/opd/?after={inbox_cursor}"], officer, False),
        "verifier queue, first page": (["/lapor/staf/verifikasi/"], verifier, False),
        "public statistics page": (["/lapor/statistik/"], anon, False),
        "public statistics API": (["/api/v1/public/stats/reports/"], anon, False),
        "map, whole city, no cache": (map_city, anon, True),
        "map, whole city, cached": (map_city, anon, False),
        "map, zoomed in (points)": ([f"/api/v1/public/map/reports/?bbox={zoomed}&zoom=17"], anon, False),
        "public list, first page": (["/lapor/publik/"], anon, False),
        f"public list, after {public_depth} rows": ([f"/lapor/publik/?after={public_cursor}"], anon, False),
    }
    redis = None
    if redis_db is not None:
        import redis as redis_module

        redis = redis_module.Redis(host="127.0.0.1", port=6379, db=redis_db)

    def clear_map_cache() -> None:
        if redis is not None:
            keys = list(redis.scan_iter(match="*reports:map:*", count=1000))
            if keys:
                redis.delete(*keys)

    probe = CpuProbe(server)
    times: dict[str, list[float]] = {name: [] for name in plan}
    cpu: dict[str, float] = dict.fromkeys(plan, 0.0)
    failures: dict[str, list[str]] = {name: [] for name in plan}
    checks: dict[str, object] = {}
    warmup = 5
    repeat = {"Open311 requests.json, filtered, 50": 3}
    for i in range(warmup + rounds):
        steps = [(name, k) for name in plan for k in range(repeat.get(name, 1))]
        for name, k in steps:
            paths, client, cold = plan[name]
            path = paths[(i * repeat.get(name, 1) + k) % len(paths)]
            if cold:
                clear_map_cache()
            before = probe.total()
            status, body, seconds = client.request("GET", path)
            spent = probe.total() - before
            if status != 200:
                failures[name].append(f"{path} → {status}: {body[:150]!r}")
                continue
            if i == warmup and name.startswith("map"):
                import json

                checks[name] = json.loads(body).get("mode")
            if i >= warmup:
                times[name].append(seconds)
                cpu[name] += spent
    base = times["baseline /healthz/ (SELECT 1)"]
    base_p50 = lb.percentile(base, 50)
    figures = {
        name: Figure(
            name=name,
            p50=lb.percentile(values, 50),
            p99=lb.percentile(values, 99),
            cpu_ms=1000 * cpu[name] / max(len(values), 1),
            base_p50=base_p50,
            n=len(values),
            failures=failures[name],
        )
        for name, values in times.items()
    }
    log(f"\n{label}: {rounds} rounds, machine: {lb.machine()}")
    log(f"{'':44} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>8} {'× base':>7}")
    for f in figures.values():
        extra = f"  FAILED {len(f.failures)}× e.g. {f.failures[0]}" if f.failures else ""
        log(f"{f.name:44} {1000 * f.p50:8.1f} {1000 * f.p99:8.1f} {f.cpu_ms:8.1f} {f.ratio:7.1f}{extra}")
    from kotapintar.reports import stats

    computed = stats.last_computed()
    checks["stats_age"] = (timezone.now() - computed) if computed else None
    checks["deep_page"] = deep_page
    for client in (verifier, officer, anon):
        client.close()
    return {"figures": figures, "checks": checks}


# --- EXPLAIN ----------------------------------------------------------------------------------------------


def explain_all(staff: dict[str, Staff], path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every query behind the hot pages, heaviest first."""
    import re

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY

    from kotapintar.accounts.models import User

    now = timezone.now()

    def client_for(email: str | None) -> Client:
        client = Client()
        if email:
            user = User.objects.get(email=email)
            client.force_login(user, backend="kotapintar.accounts.backends.EmailOrPhoneBackend")
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = staff[
                "verifier" if user.role == "verifier" else "officer"
            ].device.persistent_id
            session.save()
        return client

    _first311, deep311, deep_page = open311_deep(now)
    inbox_cursor, inbox_depth = inbox_deep_cursor(staff["officer"].email, 2000)
    public_cursor, public_depth = public_deep_cursor(20_000)
    pages = [
        ("Open311 list (one service, one status, 30 days, 50)", open311_paths(now)[1], None),
        (f"Open311 page {deep_page}", deep311, None),
        ("Agency inbox, first page", "/lapor/staf/opd/", staff["officer"].email),
        (f"Agency inbox after {inbox_depth} rows", f"/lapor/staf/opd/?after={inbox_cursor}", staff["officer"].email),
        ("Verifier queue", "/lapor/staf/verifikasi/", staff["verifier"].email),
        ("Public statistics page", "/lapor/statistik/", None),
        ("Map, whole city (clusters)", f"/api/v1/public/map/reports/?bbox={city_bbox()}&zoom=12", None),
        (f"Public list after {public_depth} rows", f"/lapor/publik/?after={public_cursor}", None),
    ]
    from django.core.cache import cache

    out = [f"# EXPLAIN (ANALYZE, BUFFERS) of the hot queries — {timezone.now():%Y-%m-%d %H:%M} UTC\n"]
    for title, url, email in pages:
        cache.clear()
        client = client_for(email)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        plans = []
        for sql in queries:
            if "django_session" in sql or "otp_totp" in sql or ("accounts_user" in sql and "reports_" not in sql):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cursor.fetchall())
            ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
            plans.append((ms, sql, plan))
        plans.sort(key=lambda p: -p[0])
        out.append(
            f"\n## {title}\n\n`GET {url[:160]}` → {response.status_code}, {len(queries)} SELECTs; "
            f"total execution {sum(p[0] for p in plans):.1f} ms\n"
        )
        for ms, sql, plan in plans[:3]:
            out.append(f"\n{ms:.1f} ms:\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```\n")
    path.write_text("".join(out))
    log(f"EXPLAIN plans written to {path}")


# --- main ----------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 then 100,000 reports")
    parser.add_argument("--small", type=int, help="first size (default 100,000; quick 20,000)")
    parser.add_argument("--large", type=int, help="second size (default 1,000,000; quick 100,000)")
    parser.add_argument("--rounds", type=int, help="measured rounds per size (default 100; quick 40)")
    parser.add_argument("--skip-intake", action="store_true")
    parser.add_argument("--explain", type=Path, help="write EXPLAIN (ANALYZE, BUFFERS) of the hot queries here")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    small = args.small or (20_000 if args.quick else 100_000)
    large = args.large or (100_000 if args.quick else 1_000_000)
    rounds = args.rounds or (40 if args.quick else 100)
    started = time.perf_counter()

    lb.setup_django(DB)
    log(f"machine: {lb.machine()}")
    lb.prepare_database(DB, log)
    staff = make_staff()
    redis_db = lb.free_redis_db()
    results = {}
    problems: list[str] = []
    try:
        for size in (small, large):
            grown = grow_to(size)
            lb.flush_redis_db(redis_db)
            with lb.Server(DB, redis_db=redis_db) as server:
                result = measure(server, staff, rounds=rounds, label=f"{size:,} reports", redis_db=redis_db)
                result["grown"] = grown
                if size == large:
                    if not args.skip_intake:
                        from kotapintar.reports.models import Category

                        log("\nintake under load (alternating rounds against the single-insert baseline):")
                        intake = lb.measure_intake(
                            server.port,
                            token=lb.citizen_token(),
                            points=lb.city_points(500),
                            categories=list(Category.objects.filter(is_active=True).values_list("code", flat=True)),
                            seconds=5 if args.quick else 8,
                            rounds=2 if args.quick else 3,
                            log=log,
                        )
                        result["intake"] = intake
                        problems += [f"intake: {p}" for p in lb.check_intake_rows(intake.tracking_numbers)]
                    result["rss"] = {pid: lb.Server.rss_mb(pid) for pid in server.worker_pids()}
            results[size] = result
        if args.explain:
            explain_all(staff, args.explain)
    finally:
        lb.flush_redis_db(redis_db)
        if not args.keep:
            lb.drop_database(DB)

    # -- verdict ---------------------------------------------------------------------------------------
    a, b = results[small], results[large]
    fa, fb = a["figures"], b["figures"]
    checks = []

    def check(ok: bool, text: str) -> None:
        checks.append((ok, text))

    o311 = "Open311 requests.json, filtered, 50"
    for size, figs in ((small, fa), (large, fb)):
        f = figs[o311]
        check(f.p50 <= OPEN311_P50, f"Open311 p50 at {size:,}: {1000 * f.p50:.1f} ms ≤ {1000 * OPEN311_P50:.0f} ms")
        check(f.p99 <= OPEN311_P99, f"Open311 p99 at {size:,}: {1000 * f.p99:.1f} ms ≤ {1000 * OPEN311_P99:.0f} ms")
    growth = fb[o311].p50 / fa[o311].p50
    check(growth <= OPEN311_GROWTH, f"Open311 p50 {large:,} / {small:,}: {growth:.2f} ≤ {OPEN311_GROWTH}")
    for name in ("agency inbox, first page", "verifier queue, first page"):
        f = fb[name]
        check(f.p50 <= STAFF_P50, f"{name} p50 at {large:,}: {1000 * f.p50:.1f} ms ≤ {1000 * STAFF_P50:.0f} ms")
    f = fb["public statistics page"]
    check(f.p50 <= STATS_P50, f"statistics page p50 at {large:,}: {1000 * f.p50:.1f} ms ≤ {1000 * STATS_P50:.0f} ms")
    age = b["checks"].get("stats_age")
    check(age is not None and age <= STATS_MAX_AGE, f"statistics computed {age} before the measurement (≤ 5 min)")
    refresh = b["grown"]["stats_refresh_s"]
    check(refresh < STATS_MAX_AGE.total_seconds(), f"statistics refresh at {large:,}: {refresh:.0f} s (< 300 s)")
    f = fb["map, whole city, no cache"]
    check(f.p50 <= MAP_P50, f"map whole city (no cache) p50: {1000 * f.p50:.1f} ms ≤ {1000 * MAP_P50:.0f} ms")
    check(
        b["checks"].get("map, whole city, no cache") == "clusters",
        f"map whole city answers clusters ({b['checks'].get('map, whole city, no cache')})",
    )
    check(
        b["checks"].get("map, zoomed in (points)") == "points",
        f"map zoomed in answers points ({b['checks'].get('map, zoomed in (points)')})",
    )
    if "intake" in b:
        intake = b["intake"]
        log(
            f"\nintake at {large:,}: {intake.intake.per_second:.1f} reports/s vs baseline "
            f"{intake.baseline.per_second:.1f} inserts/s"
        )
        check(intake.ratio >= INTAKE_RATIO, f"intake / baseline at {large:,}: {intake.ratio:.2f} ≥ {INTAKE_RATIO}")
        errors = intake.intake.errors + intake.baseline.errors
        check(not errors, f"intake errors: {len(errors)}" + (f" (e.g. {errors[0]})" if errors else ""))
    for pid, mb in (b.get("rss") or {}).items():
        check(mb is not None and mb < WORKER_MB, f"worker {pid} resident memory {mb:.0f} MB < {WORKER_MB} MB")
    pairs = [
        (
            "Open311 page 1 (90 days)",
            next(n for n in fb if n.startswith("Open311 page ") and "(90" in n and "page 1 " not in n),
        ),
        ("agency inbox, first page", next(n for n in fb if n.startswith("agency inbox, after"))),
        ("public list, first page", next(n for n in fb if n.startswith("public list, after"))),
    ]
    for first, deep in pairs:
        ratio = fb[deep].p50 / fb[first].p50
        check(ratio <= DEEP_RATIO, f"{deep} / first page p50: {ratio:.2f} ≤ {DEEP_RATIO}")
    for figs in (fa, fb):
        for f in figs.values():
            if f.failures:
                check(False, f"{f.name}: {len(f.failures)} failed requests, e.g. {f.failures[0]}")
    for p in problems:
        check(False, p)

    log(f"\n{'=' * 30} verdict ({time.perf_counter() - started:.0f} s in all) {'=' * 30}")
    for ok, text in checks:
        log(f"{'OK  ' if ok else 'FAIL'}  {text}")
    missed = sum(1 for ok, _t in checks if not ok)
    log(f"{len(checks) - missed} of {len(checks)} targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

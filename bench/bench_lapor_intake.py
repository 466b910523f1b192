"""Report intake throughput through the API, against a single-insert baseline (Lapor issue).

    .venv/bin/python bench/bench_lapor_intake.py [--reports 0] [--seconds 8] [--rounds 3]
                                                 [--concurrency 8] [--keep]

What it does, on this machine only (loopback):

1. a throw-away PostgreSQL database `kp_bench_lapor_intake` (schema + Semarang areas, demo
   boundaries, agencies, categories; see bench/lapor_bench.py), optionally with `--reports`
   generated reports already present (manage.py generate_reports);
2. gunicorn with 2 workers × 4 threads, DEBUG off, Redis cache and broker on a free Redis
   database number, and the baseline views (BENCH_BASELINE_VIEWS=1);
3. a Python load generator (`--concurrency` keep-alive connections, back to back) runs in
   alternating rounds of `--seconds`:
   - intake: `POST /api/v1/reports/` (JSON, a resident's API token, an Idempotency-Key, a
     point inside the city) — validation, geo lookup, report + timeline + audit rows,
     notification queued, the tracking answer;
   - baseline: `POST /bench/baseline-insert/` — one report-sized row into the reports table
     in its own transaction (the unavoidable durable write), same server, same middleware;
4. prints both throughputs and the ratio, then checks that every accepted report is in the
   database with its timeline, and no report is there that was not answered.

Targets: ratio ≥ 0.3, zero errors, accepted responses = rows in the database. Exit 1 if
missed. The database is dropped at the end (`--keep` keeps it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lapor_bench as lb

DB = "kp_bench_lapor_intake"
TARGET_RATIO = 0.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=0, help="reports generated before measuring")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    lb.setup_django(DB)
    lb.prepare_database(DB)
    from django.core.management import call_command

    from kotapintar.reports.models import Category

    if args.reports:
        call_command("generate_reports", count=args.reports, no_stats=True)
    token = lb.citizen_token()
    points = lb.city_points(500)
    categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    redis_db = lb.free_redis_db()
    print(f"machine: {lb.machine()}")
    print(
        f"server: gunicorn 2 workers × 4 threads, PostgreSQL {DB}, "
        f"{f'Redis db {redis_db}' if redis_db is not None else 'local-memory cache'}; "
        f"load: {args.concurrency} connections, {args.rounds} rounds of {args.seconds:.0f} s each"
    )
    ok = True
    try:
        with lb.Server(DB, redis_db=redis_db) as server:
            result = lb.measure_intake(
                server.port,
                token=token,
                points=points,
                categories=categories,
                concurrency=args.concurrency,
                seconds=args.seconds,
                rounds=args.rounds,
            )
        problems = lb.check_intake_rows(result.tracking_numbers)
    finally:
        lb.flush_redis_db(redis_db)
        if not args.keep:
            lb.drop_database(DB)

    base, intake = result.baseline, result.intake
    print(f"baseline (one insert):   {base.per_second:8.1f} requests/s ({base.ok:,} in {base.seconds:.1f} s)")
    print(f"intake (POST reports):   {intake.per_second:8.1f} reports/s  ({intake.ok:,} in {intake.seconds:.1f} s)")
    print(f"ratio intake / baseline: {result.ratio:8.2f}   (target ≥ {TARGET_RATIO})")
    errors = base.errors + intake.errors
    print(f"errors: {len(errors)}; accepted reports checked in the database: {len(result.tracking_numbers):,}")
    for line in errors[:5]:
        print(f"  error: {line}")
    for line in problems:
        print(f"  FAIL: {line}")
    if result.ratio < TARGET_RATIO:
        print(f"FAIL: ratio {result.ratio:.2f} below {TARGET_RATIO}")
        ok = False
    if errors or problems:
        ok = False
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

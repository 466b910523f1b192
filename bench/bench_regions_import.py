"""Whole-country area-code import (91,599 rows) into a fresh SQLite database.

    .venv/bin/python bench/bench_regions_import.py [--baseline-rows 3000]

Measured side by side in one run, in a throw-away SQLite database:

- the service `regions_import()` for all of Indonesia (parse + check + bulk insert),
- the same import again (the idempotent re-run `make setup` does every time),
- the naive baseline: row-by-row ORM `update_or_create` (inside one transaction, which is
  already kinder than one transaction per row) on a sample of the same rows in level order,
  extrapolated to rows/s.

Target: the import must be at least 10x faster per row than the baseline, and the whole
country must take under 60 s; exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 10.0
TARGET_SECONDS = 60.0

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-rows", type=int, default=3000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench_regions.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from kotapintar.regions import sources
        from kotapintar.regions.models import Region
        from kotapintar.regions.services import regions_import

        call_command("migrate", verbosity=0)

        # Baseline first, on an empty table: the first N rows in level order (parents first).
        source = sources.read_area_files()
        sample = source.rows[: args.baseline_rows]
        started = time.perf_counter()
        with transaction.atomic():
            for code, level, parent, name in sample:
                Region.objects.update_or_create(
                    code=code, defaults={"level": level, "parent_id": parent or None, "name": name}
                )
        t_baseline = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Region._meta.db_table}")  # noqa: S608

        # The real import, whole country, cold (parsing included: a fresh process would parse).
        sources._cache.clear()
        result = regions_import()
        t_import = result.seconds
        rerun = regions_import()
        total = Region.objects.count()

        rate_import = result.total / t_import
        rate_baseline = len(sample) / t_baseline
        ratio = rate_import / rate_baseline
        print(f"rows in the files: {result.total:,} ({', '.join(f'{n:,}' for n in result.by_level.values())})")
        print(
            f"regions_import, whole country:   {t_import:7.2f} s  {rate_import:>10,.0f} rows/s  ({total:,} rows in DB)"
        )
        print(
            f"regions_import, re-run:          {rerun.seconds:7.2f} s  {rerun.total / rerun.seconds:>10,.0f} rows/s"
            f"  ({rerun.created} new, {rerun.updated} updated)"
        )
        print(
            f"baseline update_or_create/row:   {t_baseline:7.2f} s  {rate_baseline:>10,.0f} rows/s"
            f"  ({len(sample):,} rows; whole country ≈ {result.total / rate_baseline:,.0f} s)"
        )
        print(f"ratio import / baseline:         {ratio:7.1f}x")

        ok = True
        if total != result.total or rerun.created or rerun.updated:
            print("FAIL: the import is not complete or not idempotent", file=sys.stderr)
            ok = False
        if ratio < TARGET_RATIO:
            print(f"FAIL: only {ratio:.1f}x the baseline (target {TARGET_RATIO:.0f}x)", file=sys.stderr)
            ok = False
        if t_import > TARGET_SECONDS:
            print(f"FAIL: {t_import:.1f} s for the country (target {TARGET_SECONDS:.0f} s)", file=sys.stderr)
            ok = False
        if ok:
            print(f"OK: ≥ {TARGET_RATIO:.0f}x the baseline and under {TARGET_SECONDS:.0f} s")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

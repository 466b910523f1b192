"""Point → kelurahan lookups per second (kotapintar.core.geo) against a naive scan.

    .venv/bin/python bench/bench_geo_lookup.py [--points 200000]

Sets up its own throw-away SQLite database with Semarang's area codes and demo boundaries,
then measures, side by side in one run and on the same random points (uniform over the
city's bounding box, so some fall outside the city):

- geo.locate(lat, lng) one point at a time (the request path),
- geo.locate_many(lats, lngs) (vectorised),
- the naive baseline: for each point, shapely `contains` on every kelurahan polygon in turn.

Also checks that all three agree. Target: at least 100,000 lookups per second in-process
(for both geo paths); exits 1 if that is missed or the answers differ.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

TARGET = 100_000

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django(tmp: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench_geo.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")
    os.environ["CITY_CODE"] = "33.74"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("import_regions", only="33.74", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("import_boundaries", demo=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--naive-points", type=int, default=2_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        import shapely
        from shapely.geometry import Point, shape

        from kotapintar.core import geo
        from kotapintar.regions.models import Region

        bounds = geo.city_bounds()
        if bounds is None:
            print("no boundaries loaded", file=sys.stderr)
            return 1
        rng = random.Random(42)
        pad = 0.01
        lats = [rng.uniform(bounds.min_lat - pad, bounds.max_lat + pad) for _ in range(args.points)]
        lngs = [rng.uniform(bounds.min_lng - pad, bounds.max_lng + pad) for _ in range(args.points)]
        pairs = list(zip(lats, lngs, strict=True))
        geo.locate(lats[0], lngs[0])  # build the index outside the timings

        locate = geo.locate

        def single():
            for lat, lng in pairs:
                locate(lat, lng)

        t_single = best_of(3, single)
        t_many = best_of(3, lambda: geo.locate_many(lats, lngs))

        # Naive baseline: every polygon in turn, shapely contains (as a first version would).
        polygons = [
            (code, shape(boundary))
            for code, boundary in Region.objects.filter(level=4, code__startswith="33.74.", boundary__isnull=False)
            .order_by("code")
            .values_list("code", "boundary")
        ]
        sample = pairs[: args.naive_points]

        def naive_one(lat, lng):
            point = Point(lng, lat)
            for code, polygon in polygons:
                if polygon.contains(point):
                    return code
            return None

        naive_answers: list = []

        def naive():
            naive_answers.clear()
            naive_answers.extend(naive_one(lat, lng) for lat, lng in sample)

        t_naive = best_of(1, naive)

        # Agreement (borders aside, which a random float point never hits exactly).
        single_answers = [locate(lat, lng) for lat, lng in pairs]
        many_answers = geo.locate_many(lats, lngs)
        mismatch_many = sum(1 for a, b in zip(single_answers, many_answers, strict=True) if a != b)
        mismatch_naive = sum(
            1
            for a, b in zip(single_answers[: len(sample)], naive_answers, strict=True)
            if (a.village_code if a else None) != b
        )
        found = sum(1 for a in single_answers if a is not None)

        rate_single = args.points / t_single
        rate_many = args.points / t_many
        rate_naive = len(sample) / t_naive
        print(f"shapely {shapely.__version__}, {len(polygons)} kelurahan polygons, {args.points:,} random points")
        print(f"  ({found:,} inside a kelurahan, {args.points - found:,} outside the city)")
        print(f"geo.locate (one at a time):  {rate_single:>12,.0f} lookups/s  ({t_single:.3f} s)")
        print(f"geo.locate_many (batch):     {rate_many:>12,.0f} lookups/s  ({t_many:.3f} s)")
        print(f"naive scan (baseline):       {rate_naive:>12,.0f} lookups/s  ({len(sample):,} points, {t_naive:.3f} s)")
        print(f"ratio locate / naive:        {rate_single / rate_naive:>12,.1f}x")
        print(f"ratio locate_many / naive:   {rate_many / rate_naive:>12,.1f}x")
        print(f"disagreements: locate vs locate_many {mismatch_many}, locate vs naive {mismatch_naive}")

        ok = True
        if mismatch_many or mismatch_naive:
            print("FAIL: the lookups disagree", file=sys.stderr)
            ok = False
        for label, rate in (("geo.locate", rate_single), ("geo.locate_many", rate_many)):
            if rate < TARGET:
                print(f"FAIL: {label} {rate:,.0f} lookups/s is below the target of {TARGET:,}", file=sys.stderr)
                ok = False
        if ok:
            print(f"OK: both paths above the target of {TARGET:,} lookups/s")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

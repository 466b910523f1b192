"""Fill the database with realistic synthetic reports (benchmarks, load tests, big-city trials).

    manage.py generate_reports --count 1000000 [--seed 311] [--years 6] [--no-stats]

Needs the city's areas with boundaries, its agencies and the categories (import_regions,
import_boundaries, import_agencies, import_categories). See kotapintar/reports/generate.py
for what is generated and how.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kotapintar.core import context
from kotapintar.reports import generate


class Command(BaseCommand):
    help = (
        "Add N realistic synthetic reports (every state, timelines, dispositions, points inside the city, "
        "several years of dates) with bulk writes (PostgreSQL COPY), then refresh the public statistics."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="how many reports to add")
        parser.add_argument(
            "--seed", type=int, default=generate.DEFAULT_SEED, help="random seed (same seed, same data)"
        )
        parser.add_argument("--years", type=float, default=6, help="filing dates spread over this many years")
        parser.add_argument("--chunk", type=int, default=generate.CHUNK, help="reports computed and written at once")
        parser.add_argument(
            "--bulk",
            choices=["auto", "yes", "no"],
            default="auto",
            help="PostgreSQL: rebuild indexes and foreign keys after the load (auto: when the load is large)",
        )
        parser.add_argument("--no-stats", action="store_true", help="do not refresh the public statistics afterwards")

    def handle(self, *args, **options):
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1")
        if options["years"] <= 0:
            raise CommandError("--years must be more than 0")
        bulk = {"auto": None, "yes": True, "no": False}[options["bulk"]]
        verbose = options["verbosity"] >= 2
        with context.bind(request_id="generate-reports"):
            try:
                result = generate.generate(
                    count=count,
                    seed=options["seed"],
                    years=options["years"],
                    chunk=max(1000, options["chunk"]),
                    bulk=bulk,
                    refresh_stats=not options["no_stats"],
                    log=(lambda m: self.stdout.write(m)) if verbose else None,
                )
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in result.phases.items())
        self.stdout.write(
            f"{result.reports:,} reports, {result.events:,} timeline entries, {result.dispositions:,} dispositions, "
            f"{result.followers:,} followers in {result.seconds:.1f} s ({phases})"
        )
        cpu = f"CPU: {result.cpu_self:.1f} s here"
        if result.cpu_database is not None:
            cpu += f", {result.cpu_database:.1f} s in PostgreSQL"
        self.stdout.write(cpu)
        if result.stats_seconds is not None:
            self.stdout.write(f"public statistics refreshed in {result.stats_seconds:.1f} s")
        self.stdout.write(
            f"{result.reports / result.seconds:,.0f} reports/s, {result.rows_per_second:,.0f} rows/s"
            if result.seconds
            else ""
        )

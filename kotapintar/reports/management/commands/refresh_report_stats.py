"""Recompute the public report statistics and map cells now (the periodic task does it
every few minutes: reports.refresh_public_stats)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kotapintar.reports import stats


class Command(BaseCommand):
    help = "Recompute the public statistics of reports (per agency, kecamatan, month) and the map clusters."

    def handle(self, *args, **options):
        result = stats.refresh()
        self.stdout.write(
            f"{result.stat_rows} statistic rows over {result.periods} periods and {result.map_cells} map cells "
            f"computed in {result.seconds:.2f} s."
        )

"""manage.py import_regions [--source DIR] [--only PREFIX] — load the Kemendagri area codes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kotapintar.core.errors import DomainError
from kotapintar.regions.services import regions_import
from kotapintar.regions.sources import DEFAULT_SOURCE_DIR, RegionDataError


class Command(BaseCommand):
    help = (
        "Import (or update) the official area codes from provinces.csv, regencies.csv, districts.csv and "
        "villages.csv. Every row is checked first; on any problem nothing is changed. Running it again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            default=str(DEFAULT_SOURCE_DIR),
            help="folder holding the four CSV files (default: shipped data)",
        )
        parser.add_argument(
            "--only", metavar="PREFIX", help="import only this area with its ancestors and descendants, e.g. 33.74"
        )

    def handle(self, *args, **options):
        try:
            result = regions_import(source_dir=options["source"], only_prefix=options["only"])
        except RegionDataError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        levels = result.by_level
        self.stdout.write(
            _(
                "%(total)s areas (%(provinces)s provinces, %(regencies)s regencies/cities, %(districts)s districts, "
                "%(villages)s villages): %(created)s new, %(updated)s updated, %(unchanged)s unchanged "
                "in %(seconds).2f s (%(rate)s rows/s)."
            )
            % {
                "total": f"{result.total:,}",
                "provinces": levels.get(1, 0),
                "regencies": levels.get(2, 0),
                "districts": f"{levels.get(3, 0):,}",
                "villages": f"{levels.get(4, 0):,}",
                "created": f"{result.created:,}",
                "updated": f"{result.updated:,}",
                "unchanged": f"{result.unchanged:,}",
                "seconds": result.seconds,
                "rate": f"{result.rows_per_second:,.0f}",
            }
        )

"""manage.py import_regions [--source DIR] [--only PREFIX] — load the Kemendagri area codes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
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
                "in %(seconds)s s (%(rate)s rows/s)."
            )
            % {
                "total": _n(result.total),
                "provinces": _n(levels.get(1, 0)),
                "regencies": _n(levels.get(2, 0)),
                "districts": _n(levels.get(3, 0)),
                "villages": _n(levels.get(4, 0)),
                "created": _n(result.created),
                "updated": _n(result.updated),
                "unchanged": _n(result.unchanged),
                "seconds": _n(result.seconds, 2),
                "rate": _n(round(result.rows_per_second)),
            }
        )


def _n(value, decimals=None) -> str:
    """A number in the active language's format (Indonesian: 91.599 and 2,24)."""
    return number_format(value, decimal_pos=decimals, force_grouping=True)

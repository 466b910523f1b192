"""manage.py import_boundaries FILE --level LEVEL --code-property PROP | --demo — load boundaries."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kotapintar.core.errors import DomainError
from kotapintar.regions.boundaries import LEVEL_NAMES, demo_file
from kotapintar.regions.services import boundaries_import
from kotapintar.regions.sources import LEVEL_BY_NUMBER, RegionDataError


class Command(BaseCommand):
    help = (
        "Import area boundaries from a GeoJSON FeatureCollection (Polygon/MultiPolygon, WGS84), or with --demo "
        "the approximate demo boundaries shipped for the configured city. Every feature is checked first; on "
        "any problem nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="GeoJSON file")
        parser.add_argument("--level", choices=list(LEVEL_NAMES), help="level of the areas in the file")
        parser.add_argument("--code-property", default=None, help="feature property holding the Kemendagri code")
        parser.add_argument("--name-property", default=None, help="feature property holding the name (optional)")
        parser.add_argument(
            "--approximate", action="store_true", help="mark the boundaries as approximate (not official)"
        )
        parser.add_argument("--source", default="", help="label of the data source, e.g. 'BIG 2024'")
        parser.add_argument(
            "--demo", action="store_true", help="load the shipped demo boundaries of settings.CITY_CODE, if any"
        )

    def handle(self, *args, **options):
        if options["demo"]:
            if options["file"]:
                raise CommandError(_("Give either a file or --demo, not both."))
            return self._demo()
        if not options["file"] or not options["level"] or not options["code_property"]:
            raise CommandError(_("Give a GeoJSON file with --level and --code-property (or use --demo)."))
        self._run(
            path=options["file"],
            level=LEVEL_NAMES[options["level"]],
            code_property=options["code_property"],
            name_property=options["name_property"],
            approximate=options["approximate"],
            source_label=options["source"],
        )

    def _demo(self):
        city = settings.CITY_CODE
        path = demo_file(city)
        if path is None:
            self.stdout.write(
                _(
                    "Notice: the project ships no demo boundaries for the city %(code)s (only for Kota Semarang, "
                    "33.74). Maps show no areas and location lookups answer 'unknown' until you import official "
                    "boundaries with: manage.py import_boundaries FILE --level village --code-property PROP"
                )
                % {"code": city}
            )
            return
        self._run(
            path=path,
            level=None,
            code_property="code",
            name_property="name",
            approximate=True,
            source_label=_("Kota Pintar demo (approximate, not official)"),
        )

    def _run(self, **kwargs):
        try:
            result = boundaries_import(**kwargs)
        except RegionDataError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for index, code, in_file, in_db in result.name_mismatches[:20]:
            self.stderr.write(
                _(
                    'Warning: features[%(index)d] %(code)s is named "%(file)s" in the file '
                    'but "%(db)s" in the area codes.'
                )
                % {"index": index, "code": code, "file": in_file, "db": in_db}
            )
        levels = ", ".join(
            f"{count} {LEVEL_BY_NUMBER[level].label}" for level, count in sorted(result.by_level.items())
        )
        self.stdout.write(
            _("%(total)d boundaries (%(levels)s): %(updated)d updated, %(unchanged)d unchanged in %(seconds)s s.")
            % {
                "total": result.total,
                "levels": levels,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "seconds": number_format(result.seconds, decimal_pos=2),
            }
        )

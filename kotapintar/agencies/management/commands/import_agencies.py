"""manage.py import_agencies [--file PATH]: create or update the city's agencies (idempotent)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kotapintar.agencies import services
from kotapintar.core import context


class Command(BaseCommand):
    help = (
        "Create or update the city's agencies from a CSV file (code,name,kind; default: the file shipped "
        "with the app). The row KECAMATAN becomes one office per kecamatan of CITY_CODE. Checks the whole "
        "file first and changes nothing when it has errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", dest="path", default=None, help="CSV file (default: agencies/data/agencies.csv)")

    def handle(self, *args, path=None, **options):
        # One request id for the whole run: its audit rows can be found together.
        with context.bind(request_id=f"import-agencies-{context.new_request_id()[:12]}"):
            try:
                result = services.agency_import(actor=None, path=path)
            except services.AgencyImportError as exc:
                raise CommandError("\n".join([str(exc.message).splitlines()[0], *exc.errors])) from exc
        message = _(
            "Agencies of %(city)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(deactivated)d kecamatan offices of another city deactivated."
        ) % {
            "city": settings.CITY_CODE,
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "deactivated": len(result.deactivated),
        }
        self.stdout.write(self.style.SUCCESS(message))

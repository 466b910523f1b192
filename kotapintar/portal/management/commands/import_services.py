"""manage.py import_services [--file PATH] [--update]: load the service catalogue (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kotapintar.core import context
from kotapintar.portal import services


class Command(BaseCommand):
    help = (
        "Create the public-service catalogue (standar pelayanan) from a TOML file (default: the Semarang "
        "catalogue shipped with the portal). Existing services are left as administrators edited them unless "
        "--update is given. Checks the whole file first and changes nothing when it has errors. Needs the "
        "agencies (manage.py import_agencies) first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", dest="path", default=None, help="TOML file (default: portal/data/services.toml)")
        parser.add_argument(
            "--update", action="store_true", help="overwrite existing services with the file's text where it differs"
        )

    def handle(self, *args, path=None, update=False, **options):
        with context.bind(request_id=f"import-services-{context.new_request_id()[:12]}"):
            try:
                result = services.service_catalogue_import(actor=None, path=path, update=update)
            except services.CatalogueImportError as exc:
                raise CommandError("\n".join([str(exc.message).splitlines()[0], *exc.errors])) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Service catalogue: {len(result.created)} created, {len(result.updated)} updated, "
                f"{len(result.unchanged)} unchanged."
            )
        )

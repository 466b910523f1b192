"""Import permit types from YAML (default: Semarang's Izin Reklame, SIP and PBG). Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kotapintar.core import context
from kotapintar.core.errors import DomainError
from kotapintar.permits.services import DEFAULT_TYPES_FILE, permit_types_import


class Command(BaseCommand):
    help = (
        "Create the permit types of a YAML file (default: the shipped Semarang types); "
        "existing ones stay unless --update."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_TYPES_FILE), help="YAML file (see kotapintar/permits/data/)")
        parser.add_argument("--update", action="store_true", help="overwrite existing types from the file")

    def handle(self, *args, **options):
        with context.bind(request_id="import-permit-types"):
            try:
                result = permit_types_import(path=options["file"], update=options["update"])
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(
            f"jenis izin: {len(result.created)} dibuat, {len(result.updated)} diperbarui, "
            f"{len(result.unchanged)} tetap ({', '.join(result.created + result.updated + result.unchanged)})"
        )

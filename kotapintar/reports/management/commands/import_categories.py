"""Import the report categories from a CSV file (default: the shipped Semarang categories)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kotapintar.core import context
from kotapintar.reports.services import CategoryImportError, category_import


class Command(BaseCommand):
    help = (
        "Create or update the report categories from a CSV file (idempotent; run after import_agencies). "
        "Columns: code,name_id,name_en,kind,default_agency,routing,resolution_days[,examples]."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="CSV file (default: kotapintar/reports/data/categories.csv)")

    def handle(self, *args, **options):
        with context.bind(request_id="import-categories"):
            try:
                result = category_import(actor=None, path=options.get("file"))
            except CategoryImportError as exc:
                raise CommandError("\n".join([str(exc.message).splitlines()[0], *exc.errors])) from exc
        self.stdout.write(
            f"categories: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged"
        )

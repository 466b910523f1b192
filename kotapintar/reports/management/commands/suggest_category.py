"""Print the category suggestions for a text (the same ranking as the API and the form)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kotapintar.reports.suggest import suggest_categories


class Command(BaseCommand):
    help = 'Suggest the category of a report text, best first (at most 3): suggest_category "lampu jalan mati"'

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="+", help="the report text")
        parser.add_argument("--json", action="store_true", help="print the API's JSON answer")

    def handle(self, *args, **options):
        text = " ".join(options["text"])
        suggestions = suggest_categories(text)
        if options["json"]:
            import json

            self.stdout.write(json.dumps({"suggestions": [s.__dict__ for s in suggestions]}, ensure_ascii=False))
            return
        if not suggestions:
            self.stdout.write("(no suggestion: the text is too short)")
            return
        for rank, item in enumerate(suggestions, start=1):
            self.stdout.write(f"{rank}. {item.code:<12} {item.score:6.3f}  {item.name}")

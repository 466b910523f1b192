"""Retrain the category suggestion model on the shipped corpus plus the city's verified reports."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from kotapintar.reports.classifier import load_eval, model_path, reset_engine, train_from_corpus
from kotapintar.reports.services import training_examples


class Command(BaseCommand):
    help = (
        "Train the category suggestion model on the shipped Indonesian corpus and the city's verified "
        "reports (their final category), save it, and print its accuracy on the held-out split."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-reports", action="store_true", help="train on the shipped corpus only")
        parser.add_argument("--output", help="model file (default: the configured model path)")

    def handle(self, *args, **options):
        extra = [] if options["no_reports"] else training_examples()
        target = options.get("output") or model_path()
        started = time.perf_counter()
        engine = train_from_corpus(extra_examples=extra, save_to=target)
        reset_engine()
        seconds = time.perf_counter() - started
        held_out = load_eval()
        top1 = top3 = 0
        for text, code in held_out:
            ranked = [s.code for s in engine.suggest(text, k=3)]
            top1 += bool(ranked) and ranked[0] == code
            top3 += code in ranked
        n = max(len(held_out), 1)
        self.stdout.write(
            f"trained on the shipped corpus + {len(extra)} verified reports in {seconds:.1f} s; saved to {target}"
        )
        self.stdout.write(f"held-out split ({len(held_out)} texts): top-1 {top1 / n:.1%}, top-3 {top3 / n:.1%}")

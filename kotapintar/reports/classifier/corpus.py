"""The shipped Indonesian training corpus and its held-out evaluation file.

Both are CSV files with the columns ``code,text`` (see data/README.md). ``corpus_hash`` is a
SHA-256 over the examples in order, stored in every saved model so a model trained on an
older corpus can be recognised.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from kotapintar.reports.classifier.text import DATA_DIR

CORPUS_PATH = DATA_DIR / "corpus_id.csv"
EVAL_PATH = DATA_DIR / "corpus_id_eval.csv"
CATEGORIES_PATH = DATA_DIR / "categories.csv"

Example = tuple[str, str]  # (text, category code)


def read_examples(path: Path) -> list[Example]:
    """(text, code) pairs of a ``code,text`` CSV file, in file order."""
    examples: list[Example] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["code", "text"]:
            raise ValueError(f"{path}: expected columns code,text, got {reader.fieldnames!r}")
        for number, row in enumerate(reader, start=2):
            code, text = (row["code"] or "").strip(), (row["text"] or "").strip()
            if not code or not text:
                raise ValueError(f"{path}: line {number} needs both a code and a text")
            examples.append((text, code))
    return examples


def load_corpus() -> list[Example]:
    """The shipped training corpus."""
    return read_examples(CORPUS_PATH)


def load_eval() -> list[Example]:
    """The shipped held-out evaluation set (never used for training)."""
    return read_examples(EVAL_PATH)


def corpus_hash(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256()
    for text, code in examples:
        digest.update(code.encode())
        digest.update(b"\x1f")
        digest.update(text.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def shipped_corpus_hash() -> str:
    return corpus_hash(load_corpus())


@lru_cache(maxsize=1)
def category_names() -> dict[str, str]:
    """Code -> Indonesian name of the categories the corpus was written for (Semarang's defaults)."""
    with CATEGORIES_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name_id"] for row in csv.DictReader(handle)}

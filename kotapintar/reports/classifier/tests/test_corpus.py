"""The shipped corpus: coverage, independence of the evaluation file, no copied examples."""

import csv
import re
from collections import Counter

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from kotapintar.reports.classifier import category_names, load_corpus, load_eval
from kotapintar.reports.classifier.corpus import CATEGORIES_PATH, CORPUS_PATH, EVAL_PATH, read_examples

CODES = set(category_names())


def _lower(examples):
    return [re.sub(r"\s+", " ", text.lower()).strip() for text, _ in examples]


def test_the_23_default_categories():
    assert len(CODES) == 23
    assert {"JALAN", "BANJIR", "LAINNYA", "INFORMASI"} <= CODES


def test_training_corpus_has_at_least_50_examples_per_category():
    counts = Counter(code for _, code in load_corpus())
    assert set(counts) == CODES
    assert min(counts.values()) >= 50


def test_eval_file_has_at_least_15_examples_per_category():
    counts = Counter(code for _, code in load_eval())
    assert set(counts) == CODES
    assert min(counts.values()) >= 15


@pytest.mark.parametrize("path", [CORPUS_PATH, EVAL_PATH])
def test_files_are_well_formed(path):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["code", "text"]
    assert all(len(row) == 2 and row[1] == row[1].strip() and "\n" not in row[1] for row in rows[1:])
    assert len(read_examples(path)) == len(rows) - 1


def test_no_text_appears_twice():
    texts = _lower(load_corpus() + load_eval())
    assert len(texts) == len(set(texts))


def test_eval_texts_are_not_near_duplicates_of_training_texts():
    train, held_out = _lower(load_corpus()), _lower(load_eval())
    similarity = process.cdist(held_out, train, scorer=fuzz.ratio, workers=1)
    close = [(held_out[i], train[j]) for i, j in zip(*np.nonzero(similarity > 90), strict=True)]
    assert close == []


def test_training_texts_are_not_near_duplicates_of_each_other():
    train = _lower(load_corpus())
    similarity = process.cdist(train, train, scorer=fuzz.ratio, workers=1)
    np.fill_diagonal(similarity, 0)
    assert similarity.max() <= 90


def test_no_copies_of_the_category_examples():
    with CATEGORIES_PATH.open(encoding="utf-8", newline="") as handle:
        phrases = [p.strip().lower() for row in csv.DictReader(handle) for p in row["examples"].split(",")]
    phrases = [p for p in phrases if p and not p.startswith("anything")]
    texts = _lower(load_corpus() + load_eval())
    similarity = process.cdist(texts, phrases, scorer=fuzz.ratio, workers=1)
    assert similarity.max() <= 90
    assert not set(phrases) & {t.rstrip(".!") for t in texts}

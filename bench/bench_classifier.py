#!/usr/bin/env python
"""Benchmark of the report-category classifier (kotapintar.reports.classifier).

Accuracy
  * trains on the shipped corpus (data/corpus_id.csv) and scores the independent held-out
    file data/corpus_id_eval.csv: top-1 and top-3 accuracy, the weakest categories' recall;
  * 5-fold stratified cross-validation on the training corpus (each fold trained from
    scratch on the other four), for robustness;
  * side by side, in the same run: a keyword baseline (categories.csv names and examples,
    same normalisation and stemming) and a majority baseline.

Latency (one suggest() call in-process, k=3)
  * warm: >= 2,000 calls over the eval texts with the stem cache warm;
  * cold-ish: >= 2,000 never-seen texts (typo'd and recombined eval sentences) after
    clearing the LRU stem cache, as in a process that has just loaded the model: only
    the model's own stem table (its training words) is warm; every other word (typos,
    place names the corpus never used) goes through the vocabulary guard and, when its
    stem could be a model term, through Sastrawi;
  * baseline, interleaved call by call with the warm run: the same model stemming every
    word with Sastrawi (no stem table, no guard, no cache). The ratio is printed;
  * baseline for the cold-ish run: the same, without the vocabulary guard.

Targets (exit status 1 when missed): eval top-1 >= 0.85, eval top-3 >= 0.95, warm p50 <= 5 ms.

Run: .venv/bin/python bench/bench_classifier.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from kotapintar.reports.classifier import Engine, load_corpus, load_eval  # noqa: E402
from kotapintar.reports.classifier.corpus import CATEGORIES_PATH  # noqa: E402
from kotapintar.reports.classifier.text import (  # noqa: E402
    clear_stem_cache,
    load_slang,
    prepare,
    sastrawi_word_stemmer,
    stem_word,
)

TARGET_TOP1 = 0.85
TARGET_TOP3 = 0.95
TARGET_P50_MS = 5.0
LATENCY_CALLS = 2000
FOLDS = 5
SEED = 20250401

Ranker = Callable[[str], list[str]]  # text -> category codes, best first


# -- baselines ----------------------------------------------------------------------------


class KeywordBaseline:
    """What a rule-based form would do: count the category's keyword stems in the text.

    Keywords are the stems of each category's Indonesian name and its examples in
    categories.csv. Ties (and texts with no keyword) fall back to the training frequency.
    """

    def __init__(self, train_labels: Sequence[str]) -> None:
        import csv

        self.slang = load_slang()
        self.prior = [code for code, _ in Counter(train_labels).most_common()]
        self.keywords: dict[str, set[str]] = {}
        with CATEGORIES_PATH.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                prepared = prepare(f"{row['name_id']} {row['examples']}", self.slang)
                stems = set(prepared.stems.split()) if prepared else set()
                self.keywords[row["code"]] = {s for s in stems if len(s) >= 3} | {row["code"].lower()}

    def __call__(self, text: str) -> list[str]:
        prepared = prepare(text, self.slang)
        stems = set(prepared.stems.split()) if prepared else set()
        rank = {code: i for i, code in enumerate(self.prior)}
        scored = sorted(self.prior, key=lambda code: (-len(stems & self.keywords.get(code, set())), rank[code]))
        return scored


class MajorityBaseline:
    def __init__(self, train_labels: Sequence[str]) -> None:
        self.order = [code for code, _ in Counter(train_labels).most_common()]

    def __call__(self, text: str) -> list[str]:
        return self.order


def engine_ranker(engine: Engine) -> Ranker:
    classes = np.array(engine.classes)

    def rank(text: str) -> list[str]:
        return [s.code for s in engine.suggest(text, k=len(classes))]

    return rank


# -- scoring ------------------------------------------------------------------------------


def score(ranker: Ranker, examples: Sequence[tuple[str, str]]) -> tuple[float, float, dict[str, float]]:
    hits1 = hits3 = 0
    per: dict[str, list[int]] = {}
    for text, code in examples:
        ranking = ranker(text)
        top1 = bool(ranking) and ranking[0] == code
        hits1 += top1
        hits3 += code in ranking[:3]
        per.setdefault(code, []).append(int(top1))
    recall = {code: sum(v) / len(v) for code, v in per.items()}
    return hits1 / len(examples), hits3 / len(examples), recall


def weakest(recall: dict[str, float], n: int = 5) -> str:
    items = sorted(recall.items(), key=lambda kv: (kv[1], kv[0]))[:n]
    return ", ".join(f"{code} {value:.2f}" for code, value in items)


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q))


# -- latency texts --------------------------------------------------------------------------


def unseen_texts(base: Sequence[str], n: int, rng: random.Random) -> list[str]:
    """Never-seen texts: halves of two different eval texts joined, with typos in some words."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out: list[str] = []
    seen: set[str] = set(base)
    while len(out) < n:
        a, b = rng.sample(list(base), 2)
        wa, wb = a.split(), b.split()
        words = wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :]
        for i, word in enumerate(words):
            if len(word) > 4 and rng.random() < 0.35:
                j = rng.randrange(1, len(word) - 1)
                op = rng.random()
                if op < 0.4:
                    word = word[:j] + word[j + 1 :]
                elif op < 0.7:
                    word = word[:j] + rng.choice(letters) + word[j:]
                else:
                    word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
                words[i] = word
        text = " ".join(words)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main() -> int:
    rng = random.Random(SEED)
    train, held_out = load_corpus(), load_eval()
    train_labels = [code for _, code in train]
    print(f"corpus: {len(train)} training examples, {len(set(train_labels))} categories; eval file: {len(held_out)}")

    started = time.perf_counter()
    engine = Engine().train(train)
    print(f"training on the full corpus: {time.perf_counter() - started:.1f} s")

    # Accuracy on the independent eval file ---------------------------------------------
    e1, e3, e_recall = score(engine_ranker(engine), held_out)
    k1, k3, _ = score(KeywordBaseline(train_labels), held_out)
    m1, m3, _ = score(MajorityBaseline(train_labels), held_out)
    print("\n== held-out eval file (corpus_id_eval.csv, never trained on) ==")
    print(f"engine   top-1 {e1:.3f}  top-3 {e3:.3f}")
    print(f"keyword  top-1 {k1:.3f}  top-3 {k3:.3f}   (engine/keyword top-1 ratio {e1 / max(k1, 1e-9):.2f}x)")
    print(f"majority top-1 {m1:.3f}  top-3 {m3:.3f}")
    print(f"weakest categories (recall@1): {weakest(e_recall)}")

    # Stratified 5-fold cross-validation on the training corpus ----------------------------
    print(f"\n== {FOLDS}-fold stratified cross-validation on corpus_id.csv ==")
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    cv1, cv3, kw1, kw3 = [], [], [], []
    pooled: dict[str, list[float]] = {}
    texts = np.array([t for t, _ in train], dtype=object)
    labels = np.array(train_labels)
    for fold, (train_idx, test_idx) in enumerate(folds.split(texts, labels), start=1):
        fold_train = [(texts[i], labels[i]) for i in train_idx]
        fold_test = [(texts[i], labels[i]) for i in test_idx]
        fold_engine = Engine().train(fold_train)
        a1, a3, recall = score(engine_ranker(fold_engine), fold_test)
        b1, b3, _ = score(KeywordBaseline([c for _, c in fold_train]), fold_test)
        cv1.append(a1)
        cv3.append(a3)
        kw1.append(b1)
        kw3.append(b3)
        for code, value in recall.items():
            pooled.setdefault(code, []).append(value)
        print(f"fold {fold}: engine top-1 {a1:.3f} top-3 {a3:.3f} | keyword top-1 {b1:.3f} top-3 {b3:.3f}")
    print(
        f"engine   top-1 {statistics.mean(cv1):.3f} ± {statistics.stdev(cv1):.3f}"
        f"  top-3 {statistics.mean(cv3):.3f} ± {statistics.stdev(cv3):.3f}"
    )
    print(f"keyword  top-1 {statistics.mean(kw1):.3f}  top-3 {statistics.mean(kw3):.3f}")
    cv_recall = {code: statistics.mean(values) for code, values in pooled.items()}
    print(f"weakest categories (mean recall@1): {weakest(cv_recall)}")

    # Latency ------------------------------------------------------------------------------
    eval_texts = [t for t, _ in held_out]
    for text in eval_texts:  # warm the stem cache and numpy paths
        engine.suggest(text)
    uncached = Engine.__new__(Engine)
    uncached.__setstate__(engine.__getstate__())
    # Same model, Sastrawi on every word: no stem table, no vocabulary guard, no LRU cache.
    uncached.stem_table = {}
    uncached._guard = None
    uncached._stemmer = sastrawi_word_stemmer()
    warm, nocache = [], []
    calls = max(LATENCY_CALLS, len(eval_texts))
    for i in range(calls):
        text = eval_texts[i % len(eval_texts)]
        t0 = time.perf_counter()
        engine.suggest(text)
        t1 = time.perf_counter()
        uncached.suggest(text)
        t2 = time.perf_counter()
        warm.append(t1 - t0)
        nocache.append(t2 - t1)

    fresh = unseen_texts(eval_texts, LATENCY_CALLS, rng)
    clear_stem_cache()
    cold = []
    for text in fresh:
        t0 = time.perf_counter()
        engine.suggest(text)
        cold.append(time.perf_counter() - t0)
    info = stem_word.cache_info()
    # Same cold-ish run without the vocabulary guard: every unseen word goes to Sastrawi.
    unguarded = Engine.__new__(Engine)
    unguarded.__setstate__(engine.__getstate__())
    unguarded._guard = None
    fresh_unguarded = unseen_texts(eval_texts, LATENCY_CALLS, random.Random(SEED + 1))
    clear_stem_cache()
    cold_unguarded = []
    for text in fresh_unguarded:
        t0 = time.perf_counter()
        unguarded.suggest(text)
        cold_unguarded.append(time.perf_counter() - t0)

    print(f"\n== latency of suggest(text, k=3), {calls} calls each ==")
    print(f"warm stem cache          p50 {pct(warm, 50):.3f} ms  p99 {pct(warm, 99):.3f} ms")
    print(
        f"cold-ish (unseen texts)  p50 {pct(cold, 50):.3f} ms  p99 {pct(cold, 99):.3f} ms"
        f"  ({info.misses} words stemmed, {info.hits} cache hits)"
    )
    print(f"baseline: no stem cache  p50 {pct(nocache, 50):.3f} ms  p99 {pct(nocache, 99):.3f} ms")
    print(
        f"baseline: cold-ish without the guard  p50 {pct(cold_unguarded, 50):.3f} ms"
        f"  p99 {pct(cold_unguarded, 99):.3f} ms"
    )
    print(f"ratio no-cache / warm p50: {pct(nocache, 50) / pct(warm, 50):.1f}x")
    print(f"ratio cold-ish unguarded / guarded p50: {pct(cold_unguarded, 50) / pct(cold, 50):.1f}x")

    # Verdict -------------------------------------------------------------------------------
    failures = []
    if e1 < TARGET_TOP1:
        failures.append(f"eval top-1 {e1:.3f} < {TARGET_TOP1}")
    if e3 < TARGET_TOP3:
        failures.append(f"eval top-3 {e3:.3f} < {TARGET_TOP3}")
    if pct(warm, 50) > TARGET_P50_MS:
        failures.append(f"warm p50 {pct(warm, 50):.2f} ms > {TARGET_P50_MS} ms")
    print()
    if failures:
        print("TARGETS MISSED: " + "; ".join(failures))
        return 1
    print(f"targets met: eval top-1 >= {TARGET_TOP1}, top-3 >= {TARGET_TOP3}, warm p50 <= {TARGET_P50_MS} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The category suggestion engine: TF-IDF features and a logistic regression.

Features (on the text prepared by :mod:`.text`):

* word unigrams and bigrams of the Sastrawi stems (so "berlubang"/"lubangnya" meet), and
* character n-grams (2-5, within word boundaries) of the normalised words, which carry
  typos, unknown place names' neighbours and Javanese inflections the stemmer does not know.

A multinomial logistic regression turns them into one probability per category; a
suggestion's ``score`` is that probability (0..1, the scores of all categories sum to 1).
Training is deterministic: same examples in the same order give the same model.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from kotapintar.reports.classifier.corpus import Example, corpus_hash
from kotapintar.reports.classifier.text import Prepared, StemGuard, load_slang, prepare, sastrawi_is_root, stem_word

# Bump when features, preprocessing or the model change: saved models of another version
# are not loaded (they are retrained instead).
ENGINE_VERSION = 1
DEFAULT_K = 3
MODEL_FILE_MODE = 0o640


class ModelError(ValueError):
    """A saved model cannot be used (missing, corrupt, or made by another engine version)."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested category: its code and the model's probability for it (0..1)."""

    code: str
    score: float


class Engine:
    """Suggests report categories for a free-text description.

    >>> engine = Engine().train(examples)          # iterable of (text, code)
    >>> engine.suggest("jalan berlubang di Kaligawe")
    [Suggestion(code='JALAN', score=0.83), ...]

    Instances are immutable once trained and safe to share between threads.
    """

    def __init__(self, *, C: float = 20.0, char_weight: float = 1.0, random_state: int = 0) -> None:
        self.C = C
        self.char_weight = char_weight
        self.random_state = random_state
        self.slang = load_slang()
        self.metadata: dict[str, Any] = {}
        self._word_vec: TfidfVectorizer | None = None
        self._char_vec: TfidfVectorizer | None = None
        self._clf: LogisticRegression | None = None
        self.classes: tuple[str, ...] = ()
        # Stems of every word seen in training, stored with the model: a freshly loaded
        # model needs Sastrawi (about 1 ms per unknown word) only for words it never saw.
        self.stem_table: dict[str, str] = {}
        self._stemmer: Callable[[str], str] = stem_word
        self._guard: StemGuard | None = None
        self._fast: _FastScorer | None = None

    # -- training ---------------------------------------------------------------------

    def train(self, examples: Iterable[Example], *, base_corpus_hash: str = "", n_extra: int = 0) -> Engine:
        """Fit on (text, code) pairs; returns self. Texts too short to classify are skipped."""
        examples = list(examples)
        self.stem_table = {}
        self._guard = None  # training stems every word for real
        prepared: list[Prepared] = []
        labels: list[str] = []
        for text, code in examples:
            item = self.prepare(text)
            if item is not None and code:
                prepared.append(item)
                labels.append(code)
        counts = Counter(labels)
        for item in prepared:
            self.stem_table.update(zip(item.words.split(), item.stems.split(), strict=True))
        if len(counts) < 2:
            raise ValueError("training needs examples of at least two categories")
        word_vec = TfidfVectorizer(
            token_pattern=r"\S+",  # noqa: S106 - a regex, not a password
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
            dtype=np.float32,
        )
        char_vec = TfidfVectorizer(
            analyzer="char_wb", lowercase=False, ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32
        )
        features = sp.hstack(
            [
                word_vec.fit_transform([p.stems for p in prepared]),
                char_vec.fit_transform([p.words for p in prepared]) * self.char_weight,
            ],
            format="csr",
        )
        # newton-cg reaches the same optimum as lbfgs here in a fraction of the time.
        clf = LogisticRegression(C=self.C, solver="newton-cg", max_iter=1000, random_state=self.random_state)
        clf.fit(features, labels)
        self._word_vec, self._char_vec, self._clf = word_vec, char_vec, clf
        self.classes = tuple(str(c) for c in clf.classes_)
        self._compile()
        self.metadata = {
            "engine_version": ENGINE_VERSION,
            "sklearn_version": sklearn.__version__,
            "training_hash": corpus_hash(examples),
            "base_corpus_hash": base_corpus_hash,
            "n_examples": len(labels),
            "n_extra": n_extra,
            "per_category": dict(sorted(counts.items())),
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "params": {"C": self.C, "char_weight": self.char_weight, "random_state": self.random_state},
        }
        return self

    @property
    def is_trained(self) -> bool:
        return self._clf is not None

    # -- suggesting -------------------------------------------------------------------

    def prepare(self, text: str) -> Prepared | None:
        return prepare(text, self.slang, self._stem)

    def _stem(self, word: str) -> str:
        stem = self.stem_table.get(word)
        if stem is not None:
            return stem
        if self._guard is not None and not self._guard.may_matter(word):
            return word  # its stem cannot be a model term: same features, no Sastrawi call
        return self._stemmer(word)

    def suggest(self, text: str, k: int = DEFAULT_K) -> list[Suggestion]:
        """The ``k`` most likely categories for ``text``, best first.

        Empty or near-empty text (fewer than three letters once links, numbers and markup
        are removed) gets no suggestions: ``[]``. Scores are probabilities in 0..1,
        rounded to 4 decimals; ties keep the categories' alphabetical order.
        """
        if k <= 0:
            return []
        item = self.prepare(text)
        if item is None:
            return []
        proba = self._fast(item) if self._fast is not None else self._proba([item])[0]
        order = np.argsort(-proba, kind="stable")[:k]
        return [Suggestion(self.classes[i], round(float(proba[i]), 4)) for i in order]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities (rows: texts, columns: :attr:`classes`); unusable texts get a row of zeros."""
        prepared = [self.prepare(text) for text in texts]
        result = np.zeros((len(texts), len(self.classes)), dtype=np.float64)
        usable = [i for i, item in enumerate(prepared) if item is not None]
        if usable:
            result[usable] = self._proba([prepared[i] for i in usable])
        return result

    def _proba(self, items: Sequence[Prepared]) -> np.ndarray:
        if self._clf is None or self._word_vec is None or self._char_vec is None:
            raise ModelError("the engine is not trained")
        features = sp.hstack(
            [
                self._word_vec.transform([p.stems for p in items]),
                self._char_vec.transform([p.words for p in items]) * self.char_weight,
            ],
            format="csr",
        )
        return self._clf.predict_proba(features)

    # -- persistence ------------------------------------------------------------------

    def _compile(self) -> None:
        assert self._word_vec is not None and self._char_vec is not None and self._clf is not None
        self._fast = _FastScorer(self._word_vec, self._char_vec, self._clf, self.char_weight)
        terms = {term for term in self._word_vec.vocabulary_ if " " not in term}
        self._guard = StemGuard(terms, sastrawi_is_root)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        # Derived or process-wide objects are rebuilt on load, not stored in the model file.
        state.pop("_stemmer", None)
        state.pop("_guard", None)
        state.pop("_fast", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._stemmer = stem_word
        self._guard = None
        self._fast = None
        if self.is_trained:
            self._compile()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the trained model atomically (temp file + rename) with joblib."""
        if not self.is_trained:
            raise ModelError("the engine is not trained")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                joblib.dump({"engine_version": ENGINE_VERSION, "engine": self}, handle, compress=3)
            # Readable by the group (web workers and the training job may be different users),
            # not by others: the vocabulary holds words from the city's report texts.
            os.chmod(tmp, MODEL_FILE_MODE)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Engine:
        """Read a model written by :meth:`save`.

        Raises :class:`ModelError` when the file is missing or unreadable, or was written by
        another engine version or scikit-learn version. Only load files this application
        wrote: joblib files are pickles.
        """
        try:
            payload = joblib.load(path)
        except FileNotFoundError as exc:
            raise ModelError(f"no model at {path}") from exc
        except Exception as exc:  # any unpickling failure means "unusable"
            raise ModelError(f"cannot read model {path}: {exc}") from exc
        if not isinstance(payload, dict) or payload.get("engine_version") != ENGINE_VERSION:
            raise ModelError(f"model {path} was made by another engine version")
        engine = payload.get("engine")
        if not isinstance(engine, cls) or not engine.is_trained:
            raise ModelError(f"model {path} holds no trained engine")
        if engine.metadata.get("sklearn_version") != sklearn.__version__:
            raise ModelError(f"model {path} was made with scikit-learn {engine.metadata.get('sklearn_version')}")
        return engine


class _FastScorer:
    """Scores one prepared text without scikit-learn's per-call overhead.

    ``TfidfVectorizer.transform`` + ``hstack`` + ``predict_proba`` spend milliseconds on
    validation and sparse-matrix plumbing for a single short text. This computes the same
    numbers directly: analyzer -> vocabulary ids -> sublinear tf * idf -> L2 norm -> the
    matching coefficient rows -> softmax. Tests check it agrees with the sklearn path.
    """

    def __init__(
        self, word_vec: TfidfVectorizer, char_vec: TfidfVectorizer, clf: LogisticRegression, char_weight: float
    ) -> None:
        self.word_analyzer = word_vec.build_analyzer()
        self.char_analyzer = char_vec.build_analyzer()
        self.word_vocab: dict[str, int] = word_vec.vocabulary_
        self.char_vocab: dict[str, int] = char_vec.vocabulary_
        self.word_idf = word_vec.idf_.astype(np.float64)
        self.char_idf = char_vec.idf_.astype(np.float64)
        coef = np.asarray(clf.coef_, dtype=np.float64)
        n_word = len(self.word_vocab)
        if coef.shape[0] == 1:  # two classes: sklearn keeps one row; softmax over (-z/2, z/2) == sigmoid(z)
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.array([-clf.intercept_[0] / 2, clf.intercept_[0] / 2])
        else:
            intercept = np.asarray(clf.intercept_, dtype=np.float64)
        # Row-major (feature, class) so gathering a text's few features is one contiguous take.
        self.word_coef = np.ascontiguousarray(coef[:, :n_word].T)
        self.char_coef = np.ascontiguousarray(coef[:, n_word:].T) * char_weight
        self.intercept = intercept

    @staticmethod
    def _weights(terms: list[str], vocab: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for term in terms:
            index = vocab.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0)
        index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[index]
        values /= np.sqrt(values @ values)
        return index, values

    def __call__(self, item: Prepared) -> np.ndarray:
        w_index, w_values = self._weights(self.word_analyzer(item.stems), self.word_vocab, self.word_idf)
        c_index, c_values = self._weights(self.char_analyzer(item.words), self.char_vocab, self.char_idf)
        logits = self.intercept + w_values @ self.word_coef[w_index] + c_values @ self.char_coef[c_index]
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

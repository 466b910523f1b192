"""Text preparation for the report classifier: normalisation, slang, stemming.

Citizens type on phones: abbreviations ("jln", "yg", "gak"), Javanese ("ndak", "wes",
"dalane"), stretched letters ("bangeeet"), reduplication written with a digit ("jalan2"),
pasted links and HTML. Everything is reduced to lowercase ASCII letter tokens, mapped
through the slang dictionary shipped in ``data/slang_id.csv``, then stemmed with Sastrawi.

Sastrawi costs about a millisecond per unseen word, so stems are memoised per word in a
bounded LRU cache shared by the whole process; a sentence of known words is prepared in
tens of microseconds.
"""

from __future__ import annotations

import csv
import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DATA_DIR = Path(__file__).resolve().parent / "data"
SLANG_PATH = DATA_DIR / "slang_id.csv"

# Inputs are cut here before any work: a report description longer than this adds no
# signal for choosing a category and would only cost time.
MAX_INPUT_CHARS = 2000
# Fewer letters than this (after normalisation) is not a description; no suggestion.
MIN_LETTERS = 3
# Words not worth stemming (Sastrawi never shortens them usefully).
_MIN_STEM_LEN = 4
STEM_CACHE_SIZE = 50_000

_TAG_RE = re.compile(r"<[^<>]{0,500}>")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL_RE = re.compile(r"\S+@\S+\.\S+")
_WIFI_RE = re.compile(r"\bwi[\s\-.]?fi\b")
_REDUP_RE = re.compile(r"\b([a-z]{3,})2\b")  # "jalan2" -> "jalan jalan"
_NUM_RE = re.compile(r"\d+(?:[.,:/]\d+)*")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")  # "bangeeet" -> "banget"
_TOKEN_RE = re.compile(r"[a-z]+")
_PLACEHOLDERS = frozenset({"num", "url", "email", "qmark"})


def load_slang(path: Path = SLANG_PATH) -> dict[str, tuple[str, ...]]:
    """Read the slang dictionary: token -> replacement words (lines starting with # are comments)."""
    mapping: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(line for line in handle if line.strip() and not line.startswith("#"))
        header = next(rows, None)
        if header != ["token", "replacement"]:
            raise ValueError(f"{path}: expected header 'token,replacement', got {header!r}")
        for number, row in enumerate(rows, start=2):
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise ValueError(f"{path}: line {number} must be 'token,replacement'")
            mapping[row[0].strip().lower()] = tuple(row[1].strip().lower().split())
    return mapping


def _raw_tokens(text: str) -> list[str]:
    """Lowercase ASCII word tokens of ``text`` (markup, links, numbers and accents handled)."""
    text = text[:MAX_INPUT_CHARS]
    text = _TAG_RE.sub(" ", html.unescape(text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _URL_RE.sub(" url ", text)
    text = _EMAIL_RE.sub(" email ", text)
    text = _WIFI_RE.sub("wifi", text)
    text = _REDUP_RE.sub(r"\1 \1", text)
    text = _NUM_RE.sub(" num ", text)
    # A question mark is the strongest sign of an information request; keep it as a word.
    text = text.replace("?", " qmark ")
    text = _REPEAT_RE.sub(r"\1", text)
    return _TOKEN_RE.findall(text)


def _expand(tokens: list[str], slang: Mapping[str, tuple[str, ...]]) -> list[str]:
    expanded: list[str] = []
    for token in tokens:
        replacement = slang.get(token)
        if replacement is None:
            expanded.append(token)
        else:
            expanded.extend(replacement)
    return expanded


def normalize(text: str, slang: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Lowercase ASCII word tokens of ``text`` with slang expanded (no stemming)."""
    return _expand(_raw_tokens(text), slang)


class _SastrawiWord:
    """Sastrawi's word stemmer without its unbounded per-instance dictionary cache."""

    def __init__(self) -> None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        # create_stemmer() wraps the real stemmer in a cache that grows without bound;
        # we keep the inner one and bound the cache ourselves.
        self._stemmer = StemmerFactory().create_stemmer().delegatedStemmer

    def is_root(self, word: str) -> bool:
        return bool(self._stemmer.dictionary.contains(word))

    def __call__(self, word: str) -> str:
        if len(word) < _MIN_STEM_LEN:
            return word
        return self._stemmer.stem_word(word) or word


@lru_cache(maxsize=1)
def sastrawi_word_stemmer() -> Callable[[str], str]:
    """The process-wide uncached Sastrawi word stemmer (loading its dictionary takes ~50 ms)."""
    return _SastrawiWord()


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem_word(word: str) -> str:
    """Sastrawi stem of one lowercase word, memoised (thread-safe LRU)."""
    return sastrawi_word_stemmer()(word)


def clear_stem_cache() -> None:
    stem_word.cache_clear()


class Prepared(NamedTuple):
    """A text ready for the vectorisers: normalised words and their stems, space-joined."""

    words: str
    stems: str


def prepare(
    text: str,
    slang: Mapping[str, tuple[str, ...]],
    stemmer: Callable[[str], str] = stem_word,
) -> Prepared | None:
    """Normalise and stem ``text``; None when it holds too few letters to classify."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    raw = _raw_tokens(text)
    # Counted on what was typed, before "ok" becomes "oke" or "yg" becomes "yang".
    if sum(len(token) for token in raw if token not in _PLACEHOLDERS) < MIN_LETTERS:
        return None
    tokens = _expand(raw, slang)
    return Prepared(" ".join(tokens), " ".join(stemmer(token) for token in tokens))


# -- skipping Sastrawi when its answer cannot matter -------------------------------------

# Everything Sastrawi strips from the end of a word: particle (lah|kah|tah|pun), possessive
# (ku|mu|nya) and derivational suffix (is|isme|isasi|i|kan|an), in that order from the end.
_SUFFIXES = frozenset(
    d + p + q
    for d in ("", "i", "kan", "an", "is", "isme", "isasi")
    for p in ("", "ku", "mu", "nya")
    for q in ("", "lah", "kah", "tah", "pun")
)
_MAX_SUFFIX = max(map(len, _SUFFIXES))
# Every prefix Sastrawi's rules strip (up to three in a row), then the root's first letter
# (which nasal prefixes may replace: menulis -> tulis) with an optional infix (gemetar -> getar).
_PREFIX = r"(?:di|ke|se|be|ber|bel|te|ter|me|mem|men|meng|meny|menge|pe|pem|pen|peng|peny|penge|per|pel|er|ku|kau)"
_HEAD_RE = re.compile(_PREFIX + r"{0,3}(?:[a-z](?:el|em|er|in)?)?\Z")


class StemGuard:
    """Tells, in microseconds, whether Sastrawi's stem of an unseen word could be a model term.

    At suggestion time a word's stem matters only if it is one of the model's word terms.
    Sastrawi returns either the word itself or a dictionary root ``r`` that it reached by
    removing suffixes and up to three prefixes, where a prefix may have replaced ``r``'s
    first letter and an infix may follow it. In every case ``r[1:]`` survives intact at the
    end of the word once the suffixes are removed, and what precedes it is prefixes plus at
    most the first letter and an infix. If no model term that is a dictionary root fits that
    shape, Sastrawi (about 1 ms for an unknown word) can be skipped: the word's features are
    the same either way. Tests check this against Sastrawi on thousands of words.
    """

    def __init__(self, terms: set[str] | frozenset[str], is_root: Callable[[str], bool]) -> None:
        self.terms = frozenset(terms)
        self.tails = frozenset(term[1:] for term in self.terms if len(term) >= 2 and is_root(term))

    def may_matter(self, word: str) -> bool:
        if word in self.terms:
            return True
        tails, head = self.tails, _HEAD_RE
        for cut in range(min(len(word) - 1, _MAX_SUFFIX) + 1):
            if cut and word[-cut:] not in _SUFFIXES:
                continue
            core = word[: len(word) - cut]
            for start in range(1, len(core)):
                if core[start:] in tails and head.match(core, 0, start):
                    return True
        return False


def sastrawi_is_root(word: str) -> bool:
    """Whether ``word`` is in Sastrawi's dictionary of root words."""
    return sastrawi_word_stemmer().is_root(word)

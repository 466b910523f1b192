"""Text preparation: normalisation, slang, stemming cache and the Sastrawi-skipping guard."""

import csv
import random

import pytest

from kotapintar.reports.classifier import load_eval
from kotapintar.reports.classifier.text import (
    MAX_INPUT_CHARS,
    SLANG_PATH,
    StemGuard,
    load_slang,
    normalize,
    prepare,
    sastrawi_is_root,
    sastrawi_word_stemmer,
    stem_word,
)

SLANG = load_slang()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jln di dpn rmh sy rusak bgt", "jalan di dpn rumah saya rusak banget"),
        ("ndak ada air, wes 3 hari", "tidak ada air sudah num hari"),
        ("mboten saget konek", "tidak bisa konek"),
        ("rusak bangeeet!!!", "rusak banget"),
        ("jalan2 bolong2", "jalan jalan lubang lubang"),
        ("Wi-Fi taman", "wifi taman"),
        ("lihat https://contoh.id/foto?id=3 atau www.x.com", "lihat url atau url"),
        ("kirim ke warga@contoh.id ya", "kirim ke email ya"),
        ("<b>Pohon</b>&nbsp;tumbang", "pohon tumbang"),
        ("Jembatan ÁMBRUK", "jembatan roboh"),
        ("kapan jadwalnya?", "kapan jadwalnya qmark"),
    ],
)
def test_normalize(text, expected):
    assert " ".join(normalize(text, SLANG)) == expected


def test_input_is_cut_to_the_maximum_length():
    tokens = normalize("a " * MAX_INPUT_CHARS + "tambahan", SLANG)
    assert "tambahan" not in tokens
    assert len(tokens) == MAX_INPUT_CHARS // 2


def test_prepare_stems_with_sastrawi():
    prepared = prepare("Penerangan jalan berlubang belum dibersihkan", SLANG)
    assert prepared.words == "penerangan jalan berlubang belum dibersihkan"
    assert prepared.stems == "terang jalan lubang belum bersih"


@pytest.mark.parametrize("text", ["", "   ", "ab", "12 34", "?", "<br/>", "http://a.b/c"])
def test_prepare_refuses_text_without_three_letters(text):
    assert prepare(text, SLANG) is None


def test_stem_cache_serves_repeated_words():
    stem_word.cache_clear()
    assert stem_word("pemadaman") == "madam"
    assert stem_word("pemadaman") == "madam"
    info = stem_word.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_short_words_are_not_stemmed():
    assert sastrawi_word_stemmer()("dia") == "dia"


def test_slang_file_has_one_entry_per_token():
    with SLANG_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.reader(line for line in handle if line.strip() and not line.startswith("#")))
    tokens = [row[0] for row in rows[1:]]
    assert len(tokens) == len(set(tokens))
    assert all(token == token.lower() and token.isalpha() for token in tokens)


def _typo_words(rng: random.Random) -> set[str]:
    words = set()
    for text, _ in load_eval():
        for word in normalize(text, SLANG):
            if len(word) > 4:
                i = rng.randrange(1, len(word) - 1)
                words.add(word[:i] + word[i + 1 :])
                words.add(word[:i] + rng.choice("aeikmnrst") + word[i:])
    return words


def test_stem_guard_never_skips_a_word_whose_stem_is_a_model_term(engine):
    """The guard may only skip Sastrawi when Sastrawi's answer cannot be a model term."""
    guard = StemGuard({t for t in engine._word_vec.vocabulary_ if " " not in t}, sastrawi_is_root)
    rng = random.Random(7)
    roots = sorted(t for t in guard.terms if len(t) >= 4 and sastrawi_is_root(t))
    affixed = {
        prefix + root + suffix
        for root in rng.sample(roots, 150)
        for prefix, suffix in [("me", "kan"), ("di", "i"), ("pe", "an"), ("ber", ""), ("ter", "nya"), ("ke", "an")]
    }
    words = sorted((_typo_words(rng) | affixed) - set(engine.stem_table))
    stemmer = sastrawi_word_stemmer()
    skipped = [w for w in words if not guard.may_matter(w)]
    assert [w for w in skipped if stemmer(w) in guard.terms] == []
    assert len(skipped) > len(words) // 4  # and it does skip a useful share of the work


def test_guarded_and_full_stemming_give_the_same_scores(engine):
    full = engine.__class__.__new__(engine.__class__)
    full.__setstate__(engine.__getstate__())
    full._guard = None
    full.stem_table = {}
    full._stemmer = sastrawi_word_stemmer()
    rng = random.Random(3)
    for text, _ in load_eval()[::9]:
        words = text.split()
        noisy = " ".join(w[:-1] + rng.choice("aiu") if len(w) > 5 else w for w in words)
        assert engine.suggest(noisy, k=23) == full.suggest(noisy, k=23)

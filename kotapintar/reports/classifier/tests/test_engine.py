"""The suggestion engine: rankings, edge-case inputs, persistence, learning from extra examples."""

import joblib
import numpy as np
import pytest
from rapidfuzz import fuzz

from kotapintar.reports.classifier import Engine, ModelError, Suggestion, load_corpus, load_eval, train_from_corpus
from kotapintar.reports.classifier.engine import ENGINE_VERSION

# Plain, unambiguous reports written for this test (not taken from the corpus; checked below).
OBVIOUS = {
    "JALAN": "Aspal jalan di depan rumah saya di Jl. Kinibalu berlubang besar dan sering bikin motor jatuh.",
    "DRAINASE": "Selokan di depan rumah mampet penuh lumpur, airnya tidak bisa mengalir sama sekali.",
    "BANJIR": "Rumah kami kebanjiran, air masuk setinggi lutut sejak subuh dan belum surut juga.",
    "PJU": "Lampu penerangan jalan di gang kami mati, malam hari gelap sekali.",
    "SAMPAH": "Sampah di TPS sudah seminggu tidak diangkut truk sampah, baunya menyengat.",
    "POHON": "Pohon besar tumbang menutup jalan setelah hujan angin tadi sore.",
    "LALIN": "Lampu lalu lintas di perempatan mati, kendaraan saling serobot.",
    "PARKIR": "Juru parkir liar minta bayaran tanpa karcis di depan minimarket.",
    "KETERTIBAN": "Pedagang kaki lima berjualan di trotoar sampai pejalan kaki harus turun ke jalan.",
    "AIR": "Air PDAM di rumah mati tiga hari dan tidak ada pemberitahuan apa pun.",
    "PENCEMARAN": "Pabrik membuang limbah ke sungai sehingga airnya hitam dan berbau busuk.",
    "ADMINDUK": "KTP elektronik saya belum dicetak juga padahal sudah rekam di Dukcapil.",
    "KESEHATAN": "Puskesmas menolak pasien BPJS dan obatnya selalu kosong.",
    "PENDIDIKAN": "Sekolah negeri memungut uang seragam dan buku yang mahal dari murid baru.",
    "SOSIAL": "Keluarga miskin di RT kami tidak pernah menerima bantuan sosial dari pemerintah.",
    "KEBAKARAN": "Ada kebakaran rumah, apinya besar, tolong kirim mobil pemadam kebakaran.",
    "PERIZINAN": "Izin usaha saya di DPMPTSP sudah berbulan-bulan tidak diproses.",
    "WIFI": "Wifi gratis di taman kota tidak bisa tersambung ke internet.",
    "PASAR": "Atap los di pasar tradisional bocor dan retribusi pasar naik terus.",
    "LINGKUNGAN": "Balai RW dan pos ronda di kampung kami rusak, mohon bantuan kelurahan.",
    "ASPIRASI": "Saya usul pemkot membangun taman baru dan jalur sepeda untuk warga.",
    "INFORMASI": "Mohon info jadwal car free day minggu ini diadakan di mana saja?",
    "LAINNYA": "Dompet saya dicopet orang di dalam bus kota, isinya uang dan kartu ATM.",
}


def test_obvious_texts_are_not_corpus_copies():
    corpus = [text.lower() for text, _ in load_corpus() + load_eval()]
    for text in OBVIOUS.values():
        assert max(fuzz.ratio(text.lower(), other) for other in corpus) <= 90, text


@pytest.mark.parametrize(("code", "text"), sorted(OBVIOUS.items()))
def test_obvious_text_ranks_its_category_first(engine, code, text):
    suggestions = engine.suggest(text)
    assert suggestions[0].code == code, suggestions


def test_every_category_is_known_to_the_model(engine):
    assert set(engine.classes) == set(OBVIOUS)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_suggestions_are_at_most_k_sorted_probabilities(engine, k):
    suggestions = engine.suggest("lampu jalan mati dan aspalnya berlubang di Jl. Pemuda", k=k)
    assert len(suggestions) == k
    assert all(isinstance(s, Suggestion) for s in suggestions)
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert sum(scores) <= 1.0 + 1e-3
    assert len({s.code for s in suggestions}) == k


def test_default_is_three_suggestions(engine):
    assert len(engine.suggest("got mampet di depan rumah")) == 3


def test_k_zero_gives_nothing(engine):
    assert engine.suggest("got mampet di depan rumah", k=0) == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\t", "?!", "ok", "123 456", "<p></p>", "https://example.org/foto.jpg", "😡😡😡", "&nbsp;&amp;"],
)
def test_empty_or_too_short_text_gets_no_suggestions(engine, text):
    assert engine.suggest(text) == []


@pytest.mark.parametrize(
    "text",
    ["asdkjh qwpoeiru zzxv", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ÆØÅ ñandú 中文 العربية текст", "a b c d e f g"],
)
def test_garbage_text_gets_valid_suggestions_without_error(engine, text):
    suggestions = engine.suggest(text)
    assert len(suggestions) <= 3
    assert all(0.0 <= s.score <= 1.0 for s in suggestions)


def test_very_long_text_is_handled(engine):
    text = "Lampu jalan di Jl. Pemuda mati total. " * 5000  # ~190,000 characters
    suggestions = engine.suggest(text)
    assert suggestions[0].code == "PJU"


def test_html_markup_and_entities_are_ignored(engine):
    text = '<p><b>Lampu&nbsp;jalan</b> di <a href="https://maps.example/x">Jl. Pemuda</a> mati &amp; gelap</p>'
    assert engine.suggest(text)[0].code == "PJU"
    assert engine.suggest("<script>alert</script>") == engine.suggest("alert")


def test_non_string_input_is_a_type_error(engine):
    with pytest.raises(TypeError):
        engine.suggest(None)


def test_chat_spelling_reads_like_the_formal_one(engine):
    chatty = engine.suggest("jln dpn rmh sy bolong2 bgt, udh sebulan gak dibenerin")
    formal = engine.suggest("Jalan depan rumah saya berlubang, sudah sebulan tidak diperbaiki")
    assert chatty[0].code == formal[0].code == "JALAN"


def test_fast_scorer_matches_scikit_learn(engine):
    texts = [text for text, _ in load_eval()[::7]]
    reference = engine.predict_proba(texts)
    for row, text in zip(reference, texts, strict=True):
        best = int(np.argmax(row))
        top = engine.suggest(text, k=1)[0]
        assert top.code == engine.classes[best]
        assert top.score == pytest.approx(row[best], abs=1e-4)


def test_save_load_round_trip_gives_identical_rankings(engine, tmp_path):
    path = engine.save(tmp_path / "sub" / "model.joblib")
    loaded = Engine.load(path)
    assert loaded.metadata == engine.metadata
    for text, _ in load_eval()[::5]:
        assert loaded.suggest(text, k=23) == engine.suggest(text, k=23)


def test_saved_model_is_private_to_owner_and_group(small_engine, tmp_path):
    path = small_engine.save(tmp_path / "model.joblib")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["model.joblib"]  # no temporary file left


def test_model_metadata_records_corpus_and_versions(engine):
    meta = engine.metadata
    assert meta["engine_version"] == ENGINE_VERSION
    assert len(meta["base_corpus_hash"]) == 64
    assert meta["n_examples"] == len(load_corpus())
    assert meta["n_extra"] == 0
    assert set(meta["per_category"]) == set(OBVIOUS)


def test_loading_a_missing_model_is_a_model_error(tmp_path):
    with pytest.raises(ModelError):
        Engine.load(tmp_path / "absent.joblib")


def test_loading_a_corrupt_model_is_a_model_error(tmp_path):
    path = tmp_path / "model.joblib"
    path.write_bytes(b"not a model at all")
    with pytest.raises(ModelError):
        Engine.load(path)


def test_loading_another_engine_version_is_a_model_error(small_engine, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump({"engine_version": ENGINE_VERSION + 1, "engine": small_engine}, path)
    with pytest.raises(ModelError):
        Engine.load(path)


def test_untrained_engine_cannot_suggest_or_save(tmp_path):
    with pytest.raises(ModelError):
        Engine().suggest("lampu jalan mati")
    with pytest.raises(ModelError):
        Engine().save(tmp_path / "model.joblib")


def test_training_needs_two_categories():
    with pytest.raises(ValueError, match="two categories"):
        Engine().train([("lampu jalan mati", "PJU"), ("lampu jalan padam", "PJU")])


def test_training_is_deterministic(small_examples):
    first = Engine().train(small_examples)
    second = Engine().train(small_examples)
    texts = [text for text, _ in load_eval()[::11]]
    assert np.array_equal(first.predict_proba(texts), second.predict_proba(texts))


# The city's verified reports (train_classifier) are added as extra examples.
NEW_CATEGORY = [
    ("Biaya sewa makam di TPU Bergota naik tanpa pemberitahuan kepada ahli waris.", "PEMAKAMAN"),
    ("Nisan makam keluarga kami di TPU Kedungmundu hilang dan kuburannya ditumpuki tanah.", "PEMAKAMAN"),
    ("Penggali kubur di pemakaman umum meminta uang tambahan di luar retribusi makam.", "PEMAKAMAN"),
    ("Makam orang tua saya di TPU Sompok ditumpangi jenazah lain tanpa izin ahli waris.", "PEMAKAMAN"),
    ("Pengurusan izin pemakaman jenazah di TPU milik pemkot berbelit dan lama.", "PEMAKAMAN"),
    ("Area pemakaman umum di Bergota tidak terawat, rumput tinggi menutupi kuburan.", "PEMAKAMAN"),
    ("Petugas TPU menagih iuran perawatan makam tiap tahun tanpa kuitansi.", "PEMAKAMAN"),
    ("Lahan makam di TPU Jatisari sudah penuh, keluarga kami tidak mendapat petak kubur.", "PEMAKAMAN"),
]
NEW_WORD = [  # "jeglongan" (Javanese: a pothole) is not in the shipped corpus
    ("Akeh jeglongan nang dalan Jl. Kelud, motor kudu alon-alon.", "JALAN"),
    ("Jeglongan gede di tengah Jl. Sriwijaya, mobil saya hampir terperosok.", "JALAN"),
    ("Tolong jeglongan di Jl. Supriyadi ditambal, sudah makan korban.", "JALAN"),
    ("Jeglongan di tikungan Jl. Bukit Sari bikin pengendara jatuh.", "JALAN"),
    ("Jl. Sampangan penuh jeglongan sehabis hujan, bahaya untuk motor.", "JALAN"),
    ("Jeglongan-jeglongan di Jl. Citarum makin dalam tiap minggu.", "JALAN"),
]


@pytest.fixture(scope="module")
def extended_engine(small_examples):
    return Engine().train(small_examples + NEW_CATEGORY + NEW_WORD, n_extra=len(NEW_CATEGORY) + len(NEW_WORD))


def test_extra_examples_teach_a_new_category(small_engine, extended_engine):
    text = "Retribusi makam di TPU naik dan petugas pemakaman minta uang rokok"
    assert "PEMAKAMAN" not in small_engine.classes
    assert extended_engine.suggest(text)[0].code == "PEMAKAMAN"


def test_extra_examples_teach_a_new_phrase(small_engine, extended_engine):
    text = "jeglongan nang ngarep omahku"

    def jalan_score(engine):
        return next(s.score for s in engine.suggest(text, k=len(engine.classes)) if s.code == "JALAN")

    assert jalan_score(extended_engine) > jalan_score(small_engine) + 0.2
    assert extended_engine.suggest(text)[0].code == "JALAN"
    assert extended_engine.metadata["n_extra"] == len(NEW_CATEGORY) + len(NEW_WORD)


def test_train_from_corpus_appends_extra_examples(monkeypatch, small_examples):
    seen = {}

    def fake_train(self, examples, *, base_corpus_hash="", n_extra=0):
        seen.update(examples=list(examples), base=base_corpus_hash, n_extra=n_extra)
        return self

    monkeypatch.setattr(Engine, "train", fake_train)
    train_from_corpus(extra_examples=[*NEW_WORD, ("", "JALAN"), ("teks tanpa kode", "")])
    assert seen["examples"] == load_corpus() + NEW_WORD  # empty texts or codes are dropped
    assert seen["n_extra"] == len(NEW_WORD)
    assert len(seen["base"]) == 64

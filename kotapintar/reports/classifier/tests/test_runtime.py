"""get_engine(): load, train on first use, cache, reload on change, thread safety."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kotapintar.reports.classifier import Engine, get_engine, model_path, reset_engine, runtime
from kotapintar.reports.classifier.corpus import shipped_corpus_hash


@pytest.fixture
def model_file(settings, tmp_path):
    path = tmp_path / "classifier" / "model.joblib"
    settings.REPORTS_CLASSIFIER_MODEL_PATH = str(path)
    reset_engine()
    yield path
    reset_engine()


@pytest.fixture
def fake_training(monkeypatch, small_examples):
    """train_from_corpus() replaced by a quick training on a few shipped examples."""
    calls = []

    def train(extra_examples=(), *, save_to=None):
        calls.append(save_to)
        time.sleep(0.05)  # long enough for concurrent callers to pile up behind the lock
        engine = Engine().train(small_examples, base_corpus_hash=shipped_corpus_hash())
        if save_to is not None:
            engine.save(save_to)
        return engine

    monkeypatch.setattr(runtime, "train_from_corpus", train)
    return calls


def test_default_model_path_is_under_var(settings):
    settings.REPORTS_CLASSIFIER_MODEL_PATH = None
    assert model_path() == settings.VAR_DIR / "classifier" / "model.joblib"


def test_first_use_trains_saves_and_caches(model_file, fake_training):
    engine = get_engine()
    assert engine.is_trained
    assert model_file.exists()
    assert get_engine() is engine
    assert len(fake_training) == 1


def test_an_existing_model_is_loaded_not_retrained(model_file, fake_training, small_engine):
    small_engine.metadata["base_corpus_hash"] = shipped_corpus_hash()
    small_engine.save(model_file)
    engine = get_engine()
    assert fake_training == []
    assert engine.metadata == small_engine.metadata


def test_a_new_model_file_is_picked_up(model_file, fake_training, small_examples):
    first = get_engine()
    time.sleep(0.01)
    replacement = Engine(C=1.0).train(small_examples[::2], base_corpus_hash=shipped_corpus_hash())
    replacement.save(model_file)
    second = get_engine()
    assert second is not first
    assert second.metadata["params"]["C"] == 1.0


def test_a_model_of_an_older_corpus_without_city_examples_is_replaced(model_file, fake_training, small_engine):
    small_engine.metadata.update(base_corpus_hash="0" * 64, n_extra=0)
    small_engine.save(model_file)
    get_engine()
    assert len(fake_training) == 1
    assert Engine.load(model_file).metadata["base_corpus_hash"] == shipped_corpus_hash()


def test_a_stale_model_with_city_examples_is_kept_on_disk(model_file, fake_training, small_engine, caplog):
    small_engine.metadata.update(base_corpus_hash="0" * 64, n_extra=12)
    small_engine.save(model_file)
    engine = get_engine()
    assert engine.metadata["base_corpus_hash"] == shipped_corpus_hash()
    assert Engine.load(model_file).metadata["n_extra"] == 12  # only train_classifier may rebuild it
    assert "train_classifier" in caplog.text


def test_an_unreadable_model_is_retrained(model_file, fake_training):
    model_file.parent.mkdir(parents=True)
    model_file.write_bytes(b"garbage")
    assert get_engine().is_trained
    assert len(fake_training) == 1


def test_concurrent_first_use_trains_once(model_file, fake_training):
    results = []
    threads = [threading.Thread(target=lambda: results.append(get_engine())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake_training) == 1
    assert len({id(engine) for engine in results}) == 1


def test_importing_the_package_does_not_load_scikit_learn():
    """Django processes that never suggest (migrations, workers) must not pay seconds of imports."""
    code = (
        "import sys, kotapintar.reports.classifier as c, kotapintar.reports.classifier.text; "
        "assert 'sklearn' not in sys.modules, 'eager'; c.Suggestion; assert 'sklearn' in sys.modules"
    )
    root = Path(__file__).resolve().parents[4]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=120)

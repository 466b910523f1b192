"""The process-wide engine: where the model file lives, and how it is loaded or trained.

``get_engine()`` returns a trained :class:`Engine`, thread-safely, at most one load or
training per process at a time:

1. If the model file (setting ``REPORTS_CLASSIFIER_MODEL_PATH``, default
   ``<VAR_DIR>/classifier/model.joblib``) exists, was made by this engine and scikit-learn
   version, and was trained on the corpus shipped with this code, it is loaded.
2. Otherwise the engine is trained from the shipped corpus (a few seconds). The result is
   written to the model path when there was no usable file there, or when the stale
   file held only shipped examples. A stale file that also holds the city's verified
   reports is left in place (only ``manage.py train_classifier`` can rebuild it, from the
   database), and a warning is logged.
3. The engine is cached in memory. When the model file changes on disk (a new
   ``train_classifier`` run, from any process) the next call reloads it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kotapintar.reports.classifier.corpus import Example, load_corpus, shipped_corpus_hash

if TYPE_CHECKING:  # the engine module imports scikit-learn: only when a model is needed
    from kotapintar.reports.classifier.engine import Engine

logger = logging.getLogger(__name__)

MODEL_PATH_SETTING = "REPORTS_CLASSIFIER_MODEL_PATH"

_lock = threading.Lock()
_engine: Engine | None = None
_engine_key: tuple[str, int | None] | None = None


def model_path() -> Path:
    """The configured model file: settings.REPORTS_CLASSIFIER_MODEL_PATH or VAR_DIR/classifier/model.joblib."""
    from django.conf import settings

    configured = getattr(settings, MODEL_PATH_SETTING, None)
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", "var")) / "classifier" / "model.joblib"


def train_from_corpus(
    extra_examples: Iterable[Example] = (), *, save_to: str | os.PathLike[str] | None = None
) -> Engine:
    """Train on the shipped corpus plus ``extra_examples`` ((text, code) pairs, e.g. the city's
    verified reports); optionally save the model. Returns the trained engine.

    Extra examples come after the shipped ones, so the same inputs always give the same model.
    """
    from kotapintar.reports.classifier.engine import Engine

    extra = [(text, code) for text, code in extra_examples if text and code]
    engine = Engine().train(load_corpus() + extra, base_corpus_hash=shipped_corpus_hash(), n_extra=len(extra))
    if save_to is not None:
        engine.save(save_to)
    return engine


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _load_or_train(path: Path) -> Engine:
    from kotapintar.reports.classifier.engine import Engine, ModelError

    try:
        engine = Engine.load(path)
    except ModelError as exc:
        if path.exists():
            logger.warning("Report classifier: %s; training from the shipped corpus.", exc)
        stale_extra = 0
    else:
        if engine.metadata.get("base_corpus_hash") == shipped_corpus_hash():
            return engine
        stale_extra = int(engine.metadata.get("n_extra") or 0)
        logger.warning("Report classifier: %s was trained on an older corpus; retraining.", path)
    engine = train_from_corpus()
    if stale_extra:
        logger.warning(
            "Report classifier: the model at %s includes %d city examples and is left in place; "
            "run `manage.py train_classifier` to rebuild it with the current corpus.",
            path,
            stale_extra,
        )
        return engine
    try:
        engine.save(path)
    except OSError as exc:  # a read-only deployment still works, it just trains per process
        logger.warning("Report classifier: cannot write %s (%s); keeping the model in memory.", path, exc)
    return engine


def get_engine() -> Engine:
    """The shared trained engine (loaded, or trained from the shipped corpus, on first use)."""
    global _engine, _engine_key
    path = model_path()
    key = (str(path), _mtime(path))
    engine = _engine
    if engine is not None and _engine_key == key:
        return engine
    with _lock:
        key = (str(path), _mtime(path))
        if _engine is None or _engine_key != key:
            _engine = _load_or_train(path)
            _engine_key = (str(path), _mtime(path))
        return _engine


def reset_engine() -> None:
    """Forget the cached engine (the next get_engine() loads or trains again)."""
    global _engine, _engine_key
    with _lock:
        _engine = None
        _engine_key = None

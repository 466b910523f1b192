"""Suggests a report category (Lapor) from the citizen's free text, in Indonesian.

Public interface (used by the suggest-category API, the report form, the verifier desk and
the ``suggest_category`` / ``train_classifier`` management commands)::

    from kotapintar.reports.classifier import get_engine, train_from_corpus

    get_engine().suggest("lampu jalan di Jl. Pemuda mati", k=3)
    # -> [Suggestion(code="PJU", score=0.91), Suggestion(code="LALIN", score=0.03), ...]
    #    best first, at most k, scores are probabilities in 0..1; [] for empty/too-short text

    engine = train_from_corpus(extra_examples=[(text, code), ...], save_to=model_path())
    reset_engine()  # not needed across processes: get_engine() notices the new file

``category_names()`` maps codes to the Indonesian names of Semarang's default categories,
for callers that have no Category table at hand. See data/README.md for the corpus.
"""

from typing import TYPE_CHECKING, Any

from kotapintar.reports.classifier.corpus import category_names, load_corpus, load_eval
from kotapintar.reports.classifier.runtime import get_engine, model_path, reset_engine, train_from_corpus

if TYPE_CHECKING:
    from kotapintar.reports.classifier.engine import DEFAULT_K, ENGINE_VERSION, Engine, ModelError, Suggestion

# scikit-learn and scipy take seconds to import; Django processes that never suggest a
# category (migrations, workers, most requests) should not pay for them at start-up.
_LAZY = {"DEFAULT_K", "ENGINE_VERSION", "Engine", "ModelError", "Suggestion"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from kotapintar.reports.classifier import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_K",
    "ENGINE_VERSION",
    "Engine",
    "ModelError",
    "Suggestion",
    "category_names",
    "get_engine",
    "load_corpus",
    "load_eval",
    "model_path",
    "reset_engine",
    "train_from_corpus",
]

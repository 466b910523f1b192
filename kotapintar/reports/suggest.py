"""Category suggestions for a report's text, named from the Category table.

The same ranking serves the report form, the verifier desk, the API
(`POST /api/v1/reports/suggest-category/`) and `manage.py suggest_category`. The engine is
kotapintar.reports.classifier (TF-IDF + logistic regression over Sastrawi stems); this
module only maps its codes to the city's active categories (a code the city does not use,
or has switched off, is skipped) and caps the list at three.
"""

from __future__ import annotations

from dataclasses import dataclass

from kotapintar.reports.classifier import get_engine

from .selectors import categories_active

MAX_SUGGESTIONS = 3
MAX_TEXT = 4000


@dataclass(frozen=True)
class CategorySuggestion:
    code: str
    name: str
    score: float


def suggest_categories(text: str, *, k: int = MAX_SUGGESTIONS) -> list[CategorySuggestion]:
    """At most `k` (≤ 3) active categories for `text`, best first; [] for empty text."""
    k = max(0, min(int(k), MAX_SUGGESTIONS))
    text = (text or "")[:MAX_TEXT]
    if not text.strip() or k == 0:
        return []
    active = {c.code: c for c in categories_active()}
    # Ask for a few more than needed: some codes may be switched off in this city.
    ranked = get_engine().suggest(text, k=k + 5)
    result = []
    for suggestion in ranked:
        category = active.get(suggestion.code)
        if category is None:
            continue
        result.append(CategorySuggestion(category.code, category.display_name, round(float(suggestion.score), 4)))
        if len(result) == k:
            break
    return result

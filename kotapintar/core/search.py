"""Text search behind one seam: PostgreSQL full-text search, or a plain LIKE elsewhere.

    from kotapintar.core.search import text_search

    qs = text_search(Service.objects.all(), "izin reklame", fields=["name", "summary", "keywords"])
    qs = qs.order_by("-search_rank", "name")

Both paths filter `queryset` to the rows matching every word of the query and annotate
`search_rank` (higher is better); an empty query returns the queryset unchanged (with
`search_rank` 0). `fields` go from most to least important.

- PostgreSQL: a `tsvector` of the fields (weights A, B, C, D in the order given) with the
  `indonesian` text-search configuration (snowball stemming, so "perizinan" finds "izin"),
  falling back to `simple` when the server lacks it; each word of the query is matched as a
  prefix ("rekl" finds "reklame"). A row whose first field contains the whole query as
  typed also matches. Ranked by ts_rank.
- SQLite (the embedded default) and anything else: every word must appear, case-insensitive
  (ASCII), in one of the fields (`icontains`); rank 2 when the first field contains the whole
  query, else 1. No stemming.

The vector is computed per query, which is right for tables of up to some thousands of
rows (a service catalogue). For big tables, store a SearchVectorField with a GIN index and
pass its name as `vector_field`; the SQLite path ignores it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connections
from django.db.models import Case, FloatField, Q, QuerySet, Value, When

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_WEIGHTS = ("A", "B", "C", "D")
_config_cache: dict[tuple[str, str], str] = {}


def words(query: str) -> list[str]:
    """The words of a query (letters, digits, underscore), lower-cased, at most MAX_WORDS."""
    return _WORD_RE.findall((query or "")[:MAX_QUERY_LENGTH].lower())[:MAX_WORDS]


def is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def text_search_config(alias: str = "default", wanted: str = "indonesian") -> str:
    """`wanted` if the PostgreSQL server has that text-search configuration, else "simple"."""
    key = (alias, wanted)
    if key not in _config_cache:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_catalog.pg_ts_config WHERE cfgname = %s", [wanted])
            _config_cache[key] = wanted if cursor.fetchone() else "simple"
    return _config_cache[key]


def text_search(
    queryset: QuerySet,
    query: str,
    *,
    fields: Sequence[str],
    config: str = "indonesian",
    vector_field: str | None = None,
) -> QuerySet:
    """Rows of `queryset` matching `query` in `fields`, annotated with `search_rank`."""
    if not fields:
        raise ValueError("text_search needs at least one field")
    found = words(query)
    if not found:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    phrase = " ".join((query or "")[:MAX_QUERY_LENGTH].split())
    if is_postgresql(queryset):
        return _postgresql(queryset, found, phrase, fields, config, vector_field)
    return _fallback(queryset, found, phrase, fields)


def _postgresql(queryset, found, phrase, fields, config, vector_field):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    cfg = text_search_config(queryset.db, config)
    vector: Any = vector_field
    if not vector_field:
        for i, name in enumerate(fields):
            part = SearchVector(name, weight=_WEIGHTS[min(i, len(_WEIGHTS) - 1)], config=cfg)
            vector = part if vector is None else vector + part
    # Words are \w+ only, so the raw tsquery cannot be malformed; ":*" makes each a prefix.
    tsquery = SearchQuery(" & ".join(f"{w}:*" for w in found), search_type="raw", config=cfg)
    annotated = queryset.annotate(_search_vector=vector) if not isinstance(vector, str) else queryset
    vector_name = "_search_vector" if not isinstance(vector, str) else vector
    return annotated.annotate(
        search_rank=Case(
            When(Q(**{vector_name: tsquery}), then=SearchRank(vector_name, tsquery)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        + Case(When(**{f"{fields[0]}__icontains": phrase}, then=Value(1.0)), default=Value(0.0)),
    ).filter(Q(**{vector_name: tsquery}) | Q(**{f"{fields[0]}__icontains": phrase}))


def _fallback(queryset, found, phrase, fields):
    each_word = [reduce(or_, (Q(**{f"{name}__icontains": word}) for name in fields)) for word in found]
    return queryset.filter(reduce(and_, each_word)).annotate(
        search_rank=Case(
            When(**{f"{fields[0]}__icontains": phrase}, then=Value(2.0)),
            default=Value(1.0),
            output_field=FloatField(),
        )
    )

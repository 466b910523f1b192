"""PostgreSQL binary COPY rows built with numpy (no Python loop per row or per field).

    types = column_types(cursor, "reports_report", ["id", "created_at", ...])
    data = encode(types, {"id": ids, "created_at": micros, ...}, n)   # bytes, header to trailer
    with cursor.copy("COPY reports_report (id, created_at, ...) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(data)

Values per PostgreSQL type (NULL as given):
- bigint / integer / smallint: int64 arrays, NULL where the value is negative and the
  column is nullable (ids and counters are never negative here);
- double precision: float arrays; boolean: bool arrays, or int8 arrays with -1 for NULL;
- timestamp with time zone: int64 microseconds since 1970-01-01 UTC, NULL = `NULL_TIME`;
- text, character varying, jsonb: object arrays of str (None: NULL).

The text formats cost PostgreSQL a parse per field (a timestamp parse is the costly one)
and Python a string per field; here both sides mostly copy bytes.
"""

from __future__ import annotations

import numpy as np

NULL_TIME = np.iinfo(np.int64).min
PG_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in Unix microseconds
HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
_FIXED = {"bigint": ">i8", "integer": ">i4", "smallint": ">i2", "double precision": ">f8"}


def column_types(cursor, table: str, columns: list[str]) -> dict[str, tuple[str, bool]]:
    """(type, nullable) of each column, as format_type() names them."""
    cursor.execute(
        """
        SELECT a.attname, format_type(a.atttypid, NULL), NOT a.attnotnull
        FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """,
        [table],
    )
    found = {name: (kind, nullable) for name, kind, nullable in cursor.fetchall()}
    return {c: found[c] for c in columns}


def _fixed(values: np.ndarray, kind: str, null: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(lengths, bytes per row as an (n, width) uint8 matrix)."""
    if kind == "timestamp with time zone":
        raw = np.where(values == NULL_TIME, 0, values - PG_EPOCH_US).astype(">i8")
    elif kind == "boolean":
        raw = (np.asarray(values) > 0).astype(np.uint8)
    else:
        raw = np.asarray(values).astype(_FIXED[kind])
    width = raw.dtype.itemsize
    lengths = np.full(len(raw), width, dtype=np.int64)
    if null is not None:
        lengths[null] = -1
    return lengths, raw.view(np.uint8).reshape(len(raw), width)


class Pooled:
    """A text column given as codes into a small list of values (None: NULL)."""

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray, values: list):
        self.codes = np.asarray(codes, dtype=np.int64)
        self.values = list(values)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key) -> Pooled:
        return Pooled(self.codes[key], self.values)


_NULL = b"\xff\xff\xff\xff"


def _pieces(block: np.ndarray, null: np.ndarray | None = None) -> list:
    """Each row of an (n, width) uint8 matrix as one bytes object (NULL rows: the -1 length)."""
    n, width = block.shape
    prefixed = np.empty((n, width + 4), dtype=np.uint8)
    prefixed[:, :4] = np.frombuffer(np.array([width], dtype=">i4").tobytes(), dtype=np.uint8)
    prefixed[:, 4:] = block
    pieces = prefixed.view(f"V{width + 4}").ravel().tolist()
    if null is not None and null.any():
        for i in np.nonzero(null)[0].tolist():
            pieces[i] = _NULL
    return pieces


def _text_pieces(values, prefix: bytes = b"") -> list:
    """Each row's field (length + UTF-8 bytes); each distinct value is encoded once."""
    if isinstance(values, Pooled):
        codes, uniques = values.codes.tolist(), values.values
    else:
        seen: dict = {}
        codes = [seen.setdefault(v, len(seen)) for v in values.tolist()]
        uniques = list(seen)
    encoded = []
    for u in uniques:
        if u is None:
            encoded.append(_NULL)
        else:
            raw = prefix + u.encode()
            encoded.append(len(raw).to_bytes(4, "big") + raw)
    return list(map(encoded.__getitem__, codes))


def _is_text(kind: str) -> bool:
    return kind in ("text", "jsonb") or kind.startswith("character varying")


def encode(types: dict[str, tuple[str, bool]], data: dict, n: int) -> bytes:
    """The rows in COPY BINARY format, with the header and the trailer (columns in the order
    of `types`, which is how the COPY statement must name them).

    The fixed-width NOT NULL columns become one byte block per row (numpy); each other column
    a list of per-row fields; rows are joined in C (bytes.join over zip)."""
    names = list(types)
    fixed = [c for c in names if not _is_text(types[c][0]) and not types[c][1]]
    blocks = [np.broadcast_to(np.frombuffer(np.array([len(names)], dtype=">i2").tobytes(), dtype=np.uint8), (n, 2))]
    for name in fixed:
        _lens, block = _fixed(data[name], types[name][0], None)
        blocks.append(
            np.broadcast_to(np.frombuffer(np.array([block.shape[1]], dtype=">i4").tobytes(), np.uint8), (n, 4))
        )
        blocks.append(block)
    head = np.ascontiguousarray(np.concatenate(blocks, axis=1))
    columns = [head.view(f"V{head.shape[1]}").ravel().tolist()]
    for name in names:
        if name in fixed:
            continue
        kind, nullable = types[name]
        values = data[name]
        if _is_text(kind):
            columns.append(_text_pieces(values, b"\x01" if kind == "jsonb" else b""))
            continue
        null = None
        if nullable:
            if kind == "timestamp with time zone":
                null = values == NULL_TIME
            elif kind != "double precision":
                null = np.asarray(values) < 0
        _lens, block = _fixed(values, kind, None)
        columns.append(_pieces(np.ascontiguousarray(block), null))
    return HEADER + b"".join(map(b"".join, zip(*columns, strict=True))) + TRAILER


def order_columns(types: dict[str, tuple[str, bool]]) -> dict[str, tuple[str, bool]]:
    """The order encode() writes the fields in: fixed-width NOT NULL columns first."""
    first = {c: t for c, t in types.items() if not _is_text(t[0]) and not t[1]}
    return {**first, **{c: t for c, t in types.items() if c not in first}}

"""Just enough PDF reading for tests of reportlab output: streams, shown text, the QR form.

Reportlab writes each stream as Flate (binary, or wrapped in ASCII85 by default), and
shows text with `(...) Tj`; both are undone here so tests can assert what a reader sees.
"""

from __future__ import annotations

import base64
import re
import zlib

_STREAM_RE = re.compile(rb">>\s*stream\r?\n")
_LENGTH_RE = re.compile(rb"/Length (\d+)")
_TJ_RE = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)


def streams(pdf: bytes) -> list[tuple[bytes, bytes]]:
    """[(dictionary bytes, decoded stream bytes)] for every stream in the file."""
    found = []
    position = 0
    while match := _STREAM_RE.search(pdf, position):
        header = pdf[pdf.rfind(b" obj", 0, match.start()) : match.start()]  # this object's dictionary
        length = int(_LENGTH_RE.search(header).group(1))
        body = pdf[match.end() : match.end() + length]
        assert pdf[match.end() + length :].lstrip().startswith(b"endstream"), "stream /Length is wrong"
        position = match.end() + length  # never look for streams inside (binary) stream data
        if b"ASCII85Decode" in header:
            body = base64.a85decode(body.strip().removesuffix(b"~>"), adobe=False)
        if b"FlateDecode" in header:
            body = zlib.decompress(body)
        found.append((header, body))
    return found


def _unescape(raw: bytes) -> str:
    out = bytearray()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C and i + 1 < len(raw):  # backslash
            nxt = raw[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return out.decode("cp1252")


def text_lines(pdf: bytes) -> list[str]:
    """Every string the pages show, in drawing order (WinAnsi decoded)."""
    lines = []
    for _header, body in streams(pdf):
        lines += [_unescape(m.group(1)) for m in _TJ_RE.finditer(body)]
    return lines


def qr_matrix(pdf: bytes) -> list[list[int]]:
    """The module matrix drawn in the QR form XObject (one `re` per run of dark modules)."""
    for header, body in streams(pdf):
        if b"/Subtype /Form" not in header:
            continue
        cm = re.search(rb"q ([\d.]+) 0 0 -([\d.]+) 0 ([\d.]+) cm", body)
        if not cm:
            continue
        unit, size = float(cm.group(1)), float(cm.group(3))
        modules = round(size / unit) - 8
        matrix = [[0] * modules for _ in range(modules)]
        for col, row, length in re.findall(rb"(\d+) (\d+) (\d+) 1 re", body[cm.end() :]):
            r, c0 = int(row) - 4, int(col) - 4
            for c in range(c0, c0 + int(length)):
                matrix[r][c] = 1
        return matrix
    raise AssertionError("no QR form in this PDF")

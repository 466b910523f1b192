"""Exports of any list a user may see, as CSV (streamed) or XLSX (constant memory).

    columns = [
        Column(_("Created"), "created_at"),
        Column(_("Subject"), "subject"),
        Column(_("Amount"), lambda r: r.fee.amount),
    ]
    return export_response(rows=qs.iterator(chunk_size=2000), columns=columns, filename="laporan", fmt="csv")

The rows must already be scoped to what the user may see (a selector's queryset): this
module only writes them. List views get `?export=csv` / `?export=xlsx` from ExportMixin
(class-based) or `export_or_none()` (function views).

Values: aware datetimes are written in WIB (Asia/Jakarta); dates as dates; Decimal and
int as numbers; booleans as Ya/Tidak (translated); None as an empty cell; anything else as
text. Text that a spreadsheet would run as a formula (starting with = + - @ tab or CR) is
defused: CSV cells get a leading apostrophe (OWASP), XLSX cells are stored as plain text,
never as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import operator
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

WIB = ZoneInfo("Asia/Jakarta")
FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 2000
_CSV_FLUSH_BYTES = 64 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class Column:
    """One column: a header (a lazy translation), a getter and an optional formatter.

    `getter` is an attribute path ("agency.name"; a missing link gives an empty cell) or a
    callable taking the row. The formatter turns the value into what is written (default:
    see the module docstring).
    """

    header: Any
    getter: str | Callable[[Any], Any]
    formatter: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fetch", self.getter if callable(self.getter) else _path_getter(self.getter))

    def value(self, row: Any) -> Any:
        value = self._fetch(row)  # type: ignore[attr-defined]
        if self.formatter is not None:
            value = self.formatter(value)
        return value


def _path_getter(path: str) -> Callable[[Any], Any]:
    parts = path.split(".")
    fast = operator.attrgetter(path)

    def slow(row: Any) -> Any:
        value = row
        for part in parts:
            if value is None:
                return None
            value = value.get(part) if isinstance(value, dict) else getattr(value, part)
        return value

    def fetch(row: Any) -> Any:
        try:
            value = fast(row)
        except AttributeError:
            value = slow(row)  # a None link on the way, or dict rows (.values())
        if callable(value) and not isinstance(value, type):
            value = value()  # e.g. get_status_display
        return value

    return fetch


def _naive_wib(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(WIB)
    return value.replace(tzinfo=None, microsecond=0)


def _plain(value: Any) -> Any:
    """The value normalised for a sheet: WIB naive datetimes, numbers, text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return _naive_wib(value)
    if isinstance(value, int | float | decimal.Decimal | dt.date | dt.time):
        return value
    return str(value)


def defuse(text: str) -> str:
    """Prefix text that a spreadsheet would evaluate as a formula with an apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


class _CsvCells:
    """Turns values into CSV text; dispatch on the exact type first (exports are big)."""

    def __init__(self) -> None:
        yes, no = _("Yes"), _("No")
        self.by_type: dict[type, Callable[[Any], str]] = {
            str: defuse,
            int: str,
            decimal.Decimal: str,
            float: repr,
            type(None): lambda v: "",
            bool: lambda v: yes if v else no,
            dt.datetime: lambda v: _naive_wib(v).strftime("%Y-%m-%d %H:%M:%S"),
            dt.date: dt.date.isoformat,
        }

    def __call__(self, value: Any) -> str:
        convert = self.by_type.get(type(value))
        if convert is not None:
            return convert(value)
        value = _plain(value)  # subclasses: lazy strings, choices, time, ...
        if isinstance(value, dt.date | dt.time):
            return value.isoformat()
        if isinstance(value, int | float | decimal.Decimal):
            return str(value)
        return defuse(value)


class _Line:
    """A write-only file object for csv.writer: returns what it was given."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[Any], columns: list[Column]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel reads the encoding), in chunks of about 64 KB.

    The header goes out at once, before any row is read, so the download starts while
    the rows are still being fetched.
    """
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow([str(c.header) for c in columns])).encode()
    cell = _CsvCells()
    buffer: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow([cell(c.value(row)) for c in columns])
        buffer.append(line)
        size += len(line)
        if size >= _CSV_FLUSH_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def write_xlsx(rows: Iterable[Any], columns: list[Column], file, *, title: str = "") -> None:
    """Write an XLSX workbook row by row (openpyxl write-only mode: constant memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Data")[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values = []
        for column in columns:
            value = _plain(column.value(row))
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith("="):
                    # Stored as text: Excel shows it, never evaluates it.
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    value = cell
            values.append(value)
        sheet.append(values)
    workbook.save(file)


def _filename(filename: str, fmt: str) -> str:
    base = slugify(filename) or "export"
    return f"{base}-{timezone.localdate():%Y%m%d}.{fmt}"


def export_response(*, rows: Iterable[Any], columns: list[Column], filename: str, fmt: Format) -> HttpResponseBase:
    """A download of `rows` (already scoped to the user) as CSV or XLSX.

    CSV is streamed while the rows are read; XLSX is written to a temporary file (the
    format is a zip that needs its whole content) and served from there.
    """
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows, columns), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename(filename, fmt)}"'
        response["Cache-Control"] = "private, no-store"
        return response
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(rows, columns, spool, title=filename)
        spool.seek(0)
        response = FileResponse(
            spool,
            as_attachment=True,
            filename=_filename(filename, fmt),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Cache-Control"] = "private, no-store"
        return response
    raise ValueError(f"unknown export format {fmt!r}")


def requested_format(request: HttpRequest) -> Format | None:
    fmt = request.GET.get("export", "")
    return fmt if fmt in FORMATS else None  # type: ignore[return-value]


def iterate(rows: Iterable[Any]) -> Iterable[Any]:
    """Rows of a queryset fetched in chunks (server-side cursor on PostgreSQL)."""
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return rows


def export_or_none(
    request: HttpRequest, rows: Iterable[Any], columns: list[Column], filename: str
) -> HttpResponseBase | None:
    """For function views: the export response when ?export=csv|xlsx was asked, else None."""
    fmt = requested_format(request)
    if fmt is None:
        return None
    return export_response(rows=iterate(rows), columns=columns, filename=filename, fmt=fmt)


class ExportMixin:
    """For ListView: ?export=csv / ?export=xlsx downloads get_queryset() (scoped by its selector).

    Set `export_columns` (or override get_export_columns) and `export_filename`. The
    template gets `export_links` for the download buttons (include core/export_links.html).
    """

    export_columns: list[Column] = []
    export_filename = "export"

    def get_export_columns(self) -> list[Column]:
        return list(self.export_columns)

    def get_export_rows(self) -> Iterable[Any]:
        return self.get_queryset()  # type: ignore[attr-defined]

    def get(self, request, *args, **kwargs):
        response = export_or_none(request, self.get_export_rows(), self.get_export_columns(), self.export_filename)
        if response is not None:
            return response
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["export_links"] = export_links(self.request)  # type: ignore[attr-defined]
        return context


def export_links(request: HttpRequest) -> list[tuple[str, str]]:
    """(label, url) of the downloads of the current list, keeping its filters."""
    links = []
    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)")):
        query = request.GET.copy()
        query.pop("page", None)
        query["export"] = fmt
        links.append((label, f"{request.path}?{query.urlencode()}"))
    return links

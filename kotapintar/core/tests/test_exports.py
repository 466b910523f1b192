"""CSV and XLSX exports: streamed, Excel-friendly, formula injection defused, scoped rows only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from kotapintar.core.exports import Column, ExportMixin, export_response
from kotapintar.core.models import Notification
from kotapintar.core.notifications import notify

UTC = dt.UTC
COLUMNS = [
    Column("Nomor", "number"),
    Column("Judul", "title"),
    Column("Biaya", "fee"),
    Column("Waktu", "when"),
    Column("Instansi", "agency.name"),
    Column("Lunas", lambda r: r.fee > 0),
    Column("Kode", "number", formatter=lambda n: f"LPR-{n:06d}"),
]


class Counter:
    def __init__(self, total: int):
        self.total = total
        self.produced = 0

    def __iter__(self):
        for i in range(self.total):
            self.produced += 1
            yield SimpleNamespace(
                number=i,
                title=f"Jalan berlubang nomor {i}",
                fee=Decimal("1250000.50") if i % 2 else Decimal(0),
                when=dt.datetime(2025, 7, 3, 20, 0, tzinfo=UTC) + dt.timedelta(minutes=i),
                agency=SimpleNamespace(name="Dinas Pekerjaan Umum"),
            )


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_streams_before_all_rows_are_read():
    rows = Counter(30_000)
    response = export_response(rows=rows, columns=COLUMNS, filename="Laporan warga", fmt="csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="laporan-warga-' in response["Content-Disposition"]
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert rows.produced == 0  # the header goes out before the first row is fetched
    second = next(chunks)
    assert 0 < rows.produced < rows.total  # and rows follow in pieces, not all at once
    content = first + second + b"".join(chunks)
    assert rows.produced == rows.total
    table = read_csv(content)
    assert table[0] == ["Nomor", "Judul", "Biaya", "Waktu", "Instansi", "Lunas", "Kode"]
    assert len(table) == rows.total + 1
    assert table[1] == [
        "0",
        "Jalan berlubang nomor 0",
        "0",
        "2025-07-04 03:00:00",
        "Dinas Pekerjaan Umum",
        "Tidak",
        "LPR-000000",
    ]
    assert table[2][2] == "1250000.50"
    assert table[2][5] == "Ya"


def test_csv_defuses_formulas_but_not_negative_numbers():
    rows = [SimpleNamespace(v=v) for v in ['=HYPERLINK("http://x")', "+62 812", "-1+1", "@SUM(A1)", "\tx", "\rx", "ok"]]
    rows.append(SimpleNamespace(v=Decimal("-5")))
    response = export_response(rows=rows, columns=[Column("Nilai", "v")], filename="x", fmt="csv")
    table = read_csv(b"".join(response.streaming_content))
    values = [r[0] for r in table[1:]]
    assert values == ['\'=HYPERLINK("http://x")', "'+62 812", "'-1+1", "'@SUM(A1)", "'\tx", "'\rx", "ok", "-5"]


def test_xlsx_opens_with_headers_and_typed_values():
    rows = Counter(5_000)
    response = export_response(rows=rows, columns=COLUMNS, filename="laporan", fmt="xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "laporan-" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = book.active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("Nomor", "Judul", "Biaya", "Waktu", "Instansi", "Lunas", "Kode")
    assert len(table) == 5_001
    assert table[1] == (
        0,
        "Jalan berlubang nomor 0",
        0,
        dt.datetime(2025, 7, 4, 3, 0),
        "Dinas Pekerjaan Umum",
        "Tidak",
        "LPR-000000",
    )
    assert table[2][2] == pytest.approx(1250000.5)  # a number, not text
    assert table[-1][0] == 4_999


def test_xlsx_stores_formula_text_as_text():
    rows = [SimpleNamespace(v="=1+1"), SimpleNamespace(v="@cmd"), SimpleNamespace(v="bell\x07char")]
    response = export_response(rows=rows, columns=[Column("Nilai", "v")], filename="x", fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["=1+1", "@cmd", "bellchar"]
    assert cells[0].data_type == "s"  # text: Excel shows it and never evaluates it


def test_headers_follow_the_active_language():
    columns = [Column(_("Subject"), "v")]
    with translation.override("id"):
        response = export_response(rows=[], columns=columns, filename="x", fmt="csv")
        assert read_csv(b"".join(response.streaming_content)) == [["Subjek"]]
    with translation.override("en"):
        response = export_response(rows=[], columns=columns, filename="x", fmt="csv")
        assert read_csv(b"".join(response.streaming_content)) == [["Subject"]]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        export_response(rows=[], columns=COLUMNS, filename="x", fmt="pdf")  # type: ignore[arg-type]


class MyInbox(ExportMixin, ListView):
    """A list view with a scoped queryset: only the requesting user's notifications."""

    export_columns = [Column("Subjek", "subject")]
    export_filename = "kotak-masuk"
    template_name = "core/notifications.html"

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).order_by("id")


@pytest.mark.django_db
def test_mixin_exports_the_scoped_queryset(rf, resident, make_user):
    other = make_user()
    for i in range(3):
        notify(channels=["inbox"], kind="k", subject=f"mine {i}", body="b", dedupe_key=f"m{i}", recipient=resident)
    notify(channels=["inbox"], kind="k", subject="theirs", body="b", dedupe_key="t", recipient=other)
    request = rf.get("/x/", {"export": "csv"})
    request.user = resident
    response = MyInbox.as_view()(request)
    assert read_csv(b"".join(response.streaming_content)) == [["Subjek"], ["mine 0"], ["mine 1"], ["mine 2"]]


@pytest.mark.django_db
def test_my_notifications_export_has_only_my_messages(resident_client, resident, make_user):
    other = make_user()
    notify(channels=["inbox"], kind="k", subject="=Untuk saya", body="Isi", dedupe_key="a", recipient=resident)
    notify(channels=["inbox"], kind="k", subject="Bukan untuk saya", body="Isi", dedupe_key="b", recipient=other)
    url = reverse("core:notifications")
    response = resident_client.get(url, {"export": "csv"})
    assert response.status_code == 200
    table = read_csv(b"".join(response.streaming_content))
    assert table[0] == ["Waktu", "Subjek", "Pesan", "Tautan", "Dibaca pada"]
    assert [r[1] for r in table[1:]] == ["'=Untuk saya"]
    response = resident_client.get(url, {"export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in book.active[2]][1] == "=Untuk saya"
    page = resident_client.get(url)
    assert "export=csv" in page.content.decode()

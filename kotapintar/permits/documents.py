"""The permit document and the fee assessment letter (SKRD) as PDF (reportlab, A4).

Both are legal documents of an Indonesian city, so they are always written in Bahasa
Indonesia whatever language the person clicking "download" uses: the labels are English
msgids translated through the permits catalogue and rendered under `override("id")`.

Inputs are plain dataclasses so the renderer knows nothing about models: the permits app
fills them from its records. The QR code is drawn as vector squares from segno's module
matrix (crisp at any zoom, no image decoding) inside a form XObject named "VerifyQR", and
the whole QR area links to the verification URL.

Speed: one permit renders in a few milliseconds (bench/bench_permit_pdf.py); static
parts (the emblem outline, the label table) are computed once per process.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from kotapintar.permits.formatting import format_date_id, format_rupiah, terbilang
from kotapintar.permits.qr import make_qr

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
FONT_ITALIC = "Helvetica-Oblique"
DOCUMENT_LANGUAGE = "id"
QR_SIZE = 40 * mm
LINE = 4.8 * mm
CONTENT_BOTTOM = MARGIN + 14 * mm  # the footer lives below this line
SIGNATURE_W = 75 * mm
QR_FORM_NAME = "VerifyQR"
ACCENT = Color(0.05, 0.29, 0.55)  # the platform's blue; prints as dark grey in black and white
MUTED = Color(0.35, 0.35, 0.35)
TABLE_HEAD = Color(0.92, 0.94, 0.97)


@dataclass(frozen=True)
class Official:
    """The official who signs (usually the head of DPMPTSP)."""

    name: str
    position: str  # e.g. "Kepala Dinas Penanaman Modal dan PTSP Kota Semarang"
    nip: str = ""  # civil servant number, printed when given


@dataclass(frozen=True)
class PermitDocumentData:
    city_name: str  # "Kota Semarang"
    agency_name: str  # "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
    title: str  # "Izin Penyelenggaraan Reklame"
    number: str
    holder_name: str
    permit_type: str  # the type's name as published
    object_fields: Sequence[tuple[str, str]]  # e.g. [("Lokasi", "Jl. Pemuda No. 12"), ("Ukuran", "4 x 6 m")]
    valid_from: date
    valid_until: date | None
    issued_place: str  # "Semarang"
    issued_on: date
    official: Official
    verify_url: str
    holder_address: str = ""
    agency_address: str = ""
    conditions: Sequence[str] = ()  # ketentuan the holder must keep
    platform_name: str = "Kota Pintar"


@dataclass(frozen=True)
class FeeLine:
    description: str
    amount: Decimal
    detail: str = ""  # how it was computed, e.g. "24 m² x Rp 25.000 x 12 bulan"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("fee amounts are Decimal rupiah")


@dataclass(frozen=True)
class SkrdData:
    city_name: str
    agency_name: str
    number: str  # SKRD number
    payer_name: str
    payer_address: str
    application_ref: str  # the permit application's registration number
    permit_type: str
    lines: Sequence[FeeLine]
    due_date: date
    issued_place: str
    issued_on: date
    official: Official
    payment_instructions: Sequence[str] = ()
    payer_npwrd: str = ""
    payment_code: str = ""  # kode bayar / virtual account
    agency_address: str = ""
    notes: Sequence[str] = ()
    platform_name: str = "Kota Pintar"
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError("an SKRD needs at least one fee line")
        object.__setattr__(self, "total", sum((line.amount for line in self.lines), Decimal(0)))


# --- drawing helpers -----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _emblem_outline() -> tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]:
    """A neutral shield with a five-pointed star: the placeholder where the city's arms go."""
    w, h = 18 * mm, 21 * mm
    shield = ((0, h), (w, h), (w, h * 0.42), (w / 2, 0), (0, h * 0.42))
    cx, cy, outer, inner = w / 2, h * 0.58, w * 0.26, w * 0.105
    star = tuple(
        (
            cx + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
            cy + (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    )
    return shield, star


def _draw_emblem(c: Canvas, x: float, y: float) -> None:
    shield, star = _emblem_outline()
    for points, fill_color in ((shield, ACCENT), (star, white)):
        path = c.beginPath()
        path.moveTo(x + points[0][0], y + points[0][1])
        for px, py in points[1:]:
            path.lineTo(x + px, y + py)
        path.close()
        c.setFillColor(fill_color)
        c.drawPath(path, stroke=0, fill=1)
    c.setFillColor(black)


def _letterhead(c: Canvas, *, city_name: str, agency_name: str, agency_address: str) -> float:
    """The kop surat; returns the y below it."""
    top = PAGE_H - MARGIN
    _draw_emblem(c, MARGIN, top - 21 * mm)
    text_x = MARGIN + 24 * mm
    text_w = CONTENT_W - 24 * mm
    center = text_x + text_w / 2
    c.setFont(FONT_BOLD, 13)
    c.drawCentredString(center, top - 5 * mm, (_("Government of %(city)s") % {"city": city_name}).upper())
    y = top - 11 * mm
    for line in simpleSplit(agency_name.upper(), FONT_BOLD, 12, text_w):
        c.setFont(FONT_BOLD, 12)
        c.drawCentredString(center, y, line)
        y -= 5 * mm
    if agency_address:
        c.setFont(FONT, 8.5)
        for line in simpleSplit(agency_address, FONT, 8.5, text_w):
            c.drawCentredString(center, y, line)
            y -= 3.8 * mm
    y = min(y, top - 23 * mm)
    c.setLineWidth(1.6)
    c.line(MARGIN, y, PAGE_W - MARGIN, y)
    c.setLineWidth(0.5)
    c.line(MARGIN, y - 1.2 * mm, PAGE_W - MARGIN, y - 1.2 * mm)
    return y - 10 * mm


class _Flow:
    """Top-to-bottom layout over as many A4 pages as the content needs, with the footer on each.

    Almost every permit fits one page; a long list of conditions or fee lines simply continues
    on the next page (headed with the document number) instead of running into the footer.
    """

    def __init__(self, c: Canvas, *, footer: str, continued: str):
        self.c = c
        self.footer = footer
        self.continued = continued
        self.y = PAGE_H - MARGIN
        self.pages = 1

    def need(self, height: float) -> None:
        """Start a new page unless `height` more points fit above the footer."""
        if self.y - height < CONTENT_BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        _footer(self.c, self.footer)
        self.c.showPage()
        self.pages += 1
        self.y = PAGE_H - MARGIN
        self.c.setFont(FONT, 9)
        self.c.setFillColor(MUTED)
        self.c.drawString(MARGIN, self.y, self.continued)
        self.c.setFillColor(black)
        self.y -= 10 * mm

    def finish(self) -> None:
        _footer(self.c, self.footer)
        self.c.showPage()
        self.c.save()

    def rows(self, rows: Sequence[tuple[str, str]], *, label_w: float = 48 * mm) -> None:
        """`label : value` lines, the value in bold, both wrapped; a row is never split."""
        c = self.c
        value_x = MARGIN + label_w + 4 * mm
        value_w = PAGE_W - MARGIN - value_x
        for label, value in rows:
            label_lines = simpleSplit(label, FONT, 10, label_w)
            value_lines = simpleSplit(value or "-", FONT_BOLD, 10, value_w) or ["-"]
            height = max(len(label_lines), len(value_lines)) * LINE
            self.need(height)
            c.setFont(FONT, 10)
            c.drawString(MARGIN + label_w, self.y, ":")
            for i, line in enumerate(label_lines):
                c.drawString(MARGIN, self.y - i * LINE, line)
            c.setFont(FONT_BOLD, 10)
            for i, line in enumerate(value_lines):
                c.drawString(value_x, self.y - i * LINE, line)
            self.y -= height + 1.6 * mm

    def paragraph(
        self, text: str, *, x: float = MARGIN, width: float = CONTENT_W, font: str = FONT, size: float = 10, color=black
    ) -> None:
        leading = size * 1.35
        for line in simpleSplit(text, font, size, width):
            self.need(leading)
            self.c.setFont(font, size)
            self.c.setFillColor(color)
            self.c.drawString(x, self.y, line)
            self.y -= leading
        self.c.setFillColor(black)

    def heading(self, text: str) -> None:
        self.need(5 * mm + LINE)  # never a heading alone at the foot of a page
        self.c.setFont(FONT_BOLD, 10)
        self.c.drawString(MARGIN, self.y, text)
        self.y -= 5 * mm

    def numbered(self, items: Sequence[str], *, size: float = 9.5) -> None:
        for i, item in enumerate(items, start=1):
            self.need(size * 1.35)
            self.c.setFont(FONT, size)
            self.c.drawString(MARGIN, self.y, f"{i}.")
            self.paragraph(item, x=MARGIN + 6 * mm, width=CONTENT_W - 6 * mm, size=size)
            self.y -= 1 * mm


def _paragraph(c: Canvas, text: str, x: float, y: float, width: float, *, font: str = FONT, size: float = 10) -> float:
    c.setFont(font, size)
    leading = size * 1.35
    for line in simpleSplit(text, font, size, width):
        c.drawString(x, y, line)
        y -= leading
    return y


@functools.lru_cache(maxsize=256)  # re-downloading a permit skips segno's mask search (most of the cost)
def _qr_runs(url: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """(modules per side, [(row, first column, run length)]) of the dark modules."""
    matrix = make_qr(url).matrix
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        start = None
        for col, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append((r, start, col - start))
                start = None
    return len(matrix), tuple(runs)


def _draw_qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR (with its 4-module quiet zone inside `size`) as a form XObject, linked to `url`.

    Inside the form the coordinate system is one unit per module with y growing downwards,
    so each run of dark modules is one `re` operator with small integers: about 1,200 of
    them for a typical permit, written directly (reportlab's path objects format every
    number through pure Python and take several times longer).
    """
    modules, runs = _qr_runs(url)
    unit = size / (modules + 8)
    c.beginForm(QR_FORM_NAME, 0, 0, size, size)
    c.setFillColor(white)
    c.rect(0, 0, size, size, stroke=0, fill=1)
    c.setFillColor(black)
    ops = [f"q {unit:.6f} 0 0 {-unit:.6f} 0 {size:.6f} cm"]
    ops += [f"{col + 4} {r + 4} {length} 1 re" for r, col, length in runs]
    ops.append("f Q")
    c.addLiteral("\n".join(ops))
    c.endForm()
    c.saveState()
    c.translate(x, y)
    c.doForm(QR_FORM_NAME)
    c.restoreState()
    c.linkURL(url, (x, y, x + size, y + size), relative=0, thickness=0)


def _signature_height(official: Official) -> float:
    position_lines = len(simpleSplit(official.position, FONT_BOLD, 10, SIGNATURE_W))
    name_lines = len(simpleSplit(official.name, FONT_BOLD, 10, SIGNATURE_W))
    return 4.8 * mm + 6 * mm + position_lines * 13.5 + 3 * mm + 8 * mm + (name_lines + bool(official.nip)) * LINE


def _signature_block(c: Canvas, official: Official, *, place: str, on: date, y: float) -> float:
    x = PAGE_W - MARGIN - SIGNATURE_W
    width = SIGNATURE_W
    c.setFont(FONT, 10)
    c.drawString(x, y, _("Issued at %(place)s") % {"place": place})
    y -= 4.8 * mm
    c.drawString(x, y, _("on %(date)s") % {"date": format_date_id(on)})
    y -= 6 * mm
    y = _paragraph(c, official.position, x, y, width, font=FONT_BOLD)
    y -= 3 * mm
    c.setFillColor(ACCENT)
    c.setFont(FONT_ITALIC, 9)
    c.drawString(x, y, _("signed electronically"))
    c.setFillColor(black)
    y -= 8 * mm
    c.setFont(FONT_BOLD, 10)
    for line in simpleSplit(official.name, FONT_BOLD, 10, width):
        c.drawString(x, y, line)
        y -= 4.8 * mm
    if official.nip:
        c.setFont(FONT, 9.5)
        c.drawString(x, y, _("Civil servant no. %(nip)s") % {"nip": official.nip})
        y -= 4.8 * mm
    return y


def _footer(c: Canvas, text: str) -> None:
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.4)
    c.line(MARGIN, MARGIN + 9 * mm, PAGE_W - MARGIN, MARGIN + 9 * mm)
    c.setStrokeColor(black)
    c.setFillColor(MUTED)
    _paragraph(c, text, MARGIN, MARGIN + 5.5 * mm, CONTENT_W, size=7.5)
    c.setFillColor(black)


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Write Flate streams as binary, without reportlab's default ASCII85 layer.

    ASCII85 only serves 7-bit transports; without reportlab's optional C accelerator it is
    a quarter of the render time and makes the file 25% larger. reportlab reads this flag
    when each stream is created, so it is set around the render only; another thread that
    renders at the same moment merely gets the other (equally valid) encoding.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def _new_canvas(buffer: io.BytesIO, *, title: str, author: str, subject: str) -> Canvas:
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setSubject(subject)
    c.setCreator("Kota Pintar")
    c.setLineCap(0)
    return c


# --- permit --------------------------------------------------------------------------


def _validity_text(permit: PermitDocumentData) -> str:
    start = format_date_id(permit.valid_from)
    if permit.valid_until is None:
        return _("from %(start)s, with no end date") % {"start": start}
    return _("%(start)s to %(end)s") % {"start": start, "end": format_date_id(permit.valid_until)}


def render_permit_pdf(permit: PermitDocumentData) -> bytes:
    """The signed permit as an A4 PDF (one page unless the conditions are long), always in Bahasa Indonesia."""
    with translation.override(DOCUMENT_LANGUAGE), _binary_streams():
        return _render_permit(permit)


def _render_permit(permit: PermitDocumentData) -> bytes:
    buffer = io.BytesIO()
    c = _new_canvas(
        buffer,
        title=f"{permit.title} {permit.number}",
        author=f"{permit.agency_name}, {permit.city_name}",
        subject=_("Permit %(number)s for %(holder)s") % {"number": permit.number, "holder": permit.holder_name},
    )
    flow = _Flow(
        c,
        footer=_(
            "This document is signed electronically by %(platform)s on behalf of %(city)s and needs no wet "
            "signature or stamp. Only the verification page opened from the QR code is authoritative for the "
            "permit's current status."
        )
        % {"platform": permit.platform_name, "city": permit.city_name},
        continued=_("%(number)s (continued)") % {"number": permit.number},
    )
    flow.y = _letterhead(
        c, city_name=permit.city_name, agency_name=permit.agency_name, agency_address=permit.agency_address
    )
    c.setFont(FONT_BOLD, 15)
    for line in simpleSplit(permit.title.upper(), FONT_BOLD, 15, CONTENT_W):
        c.drawCentredString(PAGE_W / 2, flow.y, line)
        flow.y -= 6.5 * mm
    c.setFont(FONT, 11)
    c.drawCentredString(PAGE_W / 2, flow.y, _("Number: %(number)s") % {"number": permit.number})
    flow.y -= 11 * mm

    flow.paragraph(_("%(city)s grants this permit to:") % {"city": permit.city_name})
    flow.y -= 2 * mm
    rows: list[tuple[str, str]] = [(_("Permit holder"), permit.holder_name)]
    if permit.holder_address:
        rows.append((_("Address"), permit.holder_address))
    rows.append((_("Permit type"), permit.permit_type))
    rows.extend(permit.object_fields)
    rows.append((_("Valid"), _validity_text(permit)))
    flow.rows(rows)

    if permit.conditions:
        flow.y -= 3 * mm
        flow.heading(_("Conditions"))
        flow.numbered(permit.conditions)

    # Signature and QR stay together, on the last page.
    flow.y -= 8 * mm
    flow.need(max(QR_SIZE, _signature_height(permit.official)))
    block_top = flow.y
    _signature_block(c, permit.official, place=permit.issued_place, on=permit.issued_on, y=block_top)
    _draw_qr(c, permit.verify_url, MARGIN, block_top - QR_SIZE + 4 * mm, QR_SIZE)
    host = urlsplit(permit.verify_url).netloc or permit.verify_url
    _paragraph(
        c,
        _("Scan the QR code to check this permit's authenticity and status (valid, expired or revoked) at %(site)s.")
        % {"site": host},
        MARGIN + QR_SIZE + 3 * mm,
        block_top - 4 * mm,
        48 * mm,
        size=8,
    )
    flow.finish()
    return buffer.getvalue()


# --- SKRD -----------------------------------------------------------------------------


def render_skrd_pdf(assessment: SkrdData) -> bytes:
    """The fee assessment letter (Surat Ketetapan Retribusi Daerah) as an A4 PDF, in Bahasa Indonesia."""
    with translation.override(DOCUMENT_LANGUAGE), _binary_streams():
        return _render_skrd(assessment)


def _render_skrd(s: SkrdData) -> bytes:
    buffer = io.BytesIO()
    c = _new_canvas(
        buffer,
        title=f"SKRD {s.number}",
        author=f"{s.agency_name}, {s.city_name}",
        subject=_("Levy assessment %(number)s for %(payer)s") % {"number": s.number, "payer": s.payer_name},
    )
    flow = _Flow(
        c,
        footer=_(
            "Issued electronically by %(platform)s on behalf of %(city)s. Pay before the due date to avoid penalties."
        )
        % {"platform": s.platform_name, "city": s.city_name},
        continued=_("%(number)s (continued)") % {"number": s.number},
    )
    flow.y = _letterhead(c, city_name=s.city_name, agency_name=s.agency_name, agency_address=s.agency_address)
    c.setFont(FONT_BOLD, 14)
    c.drawCentredString(PAGE_W / 2, flow.y, _("REGIONAL LEVY ASSESSMENT LETTER"))
    flow.y -= 5.5 * mm
    c.setFont(FONT_BOLD, 11)
    c.drawCentredString(PAGE_W / 2, flow.y, "(SKRD)")
    flow.y -= 5.5 * mm
    c.setFont(FONT, 11)
    c.drawCentredString(PAGE_W / 2, flow.y, _("Number: %(number)s") % {"number": s.number})
    flow.y -= 11 * mm

    rows = [(_("Levy payer"), s.payer_name), (_("Address"), s.payer_address)]
    if s.payer_npwrd:
        rows.append((_("Levy payer number (NPWRD)"), s.payer_npwrd))
    rows += [(_("Application number"), s.application_ref), (_("Permit type"), s.permit_type)]
    flow.rows(rows)
    flow.y -= 4 * mm

    # Fee table: No. | Description (+ how computed) | Amount, right-aligned. A line is never split.
    col_desc, amount_right = MARGIN + 10 * mm, PAGE_W - MARGIN - 2 * mm
    desc_w = CONTENT_W - 10 * mm - 45 * mm

    def table_header() -> None:
        c.setFillColor(TABLE_HEAD)
        c.rect(MARGIN, flow.y - 2 * mm, CONTENT_W, 7 * mm, stroke=0, fill=1)
        c.setFillColor(black)
        c.setFont(FONT_BOLD, 10)
        c.drawString(MARGIN + 1.5 * mm, flow.y, _("No."))
        c.drawString(col_desc, flow.y, _("Description"))
        c.drawRightString(amount_right, flow.y, _("Amount"))
        flow.y -= 8 * mm

    flow.need(8 * mm + 2 * LINE)
    table_header()
    for i, line in enumerate(s.lines, start=1):
        description = simpleSplit(line.description, FONT, 10, desc_w)
        detail = simpleSplit(line.detail, FONT, 8.5, desc_w) if line.detail else []
        height = len(description) * 13.5 + len(detail) * 8.5 * 1.35 + 2 * mm
        if flow.y - height < CONTENT_BOTTOM:
            flow.new_page()
            table_header()
        c.setFont(FONT, 10)
        c.drawString(MARGIN + 1.5 * mm, flow.y, f"{i}.")
        c.drawRightString(amount_right, flow.y, format_rupiah(line.amount))
        flow.paragraph(line.description, x=col_desc, width=desc_w)
        if line.detail:
            flow.paragraph(line.detail, x=col_desc, width=desc_w, size=8.5, color=MUTED)
        flow.y -= 2 * mm
    flow.need(6 * mm + 2 * LINE)
    c.setLineWidth(0.6)
    c.line(MARGIN, flow.y + 2 * mm, PAGE_W - MARGIN, flow.y + 2 * mm)
    flow.y -= 3 * mm
    c.setFont(FONT_BOLD, 11)
    c.drawString(col_desc, flow.y, _("Total"))
    c.drawRightString(amount_right, flow.y, format_rupiah(s.total))
    flow.y -= 6 * mm
    flow.paragraph(
        _("In words: %(words)s") % {"words": terbilang(s.total)},
        x=col_desc,
        width=CONTENT_W - 10 * mm,
        font=FONT_ITALIC,
        size=9.5,
    )
    flow.y -= 5 * mm

    pay_rows = [(_("Due date"), format_date_id(s.due_date))]
    if s.payment_code:
        pay_rows.append((_("Payment code"), s.payment_code))
    flow.rows(pay_rows)
    if s.payment_instructions:
        flow.y -= 2 * mm
        flow.heading(_("How to pay"))
        flow.numbered(s.payment_instructions)
    if s.notes:
        flow.y -= 2 * mm
        flow.heading(_("Notes"))
        for note in s.notes:
            flow.paragraph(note, size=9)
            flow.y -= 1 * mm

    flow.y -= 6 * mm
    flow.need(_signature_height(s.official))
    _signature_block(c, s.official, place=s.issued_place, on=s.issued_on, y=flow.y)
    flow.finish()
    return buffer.getvalue()

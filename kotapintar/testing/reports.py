"""Report (Lapor) fixtures shared by every app's tests.

- `lapor`: Kota Semarang with boundaries (the `semarang` fixture), the city's agencies
  (the shipped agency file, incl. one office per kecamatan) and report categories. The
  agencies DPU and DLH are the `agency` and `other_agency` fixtures, so `officer`,
  `agency_head` and `other_officer` are staff of DPU (roads, drains) and DLH (waste).
  Returns a `Lapor` with `.category(code)`, `.agency(code)`, `.point(village_name)` and
  `.city` (the `semarang` City).
- `make_report(**fields)`: files a report through report_submit (default: JALAN, a pothole
  in Pleburan, anonymous, by `reporter` or without an account) and, with
  `status="verified" | "dispositioned" | "in_progress" | "resolved" | "closed" | "set_aside"`,
  walks it there through the services as the system. Returns the Report.
- `jpeg_bytes(...)`: a small real JPEG (optionally with EXIF GPS), for photo tests.

    def test_inbox(lapor, make_report, officer):
        report = make_report(status="dispositioned")
        assert report.responsible_agency.code == "DPU"
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest

DEFAULT_TEXT = "Jalan berlubang besar di depan SD, sudah dua minggu dan membahayakan pengendara motor."


@dataclass
class Lapor:
    city: Any

    def category(self, code: str):
        from kotapintar.reports.models import Category

        return Category.objects.get(code=code)

    def agency(self, code: str):
        from kotapintar.agencies.models import Agency

        return Agency.objects.get(code=code)

    def point(self, village: str = "Pleburan", district: str | None = None) -> tuple[float, float]:
        return self.city.point_in(self.city.village(village, district).code)


def load_lapor(city) -> Lapor:
    from kotapintar.agencies.services import agency_import
    from kotapintar.reports import selectors
    from kotapintar.reports.services import category_import

    agency_import(actor=None)
    category_import(actor=None)
    selectors.forget_categories()
    return Lapor(city=city)


@pytest.fixture
def lapor(semarang, agency, other_agency) -> Lapor:
    return load_lapor(semarang)


def jpeg_bytes(
    size: tuple[int, int] = (640, 480), *, gps: bool = False, orientation: int | None = None, fmt: str = "JPEG"
) -> bytes:
    """A real photo file: a gradient, optionally with EXIF GPS and an orientation tag."""
    from PIL import Image

    image = Image.new("RGB", size)
    pixels = image.load()
    for x in range(0, size[0], 8):
        for y in range(0, size[1], 8):
            pixels[x, y] = (x % 256, y % 256, (x + y) % 256)
    exif = Image.Exif()
    if gps:
        # GPSInfo IFD: latitude -6.98 S, longitude 110.41 E.
        exif[0x8825] = {
            1: "S",
            2: (6.0, 58.0, 48.0),
            3: "E",
            4: (110.0, 24.0, 36.0),
        }
        exif[0x010F] = "KameraUji"  # Make
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if (gps or orientation) and fmt in ("JPEG", "WEBP", "PNG") else {}
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def upload(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


STEPS = ["submitted", "verified", "dispositioned", "in_progress", "resolved", "closed"]


def make_report(lapor: Lapor, *, status: str = "submitted", reporter=None, **fields) -> Any:
    """File a report through the services and walk it to `status` as the system."""
    from kotapintar.reports import services

    category = fields.pop("category", "JALAN")
    if isinstance(category, str):
        category = lapor.category(category)
    village = fields.pop("village", "Pleburan")
    lat, lng = fields.pop("point", None) or lapor.point(village)
    fields.setdefault("text", DEFAULT_TEXT)
    fields.setdefault("rate_limit", False)
    result = services.report_submit(reporter=reporter, category=category, lat=lat, lng=lng, **fields)
    report = result.report
    report.tracking_token = result.tracking_token  # for tests that act by tracking link
    if status == "set_aside":
        return _keep_token(services.report_set_aside(actor=None, report=report, reason="incomplete"), report)
    if status == "merged":
        raise ValueError("use services.report_merge for merged reports")
    target = STEPS.index(status)
    if target >= 1:
        report = _keep_token(services.report_verify(actor=None, report=report), report)
    if target >= 2:
        report = _keep_token(services.report_disposition(actor=None, report=report), report)
    if target >= 3:
        services.report_follow_up(actor=None, report=report, text="Petugas sudah meninjau lokasi.")
    if target >= 4:
        report = _keep_token(services.report_resolve(actor=None, report=report, text="Lubang sudah ditambal."), report)
    if target >= 5:
        report = _keep_token(services.report_confirm(report=report, token=result.tracking_token), report)
    from kotapintar.reports.models import Report

    fresh = Report.objects.select_related("category", "responsible_agency").get(pk=report.pk)
    fresh.tracking_token = result.tracking_token
    return fresh


def _keep_token(new, old):
    new.tracking_token = getattr(old, "tracking_token", "")
    return new


@pytest.fixture(name="make_report")
def make_report_fixture(lapor):
    def _make(**fields):
        return make_report(lapor, **fields)

    return _make


@pytest.fixture(name="jpeg_bytes")
def jpeg_bytes_fixture():
    return jpeg_bytes

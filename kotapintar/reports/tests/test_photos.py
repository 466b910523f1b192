"""Photos: real images only, metadata removed, size limits, storage by visibility, access."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kotapintar.reports import photos, services
from kotapintar.reports.errors import ReportInvalid
from kotapintar.reports.models import Report, ReportPhoto
from kotapintar.testing.reports import jpeg_bytes, upload


def _reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_exif_gps_and_camera_data_are_removed():
    original = jpeg_bytes(gps=True)
    assert _reopen(original).getexif().get(0x8825) is not None  # the test photo really has GPS
    clean = photos.process_image(upload(original))
    for data in (clean.data, clean.thumbnail):
        reopened = _reopen(data)
        assert reopened.format == "JPEG"
        assert len(reopened.getexif()) == 0
        assert "exif" not in reopened.info and "icc_profile" not in reopened.info
        assert b"Exif" not in data[:4096] and b"KameraUji" not in data


def test_orientation_is_applied_before_the_metadata_goes():
    # Orientation 6: the camera was turned; the picture must come out upright (portrait).
    clean = photos.process_image(upload(jpeg_bytes((400, 200), orientation=6)))
    assert (clean.width, clean.height) == (200, 400)


def test_large_pictures_are_scaled_and_thumbnailed():
    clean = photos.process_image(upload(jpeg_bytes((4000, 3000))))
    assert max(clean.width, clean.height) == photos.MAX_DIMENSION
    assert max(_reopen(clean.thumbnail).size) == photos.THUMBNAIL_DIMENSION


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_become_jpeg(fmt):
    clean = photos.process_image(upload(jpeg_bytes((320, 240), fmt=fmt), f"foto.{fmt.lower()}"))
    assert _reopen(clean.data).format == "JPEG"


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    clean = photos.process_image(upload(buffer.getvalue(), "t.png"))
    assert _reopen(clean.data).getpixel((5, 5))[0] > 240


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4 not a photo at all",
        b"<html><script>alert(1)</script></html>",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",  # a GIF: not accepted
        jpeg_bytes()[:200],  # truncated
    ],
)
def test_a_non_image_named_jpg_is_refused(data):
    with pytest.raises(ValueError) as caught:
        photos.process_image(upload(data, "foto.jpg"))
    assert "bukan foto" in str(caught.value)


def test_more_than_10_mb_is_refused_before_reading():
    big = upload(b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 1), "besar.jpg")
    with pytest.raises(ValueError) as caught:
        photos.process_image(big)
    assert "10 MB" in str(caught.value)


def test_a_sixth_photo_is_refused_and_nothing_is_stored(lapor, commit, settings):
    lat, lng = lapor.point()
    six = [upload(jpeg_bytes((50, 50)), f"f{i}.jpg") for i in range(6)]
    with pytest.raises(ReportInvalid) as caught, commit():
        services.report_submit(
            reporter=None, category=lapor.category("JALAN"), text="Jalan rusak", lat=lat, lng=lng, photos_in=six
        )
    assert "Paling banyak 5 foto" in caught.value.fields["photos"][0]
    assert Report.objects.count() == 0 and not any(settings.PRIVATE_MEDIA_ROOT.rglob("*"))


def test_photos_go_public_when_the_report_does_and_back_when_it_becomes_confidential(
    make_report, verifier, commit, settings
):
    with commit():
        report = make_report(photos_in=[upload(jpeg_bytes())])
    photo = ReportPhoto.objects.get(report=report)
    private_path = settings.PRIVATE_MEDIA_ROOT / photo.file
    public_path = settings.MEDIA_ROOT / "public" / photo.file
    assert private_path.is_file() and not public_path.exists()
    with commit():
        report = services.report_verify(actor=verifier, report=report)
    photo.refresh_from_db()
    assert photo.storage == "public" and public_path.is_file() and not private_path.exists()
    with commit():
        services.report_set_privacy(report=report, privacy="confidential", actor=verifier)
    photo.refresh_from_db()
    assert photo.storage == "private" and private_path.is_file() and not public_path.exists()


def test_reply_photos_stay_private_on_a_public_report(make_report, officer, commit, citizen):
    report = make_report(reporter=citizen, status="dispositioned")
    services.report_request_info(actor=officer, report=report, text="Kirim foto KTP? Tidak, foto lokasi saja.")
    with commit():
        event = services.report_reply(
            report=report, text="Ini fotonya", actor=citizen, photos_in=[upload(jpeg_bytes())]
        )
    assert ReportPhoto.objects.get(event=event).storage == "private"


def test_follow_up_photos_before_and_after(make_report, officer, commit, settings):
    report = make_report(status="dispositioned")
    with commit():
        event = services.report_follow_up(
            actor=officer,
            report=report,
            text="Sebelum dan sesudah perbaikan.",
            photos_in=[(upload(jpeg_bytes()), "before"), upload(jpeg_bytes())],
        )
    kinds = sorted(ReportPhoto.objects.filter(event=event).values_list("kind", "storage"))
    assert kinds == [("after", "public"), ("before", "public")]
    for photo in ReportPhoto.objects.filter(event=event):
        assert (settings.MEDIA_ROOT / "public" / photo.file).is_file()


# --- the photo view -----------------------------------------------------------------------------


def _url(photo, thumbnail=False):
    return f"/api/v1/reports/photos/{photo.pk}/" + ("thumbnail/" if thumbnail else "")


def test_private_photo_is_served_only_to_those_who_may_see_the_report(
    make_report, commit, api, api_as, citizen, officer, other_officer, verifier
):
    with commit():
        report = make_report(reporter=citizen, photos_in=[upload(jpeg_bytes())])
    photo = ReportPhoto.objects.get(report=report)
    assert api.get(_url(photo)).status_code == 404
    assert api_as(other_officer).get(_url(photo)).status_code == 404
    response = api_as(citizen).get(_url(photo))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert api_as(verifier).get(_url(photo, thumbnail=True)).status_code == 200
    assert api.get(_url(photo) + f"?token={report.tracking_token}").status_code == 200
    assert api.get(_url(photo) + "?token=wrong").status_code == 404

"""Uploads are checked by content and size, stored privately, and errors say what to do."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kotapintar.permits import uploads
from kotapintar.testing.permits import PDF_BYTES, image_bytes


def _file(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF_BYTES, "pdf"),
        (image_bytes("PNG"), "png"),
        (image_bytes("JPEG"), "jpeg"),
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_magic_bytes(content, kind):
    assert uploads.sniff(content[:16]) == kind


def test_a_program_renamed_to_pdf_is_refused():
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.check_upload(
            _file("ktp.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf"), kinds=["pdf"], max_bytes=1024
        )
    assert "ktp.pdf" in caught.value.message and "PDF" in caught.value.message


def test_an_image_where_only_pdf_is_allowed_is_refused():
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.check_upload(_file("str.png", image_bytes("PNG")), kinds=["pdf"], max_bytes=10_000)
    assert "PDF" in caught.value.message


def test_oversized_file_names_the_limit():
    big = PDF_BYTES + b"0" * 3000
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.check_upload(_file("besar.pdf", big), kinds=["pdf"], max_bytes=2048)
    assert "2,0" in caught.value.message or "2.0" in caught.value.message


def test_empty_file_is_refused():
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(_file("kosong.pdf", b""), kinds=["pdf"], max_bytes=1024)


def test_truncated_pdf_is_refused():
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.check_upload(_file("potong.pdf", PDF_BYTES[:30]), kinds=["pdf"], max_bytes=1024)
    assert "PDF" in caught.value.message


def test_broken_image_is_refused():
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(_file("rusak.png", image_bytes("PNG")[:20]), kinds=["png"], max_bytes=10_000)


def test_accepted_file_is_stored_privately_under_a_random_name(settings):
    checked = uploads.check_upload(_file("../../etc/passwd.jpg", image_bytes("JPEG")), kinds=["jpeg"], max_bytes=10_000)
    assert checked.kind == "jpeg" and checked.original_name == "passwd.jpg"
    relative = uploads.store(checked)
    path = uploads.absolute(relative)
    assert path.read_bytes() == checked.content
    assert str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert "passwd" not in relative and relative.endswith(".jpg")
    with pytest.raises(ValueError):
        uploads.absolute("../outside.pdf")

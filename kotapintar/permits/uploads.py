"""Uploaded documents: checked by content (not by name), stored privately.

A file counts as PDF, JPEG or PNG only when its first bytes say so (the "magic numbers");
images must also open as images (Pillow), and a PDF must end like a PDF. The name the
applicant gave is kept for display only; on disk the file gets a random name with the
extension of its real kind, under PRIVATE_MEDIA_ROOT/permits/, which no URL serves: the
download view checks access first.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core.errors import DomainError

KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
SUBDIR = "permits"
PDF_TAIL = 2048
CHUNK = 64 * 1024


class UploadRejected(DomainError):
    """The uploaded file is not acceptable for this document."""

    status_code = 400
    code = "invalid_file"


def sniff(head: bytes) -> str | None:
    """The real kind of a file from its first bytes: "pdf", "jpeg", "png" or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content: bytes
    size: int
    sha256: str
    original_name: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def _kinds_text(kinds: list[str]) -> str:
    return ", ".join(KIND_LABELS.get(k, k.upper()) for k in kinds)


def check_upload(uploaded, *, kinds: list[str], max_bytes: int, label: str = "") -> CheckedFile:
    """Read and check one upload (a Django UploadedFile or any object with read/name/size)."""
    name = os.path.basename(getattr(uploaded, "name", "") or "berkas")[:200]
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRejected(_too_big(size, max_bytes, name))
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    buffer = io.BytesIO()
    if hasattr(uploaded, "chunks"):
        for chunk in uploaded.chunks(CHUNK):
            buffer.write(chunk)
            if buffer.tell() > max_bytes:
                raise UploadRejected(_too_big(buffer.tell(), max_bytes, name))
    else:
        buffer.write(uploaded.read(max_bytes + 1))
    content = buffer.getvalue()
    if len(content) > max_bytes:
        raise UploadRejected(_too_big(len(content), max_bytes, name))
    if not content:
        raise UploadRejected(_("The file “%(name)s” is empty. Choose the file again.") % {"name": name})
    kind = sniff(content[:16])
    if kind is None or kind not in kinds:
        raise UploadRejected(
            _("“%(name)s” is not a %(kinds)s file. Upload the document as %(kinds)s (a photo or scan works).")
            % {"name": name, "kinds": _kinds_text(kinds)}
        )
    if kind == "pdf" and b"%%EOF" not in content[-PDF_TAIL:]:
        raise UploadRejected(
            _("“%(name)s” is an incomplete PDF (it may have been cut off while copying). Save it again and upload it.")
            % {"name": name}
        )
    if kind in ("jpeg", "png") and not _image_opens(content):
        raise UploadRejected(
            _("“%(name)s” cannot be opened as an image. Take the photo or scan again and upload it.") % {"name": name}
        )
    return CheckedFile(
        kind=kind, content=content, size=len(content), sha256=hashlib.sha256(content).hexdigest(), original_name=name
    )


def _too_big(size: int, max_bytes: int, name: str) -> str:
    return _(
        "“%(name)s” is %(size)s; the limit for this document is %(limit)s. Make it smaller (scan at a lower "
        "resolution, or compress the PDF) and upload it again."
    ) % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)}


def _image_opens(content: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds for broken files
        return False
    return True


def root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def store(checked: CheckedFile) -> str:
    """Write the file under PRIVATE_MEDIA_ROOT/permits/YYYY/MM/<random>.<ext>; return its relative path."""
    today = timezone.localdate()
    relative = f"{SUBDIR}/{today:%Y}/{today:%m}/{uuid.uuid4().hex}.{EXTENSIONS[checked.kind]}"
    target = root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as out:
        out.write(checked.content)
    return relative


def absolute(relative: str) -> Path:
    """The file's place on disk; refuses paths that would leave the private root."""
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError("path outside the private media root")
    return path


def remove(relative: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        absolute(relative).unlink(missing_ok=True)

"""Photos of reports: checked by content, re-encoded without metadata, stored by visibility.

- Accepted: JPEG, PNG and WebP (what phones' browsers upload; iPhones convert HEIC to JPEG
  when a web form picks a photo). The type is decided by the bytes (Pillow opens and
  verifies the file), never by the name or the declared content type.
- At most 10 MB each and 5 per report (or per follow-up); at most 50 megapixels (a
  decompression bomb is refused before it is decoded).
- The EXIF orientation is applied to the pixels, then the picture is re-encoded as a new
  JPEG from its pixels alone: EXIF (GPS position, camera serial, time), XMP, ICC profiles
  and comments are all dropped. Large pictures are scaled down to 2048 px on the long
  side; a 400 px thumbnail is made.
- Nothing is written while the service's transaction is open: services validate and
  encode first (any error refuses the whole report), then the files are written after
  commit (a rolled-back report leaves no file behind).
- Public reports' photos are under MEDIA_ROOT/public/reports/… (served directly; random
  names); the others under PRIVATE_MEDIA_ROOT/reports/…, served by ``views.photo`` after an
  access check. ``sync_storage`` moves them when a report's visibility changes.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ReportInvalid

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
MAX_PIXELS = 50_000_000
MAX_DIMENSION = 2048
THUMBNAIL_DIMENSION = 400
JPEG_QUALITY = 82
THUMBNAIL_QUALITY = 75
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo ready to store: clean JPEG bytes and a thumbnail."""

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    kind: str = "report"
    content_type: str = "image/jpeg"


def _name_of(upload: Any, index: int) -> str:
    name = getattr(upload, "name", "") or ""
    return os.path.basename(str(name)) or _("photo %(n)d") % {"n": index + 1}


def _read(upload: Any, label: str) -> bytes:
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_BYTES:
            raise ValueError(_("The photo “%(name)s” is larger than 10 MB; send a smaller one.") % {"name": label})
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(_("The photo “%(name)s” is larger than 10 MB; send a smaller one.") % {"name": label})
    if not data:
        raise ValueError(_("The photo “%(name)s” is empty.") % {"name": label})
    return data


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels, transparent areas on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # A fresh image carries no info dict: nothing but pixels goes into the file.
    clean = Image.frombytes("RGB", image.size, image.tobytes())
    clean.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def process_image(upload: Any, *, index: int = 0, kind: str = "report") -> ProcessedPhoto:
    """Check and re-encode one photo; ValueError with an Indonesian message when refused."""
    label = _name_of(upload, index)
    data = _read(upload, label)
    not_image = _("The file “%(name)s” is not a photo (JPEG, PNG or WebP).") % {"name": label}
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValueError(not_image)
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValueError(
                    _("The photo “%(name)s” has too many pixels (at most 50 megapixels).") % {"name": label}
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            picture = _flatten(upright)
    except ValueError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, EOFError):
        raise ValueError(not_image) from None
    picture.thumbnail((MAX_DIMENSION, MAX_DIMENSION), Image.Resampling.LANCZOS)
    body = _encode(picture, JPEG_QUALITY)
    thumb = picture.copy()
    thumb.thumbnail((THUMBNAIL_DIMENSION, THUMBNAIL_DIMENSION), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        data=body, thumbnail=_encode(thumb, THUMBNAIL_QUALITY), width=picture.width, height=picture.height, kind=kind
    )


def process_many(uploads: Iterable[Any], *, kinds: Iterable[str] | None = None, field: str = "photos"):
    """Process several photos; ReportInvalid listing every refused one (nothing is stored)."""
    uploads = list(uploads or [])
    kinds = list(kinds) if kinds is not None else ["report"] * len(uploads)
    if len(uploads) > MAX_PHOTOS:
        raise ReportInvalid.single(
            field,
            _("At most %(max)d photos may be sent; %(n)d were given.") % {"max": MAX_PHOTOS, "n": len(uploads)},
        )
    done: list[ProcessedPhoto] = []
    errors: list[str] = []
    for index, (upload, kind) in enumerate(zip(uploads, kinds, strict=True)):
        try:
            done.append(process_image(upload, index=index, kind=kind))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ReportInvalid({field: errors})
    return done


# --- storage -----------------------------------------------------------------------------------


def root_for(storage: str) -> Path:
    if storage == "public":
        return Path(settings.MEDIA_ROOT) / "public"
    return Path(settings.PRIVATE_MEDIA_ROOT)


def new_paths(now=None) -> tuple[str, str]:
    """Relative paths of a new photo and its thumbnail (random, unguessable names)."""
    now = now or timezone.now()
    stem = f"reports/{now:%Y/%m}/{uuid.uuid4().hex}"
    return f"{stem}.jpg", f"{stem}-t.jpg"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def write_files(storage: str, items: list[tuple[str, str, ProcessedPhoto]]) -> None:
    """Write (file, thumbnail, photo) triples under the storage root (called after commit)."""
    root = root_for(storage)
    for file, thumbnail, photo in items:
        try:
            _write(root / file, photo.data)
            _write(root / thumbnail, photo.thumbnail)
        except OSError:
            logger.exception("could not write report photo %s", file)


def locate(photo, *, thumbnail: bool = False) -> Path | None:
    """The file of a stored photo (looked for in its storage first, then in the other one)."""
    relative = photo.thumbnail if thumbnail else photo.file
    if not relative or ".." in Path(relative).parts or os.path.isabs(relative):
        return None
    other = "private" if photo.storage == "public" else "public"
    for storage in (photo.storage, other):
        candidate = root_for(storage) / relative
        if candidate.is_file():
            return candidate
    return None


def move_files(photo_files: list[tuple[str, str]], source: str, target: str) -> None:
    """Move files between the public and private roots (after commit)."""
    if source == target:
        return
    for relative in (p for pair in photo_files for p in pair):
        origin = root_for(source) / relative
        destination = root_for(target) / relative
        if not origin.exists():
            continue
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(origin), str(destination))
        except OSError:
            logger.exception("could not move report photo %s from %s to %s", relative, source, target)


def public_url(photo, *, thumbnail: bool = False) -> str:
    relative = photo.thumbnail if thumbnail else photo.file
    return f"{settings.MEDIA_URL}public/{relative}"

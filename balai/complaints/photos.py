"""Photos of citizen reports: only real images, bounded in size, stored without their metadata.

A phone photo carries EXIF: the exact place the reporter stood, the phone model, sometimes their name.
We read the GPS position once (it locates the report) and store a re-encoded copy without any of it.
"""

from __future__ import annotations

import hashlib
import io
import math
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from balai.complaints.models import Complaint, ComplaintPhoto, ComplaintUpdate

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_CITIZEN_PHOTOS = 3
MAX_PROOF_PHOTOS = 10
# Pillow format name → file extension we store under.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
GPS_IFD = 0x8825

# Pillow refuses (DecompressionBombError) above twice this; our own check below gives the clear message.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class CheckedImage:
    format: str
    width: int
    height: int


def photo_check(content: bytes) -> CheckedImage:
    """Refuse anything that is not a JPEG, PNG or WebP within our limits, without decoding the pixels."""
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("The photo is %(size).1f MB; at most %(max)d MB is allowed.")
            % {"size": len(content) / 1024 / 1024, "max": MAX_BYTES // 1024 // 1024},
            code="too_large",
        )
    not_image = ValidationError(_("This file is not a JPEG, PNG or WebP photo."), code="not_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                fmt, (width, height) = img.format, img.size
                if fmt not in FORMATS:
                    raise not_image
                # The header alone gives the size: refuse a decompression bomb before decoding anything.
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(0, 0) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_image from None
    return CheckedImage(fmt, width, height)


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _("The photo has too many pixels (at most %(max)d megapixels).") % {"max": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _reencoded(content: bytes, fmt: str) -> tuple[bytes, int, int]:
    try:
        with Image.open(io.BytesIO(content)) as img:
            img.load()
            # EXIF orientation is dropped with the rest of the metadata: apply it to the pixels first.
            clean = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(_("This photo is damaged and cannot be read."), code="damaged") from None
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    clean.info = {}  # XMP, ICC, comments: nothing of the original travels with the copy
    out = io.BytesIO()
    options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(out, format=fmt, **options)
    return out.getvalue(), clean.width, clean.height


def photo_add(
    *,
    complaint: Complaint,
    content: bytes,
    update: ComplaintUpdate | None = None,
    is_proof: bool = False,
) -> ComplaintPhoto:
    """Store a photo of a report (the citizen's, or the staff's proof of the work done)."""
    checked = photo_check(content)
    limit = MAX_PROOF_PHOTOS if is_proof else MAX_CITIZEN_PHOTOS
    if ComplaintPhoto.objects.filter(complaint=complaint, is_proof=is_proof).count() >= limit:
        raise ValidationError(_("At most %(n)d photos can be added.") % {"n": limit}, code="too_many")
    data, width, height = _reencoded(content, checked.format)
    photo = ComplaintPhoto(
        complaint=complaint,
        update=update,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
        is_proof=is_proof,
    )
    # A random name: the original file name can hold the reporter's name or the phone's gallery path.
    photo.image.save(f"{secrets.token_hex(8)}.{FORMATS[checked.format]}", ContentFile(data), save=False)
    # The ImageField re-reads dimensions from storage when its file is set; we know them already.
    photo.width, photo.height = width, height
    photo.save()
    return photo


def _degrees(value: object) -> float:
    d, m, s = (float(x) for x in value)  # type: ignore[attr-defined]
    return d + m / 60 + s / 3600


def read_gps(content: bytes) -> tuple[float, float] | None:
    """The position in the photo's EXIF GPS tags, or None when absent or nonsensical."""
    try:
        with Image.open(io.BytesIO(content)) as img:
            gps = img.getexif().get_ifd(GPS_IFD)
        if not gps or not all(k in gps for k in (1, 2, 3, 4)):
            return None
        lat, lon = _degrees(gps[2]), _degrees(gps[4])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, ZeroDivisionError):
        return None
    if str(gps[1]).strip().upper().startswith("S"):
        lat = -lat
    if str(gps[3]).strip().upper().startswith("W"):
        lon = -lon
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # phones without a fix write zeros
        return None
    return lat, lon

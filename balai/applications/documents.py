"""Uploaded documents: recognised by their content, never by their name or the browser's word.

A scan of a KTP named ``ktp.pdf`` that is really a PNG, a renamed executable, a 40 MB photo where 2 MB are
allowed: each gets a message naming the document and the problem, and nothing is stored.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from balai.applications.choices import DocType

MAX_PIXELS = 40_000_000
#: A PDF's header may follow a little junk (the spec allows it in the first 1024 bytes).
PDF_HEADER_WINDOW = 1024
_PILLOW_TYPES = {"JPEG": DocType.JPEG, "PNG": DocType.PNG}
_EXTENSION_TYPES = {"pdf": DocType.PDF, "jpg": DocType.JPEG, "jpeg": DocType.JPEG, "png": DocType.PNG}


class Upload(Protocol):
    """What the service needs of an uploaded file (Django's UploadedFile fits)."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class Checked:
    doc_type: DocType
    content: bytes


def sniff(content: bytes) -> DocType | None:
    """PDF by its ``%PDF-`` header; JPEG and PNG by Pillow reading (and verifying) the image; else None."""
    if b"%PDF-" in content[:PDF_HEADER_WINDOW]:
        return DocType.PDF
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                fmt, (width, height) = img.format, img.size
                if fmt not in _PILLOW_TYPES or width * height > MAX_PIXELS:
                    return None
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return _PILLOW_TYPES[fmt]


def type_labels(types: list[str]) -> str:
    return ", ".join(str(DocType(t).label) for t in types)


def check_upload(upload: Upload, *, name: str, accepted: list[str], max_bytes: int) -> Checked:
    """The file's bytes and type if it is one of ``accepted`` within ``max_bytes``; else a clear error.

    The size is checked before reading, so a huge file is refused without loading it.
    """
    size = upload.size if upload.size is not None else 0
    if size > max_bytes:
        raise _too_large(name, size, max_bytes)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise _too_large(name, len(content), max_bytes)
    if not content:
        raise ValidationError(_("%(doc)s: the file is empty.") % {"doc": name}, code="empty")
    found = sniff(content)
    if found is None:
        raise ValidationError(
            _("%(doc)s: this file is not a %(types)s file.") % {"doc": name, "types": type_labels(accepted)},
            code="wrong_type",
        )
    if found not in accepted:
        raise ValidationError(
            _("%(doc)s: this file is a %(found)s, but only %(types)s is accepted.")
            % {"doc": name, "found": DocType(found).label, "types": type_labels(accepted)},
            code="wrong_type",
        )
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    declared = _EXTENSION_TYPES.get(extension)
    if declared is not None and declared != found:
        # A renamed file: what the applicant thinks they sent is not what the office would open.
        raise ValidationError(
            _("%(doc)s: the file is named .%(ext)s but it is a %(found)s. Send the document itself.")
            % {"doc": name, "ext": extension, "found": DocType(found).label},
            code="wrong_type",
        )
    return Checked(found, content)


def _too_large(name: str, size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("%(doc)s: the file is %(size).1f MB; at most %(max)d MB is allowed.")
        % {"doc": name, "size": size / 1024 / 1024, "max": max_bytes // 1024 // 1024},
        code="too_large",
    )

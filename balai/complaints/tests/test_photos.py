from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from balai.complaints import photos
from balai.complaints.choices import Channel
from balai.complaints.models import Category, Complaint
from balai.complaints.services import complaint_submit
from balai.core.testing import Story

GPS_IFD = 0x8825


def jpeg(size: tuple[int, int] = (40, 30), gps: tuple[float, float] | None = None) -> bytes:
    img = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps is not None:
        lat, lon = gps

        def dms(value: float) -> tuple[float, float, float]:
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            return (float(d), float(m), round((value - d - m / 60) * 3600, 4))

        exif[GPS_IFD] = {1: "S" if lat < 0 else "N", 2: dms(lat), 3: "W" if lon < 0 else "E", 4: dms(lon)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def complaint(story: Story) -> Complaint:
    category = Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Broken road")
    return complaint_submit(channel=Channel.WEB, category=category, description="Lubang besar", pemda=story.root)


def test_text_file_named_jpg_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        photos.photo_check(b"this is not a photo at all")
    assert exc.value.messages == ["This file is not a JPEG, PNG or WebP photo."]


def test_gif_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    with pytest.raises(ValidationError):
        photos.photo_check(out.getvalue())


def test_file_over_10_mb_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        photos.photo_check(jpeg() + b"\0" * (10 * 1024 * 1024))
    assert exc.value.code == "too_large"


def test_decompression_bomb_is_refused() -> None:
    # A 1-bit PNG of 10,000 × 10,000 pixels is small on disk and 100 megapixels once decoded.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        photos.photo_check(out.getvalue())
    assert exc.value.code == "too_many_pixels"


def test_read_gps_from_exif() -> None:
    lat, lon = photos.read_gps(jpeg(gps=(-3.44, 114.835)))  # type: ignore[misc]
    assert round(lat, 4) == -3.44
    assert round(lon, 4) == 114.835


def test_read_gps_none_without_gps() -> None:
    assert photos.read_gps(jpeg()) is None
    assert photos.read_gps(b"not an image") is None


def test_photo_add_stores_a_copy_without_exif(media: Path, complaint: Complaint) -> None:
    content = jpeg(gps=(-3.44, 114.835))
    photo = photos.photo_add(complaint=complaint, content=content)
    assert (photo.width, photo.height) == (40, 30)
    assert photo.image.name is not None and photo.image.name.endswith(".jpg")
    assert len(photo.sha256) == 64
    stored = Path(photo.image.path).read_bytes()
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG"
        assert dict(img.getexif()) == {}
    assert photos.read_gps(stored) is None
    assert str(media) in photo.image.path


def test_fourth_citizen_photo_is_refused_but_proof_may_follow(media: Path, complaint: Complaint) -> None:
    for _i in range(3):
        photos.photo_add(complaint=complaint, content=jpeg())
    with pytest.raises(ValidationError) as exc:
        photos.photo_add(complaint=complaint, content=jpeg())
    assert exc.value.messages == ["At most 3 photos can be added."]
    proof = photos.photo_add(complaint=complaint, content=jpeg(), is_proof=True)
    assert proof.is_proof is True
    assert complaint.photos.count() == 4


def test_png_and_webp_are_accepted(media: Path, complaint: Complaint) -> None:
    for fmt, ext in (("PNG", "png"), ("WEBP", "webp")):
        out = io.BytesIO()
        Image.new("RGB", (10, 10), (0, 0, 255)).save(out, format=fmt)
        photo = photos.photo_add(complaint=complaint, content=out.getvalue())
        assert photo.image.name is not None and photo.image.name.endswith(f".{ext}")

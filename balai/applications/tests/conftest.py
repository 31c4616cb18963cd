"""Shared fixtures: English pages, uploads in memory, a Mentaos service with its form and a verified citizen."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from balai.applications import services
from balai.applications.choices import ContactChannel, FieldType
from balai.applications.models import Application, Citizen
from balai.core.testing import Story
from balai.publicservices.models import Service

# A valid NIK of a woman born 1 Feb 1990 in Kecamatan Banjarbaru Utara (63.72.04): day 01 + 40.
GOOD_NIK = "6372044102900003"
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(settings: Any, client: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_memory(settings: Any) -> None:  # uploads must not land in var/media
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.BALAI_PUBLIC_URL = "https://balai.example.go.id"


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@dataclass
class Desk:
    story: Story
    service: Service
    citizen: Citizen


@pytest.fixture
def desk(story: Story) -> Desk:
    """Surat keterangan domisili of Kelurahan Mentaos: two fields, a KTP (PDF or image) and an RT letter (PDF)."""
    service = Service.objects.create(
        unit=story.mentaos,
        code="sk-domisili",
        name_id="Surat Keterangan Domisili",
        name_en="Certificate of residence",
        requirements="KTP\nSurat pengantar RT",
        procedure="Ajukan\nVerifikasi\nTerbit",
        time_limit_days=3,
        product="Surat Keterangan Domisili",
        is_online=True,
    )
    services.form_field_save(actor=None, service=service, code="address", label="Address", order=1)
    services.form_field_save(
        actor=None,
        service=service,
        code="purpose",
        label="Purpose",
        field_type=FieldType.CHOICE,
        choices="Bank\nSchool\nWork",
        order=2,
    )
    services.form_field_save(
        actor=None,
        service=service,
        code="since",
        label="Living here since",
        field_type=FieldType.DATE,
        is_required=False,
        order=3,
    )
    services.required_document_save(actor=None, service=service, code="ktp", name="KTP", order=1)
    services.required_document_save(
        actor=None, service=service, code="rt-letter", name="RT letter", accepted_types=["pdf"], max_mb=1, order=2
    )
    citizen = Citizen.objects.create(
        channel=ContactChannel.EMAIL, address="siti@example.com", verified_at=timezone.now()
    )
    return Desk(story, service, citizen)


def submit(desk: Desk, **kw: Any) -> Application:
    values: dict[str, Any] = {
        "citizen": desk.citizen,
        "service": desk.service,
        "applicant_name": "Siti Aminah",
        "nik": GOOD_NIK,
        "answers": {"address": "Jl. Mentaos No. 5", "purpose": "Bank"},
        "documents": {"ktp": upload("ktp.png", png_bytes()), "rt-letter": upload("rt.pdf", PDF_BYTES)},
        "idempotency_key": secrets.token_urlsafe(24),
    }
    values.update(kw)
    return services.application_submit(**values)

"""Demo online applications: the application form of every online service, and a few applications per office.

Deterministic for a seed. The demo citizen signs in on /layanan/masuk/ as ``warga@example.com``: without
BALAI_EMAIL_HOST the code is printed on the server's console (Django's console e-mail backend).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from balai.applications import services
from balai.applications.choices import ContactChannel, FieldType
from balai.applications.models import Application, Citizen
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_zone
from balai.publicservices.models import Service

DEMO_CONTACT = "warga@example.com"
_NAMES = ["Siti Aminah", "Muhammad Rizki", "Nur Hidayah", "Ahmad Fauzi", "Dewi Lestari", "Rahmat Hidayat"]
_DOCS: dict[str, list[tuple[str, str, list[str], bool]]] = {
    # service code → (doc code, name, accepted types, required)
    "sk-domisili": [
        ("ktp", "KTP-el", ["pdf", "jpeg", "png"], True),
        ("pengantar", "Surat pengantar RT/RW", ["pdf", "jpeg", "png"], True),
    ],
    "sktm": [
        ("ktp", "KTP-el", ["pdf", "jpeg", "png"], True),
        ("kk", "Kartu Keluarga", ["pdf", "jpeg", "png"], True),
        ("pengantar", "Surat pengantar RT/RW", ["pdf", "jpeg", "png"], True),
    ],
    "sk-usaha": [
        ("ktp", "KTP-el", ["pdf", "jpeg", "png"], True),
        ("foto-usaha", "Foto tempat usaha", ["jpeg", "png"], True),
    ],
}
_FIELDS: dict[str, list[dict[str, Any]]] = {
    "sk-domisili": [
        {"code": "alamat", "label": "Alamat tempat tinggal", "field_type": FieldType.TEXTAREA},
        {"code": "sejak", "label": "Tinggal di alamat ini sejak", "field_type": FieldType.DATE, "is_required": False},
        {
            "code": "keperluan",
            "label": "Keperluan",
            "field_type": FieldType.CHOICE,
            "choices": "Perbankan\nSekolah\nPekerjaan\nLainnya",
        },
    ],
    "sktm": [
        {"code": "alamat", "label": "Alamat tempat tinggal", "field_type": FieldType.TEXTAREA},
        {"code": "tanggungan", "label": "Jumlah tanggungan keluarga", "field_type": FieldType.NUMBER},
        {
            "code": "keperluan",
            "label": "Keperluan",
            "field_type": FieldType.CHOICE,
            "choices": "Berobat\nBeasiswa\nBantuan sosial\nLainnya",
        },
    ],
    "sk-usaha": [
        {"code": "nama-usaha", "label": "Nama usaha", "field_type": FieldType.TEXT},
        {"code": "alamat-usaha", "label": "Alamat usaha", "field_type": FieldType.TEXTAREA},
        {"code": "jenis-usaha", "label": "Jenis usaha", "field_type": FieldType.TEXT},
    ],
}
_ANSWERS: dict[str, dict[str, str]] = {
    "sk-domisili": {"alamat": "Jl. Karang Anyar No. 12, RT 003 RW 001", "keperluan": "Perbankan"},
    "sktm": {"alamat": "Jl. Mistar Cokrokusumo Gg. Damai No. 4", "tanggungan": "3", "keperluan": "Berobat"},
    "sk-usaha": {"nama-usaha": "Warung Berkah", "alamat-usaha": "Jl. A. Yani Km 33", "jenis-usaha": "Warung makan"},
}
_GENERIC_FIELDS = [{"code": "keperluan", "label": "Keperluan", "field_type": FieldType.TEXT}]
_GENERIC_DOCS = [("ktp", "KTP-el", ["pdf", "jpeg", "png"], True)]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (220, 220, 210)).save(out, "PNG")
    return out.getvalue()


_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _nik(rng: random.Random) -> str:
    kecamatan = rng.choice(["01", "02", "03", "04", "05"])
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    day = born.day + (40 if rng.random() < 0.5 else 0)
    return f"6372{kecamatan}{day:02d}{born:%m%y}{rng.randrange(1, 9999):04d}"


def seed_forms(root: OrgUnit) -> int:
    """The application form (questions, documents, result wording) of every online service under ``root``."""
    count = 0
    online = Service.objects.filter(is_online=True, is_active=True, unit__path__startswith=root.path)
    for service in online.select_related("unit").order_by("unit__code", "code"):
        if service.form_fields.exists():
            continue
        for order, spec in enumerate(_FIELDS.get(service.code, _GENERIC_FIELDS), start=1):
            services.form_field_save(actor=None, service=service, order=order, **spec)
        for order, (code, name, types, required) in enumerate(_DOCS.get(service.code, _GENERIC_DOCS), start=1):
            services.required_document_save(
                actor=None,
                service=service,
                code=code,
                name=name,
                accepted_types=types,
                max_mb=2,
                is_required=required,
                order=order,
            )
        services.result_template_save(
            actor=None,
            service=service,
            opening="Yang bertanda tangan di bawah ini menerangkan bahwa:",
            closing="Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana mestinya.",
            signer_title=f"Lurah {service.unit.name.replace('Kelurahan ', '')}",
        )
        count += 1
    return count


def seed_applications(root: OrgUnit, *, seed: int = 1, per_service: int = 2) -> dict[str, int]:
    """Forms for every online service, and per online kelurahan service a few applications in several states."""
    rng = random.Random(f"{seed}:applications")
    forms = seed_forms(root)
    citizen, _created = Citizen.objects.get_or_create(
        channel=ContactChannel.EMAIL,
        address=DEMO_CONTACT,
        # No e-mail per seeded step on the console: the demo citizen reads the tracking pages.
        defaults={"verified_at": timezone.now(), "notifications": False},
    )
    made = 0
    # Anchored on noon of the Pemda's today, not on now: two loads minutes apart (the demo test does that) must
    # put every application on the same day, even when "now minus a few hours" would cross midnight between them.
    zone = pemda_zone()
    noon = dt.datetime.combine(timezone.localdate(timezone=zone), dt.time(12), tzinfo=zone)
    online = Service.objects.filter(is_online=True, is_active=True, unit__path__startswith=root.path).select_related(
        "unit"
    )
    for service in online.order_by("unit__code", "code"):
        if Application.objects.filter(service=service).exists():
            continue
        for i in range(per_service):
            submitted = noon - dt.timedelta(days=rng.randrange(1, 12), hours=rng.randrange(0, 8))
            documents: dict[str, Any] = {}
            for req in service.required_documents.all():
                if "pdf" in req.types:
                    documents[req.code] = SimpleUploadedFile(f"{req.code}.pdf", _PDF)
                else:
                    documents[req.code] = SimpleUploadedFile(f"{req.code}.png", _png())
            app = services.application_submit(
                citizen=citizen,
                service=service,
                applicant_name=rng.choice(_NAMES),
                nik=_nik(rng),
                answers=_ANSWERS.get(service.code, {"keperluan": "Administrasi"}),
                documents=documents,
                idempotency_key=secrets.token_urlsafe(24),
                submitted_at=submitted,
            )
            made += 1
            # Every other one is finished; the rest wait at the desk (some of them past their time limit).
            if i % 2 == 0:
                for step in (
                    services.application_verify_documents,
                    services.application_process,
                    services.application_approve,
                ):
                    step(actor=None, application=app, version=app.version)
                services.application_issue_result(actor=None, application=app, version=app.version)
    return {"forms": forms, "applications": made}

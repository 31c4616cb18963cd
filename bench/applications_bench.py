"""Online applications (``/layanan/``) at scale: submission throughput and p95 of the desk and tracking pages.

Run alone against a fresh database (it migrates and loads ``balai demo --scale N`` when the database holds no
catalogue yet), or call :func:`part_applications` from bench/suite.py as the part ``applications``::

    BALAI_DATABASE_URL=sqlite:////tmp/bench-applications.sqlite3 .venv/bin/python bench/applications_bench.py \
        --applications 100000 --submits 200 --requests 200

``--applications N`` bulk-inserts N applications (spread over every online service, a third of them completed,
some overdue) so the desk list and the overdue count run against a large table. Submissions go through the real
service function (NIK check, two documents sniffed and stored, audit, indicator marking), in process; the floor
is ``/health/`` through the same middleware. Times are server time without the network, like the other parts.
The last line printed is ``BENCH-RESULT {json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
os.environ.setdefault("BALAI_ENV", "test")
os.environ.setdefault("BALAI_MEDIA_ROOT", tempfile.mkdtemp(prefix="balai-bench-media-"))
# As in production: a submission enqueues the indicator recompute for the worker, it does not run it inline.
os.environ.setdefault("BALAI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

GOAL_P95_MS = 100.0  # issue 4: desk and tracking pages, p95
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
NIK = "6372044102900003"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 400), (200, 200, 190)).save(out, "PNG")
    return out.getvalue()


def _ensure_city(scale: int) -> None:
    from balai.publicservices.models import Service

    call_command("migrate", verbosity=0, interactive=False)
    if not Service.objects.exists():
        call_command("demo", scale=scale, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def _bulk(count: int) -> int:
    """``count`` applications straight into the table (no files): the size the lists must stay fast at."""
    from django.utils import timezone

    from balai.applications.choices import Status
    from balai.applications.models import Application, Citizen
    from balai.publicservices.models import Service

    have = Application.objects.count()
    if have >= count:
        return have
    citizen, _c = Citizen.objects.get_or_create(
        channel="email", address="bench@example.com", defaults={"verified_at": timezone.now(), "notifications": False}
    )
    online = list(Service.objects.filter(is_online=True, is_active=True).select_related("unit"))
    now = timezone.now()
    rows = []
    for i in range(count - have):
        service = online[i % len(online)]
        submitted = now - dt.timedelta(minutes=7 * i % (60 * 24 * 365))
        status = [Status.COMPLETED, Status.SUBMITTED, Status.PROCESSING][i % 3]
        rows.append(
            Application(
                tracking_number=f"BX{i:010d}",
                service=service,
                unit=service.unit,
                citizen=citizen,
                applicant_name="Bench Applicant",
                nik=NIK,
                answers={"keperluan": "Bench"},
                status=status,
                submitted_at=submitted,
                due_at=submitted + dt.timedelta(days=3),
                completed_at=submitted + dt.timedelta(days=2) if status == Status.COMPLETED else None,
                idempotency_key=f"bench-{i:012d}",
            )
        )
    Application.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Application.objects.count()


def _submits(count: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from balai.applications import services
    from balai.applications.models import Citizen
    from balai.publicservices.models import Service

    service = (
        Service.objects.filter(is_online=True, is_active=True, code="sk-domisili").select_related("unit").first()
        or Service.objects.filter(is_online=True, is_active=True).select_related("unit").first()
    )
    assert service is not None, "no online service: load the demo first"
    citizen, _c = Citizen.objects.get_or_create(
        channel="email",
        address="bench-submit@example.com",
        defaults={"verified_at": timezone.now(), "notifications": False},
    )
    png = _png()
    answers = {
        "alamat": "Jl. Bench 1",
        "keperluan": "Perbankan",
        "tanggungan": "2",
        "nama-usaha": "x",
        "alamat-usaha": "y",
        "jenis-usaha": "z",
    }
    times = []
    for _i in range(count):
        documents = {
            r.code: SimpleUploadedFile(
                f"{r.code}.pdf" if "pdf" in r.types else f"{r.code}.png", PDF if "pdf" in r.types else png
            )
            for r in service.required_documents.all()
        }
        start = time.perf_counter()
        services.application_submit(
            citizen=citizen,
            service=service,
            applicant_name="Bench Applicant",
            nik=NIK,
            answers=answers,
            documents=documents,
            idempotency_key=secrets.token_urlsafe(24),
        )
        times.append(time.perf_counter() - start)
    total = sum(times)
    return {
        "submits": count,
        "submit_per_s": round(count / total, 1) if total else 0.0,
        "submit_p95_ms": round(percentile(times, 95) * 1000, 1),
    }


def _pages(requests: int) -> dict[str, Any]:
    from balai.applications import accounts
    from balai.applications.models import Application
    from balai.org.models import RoleAssignment, User

    clerk_ra = RoleAssignment.objects.filter(role="kelurahan_operator").select_related("user", "org_unit").first()
    head = User.objects.filter(role_assignments__role="head_of_region").first() if clerk_ra else None
    sample = (
        Application.objects.filter(citizen__address="bench-submit@example.com").first() or Application.objects.first()
    )
    assert sample is not None
    pages: list[tuple[str, Any, str]] = [("health (floor)", None, "/health/")]
    if clerk_ra is not None:
        mine = Application.objects.filter(unit=clerk_ra.org_unit).first()
        pages.append(("desk list, kelurahan clerk", clerk_ra.user, "/layanan/permohonan/"))
        pages.append(("desk overdue filter, kelurahan clerk", clerk_ra.user, "/layanan/permohonan/?overdue=on"))
        if mine is not None:
            pages.append(
                ("desk detail, kelurahan clerk", clerk_ra.user, f"/layanan/permohonan/{mine.tracking_number}/")
            )
    if head is not None:
        pages.append(("desk list, head of region", head, "/layanan/permohonan/"))
    pages.append(("citizen tracking page", sample.citizen, f"/layanan/lacak/{sample.tracking_number}/"))
    out = []
    for label, who, url in pages:
        client = Client(HTTP_ACCEPT_LANGUAGE="id")
        if isinstance(who, User):
            client.force_login(who)
        elif who is not None:
            session = client.session
            session[accounts.SESSION_KEY] = {"id": who.pk, "salt": who.session_salt}
            session.save()
        assert client.get(url).status_code == 200, url
        times = []
        for _i in range(requests):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        out.append(
            {
                "page": label,
                "url": url,
                "p50_ms": round(percentile(times, 50) * 1000, 1),
                "p95_ms": round(percentile(times, 95) * 1000, 1),
            }
        )
    return {"pages": out, "goal_p95_ms": GOAL_P95_MS}


def part_applications(
    scale: int = 1, applications: int = 100_000, submits: int = 200, requests: int = 200
) -> dict[str, Any]:
    """The benchmark part: build (or reuse) the city, fill the table, time submissions and pages."""
    _ensure_city(scale)
    rows = _bulk(applications)
    result: dict[str, Any] = {"database": connection.vendor, "applications": rows}
    result.update(_submits(submits))
    result.update(_pages(requests))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    result = part_applications(args.scale, args.applications, args.submits, args.requests)
    print("BENCH-RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()

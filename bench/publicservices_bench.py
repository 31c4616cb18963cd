"""Public catalogue pages (``/layanan/``) at demo scale: p95 server time of list, search and detail pages.

Run alone against a fresh database (it migrates and loads ``balai demo --scale N`` when the database holds no
catalogue yet), or call :func:`part_catalogue` from bench/suite.py as the part ``catalogue``::

    BALAI_DATABASE_URL=sqlite:////tmp/bench-catalogue.sqlite3 .venv/bin/python bench/publicservices_bench.py \
        --scale 10 --requests 200

Times are in-process (Django test client, anonymous citizen, Indonesian pages), like the dashboard and complaints
parts: server time without the network. The floor is ``/health/`` through the same middleware. The catalogue itself
does not grow with ``--scale`` (a city has as many kelurahan at any scale); the rest of the database does (RW/RT,
ASN, reports), which is what the pages must not be slowed by. ``--extra N`` adds N synthetic services to every
kelurahan to see how the full list grows with the catalogue. The last line printed is ``BENCH-RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
os.environ.setdefault("BALAI_ENV", "test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

GOAL_P95_MS = 100.0  # issue 4: public catalogue and tracking pages, p95 at scale x10


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _ensure_city(scale: int, extra: int) -> dict[str, Any]:
    from balai.publicservices.models import Service

    call_command("migrate", verbosity=0, interactive=False)
    built: dict[str, Any] = {"loaded": False, "build_s": 0.0}
    if not Service.objects.exists():
        start = time.perf_counter()
        call_command("demo", scale=scale, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        built = {"loaded": True, "build_s": time.perf_counter() - start}
    if extra:
        _add_extra(extra)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # a fresh load has no planner statistics; a live server has
    return built


def _add_extra(per_kelurahan: int) -> None:
    from balai.org.models import OrgUnit
    from balai.publicservices.models import Service

    rows = []
    for kel in OrgUnit.objects.filter(kind__in=["kelurahan", "desa"]).order_by("code"):
        for i in range(per_kelurahan):
            rows.append(
                Service(
                    unit=kel,
                    code=f"bench-{i}",
                    name_id=f"Layanan uji {i} {kel.name}",
                    requirements="Surat pengantar RT/RW\nFotokopi KTP-el\nFotokopi KK",
                    procedure="Datang ke kantor kelurahan\nSurat ditandatangani lurah",
                    product="Surat keterangan",
                    sort_order=1000 + i,
                )
            )
    Service.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def catalogue_pages() -> list[tuple[str, str]]:
    """(label, URL) of what is timed: the list, searches, filters, details, and the API."""
    from balai.publicservices.models import Service

    mentaos = "63.72.04.1002"
    ktp = Service.objects.filter(code="ktp-el", is_active=True).first()
    domisili = Service.objects.filter(unit__code=mentaos, code="sk-domisili").first()
    any_service = Service.objects.filter(is_active=True).order_by("pk").first()
    if any_service is None:
        raise SystemExit("no service in the bench database")
    pages = [
        ("Catalogue, all services grouped by office", "/layanan/"),
        ("Catalogue, search by name (akta kelahiran)", "/layanan/?q=akta+kelahiran"),
        ("Catalogue, search falling back to requirements (fotokopi kk)", "/layanan/?q=fotokopi+kk"),
        ("Catalogue, search with no match (paspor)", "/layanan/?q=paspor"),
        ("Catalogue, one kelurahan (Mentaos)", f"/layanan/?wilayah={mentaos}"),
        ("Catalogue, MPP only", "/layanan/?jenis=mpp"),
        ("Service detail, KTP-el (agency, served at MPP)", f"/layanan/{(ktp or any_service).pk}/"),
        ("Service detail, SK domisili (kelurahan)", f"/layanan/{(domisili or any_service).pk}/"),
        ("API catalogue list, first page", "/api/v1/catalogue/services"),
        ("API catalogue search (ktp)", "/api/v1/catalogue/services?q=ktp"),
        ("API service detail", f"/api/v1/catalogue/services/{(ktp or any_service).pk}"),
    ]
    return pages


def _time(client: Client, url: str, requests: int) -> list[float]:
    for _ in range(5):  # warm caches, template loader, first connection
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times


def part_catalogue(scale: int = 10, requests: int = 100, extra: int = 0) -> dict[str, Any]:
    """The catalogue part: per page the server times (s), p50/p95 (ms), queries and bytes; and the floor."""
    from balai.org.models import OrgUnit
    from balai.publicservices.models import Counter, Service

    built = _ensure_city(scale, extra)
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    floor = _time(client, "/health/", requests)
    pages: list[dict[str, Any]] = []
    for label, url in catalogue_pages():
        times = _time(client, url, requests)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        pages.append(
            {
                "label": label,
                "url": url,
                "times_s": times,
                "p50_ms": round(percentile(times, 50) * 1000, 2),
                "p95_ms": round(percentile(times, 95) * 1000, 2),
                "queries": len(captured.captured_queries),
                "sql_s": sum(float(q["time"]) for q in captured.captured_queries),
                "bytes": len(response.content),
            }
        )
    worst = max(p["p95_ms"] for p in pages)
    return {
        "scale": scale,
        "extra_per_kelurahan": extra,
        **built,
        "units": OrgUnit.objects.count(),
        "services": Service.objects.filter(is_active=True).count(),
        "counters": Counter.objects.count(),
        "requests": requests,
        "floor_s": floor,
        "floor_p95_ms": round(percentile(floor, 95) * 1000, 2),
        "pages": pages,
        "worst_p95_ms": worst,
        "goal_p95_ms": GOAL_P95_MS,
        "goal_met": worst <= GOAL_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--extra", type=int, default=0, help="synthetic services added to every kelurahan")
    args = parser.parse_args()
    result = part_catalogue(args.scale, args.requests, args.extra)
    result["vendor"] = connection.vendor
    for page in result["pages"]:
        print(f"  {page['p95_ms']:8.2f} ms p95  {page['queries']:3d} q  {page['label']}", file=sys.stderr)
    print("BENCH-RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()

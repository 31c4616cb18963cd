"""Demo data of citizen reports for Kota Banjarbaru: categories, routing, and recent reports.

Everything goes through the services, so the demo exercises the same path as real intake and staff work.
≈13 reports a day for a city of 285,000 (DOMAIN §2); roads, street lights and illegal parking lead.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import Any

from django.utils import timezone

from balai.complaints import services as svc
from balai.complaints.choices import Channel, Status
from balai.complaints.models import Category, Complaint, RoutingRule
from balai.org.models import OrgUnit

# code, Indonesian name, English name, default agency, resolution days (LAPOR ladder), weight, sample texts
CATEGORIES: list[tuple[str, str, str, str, int, float, list[str]]] = [
    (
        "jalan",
        "Jalan rusak / berlubang",
        "Damaged road / pothole",
        "DPUPR",
        60,
        0.22,
        ["Jalan berlubang cukup dalam, membahayakan pengendara motor.", "Aspal mengelupas sepanjang 50 meter."],
    ),
    (
        "lampu",
        "Lampu jalan mati",
        "Street light out",
        "DISHUB",
        5,
        0.16,
        ["Lampu PJU mati sudah seminggu, jalan gelap di malam hari.", "Tiga lampu jalan berturut-turut padam."],
    ),
    (
        "parkir",
        "Parkir liar",
        "Illegal parking",
        "DISHUB",
        5,
        0.14,
        ["Mobil parkir di atas trotoar setiap sore.", "Parkir liar di depan pasar menutup setengah jalan."],
    ),
    (
        "sampah",
        "Sampah menumpuk",
        "Uncollected rubbish",
        "DLH",
        5,
        0.12,
        ["Sampah di TPS belum diangkut tiga hari.", "Warga membuang sampah di lahan kosong."],
    ),
    (
        "drainase",
        "Drainase tersumbat / banjir",
        "Blocked drain / flooding",
        "DPUPR",
        14,
        0.1,
        ["Saluran air tersumbat, jalan tergenang setiap hujan.", "Banjir setinggi lutut setelah hujan deras."],
    ),
    (
        "pohon",
        "Pohon tumbang / rawan tumbang",
        "Fallen or dangerous tree",
        "DLH",
        5,
        0.08,
        ["Pohon besar miring ke arah kabel listrik.", "Dahan patah menutup jalan."],
    ),
    (
        "ketertiban",
        "Gangguan ketertiban umum",
        "Public order",
        "SATPOLPP",
        14,
        0.08,
        ["Pedagang berjualan di badan jalan.", "Reklame liar dipasang di pohon."],
    ),
    (
        "layanan",
        "Pelayanan publik",
        "Public service",
        "DPMPTSP",
        5,
        0.06,
        ["Antrean pelayanan sangat lama dan tidak ada informasi.", "Petugas loket tidak ramah."],
    ),
    (
        "informasi",
        "Permintaan informasi",
        "Information request",
        "DISKOMINFO",
        5,
        0.04,
        ["Bagaimana cara mengurus izin usaha mikro?", "Kapan jadwal vaksinasi di puskesmas terdekat?"],
    ),
]
CHANNEL_WEIGHTS = [(Channel.WHATSAPP, 0.55), (Channel.WEB, 0.25), (Channel.TELEGRAM, 0.1), (Channel.OPEN311, 0.1)]


def seed_categories(root: OrgUnit) -> dict[str, Category]:
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={c[3] for c in CATEGORIES})}
    out = {}
    for order, (code, name_id, name_en, unit_code, days, _w, _texts) in enumerate(CATEGORIES):
        category, _created = Category.objects.update_or_create(
            code=code,
            defaults={
                "name_id": name_id,
                "name_en": name_en,
                "default_unit": units.get(unit_code),
                "resolution_days": days,
                "sort_order": order,
                "classification": "informasi" if code == "informasi" else "pengaduan",
            },
        )
        out[code] = category
    # Street lights on the airport side (Landasan Ulin) belong to the airport road authority in this demo.
    landasan = OrgUnit.objects.filter(code="63.72.02").first()
    pupr = units.get("DPUPR")
    if landasan and pupr:
        RoutingRule.objects.update_or_create(category=out["lampu"], territory=landasan, defaults={"unit": pupr})
    from balai.complaints.indicators import sync_category_indicators

    sync_category_indicators()  # one "received" indicator per category, like an administrator's new category
    return out


def seed_reports(root: OrgUnit, *, days: int = 30, per_day: float = 13.0, seed: int = 2026) -> int:
    """Recent reports, some verified, handled and resolved, so every screen and indicator has content."""
    if Complaint.objects.exists():
        return 0
    rng = random.Random(f"{seed}-complaints")
    categories = seed_categories(root)
    kelurahan = list(OrgUnit.objects.filter(path__startswith=root.path, kind__in=["kelurahan", "desa"]))
    desk = None  # the system acts for the complaint desk in the demo
    tz = zoneinfo.ZoneInfo(root.time_zone or "Asia/Makassar")
    now = timezone.now()
    weights = [c[5] for c in CATEGORIES]
    created = 0
    for day in range(days, -1, -1):
        date = (now - dt.timedelta(days=day)).astimezone(tz).date()
        for _i in range(max(0, round(rng.gauss(per_day, 3)))):
            at = dt.datetime.combine(date, dt.time(rng.randint(6, 21), rng.randint(0, 59)), tzinfo=tz)
            if at > now:
                continue
            spec = rng.choices(CATEGORIES, weights=weights)[0]
            kel = rng.choice(kelurahan)
            channel = rng.choices([c for c, _w in CHANNEL_WEIGHTS], weights=[w for _c, w in CHANNEL_WEIGHTS])[0]
            complaint = svc.complaint_submit(
                channel=channel,
                category=categories[spec[0]],
                description=rng.choice(spec[6]),
                pemda=root,
                territory=kel,
                address=f"Jl. {rng.choice(['A. Yani', 'Panglima Batur', 'Trikora', 'Karang Anyar'])}",
                reporter_name=rng.choice(["Rahmat", "Siti", "Ahmad", "Nur", "Gusti"]),
                reporter_phone=f"08{rng.randint(1100000000, 1399999999)}",
                is_anonymous=rng.random() < 0.1,
                is_confidential=rng.random() < 0.05,
                received_at=at,
            )
            created += 1
            _advance(complaint, rng, desk, now)
    return created


def _advance(complaint: Complaint, rng: random.Random, desk: Any, now: dt.datetime) -> None:
    """Walk part of the reports through the workflow, older ones further.

    Workflow times follow the intake by a drawn number of hours, so two loads on one day are identical.
    """
    if rng.random() < 0.1:
        return
    unit = svc.suggested_unit(category=complaint.category, territory=complaint.territory)
    verified_at = complaint.received_at + dt.timedelta(hours=rng.randint(1, 60))
    if unit is None or verified_at > now:
        return
    complaint = svc.complaint_verify(
        actor=desk,
        complaint=complaint,
        version=complaint.version,
        title=complaint.category.name_id,
        classification=complaint.classification,
        category=complaint.category,
        unit=unit,
        at=verified_at,
    )
    started_at = verified_at + dt.timedelta(hours=rng.randint(2, 48))
    if started_at > now or rng.random() < 0.25:
        return
    update = svc.complaint_respond(
        actor=desk,
        complaint=complaint,
        version=complaint.version,
        text="Sedang ditindaklanjuti oleh petugas.",
        status=Status.IN_PROGRESS,
        at=started_at,
    )
    complaint = update.complaint
    resolved_at = started_at + dt.timedelta(hours=rng.randint(4, 24 * 12))
    if resolved_at <= now and rng.random() < 0.8:
        svc.complaint_respond(
            actor=desk,
            complaint=complaint,
            version=complaint.version,
            text="Sudah ditangani. Terima kasih atas laporannya.",
            status=Status.RESOLVED,
            at=resolved_at,
        )

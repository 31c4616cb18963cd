"""A small published catalogue on the shared story's Pemda: four public datasets, one private, one retired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core.cache import cache

from balai.core.testing import Story
from balai.indicators.models import Indicator
from balai.indicators.services import dirty_drain, facts_import
from balai.opendata import services
from balai.org.models import OrgUnit

MENTAOS, KOMET = "63.72.04.1002", "63.72.04.1003"
T2025 = dt.datetime(2025, 12, 5, 1, 0, tzinfo=dt.UTC)
T2026 = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The catalogue keeps its year counts in the cache; ids are reused across rolled-back tests.
    cache.clear()
    yield
    cache.clear()


@dataclass
class Published:
    story: Story
    received: Indicator
    resolved: Indicator
    residents: Indicator
    clinics: Indicator
    secret: Indicator
    retired: Indicator


def _indicator(code: str, **kw: object) -> Indicator:
    defaults: dict[str, object] = {"period_type": "month", "is_public": True}
    defaults.update(kw)
    return Indicator.objects.create(code=code, **defaults)


def _facts(when: dt.datetime, rows: list[dict[str, object]]) -> None:
    with mock.patch("django.utils.timezone.now", return_value=when):
        summary = facts_import(actor=None, rows=rows)
    assert summary.conflicts == [], summary.conflicts


@pytest.fixture
def published(story: Story) -> Published:
    # The modules' own indicators (synced by the story) would make every expected list depend on them.
    Indicator.objects.update(is_public=False)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["DISKOMINFO", "DINKES"])}
    received = _indicator(
        "reports.received",
        name_id="Laporan warga diterima",
        name_en="Citizen reports received",
        description_id="Jumlah laporan warga yang diterima per bulan.",
        description_en="Citizen reports received per month.",
        unit="laporan",
        category="Pengaduan",
        source="lapor",
        polarity=0,
    )
    resolved = _indicator(
        "reports.on_time_rate",
        name_id="Laporan selesai tepat waktu",
        name_en="Reports resolved on time",
        description_id="Persentase laporan yang selesai sebelum tenggat.",
        unit="%",
        category="pengaduan",
        source="lapor",
        aggregation="ratio",
        ratio_factor=100,
        decimals=1,
    )
    residents = _indicator(
        "census.residents",
        name_id="Jumlah penduduk",
        name_en="Residents",
        description_id="Penduduk terdaftar menurut Disdukcapil.",
        unit="jiwa",
        category="kependudukan",
        source="external",
        aggregation="last",
    )
    clinics = _indicator(
        "health.clinic_visits",
        name_id="Kunjungan puskesmas",
        name_en="Clinic visits",
        category="kesehatan",
        source="external",
    )
    secret = _indicator("staff.sick_days", name_id="Hari sakit pegawai", name_en="Staff sick days", is_public=False)
    retired = _indicator("old.metric", name_id="Ukuran lama", name_en="Old metric", is_active=False)
    for ind, unit in ((received, "DISKOMINFO"), (resolved, "DISKOMINFO"), (clinics, "DINKES"), (secret, "DISKOMINFO")):
        services.dataset_publisher_set(actor=None, indicator=ind, owner=units[unit])
    _facts(
        T2025,
        [
            {"dataElement": "reports.received", "period": "202511", "orgUnit": MENTAOS, "value": 5},
            {"dataElement": "staff.sick_days", "period": "202511", "orgUnit": MENTAOS, "value": 2},
        ],
    )
    _facts(
        T2026,
        [
            {"dataElement": "reports.received", "period": "202601", "orgUnit": MENTAOS, "value": 12},
            {"dataElement": "reports.received", "period": "202601", "orgUnit": KOMET, "value": 7},
            {"dataElement": "reports.received", "period": "202602", "orgUnit": MENTAOS, "value": 3},
            {
                "dataElement": "reports.on_time_rate",
                "period": "202601",
                "orgUnit": MENTAOS,
                "value": 75,
                "numerator": 9,
                "denominator": 12,
            },
            {"dataElement": "census.residents", "period": "202601", "orgUnit": KOMET, "value": 10250},
            {"dataElement": "staff.sick_days", "period": "202601", "orgUnit": MENTAOS, "value": 4},
        ],
    )
    dirty_drain()
    for ind in (received, resolved, residents, clinics, secret, retired):
        ind.refresh_from_db()
    return Published(story, received, resolved, residents, clinics, secret, retired)

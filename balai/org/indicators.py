"""Indicators the org module computes from its own tables (ASN register)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q

from balai.core.periods import Period
from balai.indicators.registry import FactValue, IndicatorSpec, register
from balai.org.selectors import pemda_zone

INDICATORS = [
    IndicatorSpec(
        code="asn.headcount",
        name_id="Jumlah ASN",
        name_en="Civil servants (ASN)",
        period_type="month",
        aggregation="last",
        value_type="integer",
        unit="orang",
        polarity=0,
        category="kepegawaian",
        description_id="ASN aktif yang tercatat pada unit pada akhir bulan (dari register ASN Balai).",
        description_en="Active civil servants registered in the unit at the end of the month (Balai ASN register).",
        sort_order=10,
    ),
]


def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
    """One grouped query per month: active ASN per unit that existed at the month's end."""
    from balai.org.models import Pegawai

    if "asn.headcount" not in codes:
        return
    tz = pemda_zone()
    for period in periods:
        if period.type.value != "month":
            continue
        # The month ends at local midnight (WITA for Banjarbaru), not at UTC midnight.
        end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        rows = (
            Pegawai.objects.filter(Q(created_at__lt=end), is_active=True).values("org_unit_id").annotate(n=Count("id"))
        )
        for row in rows:
            yield FactValue("asn.headcount", row["org_unit_id"], period.id, float(row["n"]))


register("org", INDICATORS, compute)

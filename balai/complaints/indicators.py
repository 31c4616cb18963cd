"""Complaint indicators, computed daily from the reports (ARCHITECTURE §5).

A report counts once in a roll-up: intake numbers at the kelurahan it happened in (the territory),
handling numbers at the unit it was disposed to. Counting both at each would double the city total.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from balai.core.periods import Period, PeriodType
from balai.indicators.registry import FactValue, IndicatorSpec, register
from balai.org.selectors import pemda_zone

CHANNELS = ["web", "whatsapp", "telegram", "open311", "staff"]


def _spec(code: str, name_id: str, name_en: str, **kw: Any) -> IndicatorSpec:
    kw.setdefault("period_type", "day")
    kw.setdefault("category", "pengaduan")
    return IndicatorSpec(code=code, name_id=name_id, name_en=name_en, **kw)


INDICATORS = [
    _spec(
        "complaints.received",
        "Aduan diterima",
        "Reports received",
        aggregation="sum",
        value_type="integer",
        unit="aduan",
        polarity=0,
        sort_order=200,
    ),
    *[
        _spec(
            f"complaints.received.{c}",
            f"Aduan diterima lewat {c}",
            f"Reports received via {c}",
            aggregation="sum",
            value_type="integer",
            unit="aduan",
            polarity=0,
            sort_order=201,
        )
        for c in CHANNELS
    ],
    _spec(
        "complaints.verified_3d_rate",
        "Aduan diverifikasi ≤ 3 hari kerja",
        "Verified within 3 working days",
        aggregation="ratio",
        value_type="percentage",
        unit="%",
        ratio_factor=100.0,
        decimals=1,
        sort_order=210,
    ),
    _spec(
        "complaints.resolved",
        "Aduan selesai",
        "Reports resolved",
        aggregation="sum",
        value_type="integer",
        unit="aduan",
        sort_order=220,
    ),
    _spec(
        "complaints.resolved_on_time_rate",
        "Aduan selesai tepat waktu",
        "Resolved within the deadline",
        aggregation="ratio",
        value_type="percentage",
        unit="%",
        ratio_factor=100.0,
        decimals=1,
        sort_order=230,
    ),
    _spec(
        "complaints.overdue_open",
        "Aduan terbuka lewat tenggat",
        "Open reports past their deadline",
        aggregation="last",
        value_type="integer",
        unit="aduan",
        polarity=-1,
        sort_order=240,
    ),
    _spec(
        "complaints.resolution_days_avg",
        "Rata-rata lama penyelesaian",
        "Average days to resolve",
        aggregation="average",
        value_type="number",
        unit="hari",
        polarity=-1,
        decimals=1,
        sort_order=250,
    ),
    _spec(
        "complaints.reopen_rate",
        "Aduan dibuka kembali",
        "Reopened after resolution",
        aggregation="ratio",
        value_type="percentage",
        unit="%",
        ratio_factor=100.0,
        polarity=-1,
        decimals=1,
        sort_order=260,
    ),
    _spec(
        "complaints.satisfaction",
        "Kepuasan pelapor",
        "Reporter satisfaction (1–5)",
        aggregation="average",
        value_type="number",
        unit="/5",
        decimals=2,
        sort_order=270,
    ),
]
CODES = {s.code for s in INDICATORS}


def _day(value: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> str | None:
    return value.astimezone(tz).strftime("%Y%m%d") if value else None


def dirty_pairs_for(complaint: Any) -> set[tuple[int, str]]:
    """(indicator id, day) pairs a change of this report may have moved: its intake and resolution days."""
    from balai.indicators.models import Indicator

    tz = pemda_zone()
    days = {
        d
        for d in (_day(complaint.received_at, tz), _day(complaint.resolved_at, tz), _day(dt.datetime.now(dt.UTC), tz))
        if d
    }
    ids = list(Indicator.objects.filter(code__in=CODES).values_list("id", flat=True))
    return {(i, d) for i in ids for d in days}


def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
    """Per day: a few grouped reads over the reports of the range, bucketed in Python by local day."""
    from balai.complaints.choices import OPEN_STATUSES
    from balai.complaints.models import Complaint

    days = sorted(p for p in periods if p.type is PeriodType.DAY)
    if not days:
        return
    tz = pemda_zone()
    start = dt.datetime.combine(days[0].start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(days[-1].end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    wanted = {p.id for p in days}
    sums: dict[tuple[str, int, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])

    def add(code: str, unit_id: int | None, day: str | None, value: float, num: float = 0.0, den: float = 0.0) -> None:
        if unit_id is None or day not in wanted:
            return
        bucket = sums[(code, unit_id, day)]
        bucket[0] += value
        bucket[1] += num
        bucket[2] += den

    received = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        "territory_id", "unit_id", "channel", "received_at", "verified_at", "first_response_due"
    )
    for territory_id, unit_id, channel, received_at, verified_at, first_due in received:
        where = territory_id or unit_id
        day = _day(received_at, tz)
        add("complaints.received", where, day, 1)
        add(f"complaints.received.{channel}", where, day, 1)
        on_time = 1.0 if verified_at and first_due and verified_at <= first_due else 0.0
        add("complaints.verified_3d_rate", where, day, 0, on_time, 1)

    resolved = Complaint.objects.filter(resolved_at__gte=start, resolved_at__lt=end).values_list(
        "unit_id", "territory_id", "received_at", "resolved_at", "resolution_due", "reopen_count", "rating"
    )
    for unit_id, territory_id, received_at, resolved_at, due, reopened, rating in resolved:
        if resolved_at is None:
            continue
        where = unit_id or territory_id
        day = _day(resolved_at, tz)
        add("complaints.resolved", where, day, 1)
        add("complaints.resolved_on_time_rate", where, day, 0, 1.0 if due and resolved_at <= due else 0.0, 1)
        add("complaints.resolution_days_avg", where, day, (resolved_at - received_at).total_seconds() / 86400, 0, 1)
        add("complaints.reopen_rate", where, day, 0, 1.0 if reopened else 0.0, 1)
        if rating:
            add("complaints.satisfaction", where, day, rating, 0, 1)

    # Overdue open reports: a snapshot of today only (the past cannot be reconstructed from current states).
    today = dt.datetime.now(tz).strftime("%Y%m%d")
    if today in wanted:
        now = dt.datetime.now(dt.UTC)
        for unit_id, territory_id in Complaint.objects.filter(
            status__in=list(OPEN_STATUSES), resolution_due__lt=now
        ).values_list("unit_id", "territory_id"):
            add("complaints.overdue_open", unit_id or territory_id, today, 1)

    for (code, unit_id, day), (value, num, den) in sums.items():
        if code not in codes:
            continue
        if code.endswith("_rate"):
            yield FactValue(code, unit_id, day, num * 100 / den if den else 0.0, num, den)
        elif code in ("complaints.resolution_days_avg", "complaints.satisfaction"):
            yield FactValue(code, unit_id, day, value / den if den else 0.0)
        else:
            yield FactValue(code, unit_id, day, value)


register("complaints", INDICATORS, compute)

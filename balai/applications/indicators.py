"""Online application indicators, daily per office (ARCHITECTURE §5).

Received counts on the day of submission, completed and completed-within-the-time-limit on the day the result
was issued, all at the office giving the service. Overdue is a snapshot of today: open applications on the
office's side (not those waiting for the applicant's revision) past their due time.
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

SOURCE = "applications"
RECEIVED = "applications.received"
COMPLETED = "applications.completed"
ON_TIME = "applications.completed_on_time_rate"
OVERDUE = "applications.overdue_open"


def _spec(code: str, name_id: str, name_en: str, **kw: Any) -> IndicatorSpec:
    kw.setdefault("period_type", "day")
    kw.setdefault("category", "pelayanan")
    return IndicatorSpec(code=code, name_id=name_id, name_en=name_en, **kw)


INDICATORS = [
    _spec(
        RECEIVED,
        "Permohonan online diterima",
        "Online applications received",
        aggregation="sum",
        value_type="integer",
        unit="permohonan",
        polarity=0,
        sort_order=400,
        public=True,
    ),
    _spec(
        COMPLETED,
        "Permohonan online selesai",
        "Online applications completed",
        aggregation="sum",
        value_type="integer",
        unit="permohonan",
        sort_order=410,
    ),
    _spec(
        ON_TIME,
        "Permohonan selesai tepat waktu",
        "Applications completed within the time limit",
        aggregation="ratio",
        value_type="percentage",
        unit="%",
        ratio_factor=100.0,
        decimals=1,
        sort_order=420,
        public=True,
        description_id="Bagian permohonan yang selesai pada periode itu dalam jangka waktu standar pelayanan.",
        description_en="Share of the applications completed in the period within the service's time limit.",
    ),
    _spec(
        OVERDUE,
        "Permohonan terbuka lewat jangka waktu",
        "Open applications past their time limit",
        aggregation="last",
        value_type="integer",
        unit="permohonan",
        polarity=-1,
        sort_order=430,
    ),
]
CODES = {s.code for s in INDICATORS}


def _day(value: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> str | None:
    return value.astimezone(tz).strftime("%Y%m%d") if value else None


def dirty_pairs_for(application: Any) -> set[tuple[int, str]]:
    """(indicator id, day) pairs a change of this application may have moved."""
    from balai.indicators.models import Indicator

    tz = pemda_zone()
    days = {
        d
        for d in (
            _day(application.submitted_at, tz),
            _day(application.completed_at, tz),
            _day(dt.datetime.now(dt.UTC), tz),
        )
        if d
    }
    ids = list(Indicator.objects.filter(code__in=CODES, is_active=True).values_list("id", flat=True))
    return {(i, d) for i in ids for d in days}


def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
    """Per day: one read of the submissions in the range, one of the completions, one of today's overdue."""
    from balai.applications.choices import SLA_RUNNING_STATUSES
    from balai.applications.models import Application

    days = sorted(p for p in periods if p.type is PeriodType.DAY)
    if not days:
        return
    tz = pemda_zone()
    start = dt.datetime.combine(days[0].start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(days[-1].end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    wanted = {p.id for p in days}
    wanted_codes = set(codes)
    sums: dict[tuple[str, int, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])

    def add(code: str, unit_id: int, day: str | None, value: float, num: float = 0.0, den: float = 0.0) -> None:
        if day not in wanted or code not in wanted_codes:
            return
        bucket = sums[(code, unit_id, day)]
        bucket[0] += value
        bucket[1] += num
        bucket[2] += den

    for unit_id, submitted_at in Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end).values_list(
        "unit_id", "submitted_at"
    ):
        add(RECEIVED, unit_id, _day(submitted_at, tz), 1)

    for unit_id, completed_at, due_at in Application.objects.filter(
        completed_at__gte=start, completed_at__lt=end
    ).values_list("unit_id", "completed_at", "due_at"):
        day = _day(completed_at, tz)
        add(COMPLETED, unit_id, day, 1)
        add(ON_TIME, unit_id, day, 0, 1.0 if completed_at and completed_at <= due_at else 0.0, 1)

    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(tz).strftime("%Y%m%d")
    if today in wanted and OVERDUE in wanted_codes:
        for (unit_id,) in Application.objects.filter(status__in=list(SLA_RUNNING_STATUSES), due_at__lt=now).values_list(
            "unit_id"
        ):
            add(OVERDUE, unit_id, today, 1)

    for (code, unit_id, day), (value, num, den) in sums.items():
        if code == ON_TIME:
            yield FactValue(code, unit_id, day, num * 100 / den if den else 0.0, num, den)
        else:
            yield FactValue(code, unit_id, day, value)


register(SOURCE, INDICATORS, compute)

"""Complaint indicators, computed daily from the reports (ARCHITECTURE §5).

A report counts once in a roll-up: intake numbers at the kelurahan it happened in (the territory),
handling numbers at the unit it was disposed to. Counting both at each would double the city total.

The issue's list, in order: reports received, by channel (``complaints.received.<channel>``) and by category
(``complaints.received.cat.<category code>``, one per category, declared from the data: see
:func:`sync_category_indicators`); verified within the first-response deadline (3 working days by default);
resolved; resolved within the deadline; open past the deadline; median days to resolve (calendar days, to
0.1 day; the working-day deadlines are what ``resolved_on_time_rate`` measures); reopen rate; satisfaction.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, transaction

from balai.core.periods import Period, PeriodType
from balai.indicators import distribution
from balai.indicators.registry import FactValue, IndicatorSpec, register
from balai.org.selectors import pemda_zone

SOURCE = "complaints"
CHANNELS = ["web", "whatsapp", "telegram", "open311", "staff"]
CATEGORY_PREFIX = "complaints.received.cat."
MEDIAN_DAYS = "complaints.resolution_days_median"
MEDIAN_DECIMALS = 1


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
        public=True,
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
        public=True,
    ),
    _spec(
        "complaints.resolved",
        "Aduan selesai",
        "Reports resolved",
        aggregation="sum",
        value_type="integer",
        unit="aduan",
        sort_order=220,
        public=True,
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
        public=True,
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
        MEDIAN_DAYS,
        "Median lama penyelesaian aduan (hari kalender)",
        "Median days to resolve (calendar days)",
        aggregation="median",
        value_type="number",
        unit="hari",
        polarity=-1,
        decimals=MEDIAN_DECIMALS,
        description_id=(
            "Separuh aduan yang selesai pada periode itu diselesaikan dalam waktu ini atau kurang: hari kalender "
            "dari diterima sampai selesai, dengan ketelitian 0,1 hari. Tenggat hari kerja diukur oleh 'Aduan "
            "selesai tepat waktu'."
        ),
        description_en=(
            "Half of the reports resolved in the period were resolved in this time or less: calendar days from "
            "receipt to resolution, to 0.1 day. The working-day deadlines are measured by 'Resolved within the "
            "deadline'."
        ),
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
        # Σ ratings / number of ratings: a roll-up is the mean of all ratings below, not a mean of daily means
        # (a day with one rating would weigh as much as a day with fifty).
        aggregation="ratio",
        ratio_factor=1.0,
        value_type="number",
        unit="/5",
        decimals=2,
        sort_order=270,
    ),
]
CODES = {s.code for s in INDICATORS}


def category_indicator_code(category_code: str) -> str:
    return f"{CATEGORY_PREFIX}{category_code}"


def category_specs() -> list[IndicatorSpec]:
    """One "reports received" indicator per report category, active or not: a deactivated category keeps
    its indicator and its history. Renaming a category renames its indicator at the next sync."""
    from balai.complaints.models import Category

    try:
        # A savepoint: on a partial migrate the table may not exist yet, and PostgreSQL would otherwise
        # abort the caller's transaction.
        with transaction.atomic():
            rows = list(Category.objects.order_by("sort_order", "code").values_list("code", "name_id", "name_en"))
    except DatabaseError:
        return []
    return [
        _spec(
            category_indicator_code(code),
            f"Aduan diterima: {name_id}",
            f"Reports received: {name_en}",
            aggregation="sum",
            value_type="integer",
            unit="aduan",
            polarity=0,
            sort_order=202,
        )
        for code, name_id, name_en in rows
    ]


def sync_category_indicators(*, actor: Any = None) -> int:
    """Mirror the report categories to their indicators now (call it after creating or renaming one).

    The nightly recompute does it too, so a category added without this call is counted from the next night.
    Returns the number of indicator rows created or changed.
    """
    from balai.indicators.services import indicators_sync

    return indicators_sync(actor=actor, sources=[SOURCE])


def _day(value: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> str | None:
    return value.astimezone(tz).strftime("%Y%m%d") if value else None


def _dirty_days(complaint: Any) -> set[str]:
    tz = pemda_zone()
    return {
        d
        for d in (_day(complaint.received_at, tz), _day(complaint.resolved_at, tz), _day(dt.datetime.now(dt.UTC), tz))
        if d
    }


def dirty_pairs_for(complaint: Any) -> set[tuple[int, str]]:
    """(indicator id, day) pairs a change of this report may have moved: its intake and resolution days."""
    from balai.indicators.models import Indicator

    days = _dirty_days(complaint)
    # Every declared complaint indicator, per-category ones included; retired rows keep their roll-ups as they are.
    ids = list(Indicator.objects.filter(source=SOURCE, is_active=True).values_list("id", flat=True))
    return {(i, d) for i in ids for d in days}


def mark_dirty(complaint: Any) -> None:
    """Mark :func:`dirty_pairs_for` dirty in one statement (:func:`mark_dirty_sql`), and wake the worker at
    commit."""
    from balai.indicators.services import drain_wake_on_commit

    sql, params = mark_dirty_sql(complaint)
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)
    drain_wake_on_commit()


def mark_dirty_sql(complaint: Any) -> tuple[str, list[Any]]:
    """The INSERT ... SELECT of the indicators that marks the report's days dirty (ON CONFLICT DO NOTHING).

    Every report filed and every staff action does this: reading the ids and then inserting some twenty
    DirtyPeriod rows through the ORM cost two statements and more CPU than the report itself (bench/). The
    caller wakes the worker at commit (balai.indicators.services.drain_wake_on_commit).
    """
    from balai.indicators.models import DirtyPeriod, Indicator

    days = sorted(_dirty_days(complaint))
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    picked = " UNION ALL ".join(["SELECT %s AS period"] * len(days))
    sql = (
        f"INSERT INTO {qn(DirtyPeriod._meta.db_table)} (indicator_id, period, created_at) "  # noqa: S608
        f"SELECT i.id, d.period, %s FROM {qn(Indicator._meta.db_table)} i, ({picked}) d "
        "WHERE i.source = %s AND i.is_active = %s ON CONFLICT DO NOTHING"
    )
    return sql, [now, *days, SOURCE, True]


def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
    """Per day: three reads over the reports of the range (received, resolved, open past the deadline), each
    one pass bucketed in Python by local day, plus the category codes."""
    from balai.complaints.choices import OPEN_STATUSES
    from balai.complaints.models import Category, Complaint

    days = sorted(p for p in periods if p.type is PeriodType.DAY)
    if not days:
        return
    tz = pemda_zone()
    start = dt.datetime.combine(days[0].start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(days[-1].end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    wanted = {p.id for p in days}
    wanted_codes = set(codes)
    sums: dict[tuple[str, int, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    hists: dict[tuple[str, int, str], distribution.Histogram] = defaultdict(dict)

    def add(code: str, unit_id: int | None, day: str | None, value: float, num: float = 0.0, den: float = 0.0) -> None:
        if unit_id is None or day not in wanted or code not in wanted_codes:
            return
        bucket = sums[(code, unit_id, day)]
        bucket[0] += value
        bucket[1] += num
        bucket[2] += den

    category_codes = {pk: category_indicator_code(code) for pk, code in Category.objects.values_list("id", "code")}
    received = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        "territory_id", "unit_id", "channel", "category_id", "received_at", "verified_at", "first_response_due"
    )
    for territory_id, unit_id, channel, category_id, received_at, verified_at, first_due in received:
        where = territory_id or unit_id
        day = _day(received_at, tz)
        add("complaints.received", where, day, 1)
        add(f"complaints.received.{channel}", where, day, 1)
        add(category_codes.get(category_id, ""), where, day, 1)
        on_time = 1.0 if verified_at and first_due and verified_at <= first_due else 0.0
        add("complaints.verified_3d_rate", where, day, 0, on_time, 1)

    want_median = MEDIAN_DAYS in wanted_codes
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
        if want_median and where is not None and day in wanted:
            days_taken = max(0.0, (resolved_at - received_at).total_seconds() / 86400)
            distribution.add(hists[(MEDIAN_DAYS, where, day)], days_taken, MEDIAN_DECIMALS)
        add("complaints.reopen_rate", where, day, 0, 1.0 if reopened else 0.0, 1)
        if rating:
            add("complaints.satisfaction", where, day, rating, 0, 1)

    # Overdue open reports: a snapshot of today only (the past cannot be reconstructed from current states).
    today = dt.datetime.now(tz).strftime("%Y%m%d")
    if today in wanted and "complaints.overdue_open" in wanted_codes:
        now = dt.datetime.now(dt.UTC)
        for unit_id, territory_id in Complaint.objects.filter(
            status__in=list(OPEN_STATUSES), resolution_due__lt=now
        ).values_list("unit_id", "territory_id"):
            add("complaints.overdue_open", unit_id or territory_id, today, 1)

    for (code, unit_id, day), (value, num, den) in sums.items():
        if code.endswith("_rate"):
            yield FactValue(code, unit_id, day, num * 100 / den if den else 0.0, num, den)
        elif code == "complaints.satisfaction":
            yield FactValue(code, unit_id, day, value / den if den else 0.0, value, den)
        else:
            yield FactValue(code, unit_id, day, value)
    for (code, unit_id, day), hist in hists.items():
        # The engine stores the histogram and derives the value from it; these numbers are the same.
        yield FactValue(
            code, unit_id, day, distribution.median(hist) or 0.0, None, distribution.total(hist), distribution=hist
        )


register(SOURCE, INDICATORS, compute, dynamic=category_specs)

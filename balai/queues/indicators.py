"""Visit indicators (the e-kelurahan count), computed per day from the service events.

What counts as a visit: a citizen served *at the office*, from the queue (a ticket finished) or logged in the
clerk's logbook (walk-in). Online applications completed are counted by the applications module; adding them
here would count one citizen twice in a roll-up that also sums the applications indicators. The visit is
counted at the office where it happened (``ServiceEvent.unit``: the kelurahan, kecamatan or MPP), so the
city total is the sum of the offices.

``kelurahan.visits`` (declared by the indicators app) stays for offices that report visits from another app
(a guest-book app through the import API); ``services.visits`` is what Balai counts itself.

Average wait and service time are ratios of sums (total minutes / visits with a time), so a month or a
kecamatan is the mean over all its visits, not a mean of daily means. Walk-ins have no wait time and count
only in the service time when the clerk entered one.

Per service: one ``services.visits.svc.<service code>`` indicator per service code given at an office (served
by a counter, or a service of a kelurahan/kecamatan), declared from the catalogue; the same code at twenty
kelurahan is one indicator with twenty units, so "surat keterangan domisili issued city-wide" rolls up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from balai.core.periods import Period, PeriodType
from balai.indicators.registry import FactValue, IndicatorSpec, register
from balai.org.choices import UnitKind
from balai.org.selectors import pemda_zone
from balai.publicservices.choices import EventKind

SOURCE = "queues"
VISITS = "services.visits"
VISITS_QUEUE = "services.visits.queue"
VISITS_WALK_IN = "services.visits.walk_in"
WAIT = "services.wait_minutes"
SERVICE_TIME = "services.service_minutes"
SERVICE_PREFIX = "services.visits.svc."
OFFICE_KINDS = (UnitKind.KELURAHAN, UnitKind.DESA, UnitKind.KECAMATAN)


def _spec(code: str, name_id: str, name_en: str, **kw: Any) -> IndicatorSpec:
    kw.setdefault("period_type", "day")
    kw.setdefault("category", "pelayanan")
    return IndicatorSpec(code=code, name_id=name_id, name_en=name_en, **kw)


def _count(code: str, name_id: str, name_en: str, order: int, **kw: Any) -> IndicatorSpec:
    return _spec(
        code,
        name_id,
        name_en,
        aggregation="sum",
        value_type="integer",
        unit="orang",
        polarity=0,
        sort_order=order,
        **kw,
    )


def _minutes(code: str, name_id: str, name_en: str, order: int, **kw: Any) -> IndicatorSpec:
    return _spec(
        code,
        name_id,
        name_en,
        aggregation="ratio",
        ratio_factor=1.0,
        value_type="number",
        unit="menit",
        polarity=-1,
        decimals=1,
        sort_order=order,
        **kw,
    )


INDICATORS = [
    _count(
        VISITS,
        "Warga dilayani di kantor",
        "Citizens served at the office",
        300,
        description_id="Warga yang dilayani di loket kantor kelurahan, kecamatan atau MPP: dari antrean dan buku tamu.",
        description_en="Citizens served at the counters of a kelurahan, kecamatan or MPP office: queue and logbook.",
        public=True,
    ),
    _count(VISITS_QUEUE, "Warga dilayani dari antrean", "Served from the queue", 301),
    _count(VISITS_WALK_IN, "Warga dilayani tanpa nomor antrean (buku tamu)", "Walk-ins (logbook)", 302),
    _minutes(
        WAIT,
        "Rata-rata waktu tunggu",
        "Average wait",
        310,
        description_id="Dari mengambil nomor sampai dipanggil pertama kali, rata-rata semua warga yang dilayani.",
        description_en="From taking a number to the first call, averaged over every citizen served.",
        public=True,
    ),
    _minutes(
        SERVICE_TIME,
        "Rata-rata waktu pelayanan",
        "Average service time",
        311,
        description_id="Dari mulai dilayani di loket sampai selesai.",
        description_en="From the start of service at the counter to its end.",
    ),
]
CODES = {s.code for s in INDICATORS}


def service_indicator_code(service_code: str) -> str:
    return f"{SERVICE_PREFIX}{service_code}"


def service_specs() -> list[IndicatorSpec]:
    """One visits indicator per code of a service given at an office (first name seen for the code)."""
    from balai.publicservices.models import Service

    try:
        with transaction.atomic():  # a savepoint: the table may not exist yet during a partial migrate
            rows = list(
                Service.objects.filter(Q(counters__isnull=False) | Q(unit__kind__in=OFFICE_KINDS))
                .order_by("code", "pk")
                .values_list("code", "name_id", "name_en")
                .distinct()
            )
    except DatabaseError:
        return []
    names: dict[str, tuple[str, str]] = {}
    for code, name_id, name_en in rows:
        names.setdefault(code, (name_id, name_en or name_id))
    return [
        _count(service_indicator_code(code), f"Warga dilayani: {name_id}", f"Citizens served: {name_en}", 305)
        for code, (name_id, name_en) in names.items()
    ]


def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
    """One grouped query over the range: events per office, local day, kind and service code."""
    from balai.publicservices.models import ServiceEvent

    days = sorted(p for p in periods if p.type is PeriodType.DAY)
    if not days:
        return
    tz = pemda_zone()
    start = dt.datetime.combine(days[0].start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(days[-1].end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    wanted_days = {p.id for p in days}
    wanted = set(codes)
    rows = (
        ServiceEvent.objects.filter(
            kind__in=[EventKind.QUEUE, EventKind.WALK_IN], occurred_at__gte=start, occurred_at__lt=end
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("unit_id", "day", "kind", "service__code")
        .annotate(
            n=Count("pk"),
            wait_sum=Sum("wait_seconds"),
            wait_n=Count("wait_seconds"),
            svc_sum=Sum("service_seconds"),
            svc_n=Count("service_seconds"),
        )
        .order_by()
    )
    counts: dict[tuple[str, int, str], float] = defaultdict(float)
    ratios: dict[tuple[str, int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in rows:
        day = row["day"].strftime("%Y%m%d")
        if day not in wanted_days:
            continue
        unit_id = row["unit_id"]
        n = row["n"]
        for code in (
            VISITS,
            VISITS_QUEUE if row["kind"] == EventKind.QUEUE else VISITS_WALK_IN,
            service_indicator_code(row["service__code"]),
        ):
            if code in wanted:
                counts[(code, unit_id, day)] += n
        for code, total, num in ((WAIT, row["wait_sum"], row["wait_n"]), (SERVICE_TIME, row["svc_sum"], row["svc_n"])):
            if code in wanted and num:
                bucket = ratios[(code, unit_id, day)]
                bucket[0] += (total or 0) / 60
                bucket[1] += num
    for (code, unit_id, day), value in counts.items():
        yield FactValue(code, unit_id, day, value)
    for (code, unit_id, day), (minutes, visits) in ratios.items():
        yield FactValue(code, unit_id, day, minutes / visits, minutes, visits)


register(SOURCE, INDICATORS, compute, dynamic=service_specs)

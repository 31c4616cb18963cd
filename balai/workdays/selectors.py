"""The read path of the working-day calendar and the working-day arithmetic deadlines are built on.

Rules (ARCHITECTURE §3.7, DOMAIN §7, Perpres 21/2023):

* Working days are Monday to Friday that are not a holiday of the Pemda (national holiday, cuti
  bersama or regional holiday, all stored in :class:`~balai.workdays.models.Holiday`).
* Time is the Pemda's local time (``pemda.time_zone``: WIB, WITA or WIT, none of which has daylight
  saving time, so a local wall-clock time maps to exactly one instant).
* Office hours default to Perpres 21/2023: from 07:30, until 16:00 Monday–Thursday and 16:30 Friday
  (37.5 hours a week with a 60-minute break Mon–Thu and 90 minutes on Friday). A Perwali may set
  other hours: pass :class:`OfficeHours`. Ramadan hours are not applied: a deadline falls at the
  ordinary closing time, which is the later, citizen-friendly choice.

Deadlines (:func:`working_days_add`): a report is *received* on its intake day, the day it arrives
if that is a working day and it arrives before closing time; otherwise the next working day (so a
report sent on Saturday, on a holiday or at 17:00 is received the next working morning). The
deadline for N working days is closing time on the N-th working day after the intake day.
Example: received Monday 10:00, 1 working day → Tuesday 16:00; received Saturday → intake Monday →
Tuesday 16:00 as well; received Monday 16:30 → intake Tuesday → Wednesday 16:00.

Each process keeps the Pemda's holiday dates in memory and checks them at every computation with one
small query (how many holidays the Pemda has and when one last changed, see :func:`holiday_dates`): a
holiday set or removed by any process moves the next deadline at once, and no computation queries per day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from balai.core.localcache import StampedCache, table_stamp
from balai.org.models import OrgUnit
from balai.workdays.models import Holiday

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class OfficeHours:
    """Opening time and closing time per weekday, Monday (index 0) to Friday (index 4).

    Only the closing time moves a deadline: a report that arrives before opening is received that
    same day. ``opens`` is kept for the attendance and queue modules that share these hours.
    """

    opens: dt.time = dt.time(7, 30)
    closes: tuple[dt.time, dt.time, dt.time, dt.time, dt.time] = field(
        default=(dt.time(16, 0), dt.time(16, 0), dt.time(16, 0), dt.time(16, 0), dt.time(16, 30))
    )

    def closing(self, day: dt.date) -> dt.time:
        return self.closes[day.weekday()]


PERPRES_21_2023 = OfficeHours()


# ------------------------------------------------------------------------------------------ reads
def pemda_of(unit: OrgUnit) -> OrgUnit:
    """The Pemda (root unit) whose calendar applies to ``unit``: a kelurahan keeps its city's holidays."""
    if unit.parent_id is None:
        return unit
    from balai.org.selectors import pemda_root

    root = pemda_root()  # one small read, kept per process: the usual case of a server with one Pemda
    if root is not None and root.path == unit.root_path:
        return root
    return OrgUnit.objects.get(path=unit.root_path)


def holidays_of(pemda: OrgUnit, year: int) -> QuerySet[Holiday]:
    # A date range, not date__year, so the (pemda, date) unique index serves it on every database.
    return Holiday.objects.filter(pemda=pemda, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))


def pemda_zone(pemda: OrgUnit) -> ZoneInfo:
    return ZoneInfo(pemda.time_zone or settings.TIME_ZONE)


# ------------------------------------------------------------------------------- working days
def _check_pemda(pemda: OrgUnit) -> None:
    # A kelurahan has no holidays of its own: silently counting on it would ignore every holiday.
    if not isinstance(pemda, OrgUnit) or pemda.parent_id is not None:
        raise ValueError("pemda must be the Pemda root unit; use pemda_of(unit) to find it")


def _local_date(pemda: OrgUnit, value: dt.date, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return _aware(value, name).astimezone(pemda_zone(pemda)).date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"{name} must be a date or an aware datetime, got {type(value).__name__}")


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone), got naive {value.isoformat()}")
    return value


def _holiday_stamp(pemda_id: Any) -> tuple[Any, ...]:
    """How many holidays the Pemda has, the newest one and when one last changed: every write of the calendar
    goes through save() or delete() (services.py), so any change of a day, a name or a kind moves one of them."""
    return table_stamp(Holiday, "pemda_id = %s", [pemda_id])


def _holiday_load(pemda_id: Any) -> frozenset[dt.date]:
    return frozenset(Holiday.objects.filter(pemda_id=pemda_id).values_list("date", flat=True))


# Per process, per Pemda id: all its holiday dates. See balai.core.localcache.
_holiday_cache: StampedCache[frozenset[dt.date]] = StampedCache(
    "workdays.holidays", _holiday_stamp, _holiday_load, models=(Holiday,)
)


def holiday_dates(pemda: OrgUnit) -> frozenset[dt.date]:
    """Every holiday date of the Pemda, all years (a few dozen a year).

    Deadlines are computed at every report filed: the dates are kept per process and re-validated by
    :func:`_holiday_stamp` (at most every ``BALAI_LOCAL_CACHE_SECONDS``), instead of reading date ranges each time.
    """
    return _holiday_cache.get(pemda.pk, frozenset())


def is_working_day(pemda: OrgUnit, day: dt.date) -> bool:
    """Is ``day`` (a date, or an aware datetime taken in the Pemda's time zone) a working day?"""
    _check_pemda(pemda)
    day = _local_date(pemda, day, "day")
    if day.weekday() >= 5:
        return False
    return day not in holiday_dates(pemda)


def working_days_add(
    pemda: OrgUnit, start: dt.datetime, days: int, *, hours: OfficeHours = PERPRES_21_2023
) -> dt.datetime:
    """The deadline ``days`` working days after ``start``: closing time of that day, in the Pemda's zone.

    ``days=0`` gives the close of the intake day itself. See the module docstring for the rules.
    """
    return working_days_add_each(pemda, start, [days], hours=hours)[0]


def working_days_add_each(
    pemda: OrgUnit, start: dt.datetime, days: Sequence[int], *, hours: OfficeHours = PERPRES_21_2023
) -> list[dt.datetime]:
    """:func:`working_days_add` for several numbers of days from one start (a report's first-response and
    resolution deadlines), reading the calendar once."""
    _check_pemda(pemda)
    if not isinstance(start, dt.datetime):
        raise ValueError(f"start must be an aware datetime, got {type(start).__name__}")
    _aware(start, "start")
    days = list(days)
    for n in days:
        if isinstance(n, bool) or not isinstance(n, int):
            raise ValueError(f"days must be a whole number of working days, got {n!r}")
        if n < 0:
            raise ValueError(f"days must be zero or more, got {n}")
    zone = pemda_zone(pemda)
    local = start.astimezone(zone)
    holidays = holiday_dates(pemda)

    def working(day: dt.date) -> bool:
        return day.weekday() < 5 and day not in holidays

    intake = local.date()
    if not (working(intake) and local.time() < hours.closing(intake)):
        intake += _DAY
        while not working(intake):
            intake += _DAY
    deadlines = []
    for n in days:
        day, counted = intake, 0
        while counted < n:
            day += _DAY
            if working(day):
                counted += 1
        deadlines.append(dt.datetime.combine(day, hours.closing(day), tzinfo=zone))
    return deadlines


def working_days_between(pemda: OrgUnit, start: dt.date, end: dt.date) -> int:
    """Working days after ``start``'s date up to and including ``end``'s date; negative when end < start.

    Dates or aware datetimes (taken in the Pemda's zone); the time of day is ignored. So it is
    antisymmetric (``between(a, b) == -between(b, a)``), ``between(a, a) == 0``, and for a start
    received on a working day within office hours ``between(start, working_days_add(start, n)) == n``.
    """
    _check_pemda(pemda)
    first = _local_date(pemda, start, "start")
    last = _local_date(pemda, end, "end")
    if last < first:
        return -working_days_between(pemda, last, first)
    if last == first:
        return 0
    holidays = [h for h in holiday_dates(pemda) if first < h <= last]
    span = (last - first).days
    # Whole weeks hold five weekdays each; only the remainder is walked day by day.
    weeks, rest = divmod(span, 7)
    weekdays = weeks * 5
    day = first + dt.timedelta(days=weeks * 7)
    for _ in range(rest):
        day += _DAY
        if day.weekday() < 5:
            weekdays += 1
    return weekdays - sum(1 for h in holidays if h.weekday() < 5)

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

Each computation reads the Pemda's holidays of the date range it needs in one query; it never
queries per day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from balai.org.models import OrgUnit
from balai.workdays.models import Holiday

_DAY = dt.timedelta(days=1)
# How many calendar days past the need to read when a window must grow (rare: very long deadlines).
_EXTEND_DAYS = 62


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


class _HolidayWindow:
    """The Pemda's holidays from ``first`` onwards, read by date range and grown forward on demand."""

    def __init__(self, pemda: OrgUnit, first: dt.date, last: dt.date) -> None:
        self.pemda_id = pemda.pk
        self.first = first
        self.last = first - _DAY
        self.days: set[dt.date] = set()
        self._read_until(last)

    def _read_until(self, until: dt.date) -> None:
        self.days.update(
            Holiday.objects.filter(pemda_id=self.pemda_id, date__gt=self.last, date__lte=until).values_list(
                "date", flat=True
            )
        )
        self.last = until

    def is_working_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return False
        if day > self.last:
            self._read_until(day + dt.timedelta(days=_EXTEND_DAYS))
        return day not in self.days


def is_working_day(pemda: OrgUnit, day: dt.date) -> bool:
    """Is ``day`` (a date, or an aware datetime taken in the Pemda's time zone) a working day?"""
    _check_pemda(pemda)
    day = _local_date(pemda, day, "day")
    if day.weekday() >= 5:
        return False
    return not Holiday.objects.filter(pemda_id=pemda.pk, date=day).exists()


def working_days_add(
    pemda: OrgUnit, start: dt.datetime, days: int, *, hours: OfficeHours = PERPRES_21_2023
) -> dt.datetime:
    """The deadline ``days`` working days after ``start``: closing time of that day, in the Pemda's zone.

    ``days=0`` gives the close of the intake day itself. See the module docstring for the rules.
    """
    _check_pemda(pemda)
    if not isinstance(start, dt.datetime):
        raise ValueError(f"start must be an aware datetime, got {type(start).__name__}")
    _aware(start, "start")
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValueError(f"days must be a whole number of working days, got {days!r}")
    if days < 0:
        raise ValueError(f"days must be zero or more, got {days}")
    zone = pemda_zone(pemda)
    local = start.astimezone(zone)
    # Five working days a week, plus room for the longest holiday stretch (Lebaran: about a week).
    window = _HolidayWindow(pemda, local.date(), local.date() + dt.timedelta(days=days * 7 // 5 + 21))
    day = local.date()
    if not (window.is_working_day(day) and local.time() < hours.closing(day)):
        day += _DAY
        while not window.is_working_day(day):
            day += _DAY
    counted = 0
    while counted < days:
        day += _DAY
        if window.is_working_day(day):
            counted += 1
    return dt.datetime.combine(day, hours.closing(day), tzinfo=zone)


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
    holidays = set(
        Holiday.objects.filter(pemda_id=pemda.pk, date__gt=first, date__lte=last).values_list("date", flat=True)
    )
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

"""A small, fixed calendar for the demo: Indonesian national holidays, cuti bersama and Ramadan.

Source: the SKB 3 Menteri on national holidays and joint leave for 2024, 2025 and 2026; 2027 is an
estimate from the Hijri calendar until its SKB is signed. This is demo data only: the Pemda's real
working-day calendar (used for SLA deadlines) is master data kept in the database, not this table.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

_HOLIDAYS: dict[int, list[str]] = {
    2024: [
        "01-01",
        "02-08",
        "02-09",
        "02-10",
        "02-14",
        "03-11",
        "03-12",
        "03-29",
        "03-31",
        "04-08",
        "04-09",
        "04-10",
        "04-11",
        "04-12",
        "04-15",
        "05-01",
        "05-09",
        "05-10",
        "05-23",
        "05-24",
        "06-01",
        "06-17",
        "06-18",
        "07-07",
        "08-17",
        "09-16",
        "12-25",
        "12-26",
    ],
    2025: [
        "01-01",
        "01-27",
        "01-28",
        "01-29",
        "03-28",
        "03-29",
        "03-31",
        "04-01",
        "04-02",
        "04-03",
        "04-04",
        "04-07",
        "04-18",
        "04-20",
        "05-01",
        "05-12",
        "05-13",
        "05-29",
        "05-30",
        "06-01",
        "06-06",
        "06-09",
        "06-27",
        "08-17",
        "08-18",
        "09-05",
        "12-25",
        "12-26",
    ],
    2026: [
        "01-01",
        "01-16",
        "02-16",
        "02-17",
        "03-18",
        "03-19",
        "03-20",
        "03-21",
        "03-22",
        "03-23",
        "03-24",
        "04-03",
        "04-05",
        "05-01",
        "05-14",
        "05-15",
        "05-27",
        "05-28",
        "05-31",
        "06-01",
        "06-16",
        "08-17",
        "08-25",
        "12-24",
        "12-25",
    ],
    # Estimated (Hijri dates shift by about 11 days a year); replace when the 2027 SKB is signed.
    2027: [
        "01-01",
        "01-05",
        "02-06",
        "03-09",
        "03-10",
        "03-11",
        "03-12",
        "03-15",
        "03-26",
        "03-28",
        "05-01",
        "05-06",
        "05-17",
        "05-20",
        "06-01",
        "06-06",
        "08-14",
        "08-17",
        "12-24",
        "12-25",
    ],
}

# First and last day of Ramadan (the month of fasting); Idul Fitri is the day after the last.
_RAMADAN: dict[int, tuple[str, str]] = {
    2024: ("03-12", "04-09"),
    2025: ("03-01", "03-30"),
    2026: ("02-19", "03-20"),
    2027: ("02-08", "03-09"),
}

# Fixed-date holidays, for years outside the table.
_FIXED = ["01-01", "05-01", "06-01", "08-17", "12-25"]


def _day(year: int, month_day: str) -> dt.date:
    month, day = month_day.split("-")
    return dt.date(year, int(month), int(day))


@lru_cache(maxsize=16)
def holidays(year: int) -> frozenset[dt.date]:
    return frozenset(_day(year, md) for md in _HOLIDAYS.get(year, _FIXED))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a national holiday or cuti bersama (Perpres 21/2023 working week)."""
    return day.weekday() < 5 and day not in holidays(day.year)


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def is_ramadan(day: dt.date) -> bool:
    span = _RAMADAN.get(day.year)
    if span is None:
        return False
    return _day(day.year, span[0]) <= day <= _day(day.year, span[1])


def lebaran_day(year: int) -> dt.date | None:
    """Idul Fitri (1 Syawal), the day after Ramadan ends."""
    span = _RAMADAN.get(year)
    return _day(year, span[1]) + dt.timedelta(days=1) if span else None


def lebaran_month(year: int) -> int | None:
    """The month of Idul Fitri: offices empty out around it (mudik), so attendance dips."""
    day = lebaran_day(year)
    return day.month if day else None

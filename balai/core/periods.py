"""Periods, spelled as DHIS2 spells them: 20260102, 2026W01, 202601, 2026Q1, 2026S1, 2026.

One spelling everywhere (facts, targets, URLs, imports) so a period id can be compared, sorted
within its type and passed between systems without translation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.utils.translation import gettext as _


class PeriodType(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    SEMESTER = "semester"
    YEAR = "year"


# Finest first: a coarser type contains whole periods of every finer calendar type except weeks,
# which straddle months (a week belongs to the month, quarter and year of its Thursday, as ISO does).
ORDER = [PeriodType.DAY, PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER, PeriodType.SEMESTER, PeriodType.YEAR]

MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
ROMAN = ["I", "II", "III", "IV"]

_PATTERNS = [
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), PeriodType.DAY),
    (re.compile(r"^(\d{4})W(\d{1,2})$"), PeriodType.WEEK),
    (re.compile(r"^(\d{4})(\d{2})$"), PeriodType.MONTH),
    (re.compile(r"^(\d{4})Q([1-4])$"), PeriodType.QUARTER),
    (re.compile(r"^(\d{4})S([12])$"), PeriodType.SEMESTER),
    (re.compile(r"^(\d{4})$"), PeriodType.YEAR),
]


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    type: PeriodType
    id: str

    @classmethod
    def parse(cls, value: str) -> Period:
        return _parse(str(value).strip())

    @classmethod
    def containing(cls, day: dt.date, ptype: PeriodType) -> Period:
        if ptype is PeriodType.DAY:
            return _parse(day.strftime("%Y%m%d"))
        if ptype is PeriodType.WEEK:
            year, week, _wd = day.isocalendar()
            return _parse(f"{year}W{week:02d}")
        if ptype is PeriodType.MONTH:
            return _parse(f"{day.year}{day.month:02d}")
        if ptype is PeriodType.QUARTER:
            return _parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")
        if ptype is PeriodType.SEMESTER:
            return _parse(f"{day.year}S{1 if day.month <= 6 else 2}")
        return _parse(str(day.year))

    def anchor(self) -> dt.date:
        """The day that decides which coarser periods this one belongs to (ISO: a week's Thursday)."""
        if self.type is PeriodType.WEEK:
            return self.start + dt.timedelta(days=3)
        return self.start

    def parents(self) -> list[Period]:
        """The coarser periods that aggregate this one."""
        idx = ORDER.index(self.type)
        out = []
        for ptype in ORDER[idx + 1 :]:
            if ptype is PeriodType.WEEK:
                continue
            out.append(Period.containing(self.anchor(), ptype))
        if self.type is PeriodType.DAY:
            out.insert(0, Period.containing(self.start, PeriodType.WEEK))
        return out

    def previous(self, n: int = 1) -> Period:
        p = self
        for _i in range(n):
            p = Period.containing(p.start - dt.timedelta(days=1), p.type)
        return p

    def next(self) -> Period:
        return Period.containing(self.end + dt.timedelta(days=1), self.type)

    def series(self, count: int) -> list[Period]:
        """`count` consecutive periods ending with this one, oldest first."""
        out = [self]
        while len(out) < count:
            out.append(out[-1].previous())
        return list(reversed(out))

    def label(self, lang: str = "id") -> str:
        months = MONTHS_ID if lang.startswith("id") else MONTHS_EN
        y = self.start.year
        if self.type is PeriodType.DAY:
            if lang.startswith("id"):
                return f"{DAYS_ID[self.start.weekday()]}, {self.start.day} {months[self.start.month - 1]} {y}"
            return f"{self.start.strftime('%A')}, {self.start.day} {months[self.start.month - 1]} {y}"
        if self.type is PeriodType.WEEK:
            return _("Week %(week)s %(year)s") % {"week": self.id[5:], "year": self.id[:4]}
        if self.type is PeriodType.MONTH:
            return f"{months[self.start.month - 1]} {y}"
        if self.type is PeriodType.QUARTER:
            return _("Quarter %(q)s %(year)s") % {"q": ROMAN[int(self.id[-1]) - 1], "year": y}
        if self.type is PeriodType.SEMESTER:
            return _("Semester %(s)s %(year)s") % {"s": ROMAN[int(self.id[-1]) - 1], "year": y}
        return str(y)

    def __str__(self) -> str:
        return self.id


@lru_cache(maxsize=20000)
def _parse(value: str) -> Period:
    for pattern, ptype in _PATTERNS:
        m = pattern.match(value)
        if not m:
            continue
        try:
            return _build(ptype, m.groups(), value)
        except ValueError as exc:
            raise InvalidPeriod(
                _("Period %(value)s does not exist (%(reason)s)") % {"value": value, "reason": exc}
            ) from exc
    raise InvalidPeriod(
        _("Period %(value)s is not a DHIS2 period id (examples: 20260102, 2026W01, 202601, 2026Q1, 2026S1, 2026)")
        % {"value": value}
    )


def _build(ptype: PeriodType, groups: tuple[str, ...], value: str) -> Period:
    year = int(groups[0])
    if not 1900 <= year <= 2200:
        raise ValueError(f"year {year}")
    if ptype is PeriodType.DAY:
        d = dt.date(year, int(groups[1]), int(groups[2]))
        return Period(d, d, ptype, value)
    if ptype is PeriodType.WEEK:
        week = int(groups[1])
        start = dt.date.fromisocalendar(year, week, 1)
        return Period(start, start + dt.timedelta(days=6), ptype, f"{year}W{week:02d}")
    if ptype is PeriodType.MONTH:
        month = int(groups[1])
        start = dt.date(year, month, 1)
        return Period(start, _month_end(year, month), ptype, value)
    if ptype is PeriodType.QUARTER:
        q = int(groups[1])
        return Period(dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), ptype, value)
    if ptype is PeriodType.SEMESTER:
        s = int(groups[1])
        return Period(dt.date(year, 6 * s - 5, 1), _month_end(year, 6 * s), ptype, value)
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), ptype, value)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def is_coarser_or_equal(candidate: PeriodType, base: PeriodType) -> bool:
    if candidate is PeriodType.WEEK:
        return base in {PeriodType.DAY, PeriodType.WEEK}
    if base is PeriodType.WEEK:
        return candidate is not PeriodType.DAY  # weeks roll up into the month/quarter/year of their Thursday
    return ORDER.index(candidate) >= ORDER.index(base)

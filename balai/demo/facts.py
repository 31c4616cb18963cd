"""A year of synthetic Facts for the external foundation indicators, with Indonesian seasonality.

Rows are DHIS2 data values (``dataElement, period, orgUnit, value[, numerator, denominator]``) so
they go in through ``facts_import`` exactly as an agency app would send them. Each indicator draws
from its own seeded random source, so changing one generator leaves the others' numbers unchanged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from balai.core.periods import Period, PeriodType
from balai.demo import holidays

POPULATION = 285_546  # Kota Banjarbaru, Dukcapil, December 2024 (DOMAIN.md)
# Share of the year's budget spent by the end of each month: slow start, the year-end rush in December.
BUDGET_CURVE = [0.03, 0.08, 0.14, 0.21, 0.28, 0.37, 0.45, 0.53, 0.62, 0.70, 0.79, 0.95]
Row = dict[str, Any]


@dataclass(frozen=True)
class Window:
    """The 12 months up to and including the current one; daily data stops today."""

    today: dt.date
    months: list[Period]

    @classmethod
    def ending(cls, today: dt.date) -> Window:
        return cls(today, Period.containing(today, PeriodType.MONTH).series(12))

    @property
    def start(self) -> dt.date:
        return self.months[0].start

    def elapsed(self, month: Period) -> tuple[dt.date, float]:
        """Last day with data in the month, and the fraction of the month that has passed."""
        if month.end < self.today:
            return month.end, 1.0
        days = calendar.monthrange(month.start.year, month.start.month)[1]
        return self.today, self.today.day / days


def _rng(seed: int, name: str) -> random.Random:
    return random.Random(f"{seed}:{name}")


def presence_rows(seed: int, window: Window, headcount: dict[str, int]) -> list[Row]:
    """Monthly attendance per office: present person-days over working person-days."""
    rng = _rng(seed, "presence")
    rows = []
    for code in sorted(headcount):
        people = headcount[code]
        if people <= 0:
            continue
        base = rng.uniform(0.925, 0.985)
        for month in window.months:
            last_day, _fraction = window.elapsed(month)
            working = len(holidays.working_days(month.start, last_day))
            if not working:
                continue
            rate = base + rng.uniform(-0.008, 0.008)
            if month.start.month == holidays.lebaran_month(month.start.year):
                rate -= 0.025  # absences stretch the Lebaran leave (mudik)
            elif month.start.month == 12:
                rate -= 0.012  # year-end leave
            rate = min(0.995, max(0.8, rate))
            denominator = people * working
            numerator = round(denominator * rate)
            rows.append(
                {
                    "dataElement": "attendance.presence_rate",
                    "period": month.id,
                    "orgUnit": code,
                    "value": round(numerator / denominator * 100, 1),
                    "numerator": numerator,
                    "denominator": denominator,
                }
            )
    return rows


def population_rows(seed: int, window: Window, kelurahan: list[str], scale: int) -> list[Row]:
    """Residents per kelurahan at each month's end; the latest month adds up to the city's total exactly."""
    rng = _rng(seed, "population")
    total = POPULATION * scale
    weights = [rng.uniform(0.5, 1.7) for _k in kelurahan]
    latest = apportion(total, weights)
    growth = [rng.uniform(0.0005, 0.0025) for _k in kelurahan]  # per month; the urban fringe grows fastest
    rows = []
    last = len(window.months) - 1
    for m, month in enumerate(window.months):
        for code, now, g in zip(kelurahan, latest, growth, strict=True):
            value = now if m == last else round(now * (1 - g * (last - m)))
            rows.append({"dataElement": "population.residents", "period": month.id, "orgUnit": code, "value": value})
    return rows


def visit_rows(seed: int, window: Window, kelurahan: list[str], scale: int) -> list[Row]:
    """Residents served per working day at each kelurahan office (20–30 on an ordinary day)."""
    rng = _rng(seed, "visits")
    days = holidays.working_days(window.start, window.today)
    after_lebaran = {d for d in days if _within_two_weeks_after_lebaran(d)}
    rows = []
    for code in kelurahan:
        base = rng.uniform(21, 29)
        for day in days:
            factor = rng.uniform(0.85, 1.15)
            if holidays.is_ramadan(day):
                factor *= 0.8  # shorter office hours while fasting
            if day in after_lebaran:
                factor *= 1.25  # letters for those who moved during mudik
            if day.month == 1:
                factor *= 1.1  # new-year paperwork
            if day.weekday() == 0:
                factor *= 1.1
            elif day.weekday() == 4:
                factor *= 0.85  # Friday: longer midday break
            rows.append(
                {
                    "dataElement": "kelurahan.visits",
                    "period": f"{day:%Y%m%d}",
                    "orgUnit": code,
                    "value": max(1, round(base * factor * scale)),
                }
            )
    return rows


def budget_rows(seed: int, window: Window, budgets: dict[str, int], scale: int) -> list[Row]:
    """Cumulative budget realisation per agency: rupiah spent since 1 January over the year's ceiling."""
    rng = _rng(seed, "budget")
    rows = []
    for code in sorted(budgets):
        pace = rng.uniform(0.85, 1.08)
        ceilings: dict[int, int] = {}
        spent_before = 0.0
        for month in window.months:
            year, idx = month.start.year, month.start.month - 1
            if year not in ceilings:
                ceilings[year] = round(budgets[code] * 1_000_000_000 * scale * rng.uniform(0.92, 1.08))
                spent_before = 0.0
            _last_day, fraction = window.elapsed(month)
            previous = BUDGET_CURVE[idx - 1] if idx else 0.0
            share = previous + (BUDGET_CURVE[idx] - previous) * fraction
            share = min(0.99, share * pace * rng.uniform(0.97, 1.03))
            spent = max(spent_before, share * ceilings[year])  # cumulative spending never goes down
            spent_before = spent
            numerator, denominator = round(spent), ceilings[year]
            rows.append(
                {
                    "dataElement": "budget.realisation_rate",
                    "period": month.id,
                    "orgUnit": code,
                    "value": round(numerator / denominator * 100, 1),
                    "numerator": numerator,
                    "denominator": denominator,
                }
            )
    return rows


def _within_two_weeks_after_lebaran(day: dt.date) -> bool:
    lebaran = holidays.lebaran_day(day.year)
    return lebaran is not None and 0 < (day - lebaran).days <= 14


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into whole numbers that add up exactly."""
    share = sum(weights)
    raw = [total * w / share for w in weights]
    out = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in by_remainder[: total - sum(out)]:
        out[i] += 1
    return out

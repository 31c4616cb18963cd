"""The shipped master list of Indonesian national holidays and cuti bersama, one CSV per year.

Source: the SKB 3 Menteri (Menteri Agama, Menteri Ketenagakerjaan, Menteri PANRB) on national
holidays and joint leave of each year, plus days declared by Keppres (election days). A year whose
SKB is not signed yet is shipped as an estimate and says so in its ``source`` column ("provisional").
The files are versioned with the code: a revised SKB is a new commit and ``balai holidays --load``.

Pure Python (no models), so the demo data and other modules can read the list without a database.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVISIONAL_MARK = "provisional"


@dataclass(frozen=True)
class MasterHoliday:
    date: dt.date
    name: str
    kind: str  # HolidayKind value: national | cuti_bersama
    source: str

    @property
    def is_provisional(self) -> bool:
        return self.source.startswith(PROVISIONAL_MARK)


def available_years() -> list[int]:
    years = []
    for path in DATA_DIR.glob("holidays_*.csv"):
        suffix = path.stem.removeprefix("holidays_")
        if suffix.isdigit():
            years.append(int(suffix))
    return sorted(years)


@lru_cache(maxsize=16)
def national_holidays(year: int) -> tuple[MasterHoliday, ...]:
    """The year's national holidays and cuti bersama; KeyError when the year is not shipped."""
    path = DATA_DIR / f"holidays_{year}.csv"
    if not path.is_file():
        raise KeyError(year)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = tuple(
            MasterHoliday(
                date=dt.date.fromisoformat(row["date"]),
                name=row["name"].strip(),
                kind=row["kind"].strip(),
                source=row["source"].strip(),
            )
            for row in csv.DictReader(handle)
        )
    wrong_year = [h.date for h in rows if h.date.year != year]
    if wrong_year:  # a typo in the data must fail loudly, not shift a deadline
        raise ValueError(f"{path.name} holds dates outside {year}: {wrong_year}")
    return rows


def national_dates(year: int) -> frozenset[dt.date]:
    """Just the dates, for callers that only need "is this day off?" (the demo generator)."""
    return frozenset(h.date for h in national_holidays(year))

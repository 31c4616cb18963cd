"""The shipped master list of national holidays and cuti bersama (SKB 3 Menteri)."""

from __future__ import annotations

import datetime as dt

import pytest

from balai.workdays import master


def test_years_2024_to_2027_are_shipped() -> None:
    assert master.available_years() == [2024, 2025, 2026, 2027]


def test_2026_holds_the_skb_days_of_idul_fitri() -> None:
    by_date = {h.date: h for h in master.national_holidays(2026)}
    assert len(by_date) == 25
    assert by_date[dt.date(2026, 3, 21)].kind == "national"
    assert by_date[dt.date(2026, 3, 20)].kind == "cuti_bersama"
    assert [d for d, h in by_date.items() if h.kind == "cuti_bersama"] == [
        dt.date(2026, 2, 16),
        dt.date(2026, 3, 18),
        dt.date(2026, 3, 20),
        dt.date(2026, 3, 23),
        dt.date(2026, 3, 24),
        dt.date(2026, 5, 15),
        dt.date(2026, 5, 28),
        dt.date(2026, 12, 24),
    ]


def test_only_2027_is_provisional() -> None:
    assert {y: any(h.is_provisional for h in master.national_holidays(y)) for y in master.available_years()} == {
        2024: False,
        2025: False,
        2026: False,
        2027: True,
    }


def test_every_row_is_national_or_cuti_bersama_of_its_year() -> None:
    for year in master.available_years():
        rows = master.national_holidays(year)
        assert {h.kind for h in rows} == {"national", "cuti_bersama"}
        assert all(h.date.year == year and h.name and h.source for h in rows)
        assert len({h.date for h in rows}) == len(rows)


def test_unknown_year_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        master.national_holidays(2023)


def test_national_dates_for_the_demo() -> None:
    assert dt.date(2025, 8, 18) in master.national_dates(2025)
    assert dt.date(2025, 8, 19) not in master.national_dates(2025)

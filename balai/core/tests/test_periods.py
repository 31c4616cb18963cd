"""DHIS2 period ids: one spelling everywhere (ARCHITECTURE §3.8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from balai.core.periods import InvalidPeriod, Period, PeriodType, is_coarser_or_equal


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    # Assert the English source strings; Indonesian (the default) is the translators' concern.
    with translation.override("en"):
        yield


D = dt.date


@pytest.mark.parametrize(
    ("pid", "ptype", "start", "end"),
    [
        ("20260102", PeriodType.DAY, D(2026, 1, 2), D(2026, 1, 2)),
        ("2026W01", PeriodType.WEEK, D(2025, 12, 29), D(2026, 1, 4)),
        ("2026W53", PeriodType.WEEK, D(2026, 12, 28), D(2027, 1, 3)),
        ("202601", PeriodType.MONTH, D(2026, 1, 1), D(2026, 1, 31)),
        ("202402", PeriodType.MONTH, D(2024, 2, 1), D(2024, 2, 29)),
        ("202602", PeriodType.MONTH, D(2026, 2, 1), D(2026, 2, 28)),
        ("2026Q1", PeriodType.QUARTER, D(2026, 1, 1), D(2026, 3, 31)),
        ("2026Q4", PeriodType.QUARTER, D(2026, 10, 1), D(2026, 12, 31)),
        ("2026S1", PeriodType.SEMESTER, D(2026, 1, 1), D(2026, 6, 30)),
        ("2026S2", PeriodType.SEMESTER, D(2026, 7, 1), D(2026, 12, 31)),
        ("2026", PeriodType.YEAR, D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_parse_every_period_type(pid: str, ptype: PeriodType, start: dt.date, end: dt.date) -> None:
    period = Period.parse(pid)
    assert (period.type, period.start, period.end, period.id, str(period)) == (ptype, start, end, pid, pid)


def test_single_digit_week_is_normalised_to_two_digits() -> None:
    assert Period.parse("2026W1").id == "2026W01"
    assert Period.parse(" 202601 ").id == "202601"


@pytest.mark.parametrize(
    ("day", "ptype", "expected"),
    [
        (D(2026, 1, 2), PeriodType.DAY, "20260102"),
        (D(2026, 1, 2), PeriodType.WEEK, "2026W01"),
        (D(2025, 12, 30), PeriodType.WEEK, "2026W01"),  # ISO week-year, not calendar year
        (D(2027, 1, 1), PeriodType.WEEK, "2026W53"),
        (D(2026, 5, 20), PeriodType.MONTH, "202605"),
        (D(2026, 5, 20), PeriodType.QUARTER, "2026Q2"),
        (D(2026, 6, 30), PeriodType.SEMESTER, "2026S1"),
        (D(2026, 7, 1), PeriodType.SEMESTER, "2026S2"),
        (D(2026, 7, 1), PeriodType.YEAR, "2026"),
    ],
)
def test_containing_formats_every_type(day: dt.date, ptype: PeriodType, expected: str) -> None:
    assert Period.containing(day, ptype).id == expected


@pytest.mark.parametrize(
    "bad",
    [
        "2026W54",
        "2025W53",
        "2026W00",
        "202613",
        "202600",
        "20260230",
        "20261301",
        "2026Q5",
        "2026S3",
        "1899",
        "26",
        "2026-01",
        "2026M1",
        "",
        "abc",
        "2026W",
        "202601011",
    ],
)
def test_invalid_period_ids_raise(bad: str) -> None:
    with pytest.raises(InvalidPeriod):
        Period.parse(bad)


def test_invalid_period_message_names_the_id() -> None:
    with pytest.raises(InvalidPeriod, match="20260230"):
        Period.parse("20260230")
    with pytest.raises(InvalidPeriod, match="not a DHIS2 period id"):
        Period.parse("2026-01")


def test_invalid_period_is_a_value_error() -> None:
    # Callers that only know ValueError (pydantic validators, forms) still catch it.
    assert issubclass(InvalidPeriod, ValueError)


def test_parents_of_a_day() -> None:
    assert [p.id for p in Period.parse("20260102").parents()] == ["2026W01", "202601", "2026Q1", "2026S1", "2026"]


def test_parents_of_a_week_follow_its_thursday() -> None:
    # 2026W01 runs Mon 29 Dec 2025 – Sun 4 Jan 2026; its Thursday is 1 Jan 2026.
    assert [p.id for p in Period.parse("2026W01").parents()] == ["202601", "2026Q1", "2026S1", "2026"]
    # 2026W14 runs Mon 30 Mar – Sun 5 Apr; Thursday 2 Apr puts it in April and Q2.
    assert [p.id for p in Period.parse("2026W14").parents()] == ["202604", "2026Q2", "2026S1", "2026"]


def test_parents_of_coarser_types() -> None:
    assert [p.id for p in Period.parse("202608").parents()] == ["2026Q3", "2026S2", "2026"]
    assert [p.id for p in Period.parse("2026Q3").parents()] == ["2026S2", "2026"]
    assert [p.id for p in Period.parse("2026S1").parents()] == ["2026"]
    assert Period.parse("2026").parents() == []


def test_series_of_twelve_months_crosses_the_year() -> None:
    ids = [p.id for p in Period.parse("202603").series(12)]
    assert ids == [
        "202504",
        "202505",
        "202506",
        "202507",
        "202508",
        "202509",
        "202510",
        "202511",
        "202512",
        "202601",
        "202602",
        "202603",
    ]


def test_series_of_weeks_and_quarters_cross_the_year() -> None:
    assert [p.id for p in Period.parse("2026W02").series(4)] == ["2025W51", "2025W52", "2026W01", "2026W02"]
    assert [p.id for p in Period.parse("2026Q2").series(4)] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    assert [p.id for p in Period.parse("20260102").series(3)] == ["20251231", "20260101", "20260102"]


def test_previous_and_next() -> None:
    assert Period.parse("202601").previous().id == "202512"
    assert Period.parse("202601").previous(13).id == "202412"
    assert Period.parse("202612").next().id == "202701"
    assert Period.parse("2026W53").next().id == "2027W01"
    assert Period.parse("2026S2").next().id == "2027S1"


def test_indonesian_labels() -> None:
    assert Period.parse("20240102").label("id") == "Selasa, 2 Januari 2024"
    assert Period.parse("20260104").label("id") == "Minggu, 4 Januari 2026"
    assert Period.parse("202601").label("id") == "Januari 2026"
    assert Period.parse("202612").label("id") == "Desember 2026"
    assert Period.parse("2026").label("id") == "2026"


def test_english_labels() -> None:
    with translation.override("en"):
        assert Period.parse("20240102").label("en") == "Tuesday, 2 January 2024"
        assert Period.parse("202601").label("en") == "January 2026"
        assert Period.parse("2026Q2").label("en") == "Quarter II 2026"
        assert Period.parse("2026S2").label("en") == "Semester II 2026"
        assert Period.parse("2026W07").label("en") == "Week 07 2026"


def test_periods_sort_by_start() -> None:
    periods = [Period.parse(p) for p in ["202603", "202512", "202601"]]
    assert [p.id for p in sorted(periods)] == ["202512", "202601", "202603"]


@pytest.mark.parametrize(
    ("candidate", "base", "expected"),
    [
        (PeriodType.MONTH, PeriodType.DAY, True),
        (PeriodType.WEEK, PeriodType.DAY, True),
        (PeriodType.MONTH, PeriodType.MONTH, True),
        (PeriodType.YEAR, PeriodType.MONTH, True),
        (PeriodType.DAY, PeriodType.MONTH, False),
        (PeriodType.WEEK, PeriodType.MONTH, False),  # a week straddles months: never a roll-up of months
        (PeriodType.WEEK, PeriodType.WEEK, True),
        (PeriodType.DAY, PeriodType.WEEK, False),
        # Weeks roll up into the month/quarter/year of their Thursday (ISO), so these are coarser.
        (PeriodType.MONTH, PeriodType.WEEK, True),
        (PeriodType.QUARTER, PeriodType.WEEK, True),
        (PeriodType.YEAR, PeriodType.WEEK, True),
    ],
)
def test_is_coarser_or_equal(candidate: PeriodType, base: PeriodType, expected: bool) -> None:
    assert is_coarser_or_equal(candidate, base) is expected

"""Working-day arithmetic for deadlines (ARCHITECTURE §3.7, Perpres 21/2023 office hours)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from balai.core.testing import Story
from balai.org.models import OrgUnit
from balai.workdays.models import Holiday, HolidayKind
from balai.workdays.selectors import (
    OfficeHours,
    is_working_day,
    pemda_of,
    working_days_add,
    working_days_add_each,
    working_days_between,
)
from balai.workdays.services import holiday_delete, holiday_set
from balai.workdays.tests.conftest import other_pemda

pytestmark = pytest.mark.django_db

WIB, WITA, WIT, UTC = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura"), dt.UTC


def wita(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WITA)


# ------------------------------------------------------------------------------ is_working_day
def test_weekdays_holidays_and_weekends(banjarbaru: OrgUnit) -> None:
    assert is_working_day(banjarbaru, dt.date(2026, 6, 2)) is True  # Tuesday
    assert is_working_day(banjarbaru, dt.date(2026, 6, 1)) is False  # Hari Lahir Pancasila, Monday
    assert is_working_day(banjarbaru, dt.date(2026, 5, 28)) is False  # cuti bersama Idul Adha
    assert is_working_day(banjarbaru, dt.date(2026, 6, 6)) is False  # Saturday


def test_an_aware_datetime_is_read_on_the_pemda_clock(banjarbaru: OrgUnit) -> None:
    # 17:00 UTC on Sunday 31 May is 01:00 WITA on Monday 1 June, a holiday.
    assert is_working_day(banjarbaru, dt.datetime(2026, 5, 31, 17, 0, tzinfo=UTC)) is False
    # 16:30 UTC on Monday 1 June is 00:30 WITA on Tuesday 2 June.
    assert is_working_day(banjarbaru, dt.datetime(2026, 6, 1, 16, 30, tzinfo=UTC)) is True


def test_a_weekend_is_answered_without_a_query(banjarbaru: OrgUnit, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert is_working_day(banjarbaru, dt.date(2026, 6, 7)) is False


# ---------------------------------------------------------------------------- working_days_add
def test_three_days_from_friday_afternoon_skip_the_weekend_waisak_and_pancasila(banjarbaru: OrgUnit) -> None:
    # Fri 29 May 16:00 is before the Friday closing (16:30): Friday is the intake day. Sun 31 May
    # (Waisak) and Mon 1 June (Pancasila) are off, so the days are Tue 2, Wed 3, Thu 4 June.
    deadline = working_days_add(banjarbaru, wita(2026, 5, 29, 16, 0), 3)
    assert deadline == wita(2026, 6, 4, 16, 0)
    assert deadline == dt.datetime(2026, 6, 4, 8, 0, tzinfo=UTC)
    assert deadline.tzinfo == WITA


def test_a_report_after_friday_closing_counts_from_the_next_working_day(banjarbaru: OrgUnit) -> None:
    # 16:45 on Friday is after office hours: intake Tue 2 June; days Wed 3, Thu 4, Fri 5 (closes 16:30).
    assert working_days_add(banjarbaru, wita(2026, 5, 29, 16, 45), 3) == wita(2026, 6, 5, 16, 30)
    # At exactly closing time the office is closed.
    assert working_days_add(banjarbaru, wita(2026, 5, 29, 16, 30), 3) == wita(2026, 6, 5, 16, 30)


def test_a_report_after_closing_on_thursday(banjarbaru: OrgUnit) -> None:
    # Thu 4 June 16:00 is closing time Mon–Thu: intake Fri 5 June, 1 day → Mon 8 June 16:00.
    assert working_days_add(banjarbaru, wita(2026, 6, 4, 16, 0), 1) == wita(2026, 6, 8, 16, 0)
    assert working_days_add(banjarbaru, wita(2026, 6, 4, 15, 59), 1) == wita(2026, 6, 5, 16, 30)


def test_a_report_before_opening_counts_from_that_same_day(banjarbaru: OrgUnit) -> None:
    assert working_days_add(banjarbaru, wita(2026, 6, 2, 6, 0), 1) == wita(2026, 6, 3, 16, 0)


def test_deadline_across_idul_fitri_and_its_cuti_bersama(banjarbaru: OrgUnit) -> None:
    # Intake Tue 17 March; 18 (cuti bersama Nyepi), 19 (Nyepi), 20 (cuti bersama), 21–22 (Idul Fitri,
    # weekend), 23–24 (cuti bersama) are all off: the days are Wed 25, Thu 26, Fri 27 March.
    assert working_days_add(banjarbaru, wita(2026, 3, 17, 10, 0), 3) == wita(2026, 3, 27, 16, 30)


def test_a_report_received_on_a_cuti_bersama_day_counts_from_the_first_day_back(banjarbaru: OrgUnit) -> None:
    assert working_days_add(banjarbaru, wita(2026, 3, 20, 9, 0), 0) == wita(2026, 3, 25, 16, 0)
    assert working_days_add(banjarbaru, wita(2026, 3, 20, 9, 0), 1) == wita(2026, 3, 26, 16, 0)


def test_saturday_intake_counts_from_monday(banjarbaru: OrgUnit) -> None:
    # Received Sat 11 July: the intake day is Mon 13 July, so one working day ends Tue 14 July.
    assert working_days_add(banjarbaru, wita(2026, 7, 11, 10, 0), 0) == wita(2026, 7, 13, 16, 0)
    assert working_days_add(banjarbaru, wita(2026, 7, 11, 10, 0), 1) == wita(2026, 7, 14, 16, 0)
    assert working_days_add(banjarbaru, wita(2026, 7, 12, 23, 59), 1) == wita(2026, 7, 14, 16, 0)


@pytest.mark.parametrize(
    ("code", "zone", "deadline_utc"),
    [
        ("31.71", "Asia/Jakarta", dt.datetime(2026, 7, 7, 9, 0, tzinfo=UTC)),  # WIB, UTC+7
        ("64.72", "Asia/Makassar", dt.datetime(2026, 7, 7, 8, 0, tzinfo=UTC)),  # WITA, UTC+8
        ("94.71", "Asia/Jayapura", dt.datetime(2026, 7, 7, 7, 0, tzinfo=UTC)),  # WIT, UTC+9
    ],
)
def test_deadline_is_local_closing_time_in_each_zone(db: None, code: str, zone: str, deadline_utc: dt.datetime) -> None:
    pemda = other_pemda(code, zone)
    start = dt.datetime(2026, 7, 6, 9, 0, tzinfo=ZoneInfo(zone))  # Monday 09:00 local
    deadline = working_days_add(pemda, start, 1)
    assert deadline == deadline_utc
    assert deadline.astimezone(ZoneInfo(zone)).time() == dt.time(16, 0)


def test_the_same_instant_is_in_hours_in_jakarta_and_after_hours_in_jayapura(db: None) -> None:
    instant = dt.datetime(2026, 7, 6, 8, 30, tzinfo=UTC)  # Monday 15:30 WIB = 16:30 WITA = 17:30 WIT
    jakarta = other_pemda("31.71", "Asia/Jakarta")
    makassar = other_pemda("73.71", "Asia/Makassar")
    jayapura = other_pemda("94.71", "Asia/Jayapura")
    assert working_days_add(jakarta, instant, 1) == dt.datetime(2026, 7, 7, 16, 0, tzinfo=WIB)
    assert working_days_add(makassar, instant, 1) == dt.datetime(2026, 7, 8, 16, 0, tzinfo=WITA)
    assert working_days_add(jayapura, instant, 1) == dt.datetime(2026, 7, 8, 16, 0, tzinfo=WIT)


def test_holidays_of_another_pemda_do_not_count(banjarbaru: OrgUnit) -> None:
    jakarta = other_pemda("31.71", "Asia/Jakarta")  # no holidays loaded
    start = dt.datetime(2026, 5, 29, 15, 0, tzinfo=WIB)
    assert working_days_add(jakarta, start, 3) == dt.datetime(2026, 6, 3, 16, 0, tzinfo=WIB)


def test_a_regional_holiday_set_by_hand_moves_the_deadline(banjarbaru: OrgUnit) -> None:
    holiday_set(actor=None, pemda=banjarbaru, date=dt.date(2026, 6, 3), name="Hari Jadi", kind="regional")
    assert working_days_add(banjarbaru, wita(2026, 5, 29, 16, 0), 3) == wita(2026, 6, 5, 16, 30)


def test_office_hours_are_configurable(banjarbaru: OrgUnit) -> None:
    three = dt.time(15, 0)
    perwali = OfficeHours(opens=dt.time(8, 0), closes=(three, three, three, three, dt.time(11, 30)))
    # 15:30 Tuesday is after a 15:00 closing: intake Wed 3 June, one day → Thu 4 June 15:00.
    assert working_days_add(banjarbaru, wita(2026, 6, 2, 15, 30), 1, hours=perwali) == wita(2026, 6, 4, 15, 0)
    # Friday closes at 11:30 under this Perwali.
    assert working_days_add(banjarbaru, wita(2026, 6, 2, 15, 30), 2, hours=perwali) == wita(2026, 6, 5, 11, 30)
    assert working_days_add(banjarbaru, wita(2026, 6, 5, 12, 0), 0, hours=perwali) == wita(2026, 6, 8, 15, 0)


def test_a_long_deadline_crosses_the_year_with_few_queries(story: Story, django_assert_max_num_queries: Any) -> None:
    from balai.workdays.services import holidays_load_national

    holidays_load_national(actor=None, pemda=story.root, year=2026)
    holidays_load_national(actor=None, pemda=story.root, year=2027)
    with django_assert_max_num_queries(2):
        deadline = working_days_add(story.root, wita(2026, 12, 1, 9, 0), 60)
    assert deadline == wita(2027, 3, 1, 16, 0)
    assert working_days_between(story.root, wita(2026, 12, 1, 9, 0), deadline) == 60


def test_first_response_and_resolution_together(banjarbaru: OrgUnit) -> None:
    start = wita(2026, 5, 29, 16, 0)
    assert working_days_add_each(banjarbaru, start, [3, 5, 0]) == [
        working_days_add(banjarbaru, start, 3),
        working_days_add(banjarbaru, start, 5),
        working_days_add(banjarbaru, start, 0),
    ]
    assert working_days_add_each(banjarbaru, start, []) == []


# ------------------------------------------------------------------ the calendar kept per process
def test_once_read_the_calendar_costs_one_small_query(banjarbaru: OrgUnit, django_assert_num_queries: Any) -> None:
    working_days_add(banjarbaru, wita(2026, 5, 29, 16, 0), 3)  # reads the dates
    with django_assert_num_queries(1):
        assert working_days_add_each(banjarbaru, wita(2026, 5, 29, 16, 0), [3, 5]) == [
            wita(2026, 6, 4, 16, 0),
            wita(2026, 6, 8, 16, 0),
        ]
    with django_assert_num_queries(1):
        assert working_days_between(banjarbaru, dt.date(2026, 5, 29), dt.date(2026, 6, 4)) == 3
    with django_assert_num_queries(1):
        assert is_working_day(banjarbaru, dt.date(2026, 6, 1)) is False


def test_a_holiday_set_or_removed_moves_the_next_deadline_at_once(banjarbaru: OrgUnit) -> None:
    start = wita(2026, 7, 6, 9, 0)  # Monday, an ordinary week
    assert working_days_add(banjarbaru, start, 2) == wita(2026, 7, 8, 16, 0)
    holiday = holiday_set(
        actor=None, pemda=banjarbaru, date=dt.date(2026, 7, 7), name="Hari Jadi Kota", kind=HolidayKind.REGIONAL
    )
    assert working_days_add(banjarbaru, start, 2) == wita(2026, 7, 9, 16, 0)
    assert is_working_day(banjarbaru, dt.date(2026, 7, 7)) is False
    assert working_days_between(banjarbaru, dt.date(2026, 7, 6), dt.date(2026, 7, 9)) == 2
    holiday_delete(actor=None, holiday=holiday)
    assert working_days_add(banjarbaru, start, 2) == wita(2026, 7, 8, 16, 0)
    assert is_working_day(banjarbaru, dt.date(2026, 7, 7)) is True


def test_a_holiday_written_elsewhere_is_seen_too(banjarbaru: OrgUnit) -> None:
    """Another worker process writes the table, not this process's services: the stamp still moves."""
    start = wita(2026, 7, 6, 9, 0)
    assert working_days_add(banjarbaru, start, 2) == wita(2026, 7, 8, 16, 0)
    moved = Holiday.objects.create(pemda=banjarbaru, date=dt.date(2026, 7, 8), name="x", kind=HolidayKind.REGIONAL)
    assert working_days_add(banjarbaru, start, 2) == wita(2026, 7, 9, 16, 0)
    moved.date = dt.date(2026, 7, 10)  # the same number of holidays, one of them on another day
    moved.save()
    assert working_days_add(banjarbaru, start, 2) == wita(2026, 7, 8, 16, 0)
    assert working_days_add(banjarbaru, start, 4) == wita(2026, 7, 13, 16, 0)
    Holiday.objects.filter(pk=moved.pk).delete()
    assert working_days_add(banjarbaru, start, 4) == wita(2026, 7, 10, 16, 30)


def test_each_pemda_keeps_its_own_calendar(banjarbaru: OrgUnit) -> None:
    other = other_pemda("PEMDA.X", "Asia/Makassar")
    start = wita(2026, 6, 1, 9, 0)  # Hari Lahir Pancasila: a holiday in Banjarbaru, none loaded for the other
    assert working_days_add(banjarbaru, start, 1) == wita(2026, 6, 3, 16, 0)
    assert working_days_add(other, start, 1) == wita(2026, 6, 2, 16, 0)
    assert working_days_add(banjarbaru, start, 1) == wita(2026, 6, 3, 16, 0)


@pytest.mark.parametrize(
    ("start", "days", "message"),
    [
        (dt.datetime(2026, 6, 2, 9, 0, tzinfo=WITA), -1, "days must be zero or more, got -1"),
        (dt.datetime(2026, 6, 2, 9, 0, tzinfo=WITA), 1.5, "days must be a whole number of working days, got 1.5"),
        (dt.datetime(2026, 6, 2, 9, 0, tzinfo=WITA), True, "days must be a whole number of working days, got True"),
        (
            dt.datetime(2026, 6, 2, 9, 0),
            1,
            "start must be an aware datetime (with a time zone), got naive 2026-06-02T09:00:00",
        ),
        (dt.date(2026, 6, 2), 1, "start must be an aware datetime, got date"),
    ],
)
def test_bad_input_is_a_value_error_with_a_message(banjarbaru: OrgUnit, start: Any, days: Any, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        working_days_add(banjarbaru, start, days)
    assert str(exc.value) == message


def test_a_kelurahan_is_refused_and_pemda_of_finds_its_pemda(story: Story) -> None:
    with pytest.raises(ValueError, match="pemda must be the Pemda root unit"):
        working_days_add(story.mentaos, wita(2026, 6, 2, 9, 0), 1)
    assert pemda_of(story.mentaos) == story.root
    assert pemda_of(story.root) is story.root


# ------------------------------------------------------------------------ working_days_between
def test_between_counts_days_after_start_up_to_end(banjarbaru: OrgUnit) -> None:
    assert working_days_between(banjarbaru, dt.date(2026, 5, 29), dt.date(2026, 6, 4)) == 3
    assert working_days_between(banjarbaru, dt.date(2026, 5, 29), dt.date(2026, 6, 2)) == 1
    assert working_days_between(banjarbaru, dt.date(2026, 5, 29), dt.date(2026, 6, 1)) == 0


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (dt.date(2026, 5, 29), dt.date(2026, 6, 4), 3),
        (dt.date(2026, 3, 17), dt.date(2026, 3, 27), 3),  # across Nyepi and Idul Fitri
        (dt.date(2026, 3, 13), dt.date(2026, 3, 31), 7),
        (dt.date(2026, 7, 6), dt.date(2026, 7, 20), 10),  # two plain weeks
        (dt.date(2025, 12, 31), dt.date(2026, 12, 31), 240),  # 261 weekdays less 21 weekday holidays
    ],
)
def test_between_is_antisymmetric(banjarbaru: OrgUnit, start: dt.date, end: dt.date, count: int) -> None:
    assert working_days_between(banjarbaru, start, end) == count
    assert working_days_between(banjarbaru, end, start) == -count


def test_between_the_same_day_is_zero(banjarbaru: OrgUnit) -> None:
    assert working_days_between(banjarbaru, dt.date(2026, 6, 2), dt.date(2026, 6, 2)) == 0
    assert working_days_between(banjarbaru, wita(2026, 6, 2, 8, 0), wita(2026, 6, 2, 15, 0)) == 0


def test_between_reads_datetimes_on_the_pemda_clock(banjarbaru: OrgUnit) -> None:
    # 20:00 UTC Sunday 5 July is 04:00 WITA Monday; 20:00 UTC Monday is 04:00 WITA Tuesday.
    start, end = dt.datetime(2026, 7, 5, 20, 0, tzinfo=UTC), dt.datetime(2026, 7, 6, 20, 0, tzinfo=UTC)
    assert working_days_between(banjarbaru, start, end) == 1
    assert working_days_between(banjarbaru, end, start) == -1


def test_between_refuses_a_naive_datetime(banjarbaru: OrgUnit) -> None:
    with pytest.raises(ValueError, match="end must be an aware datetime"):
        working_days_between(banjarbaru, wita(2026, 6, 2, 9, 0), dt.datetime(2026, 6, 9, 9, 0))

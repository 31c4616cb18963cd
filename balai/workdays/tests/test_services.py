"""The calendar's write path: set, delete and load holidays, with rights and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.org.models import OrgUnit
from balai.workdays.models import Holiday, HolidayKind
from balai.workdays.services import LoadSummary, holiday_delete, holiday_set, holidays_load_national
from balai.workdays.tests.conftest import other_pemda

pytestmark = pytest.mark.django_db

HARI_JADI = dt.date(2026, 4, 20)  # Hari Jadi Kota Banjarbaru


def test_admin_sets_a_regional_holiday_and_it_is_audited(story: Story) -> None:
    holiday = holiday_set(
        actor=story.admin, pemda=story.root, date=HARI_JADI, name=" Hari Jadi Kota Banjarbaru ", kind="regional"
    )
    assert (holiday.name, holiday.kind, holiday.source) == ("Hari Jadi Kota Banjarbaru", "regional", "manual")
    event = AuditEvent.objects.get(action="holiday.create")
    assert event.actor == story.admin
    assert event.org_unit == story.root
    assert event.changes["name"] == {"before": None, "after": "Hari Jadi Kota Banjarbaru"}


def test_setting_the_same_date_again_updates_the_one_holiday(story: Story) -> None:
    holiday_set(actor=story.admin, pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    holiday = holiday_set(actor=story.admin, pemda=story.root, date=HARI_JADI, name="Hari Jadi ke-27", kind="regional")
    assert Holiday.objects.filter(pemda=story.root).count() == 1
    assert holiday.name == "Hari Jadi ke-27"
    event = AuditEvent.objects.get(action="holiday.update")
    assert event.changes == {"name": {"before": "Hari Jadi", "after": "Hari Jadi ke-27"}}


def test_setting_unchanged_values_writes_no_audit_event(story: Story) -> None:
    holiday_set(actor=None, pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    holiday_set(actor=None, pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    assert not AuditEvent.objects.filter(action="holiday.update").exists()


@pytest.mark.parametrize("who", ["mentaos_clerk", "camat", "head", "auditor", "skpd_operator"])
def test_only_an_admin_of_the_pemda_may_set_holidays(story: Story, who: str) -> None:
    with pytest.raises(PermissionDenied):
        holiday_set(actor=getattr(story, who), pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    assert not Holiday.objects.exists()


def test_admin_of_one_pemda_cannot_set_holidays_of_another(story: Story) -> None:
    jakarta = other_pemda("31.71", "Asia/Jakarta")
    with pytest.raises(PermissionDenied):
        holiday_set(actor=story.admin, pemda=jakarta, date=HARI_JADI, name="Hari Jadi", kind="regional")


@pytest.mark.parametrize(
    ("date", "name", "kind", "message"),
    [
        (HARI_JADI, "  ", "regional", "Name is required."),
        (HARI_JADI, "x" * 201, "regional", "The name is too long (at most 200 characters)."),
        (HARI_JADI, "Hari Jadi", "fiesta", "Unknown holiday kind fiesta."),
        ("2026-04-20", "Hari Jadi", "regional", "Enter a valid date."),
        (dt.datetime(2026, 4, 20, tzinfo=dt.UTC), "Hari Jadi", "regional", "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    story: Story, date: object, name: str, kind: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        holiday_set(actor=story.admin, pemda=story.root, date=date, name=name, kind=kind)  # type: ignore[arg-type]
    assert exc.value.messages == [message]
    assert not Holiday.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="holiday.").exists()


def test_a_kelurahan_has_no_calendar_of_its_own(story: Story) -> None:
    with pytest.raises(ValidationError) as exc:
        holiday_set(actor=None, pemda=story.mentaos, date=HARI_JADI, name="Hari Jadi", kind="regional")
    assert exc.value.messages == ["Holidays belong to a regional government (the root of the tree)."]


def test_admin_deletes_a_holiday_and_it_is_audited(story: Story) -> None:
    holiday = holiday_set(actor=None, pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    holiday_delete(actor=story.admin, holiday=holiday)
    assert not Holiday.objects.exists()
    event = AuditEvent.objects.get(action="holiday.delete")
    assert event.object_repr == "2026-04-20 Hari Jadi"
    assert event.changes["name"] == {"before": "Hari Jadi", "after": None}


def test_clerk_cannot_delete_a_holiday(story: Story) -> None:
    holiday = holiday_set(actor=None, pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    with pytest.raises(PermissionDenied):
        holiday_delete(actor=story.mentaos_clerk, holiday=holiday)
    assert Holiday.objects.count() == 1


def _counts(s: LoadSummary) -> tuple[int, int, int, int, int]:
    return (s.created, s.updated, s.unchanged, s.removed, s.kept_manual)


def test_loading_2026_creates_the_skb_days_and_is_audited(story: Story) -> None:
    summary = holidays_load_national(actor=story.admin, pemda=story.root, year=2026)
    assert _counts(summary) == (25, 0, 0, 0, 0)
    assert summary.provisional is False
    assert Holiday.objects.filter(pemda=story.root, kind=HolidayKind.CUTI_BERSAMA).count() == 8
    event = AuditEvent.objects.get(action="holiday.load_national")
    assert event.changes == {
        "year": 2026,
        "created": 25,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "kept_manual": 0,
    }


def test_loading_again_changes_nothing(story: Story) -> None:
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    assert _counts(holidays_load_national(actor=None, pemda=story.root, year=2026)) == (0, 0, 25, 0, 0)
    assert Holiday.objects.count() == 25


def test_reload_fixes_changed_rows_removes_stale_ones_and_keeps_days_set_by_hand(story: Story) -> None:
    holiday_set(actor=None, pemda=story.root, date=dt.date(2026, 6, 1), name="Hari Lahir Pancasila", kind="national")
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    Holiday.objects.filter(date=dt.date(2026, 8, 25)).update(name="Maulid")
    # A day an earlier SKB had and the revised one dropped.
    Holiday.objects.create(
        pemda=story.root, date=dt.date(2026, 7, 1), name="Old", kind="cuti_bersama", source="SKB 3 Menteri 2026"
    )
    summary = holidays_load_national(actor=None, pemda=story.root, year=2026)
    assert _counts(summary) == (0, 1, 23, 1, 1)
    assert Holiday.objects.get(date=dt.date(2026, 8, 25)).name == "Maulid Nabi Muhammad SAW"
    assert Holiday.objects.get(date=dt.date(2026, 6, 1)).source == "manual"
    assert not Holiday.objects.filter(date=dt.date(2026, 7, 1)).exists()


def test_regional_days_survive_a_reload(story: Story) -> None:
    holiday_set(actor=None, pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    assert Holiday.objects.filter(kind="regional").count() == 1


def test_loading_2027_says_it_is_provisional(story: Story) -> None:
    summary = holidays_load_national(actor=None, pemda=story.root, year=2027)
    assert summary.provisional is True
    assert Holiday.objects.get(date=dt.date(2027, 1, 1)).source.startswith("provisional")


def test_unknown_year_names_the_years_available(story: Story) -> None:
    with pytest.raises(ValidationError) as exc:
        holidays_load_national(actor=None, pemda=story.root, year=2031)
    assert exc.value.messages == [
        "There is no national holiday list for 2031. Available years: 2024, 2025, 2026, 2027."
    ]
    assert not Holiday.objects.exists()


def test_clerk_cannot_load_the_national_list(story: Story) -> None:
    with pytest.raises(PermissionDenied):
        holidays_load_national(actor=story.mentaos_clerk, pemda=story.root, year=2026)
    assert not Holiday.objects.exists()


def test_each_pemda_has_its_own_calendar(story: Story) -> None:
    jakarta: OrgUnit = other_pemda("31.71", "Asia/Jakarta")
    holidays_load_national(actor=None, pemda=jakarta, year=2026)
    holiday_set(actor=None, pemda=story.root, date=HARI_JADI, name="Hari Jadi", kind="regional")
    assert Holiday.objects.filter(pemda=jakarta).count() == 25
    assert Holiday.objects.filter(pemda=story.root).count() == 1

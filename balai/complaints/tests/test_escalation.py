"""Overdue escalation (once per breach, to the right people) and the daily digest per unit."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from balai.complaints import escalation
from balai.complaints import services as svc
from balai.complaints.choices import Channel, Status, UpdateKind
from balai.complaints.models import Category, Complaint, ComplaintUpdate
from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import OrgUnit, User
from balai.org.roles import Role
from balai.workdays.services import holidays_load_national

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
# Friday 29 May 2026 15:00 WITA; Monday 1 June is Pancasila day. First response (3 working days) is due
# Thursday 4 June 16:00, resolution (5) Monday 8 June 16:00.
FRIDAY = dt.datetime(2026, 5, 29, 15, 0, tzinfo=WITA)
FIRST_DUE = dt.datetime(2026, 6, 4, 16, 0, tzinfo=WITA)
RESOLUTION_DUE = dt.datetime(2026, 6, 8, 16, 0, tzinfo=WITA)
MINUTE = dt.timedelta(minutes=1)


def staff(username: str, role: str | None, unit: OrgUnit | None, email: str = "") -> User:
    user = org.user_create(actor=None, username=username, email=email, password="Balai-Test-2026!")
    if role and unit:
        org.role_assign(actor=None, user=user, role=role, org_unit=unit)
    return user


@pytest.fixture
def setup(story: Story, settings: Any) -> dict[str, Any]:
    settings.BALAI_PUBLIC_URL = "https://balai.example.go.id"
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    lights = Category.objects.create(code="lampu", name_id="Lampu jalan mati", name_en="Street light out")
    dishub = org.orgunit_create(
        actor=None,
        parent=story.root,
        name="Dinas Perhubungan",
        short_name="Dishub",
        kind="perangkat_daerah",
        code="DISHUB",
    )
    User.objects.filter(pk=story.camat.pk).update(email="camat@example.id")
    return {
        "lights": lights,
        "dishub": dishub,
        # The complaint desk: the admin (no e-mail address) and a desk operator, both on the Pemda root.
        "desk": staff("meja_aduan", Role.SKPD_OPERATOR, story.root, "meja@example.id"),
        "dishub_head": staff("kadis_dishub", Role.SKPD_HEAD, dishub, "kadis.dishub@example.id"),
        "dishub_op": staff("op_dishub", Role.SKPD_OPERATOR, dishub, "op.dishub@example.id"),
        "dinkes_head": staff("kadis_dinkes", Role.SKPD_HEAD, story.dinkes, "kadis.dinkes@example.id"),
    }


def submit(story: Story, setup: dict[str, Any], received_at: dt.datetime = FRIDAY) -> Complaint:
    return svc.complaint_submit(
        channel=Channel.WEB,
        category=setup["lights"],
        description="Lampu jalan mati di Jl. A",
        pemda=story.root,
        territory=story.mentaos,
        received_at=received_at,
    )


def verify(setup: dict[str, Any], c: Complaint, unit: OrgUnit, at: dt.datetime) -> Complaint:
    c = svc.complaint_verify(
        actor=setup["desk"],
        complaint=c,
        version=c.version,
        title=f"Lampu mati {c.pk}",
        classification="pengaduan",
        category=setup["lights"],
        unit=unit,
        at=at,
    )
    # Timeline entries are stamped when written; this one happened at ``at``.
    ComplaintUpdate.objects.filter(complaint=c, kind=UpdateKind.DISPOSITION).update(created_at=at)
    return c


def resolve(setup: dict[str, Any], c: Complaint, at: dt.datetime | None = None) -> Complaint:
    svc.complaint_respond(
        actor=setup["dishub_op"], complaint=c, version=c.version, text="Sudah diganti.", status=Status.RESOLVED, at=at
    )
    c.refresh_from_db()
    return c


def sent_to() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


def escalations(c: Complaint) -> list[str]:
    return list(c.updates.filter(kind=UpdateKind.ESCALATION).values_list("text", flat=True))


# ------------------------------------------------------------------------------------ escalation
def test_a_resolution_breach_escalates_once_to_the_unit_head_and_the_desk(story: Story, setup: dict) -> None:
    c = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + dt.timedelta(hours=1))
    assert escalation.escalate_overdue(RESOLUTION_DUE - MINUTE) == 0
    assert mail.outbox == []

    assert escalation.escalate_overdue(RESOLUTION_DUE + MINUTE) == 1
    assert escalation.escalate_overdue(RESOLUTION_DUE + 2 * MINUTE) == 0  # the same breach: once
    # The head of Dishub and the desk; not Dishub's operator, not the head of Dinkes, not the camat.
    assert sent_to() == ["kadis.dishub@example.id", "meja@example.id"]
    assert escalations(c) == [
        "Not resolved by the deadline (8 June 2026 16:00). Escalated to the head of Dinas Perhubungan and the "
        "complaint desk."
    ]
    update = c.updates.get(kind=UpdateKind.ESCALATION)
    assert (update.is_public, update.author) == (False, None)
    c.refresh_from_db()
    assert c.resolution_escalated_at == RESOLUTION_DUE + MINUTE
    assert c.first_response_escalated_at is None  # verified in time: no first-response breach
    assert c.version == 2  # a system escalation does not make a clerk's open form stale
    event = AuditEvent.objects.get(action="complaint.escalation", object_id=str(c.pk))
    assert event.changes["breach"] == "resolution"
    assert event.changes["notified"] == ["kadis_dishub", "admin", "meja_aduan"]

    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.subject == "[Balai] 1 citizen report is overdue"
    assert c.tracking_code in message.body
    assert f"https://balai.example.go.id/pengaduan/{c.tracking_code}/" in message.body
    assert "Resolution overdue: was due 8 June 2026 16:00" in message.body
    html = message.alternatives[0]
    assert html[1] == "text/html"
    assert f'href="https://balai.example.go.id/pengaduan/{c.tracking_code}/"' in str(html[0])


def test_the_staff_timeline_shows_the_escalation(client: Any, story: Story, setup: dict) -> None:
    c = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + MINUTE)
    escalation.escalate_overdue(RESOLUTION_DUE + MINUTE)
    client.force_login(setup["dishub_op"])
    page = client.get(reverse("complaints_staff:detail", args=[c.tracking_code])).content.decode()
    assert 'data-testid="timeline-escalation">Escalated (overdue)</span>' in page
    assert "Not resolved by the deadline (8 June 2026 16:00)." in page


def test_one_mail_per_person_lists_all_their_reports(story: Story, setup: dict) -> None:
    first = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + dt.timedelta(hours=1))
    second = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + dt.timedelta(hours=1))
    other = verify(setup, submit(story, setup), story.dinkes, FRIDAY + dt.timedelta(hours=1))
    assert escalation.escalate_overdue(RESOLUTION_DUE + MINUTE) == 3
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["kadis.dinkes@example.id", "kadis.dishub@example.id", "meja@example.id"]
    assert by_address["meja@example.id"].subject == "[Balai] 3 citizen reports are overdue"
    dishub_mail = by_address["kadis.dishub@example.id"].body
    assert first.tracking_code in dishub_mail and second.tracking_code in dishub_mail
    assert other.tracking_code not in dishub_mail
    dinkes_mail = by_address["kadis.dinkes@example.id"].body
    assert other.tracking_code in dinkes_mail and first.tracking_code not in dinkes_mail


def test_a_long_backlog_is_one_short_mail(story: Story, setup: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(escalation, "ESCALATION_LIST_LIMIT", 1)
    for _ in range(3):
        submit(story, setup)
    assert escalation.escalate_overdue(FIRST_DUE + MINUTE) == 3
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "[Balai] 3 citizen reports are overdue"
    assert body.count("https://balai.example.go.id/pengaduan/AD26-") == 1
    assert "… and 2 more: https://balai.example.go.id/pengaduan/?tab=all&overdue=on" in body


def test_a_kelurahan_without_a_head_escalates_to_its_camat(story: Story, setup: dict) -> None:
    c = verify(setup, submit(story, setup), story.mentaos, FRIDAY + dt.timedelta(hours=1))
    assert escalation.escalate_overdue(RESOLUTION_DUE + MINUTE) == 1
    assert sent_to() == ["camat@example.id", "meja@example.id"]
    assert "head of Kecamatan Banjarbaru Utara" in escalations(c)[0]


def test_an_undisposed_report_escalates_to_the_desk_only(
    story: Story, setup: dict, caplog: pytest.LogCaptureFixture
) -> None:
    c = submit(story, setup)
    with caplog.at_level(logging.INFO, logger="balai.complaints.escalation"):
        assert escalation.escalate_overdue(FIRST_DUE + MINUTE) == 1
    assert sent_to() == ["meja@example.id"]  # the admin is on the desk too, but has no e-mail address
    assert "admin has no e-mail address; escalation not sent" in caplog.text
    assert escalations(c) == ["No first response by the deadline (4 June 2026 16:00). Escalated to the complaint desk."]
    # Still not verified when the resolution deadline passes: that is a second breach, escalated once.
    assert escalation.escalate_overdue(RESOLUTION_DUE + MINUTE) == 1
    assert escalation.escalate_overdue(RESOLUTION_DUE + 2 * MINUTE) == 0
    assert len(escalations(c)) == 2
    assert sent_to() == ["meja@example.id", "meja@example.id"]


def test_the_holiday_calendar_sets_when_a_report_is_late(story: Story, setup: dict) -> None:
    c = submit(story, setup)
    assert c.first_response_due == FIRST_DUE
    # Without Pancasila day the third working day would end on Wednesday 3 June.
    assert escalation.escalate_overdue(dt.datetime(2026, 6, 3, 16, 1, tzinfo=WITA)) == 0
    assert escalation.escalate_overdue(FIRST_DUE - MINUTE) == 0
    assert escalation.escalate_overdue(FIRST_DUE + MINUTE) == 1


def test_answered_resolved_and_closed_reports_never_escalate(story: Story, setup: dict) -> None:
    answered = submit(story, setup)
    svc.complaint_respond(
        actor=setup["desk"], complaint=answered, version=answered.version, text="Kami periksa.", at=FRIDAY + MINUTE
    )
    resolved = resolve(setup, verify(setup, submit(story, setup), setup["dishub"], FRIDAY + MINUTE), FRIDAY + MINUTE)
    closed = submit(story, setup)
    svc.complaint_archive(actor=setup["desk"], complaint=closed, version=closed.version, reason="spam")
    not_ours = submit(story, setup)
    svc.complaint_not_authority(actor=setup["desk"], complaint=not_ours, version=not_ours.version, authority="PLN")
    # The public answer was the first response; only its resolution (still open) can be late.
    assert escalation.escalate_overdue(FIRST_DUE + MINUTE) == 0
    assert escalation.escalate_overdue(RESOLUTION_DUE + dt.timedelta(days=90)) == 1
    assert [c.pk for c in Complaint.objects.filter(updates__kind=UpdateKind.ESCALATION)] == [answered.pk]
    assert resolved.status == Status.RESOLVED and not escalations(resolved)


def test_a_reopened_report_escalates_again_after_a_new_breach(story: Story, setup: dict) -> None:
    received = timezone.now() - dt.timedelta(days=30)
    c = verify(setup, submit(story, setup, received), setup["dishub"], received + MINUTE)
    assert escalation.escalate_overdue() == 1
    c = resolve(setup, c)
    c = svc.complaint_reopen(complaint=c, reason="Mati lagi")
    assert c.resolution_escalated_at is None
    assert c.resolution_due is not None and c.resolution_due > timezone.now()  # a fresh resolution period
    assert escalation.escalate_overdue() == 0
    assert escalation.escalate_overdue(c.resolution_due + MINUTE) == 1
    assert len(escalations(c)) == 2
    assert sent_to() == ["kadis.dishub@example.id"] * 2 + ["meja@example.id"] * 2


def test_staff_taking_a_resolved_report_back_restarts_its_resolution_period(story: Story, setup: dict) -> None:
    received = timezone.now() - dt.timedelta(days=30)
    c = verify(setup, submit(story, setup, received), setup["dishub"], received + MINUTE)
    assert escalation.escalate_overdue() == 1
    c = resolve(setup, c)
    svc.complaint_respond(
        actor=setup["dishub_op"], complaint=c, version=c.version, text="Belum tuntas", status=Status.IN_PROGRESS
    )
    c.refresh_from_db()
    assert (c.resolved_at, c.resolution_escalated_at, c.reopen_count) == (None, None, 0)
    assert c.resolution_due is not None and c.resolution_due > timezone.now()
    assert escalation.escalate_overdue(c.resolution_due + MINUTE) == 1


def test_a_rival_run_in_between_does_not_escalate_twice(
    story: Story, setup: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers read the same overdue report; the second to claim it must find it taken."""
    c = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + MINUTE)
    now = RESOLUTION_DUE + MINUTE
    real_claim = escalation._claim
    rival: list[int] = []

    def claim_after_a_rival(complaint_id: int, breach: escalation.Breach, at: dt.datetime) -> bool:
        if not rival:
            rival.append(-1)
            rival[0] = escalation.escalate_overdue(now)  # the other worker runs from start to end
        return real_claim(complaint_id, breach, at)

    monkeypatch.setattr(escalation, "_claim", claim_after_a_rival)
    assert escalation.escalate_overdue(now) == 0
    assert rival == [1]
    assert len(escalations(c)) == 1
    assert AuditEvent.objects.filter(action="complaint.escalation").count() == 1
    assert sent_to() == ["kadis.dishub@example.id", "meja@example.id"]


def test_a_report_resolved_meanwhile_is_not_escalated(
    story: Story, setup: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + MINUTE)
    real_claim = escalation._claim

    def resolved_first(complaint_id: int, breach: escalation.Breach, at: dt.datetime) -> bool:
        resolve(setup, Complaint.objects.get(pk=complaint_id))
        return real_claim(complaint_id, breach, at)

    monkeypatch.setattr(escalation, "_claim", resolved_first)
    assert escalation.escalate_overdue(RESOLUTION_DUE + MINUTE) == 0
    assert escalations(c) == [] and mail.outbox == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_escalate_once(story: Story, setup: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    c = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + MINUTE)
    both_read = threading.Barrier(2, timeout=30)
    real_claim = escalation._claim

    def claim_together(complaint_id: int, breach: escalation.Breach, at: dt.datetime) -> bool:
        both_read.wait()  # both workers have their candidate list before either claims
        return real_claim(complaint_id, breach, at)

    monkeypatch.setattr(escalation, "_claim", claim_together)
    results: list[int] = []

    def worker() -> None:
        try:
            results.append(escalation.escalate_overdue(RESOLUTION_DUE + MINUTE))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert len(escalations(c)) == 1
    assert sent_to() == ["kadis.dishub@example.id", "meja@example.id"]


# ---------------------------------------------------------------------------------------- digest
TUESDAY = dt.date(2026, 6, 9)
MONDAY = dt.datetime(2026, 6, 8, 0, 0, tzinfo=WITA)


@pytest.fixture
def week(story: Story, setup: dict) -> dict[str, Complaint]:
    """As seen on Tuesday 9 June 07:00: what Dishub and the desk should hear about."""
    overdue = verify(setup, submit(story, setup), setup["dishub"], FRIDAY + MINUTE)  # due Mon 8 June 16:00
    new_at_desk = submit(story, setup, MONDAY + dt.timedelta(hours=10))
    # Received on Wednesday 3 June, sent to Dishub on Monday: new to Dishub, due Wednesday 10 June.
    due_soon = verify(
        setup,
        submit(story, setup, dt.datetime(2026, 6, 3, 10, 0, tzinfo=WITA)),
        setup["dishub"],
        MONDAY + dt.timedelta(hours=11),
    )
    resolved = resolve(
        setup,
        verify(
            setup,
            submit(story, setup, dt.datetime(2026, 6, 2, 9, 0, tzinfo=WITA)),
            setup["dishub"],
            dt.datetime(2026, 6, 2, 10, 0, tzinfo=WITA),
        ),
        MONDAY + dt.timedelta(hours=14),
    )
    return {"overdue": overdue, "new_at_desk": new_at_desk, "due_soon": due_soon, "resolved": resolved}


def digest_of(address: str) -> EmailMultiAlternatives:
    matches = [m for m in mail.outbox if m.to == [address]]
    assert len(matches) == 1, [m.to for m in mail.outbox]
    assert isinstance(matches[0], EmailMultiAlternatives)
    return matches[0]


def test_the_digest_goes_to_each_unit_with_news(story: Story, setup: dict, week: dict) -> None:
    assert escalation.daily_digest(TUESDAY) == 3
    # Dishub's operator and head, and the desk; not Dinkes or Diskominfo (nothing to say), not the camat
    # (no report was disposed to the kecamatan), not the admin (no e-mail address).
    assert sent_to() == ["kadis.dishub@example.id", "meja@example.id", "op.dishub@example.id"]

    dishub = digest_of("op.dishub@example.id")
    assert dishub.subject == "[Balai] Daily digest of Dishub, 9 June 2026: 1 overdue, 1 new"
    body = dishub.body
    assert body.startswith("Citizen reports of Dinas Perhubungan\n")
    assert "New and resolved since Monday, 8 June 2026" in body
    assert "Overdue: 1\nDue by the end of the next working day: 1\nNew: 1\nResolved: 1\n" in body
    overdue_part = body.split("== Overdue (1) ==")[1].split("==")[0]
    assert week["overdue"].tracking_code in overdue_part
    assert "Resolution due 8 June 2026 16:00" in overdue_part
    soon_part = body.split("== Due by the end of the next working day (1) ==")[1].split("==")[0]
    assert week["due_soon"].tracking_code in soon_part and "Resolution due 10 June 2026 16:00" in soon_part
    new_part = body.split("== New (1) ==")[1].split("==")[0]
    assert week["due_soon"].tracking_code in new_part
    resolved_part = body.split("== Resolved (1) ==")[1]
    assert week["resolved"].tracking_code in resolved_part and "Resolved 8 June 2026 14:00" in resolved_part
    assert week["new_at_desk"].tracking_code not in body  # not disposed: the desk's
    assert f"https://balai.example.go.id/pengaduan/{week['overdue'].tracking_code}/" in body
    assert "https://balai.example.go.id/pengaduan/?tab=unit&overdue=on" in body
    html = str(dishub.alternatives[0][0])
    assert f'href="https://balai.example.go.id/pengaduan/{week["resolved"].tracking_code}/"' in html
    assert "<script" not in html

    desk_mail = digest_of("meja@example.id")
    assert desk_mail.subject == "[Balai] Daily digest of the complaint desk, 9 June 2026: 0 overdue, 1 new"
    desk = desk_mail.body
    assert desk.startswith("Citizen reports at the complaint desk\n")
    assert "Overdue: 0\nDue by the end of the next working day: 0\nNew: 1\nResolved: 0\n" in desk
    assert week["new_at_desk"].tracking_code in desk and week["overdue"].tracking_code not in desk


def test_the_digest_after_a_long_weekend_covers_it_and_holidays_send_none(story: Story, setup: dict) -> None:
    saturday = submit(story, setup, dt.datetime(2026, 5, 30, 9, 0, tzinfo=WITA))
    assert escalation.daily_digest(dt.date(2026, 5, 31)) == 0  # Sunday (and Waisak)
    assert escalation.daily_digest(dt.date(2026, 6, 1)) == 0  # Pancasila day
    assert mail.outbox == []
    # Tuesday 2 June: everything since Friday 29 May, the previous working day.
    assert escalation.daily_digest(dt.date(2026, 6, 2)) == 1
    body = digest_of("meja@example.id").body
    assert "since Friday, 29 May 2026" in body
    assert saturday.tracking_code in body


def test_a_quiet_day_sends_no_digest(story: Story, setup: dict) -> None:
    resolve(setup, verify(setup, submit(story, setup), setup["dishub"], FRIDAY + MINUTE), FRIDAY + 2 * MINUTE)
    assert escalation.daily_digest(TUESDAY) == 0
    assert mail.outbox == []


def test_long_digest_lists_are_cut_and_counted(story: Story, setup: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(escalation, "DIGEST_LIST_LIMIT", 2)
    for _ in range(3):
        submit(story, setup, MONDAY + dt.timedelta(hours=9))
    assert escalation.daily_digest(TUESDAY) == 1
    body = digest_of("meja@example.id").body
    assert "== New (3) ==" in body and "… and 1 more" in body
    assert body.count("https://balai.example.go.id/pengaduan/AD26-") == 2


def test_the_digest_is_written_in_the_pemda_language(story: Story, setup: dict, settings: Any) -> None:
    settings.LANGUAGE_CODE = "id"
    submit(story, setup, MONDAY + dt.timedelta(hours=9))
    assert escalation.daily_digest(TUESDAY) == 1
    assert "9 Juni 2026" in mail.outbox[0].subject

"""The queue's write path: numbering, call order, recall/skip/transfer, visit records, walk-ins, bad input."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.publicservices.models import ServiceEvent
from balai.queues import services as q
from balai.queues.choices import TicketState
from balai.queues.models import CounterShift, Ticket
from balai.queues.tests.conftest import Office, make_counter, make_service

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
MONDAY = dt.datetime(2026, 6, 8, 8, 0, tzinfo=WITA)
MIN = dt.timedelta(minutes=1)


def take(story: Story, service: object, at: dt.datetime = MONDAY) -> Ticket:
    return q.ticket_take(office=story.mentaos, service=service, at=at)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ numbering
def test_numbers_run_per_office_per_day_with_the_service_letter(story: Story, office: Office) -> None:
    a = take(story, office.domicile)
    b = take(story, office.letter, MONDAY + MIN)
    c = take(story, office.domicile, MONDAY + 2 * MIN)
    komet = q.ticket_take(office=story.komet, service=office.komet_service, at=MONDAY)
    assert [a.code, b.code, c.code] == ["A-001", "B-002", "A-003"]
    assert komet.code == "A-001"  # another office has its own sequence
    assert a.day == dt.date(2026, 6, 8) and a.state == TicketState.WAITING and len(a.key) >= 20


def test_numbering_restarts_the_next_local_day(story: Story, office: Office) -> None:
    take(story, office.domicile, dt.datetime(2026, 6, 8, 23, 59, tzinfo=WITA))
    # 16:30 UTC on 8 June is already 00:30 on 9 June in Banjarbaru (WITA, UTC+8).
    next_day = take(story, office.domicile, dt.datetime(2026, 6, 8, 16, 30, tzinfo=dt.UTC))
    assert (next_day.day, next_day.number) == (dt.date(2026, 6, 9), 1)


def test_taking_a_ticket_is_audited_without_personal_data(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    event = AuditEvent.objects.get(action="queue.take")
    assert event.object_id == str(t.pk) and event.changes["ticket"] == "A-001"


@pytest.mark.parametrize("case", ["inactive", "no_counter", "closed_counter"])
def test_bad_service_is_refused_and_no_number_is_used(story: Story, office: Office, case: str) -> None:
    service = office.domicile
    if case == "inactive":
        service.is_active = False
        service.save()
    elif case == "no_counter":
        service = make_service(story.mentaos, "ktp", "Pengantar KTP")
    else:
        service = make_service(story.mentaos, "kk", "Pengantar KK")
        make_counter(story.mentaos, "Loket 3", service, is_active=False)
    with pytest.raises(ValidationError) as err:
        take(story, service)
    assert "service" in err.value.message_dict
    assert Ticket.objects.count() == 0
    assert take(story, office.letter).number == 1


def test_a_service_of_another_office_is_refused(story: Story, office: Office) -> None:
    with pytest.raises(ValidationError, match="is not served at the counters of"):
        take(story, office.komet_service)


# ---------------------------------------------------------------------------------------- call next
def test_call_next_takes_the_oldest_waiting_ticket_the_counter_serves(story: Story, office: Office) -> None:
    letter = take(story, office.letter)
    first = take(story, office.domicile, MONDAY + MIN)
    second = take(story, office.domicile, MONDAY + 2 * MIN)
    clerk = story.mentaos_clerk
    got = q.call_next(actor=clerk, counter=office.loket1, at=MONDAY + 5 * MIN)
    assert got.pk == first.pk  # loket 1 does not serve the letter, older as it is
    assert (got.state, got.counter_id, got.clerk_id) == (TicketState.CALLED, office.loket1.pk, clerk.pk)
    assert got.called_at == MONDAY + 5 * MIN
    got2 = q.call_next(actor=office.clerk2, counter=office.loket2, at=MONDAY + 6 * MIN)
    assert got2.pk == letter.pk  # loket 2 serves both: the oldest of all
    assert Ticket.objects.get(pk=second.pk).state == TicketState.WAITING


def test_calling_with_nobody_waiting_says_so(story: Story, office: Office) -> None:
    take(story, office.letter)
    with pytest.raises(q.NoWaitingTicket, match="Nobody is waiting for the services of Loket 1"):
        q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + MIN)
    assert Ticket.objects.get().state == TicketState.WAITING


def test_yesterdays_tickets_are_not_called(story: Story, office: Office) -> None:
    take(story, office.domicile, MONDAY - dt.timedelta(days=1))
    with pytest.raises(q.NoWaitingTicket):
        q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY)


def test_a_counter_holds_one_ticket_at_a_time(story: Story, office: Office) -> None:
    take(story, office.domicile)
    take(story, office.domicile, MONDAY + MIN)
    q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + 2 * MIN)
    with pytest.raises(ValidationError, match="A-001 is still called at this counter"):
        q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + 3 * MIN)
    assert Ticket.objects.filter(state=TicketState.WAITING).count() == 1


def test_clerk_of_another_office_may_not_call(story: Story, office: Office) -> None:
    take(story, office.domicile)
    with pytest.raises(PermissionDenied):
        q.call_next(actor=story.komet_clerk, counter=office.loket1, at=MONDAY + MIN)
    assert Ticket.objects.get().state == TicketState.WAITING


def test_a_counter_occupied_by_another_clerk_is_refused(story: Story, office: Office) -> None:
    take(story, office.domicile)
    q.counter_open(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY)
    with pytest.raises(ValidationError, match="is working at Loket 1"):
        q.call_next(actor=office.clerk2, counter=office.loket1, at=MONDAY + MIN)
    # A shift forgotten yesterday does not block today.
    tuesday = MONDAY + dt.timedelta(days=1)
    t = take(story, office.domicile, tuesday)
    assert q.call_next(actor=office.clerk2, counter=office.loket1, at=tuesday + MIN).pk == t.pk


def test_moving_to_another_counter_ends_the_first_shift(story: Story, office: Office) -> None:
    q.counter_open(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY)
    q.counter_open(actor=story.mentaos_clerk, counter=office.loket2, at=MONDAY + MIN)
    open_shifts = CounterShift.objects.filter(ended_at__isnull=True)
    assert [(s.counter_id, s.clerk_id) for s in open_shifts] == [(office.loket2.pk, story.mentaos_clerk.pk)]


def test_closed_counter_cannot_call(story: Story, office: Office) -> None:
    office.loket1.is_active = False
    office.loket1.save()
    take(story, office.letter)
    with pytest.raises(ValidationError, match="Counter Loket 1 is closed"):
        q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + MIN)


# ------------------------------------------------------------------------------------ serve → visit
def test_served_ticket_becomes_a_visit_with_wait_and_service_seconds(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    clerk = story.mentaos_clerk
    q.call_next(actor=clerk, counter=office.loket1, at=MONDAY + dt.timedelta(minutes=12, seconds=30))
    q.serve_start(actor=clerk, counter=office.loket1, ticket=t, at=MONDAY + dt.timedelta(minutes=13))
    event = q.serve_finish(
        actor=clerk, counter=office.loket1, ticket=t, at=MONDAY + dt.timedelta(minutes=20, seconds=5)
    )
    assert (event.kind, event.unit, event.service, event.counter, event.clerk) == (
        "queue",
        story.mentaos,
        office.domicile,
        office.loket1,
        clerk,
    )
    assert (event.wait_seconds, event.service_seconds) == (750, 425)
    t.refresh_from_db()
    assert (t.state, t.event_id, t.served_at) == (TicketState.SERVED, event.pk, event.occurred_at)
    actions = list(
        AuditEvent.objects.filter(action__startswith="queue.").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["queue.take", "queue.call", "queue.start", "queue.finish"]


def test_finish_needs_start_and_nothing_is_recorded(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + MIN)
    with pytest.raises(ValidationError, match="A-001 is called, not at Loket 1"):
        q.serve_finish(actor=story.mentaos_clerk, counter=office.loket1, ticket=t, at=MONDAY + 2 * MIN)
    assert ServiceEvent.objects.count() == 0


def test_a_ticket_of_another_counter_cannot_be_started_here(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + MIN)
    with pytest.raises(ValidationError):
        q.serve_start(actor=office.clerk2, counter=office.loket2, ticket=t, at=MONDAY + 2 * MIN)


# -------------------------------------------------------------------------------- recall, skip, transfer
def test_recall_counts_and_keeps_the_first_call_time(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + MIN)
    q.ticket_recall(actor=story.mentaos_clerk, counter=office.loket1, ticket=t, at=MONDAY + 3 * MIN)
    t.refresh_from_db()
    assert (t.recall_count, t.called_at, t.last_called_at) == (1, MONDAY + MIN, MONDAY + 3 * MIN)


def test_skipped_ticket_can_be_recalled_later_by_a_counter_serving_it(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    other = take(story, office.domicile, MONDAY + MIN)
    clerk = story.mentaos_clerk
    q.call_next(actor=clerk, counter=office.loket1, at=MONDAY + 2 * MIN)
    q.ticket_skip(actor=clerk, counter=office.loket1, ticket=t, at=MONDAY + 4 * MIN)
    assert Ticket.objects.get(pk=t.pk).state == TicketState.SKIPPED
    assert q.call_next(actor=clerk, counter=office.loket1, at=MONDAY + 5 * MIN).pk == other.pk  # skipped stays out
    with pytest.raises(ValidationError, match="is still at this counter"):
        q.ticket_recall(actor=clerk, counter=office.loket1, ticket=t, at=MONDAY + 6 * MIN)
    recalled = q.ticket_recall(actor=office.clerk2, counter=office.loket2, ticket=t, at=MONDAY + 7 * MIN)
    assert (recalled.state, recalled.counter_id, recalled.recall_count) == (TicketState.CALLED, office.loket2.pk, 1)
    q.serve_start(actor=office.clerk2, counter=office.loket2, ticket=t, at=MONDAY + 8 * MIN)
    event = q.serve_finish(actor=office.clerk2, counter=office.loket2, ticket=t, at=MONDAY + 10 * MIN)
    assert (event.wait_seconds, event.service_seconds) == (120, 120)


def test_skip_only_a_called_ticket(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    with pytest.raises(ValidationError):
        q.ticket_skip(actor=story.mentaos_clerk, counter=office.loket1, ticket=t, at=MONDAY + MIN)
    assert Ticket.objects.get().state == TicketState.WAITING


def test_transfer_to_another_service_keeps_its_place_by_time_taken(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    later = take(story, office.letter, MONDAY + MIN)
    clerk = story.mentaos_clerk
    q.call_next(actor=clerk, counter=office.loket1, at=MONDAY + 2 * MIN)
    q.serve_start(actor=clerk, counter=office.loket1, ticket=t, at=MONDAY + 3 * MIN)
    moved = q.ticket_transfer(
        actor=clerk, counter=office.loket1, ticket=t, to_service=office.letter, at=MONDAY + 4 * MIN
    )
    assert (moved.state, moved.service, moved.code, moved.transfer_count) == (
        TicketState.WAITING,
        office.letter,
        "A-001",  # the citizen keeps the number on their paper
        1,
    )
    got = q.call_next(actor=office.clerk2, counter=office.loket2, at=MONDAY + 5 * MIN)
    assert got.pk == t.pk and got.pk != later.pk
    assert got.called_at == MONDAY + 2 * MIN  # the wait ended at the first call


def test_transfer_to_a_counter_only_that_counter_calls_it(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    clerk = story.mentaos_clerk
    q.call_next(actor=clerk, counter=office.loket1, at=MONDAY + MIN)
    q.ticket_transfer(actor=clerk, counter=office.loket1, ticket=t, to_counter=office.loket2, at=MONDAY + 2 * MIN)
    with pytest.raises(q.NoWaitingTicket):
        q.call_next(actor=clerk, counter=office.loket1, at=MONDAY + 3 * MIN)
    assert q.call_next(actor=office.clerk2, counter=office.loket2, at=MONDAY + 4 * MIN).pk == t.pk


def test_transfer_refuses_a_counter_that_does_not_serve_the_service(story: Story, office: Office) -> None:
    t = take(story, office.letter)
    clerk = office.clerk2
    q.call_next(actor=clerk, counter=office.loket2, at=MONDAY + MIN)
    with pytest.raises(ValidationError) as err:
        q.ticket_transfer(actor=clerk, counter=office.loket2, ticket=t, to_counter=office.loket1, at=MONDAY + 2 * MIN)
    assert err.value.message_dict == {"to_counter": ["Loket 1 does not serve Surat keterangan usaha."]}
    with pytest.raises(ValidationError, match="is not of this office"):
        q.ticket_transfer(
            actor=clerk, counter=office.loket2, ticket=t, to_counter=office.komet_counter, at=MONDAY + 2 * MIN
        )
    t.refresh_from_db()
    assert (t.state, t.counter_id, t.transfer_count) == (TicketState.CALLED, office.loket2.pk, 0)


def test_cancel_a_waiting_ticket_only(story: Story, office: Office) -> None:
    t = take(story, office.domicile)
    assert q.ticket_cancel(ticket=t, at=MONDAY + MIN).state == TicketState.CANCELLED
    t2 = take(story, office.domicile, MONDAY + 2 * MIN)
    q.call_next(actor=story.mentaos_clerk, counter=office.loket1, at=MONDAY + 3 * MIN)
    with pytest.raises(ValidationError, match="can no longer be cancelled"):
        q.ticket_cancel(ticket=t2, at=MONDAY + 4 * MIN)


# ------------------------------------------------------------------------------------------- walk-ins
def test_walk_in_is_logged_as_a_visit_without_wait(story: Story, office: Office) -> None:
    event = q.walk_in_record(
        actor=story.mentaos_clerk,
        office=story.mentaos,
        service=office.letter,
        counter=office.loket2,
        service_minutes=7,
        note="Legalisir",
        at=MONDAY,
    )
    assert (event.kind, event.unit, event.counter, event.wait_seconds, event.service_seconds, event.note) == (
        "walk_in",
        story.mentaos,
        office.loket2,
        None,
        420,
        "Legalisir",
    )


def test_walk_in_bad_input_changes_nothing(story: Story, office: Office) -> None:
    with pytest.raises(PermissionDenied):
        q.walk_in_record(actor=story.komet_clerk, office=story.mentaos, service=office.domicile, at=MONDAY)
    with pytest.raises(ValidationError) as err:
        q.walk_in_record(
            actor=story.mentaos_clerk, office=story.mentaos, service=office.domicile, service_minutes=-1, at=MONDAY
        )
    assert "service_minutes" in err.value.message_dict
    with pytest.raises(ValidationError):
        q.walk_in_record(actor=story.mentaos_clerk, office=story.mentaos, service=office.komet_service, at=MONDAY)
    with pytest.raises(ValidationError):  # a NIK in the logbook note
        q.walk_in_record(
            actor=story.mentaos_clerk, office=story.mentaos, service=office.domicile, note="6372041234567890", at=MONDAY
        )
    assert ServiceEvent.objects.count() == 0

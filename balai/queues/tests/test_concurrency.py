"""Two clerks pressing "call next" at the same moment get two different tickets; no ticket is lost.

Real threads with their own database connections, so it needs PostgreSQL (SQLite serialises every writer,
which makes the race impossible rather than handled). Run it with
``BALAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pytest balai/queues -k concurren``.
"""

from __future__ import annotations

import threading
from collections import Counter as Tally

import pytest
from django.db import connection

from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import User
from balai.org.roles import Role
from balai.publicservices.models import Counter, ServiceEvent
from balai.queues import services as q
from balai.queues.choices import TicketState
from balai.queues.models import Ticket
from balai.queues.tests.conftest import make_counter, make_service

CLERKS = 20
TICKETS = 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_call_next_gives_each_ticket_exactly_once(story: Story) -> None:
    service = make_service(story.mentaos, "sk-domisili", "Surat keterangan domisili")
    counters: list[Counter] = []
    clerks: list[User] = []
    for i in range(CLERKS):
        counters.append(make_counter(story.mentaos, f"Loket {i + 1}", service))
        clerk = org.user_create(actor=None, username=f"clerk{i}", password=None)
        org.role_assign(actor=None, user=clerk, role=Role.KELURAHAN_OPERATOR, org_unit=story.mentaos)
        clerks.append(clerk)
    tickets = [q.ticket_take(office=story.mentaos, service=service) for _ in range(TICKETS)]
    assert sorted(t.number for t in tickets) == list(range(1, TICKETS + 1))

    start = threading.Barrier(CLERKS, timeout=60)
    called: list[list[int]] = [[] for _ in range(CLERKS)]
    errors: list[BaseException] = []

    def clerk_at_work(i: int) -> None:
        try:
            start.wait()  # every clerk presses "call next" at the same moment
            while True:
                try:
                    ticket = q.call_next(actor=clerks[i], counter=counters[i])
                except q.NoWaitingTicket:
                    return
                called[i].append(ticket.pk)
                q.serve_start(actor=clerks[i], counter=counters[i], ticket=ticket)
                q.serve_finish(actor=clerks[i], counter=counters[i], ticket=ticket)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk_at_work, args=(i,)) for i in range(CLERKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    every_call = [pk for calls in called for pk in calls]
    duplicates = [pk for pk, n in Tally(every_call).items() if n > 1]
    assert duplicates == []
    assert sorted(every_call) == sorted(t.pk for t in tickets)  # none lost
    assert sum(1 for calls in called if calls) > 1  # the work really was shared
    assert Ticket.objects.filter(state=TicketState.SERVED).count() == TICKETS
    assert ServiceEvent.objects.filter(kind="queue").count() == TICKETS
    assert set(Ticket.objects.values_list("event_id", flat=True)) == set(
        ServiceEvent.objects.values_list("pk", flat=True)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_kiosks_never_print_the_same_number(story: Story) -> None:
    service = make_service(story.mentaos, "sk-domisili", "Surat keterangan domisili")
    make_counter(story.mentaos, "Loket 1", service)
    kiosks = 10
    start = threading.Barrier(kiosks, timeout=60)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def kiosk() -> None:
        try:
            start.wait()
            for _ in range(10):
                numbers.append(q.ticket_take(office=story.mentaos, service=service).number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=kiosk) for _ in range(kiosks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 101))

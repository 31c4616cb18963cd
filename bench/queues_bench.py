"""Call-next under concurrent clerks (issue 4): calls per second, and proof of 0 duplicates and 0 lost tickets.

``clerks`` threads, each with its own database connection and its own counter (all serving the same service of
one office), start together on ``tickets`` waiting tickets. Each clerk loops: ``call_next`` (the real service
function: shift check, ``SELECT ... FOR UPDATE SKIP LOCKED``, conditional UPDATE, audit row), then ``ticket_skip``
to free the counter for the next call, until nobody is waiting. A counter must be freed before it calls again,
so the cycle is the unit of work: one call each.

Baseline, same run and same threads: the same number of cycles of two plain single-row UPDATE transactions on
the ticket table (the least a call and a release can cost). The ratio is call cycles/s ÷ baseline cycles/s.

Meant for PostgreSQL (on SQLite every writer is serialised, so it measures the lock, not the queue):

    BALAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_bench_queues \\
        .venv/bin/python bench/queues_bench.py --clerks 20 --tickets 2000

``--processes`` runs each clerk (and each baseline worker) in its own forked process instead of a thread, as
gunicorn's workers are: threads of one process take turns on the GIL for the Python side of every call.

The database must be empty (it is migrated and filled here). ``part_queues`` is what bench/suite.py calls.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter as Tally
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
os.environ.setdefault("BALAI_ENV", "test")


def _setup(clerks: int, tickets: int) -> tuple[Any, list[Any], list[Any], Any]:
    """The story's Kelurahan Mentaos with one service, one counter and one clerk per thread, and the tickets."""
    import datetime as dt
    import secrets

    from django.utils import timezone

    from balai.core.testing import build_story
    from balai.org import services as org
    from balai.org.roles import Role
    from balai.publicservices.models import Counter, Service
    from balai.queues.models import Ticket, TicketSequence
    from balai.queues.services import local_day

    story = build_story()
    office = story.mentaos
    service = Service.objects.create(
        unit=office, code="sk-domisili", name_id="Surat keterangan domisili", requirements="KTP", procedure="Datang"
    )
    counters, users = [], []
    for i in range(clerks):
        counter = Counter.objects.create(unit=office, name=f"Loket {i + 1}")
        counter.services.set([service])
        counters.append(counter)
        user = org.user_create(actor=None, username=f"bench_clerk_{i}", password=None)
        org.role_assign(actor=None, user=user, role=Role.KELURAHAN_OPERATOR, org_unit=office)
        users.append(user)
    # Tickets written in bulk: taking them is not what is measured (see the kiosk test for that path).
    now = timezone.now()
    day = local_day(now)
    Ticket.objects.bulk_create(
        [
            Ticket(
                unit=office,
                service=service,
                day=day,
                number=n,
                prefix="A",
                channel="kiosk",
                key=secrets.token_urlsafe(16),
                taken_at=now - dt.timedelta(seconds=tickets - n),
            )
            for n in range(1, tickets + 1)
        ],
        batch_size=1000,
    )
    TicketSequence.objects.create(unit=office, day=day, last_number=tickets)
    return office, counters, users, service


def _run_threads(clerks: int, work: Any) -> tuple[float, list[BaseException]]:
    from django.db import connection

    start = threading.Barrier(clerks + 1, timeout=120)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            connection.ensure_connection()  # connect before the clock starts
            start.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(clerks)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - began, errors


def _run_processes(clerks: int, work: Any, collect: Any) -> tuple[float, list[str], list[Any]]:
    """``work(i)`` in ``clerks`` forked processes started together; what ``collect(i)`` returns comes back.

    Returns the seconds from the common start to the last finish, the errors, and the collected values by i.
    """
    import multiprocessing

    from django.db import connection, connections

    context = multiprocessing.get_context("fork")
    # A connection open across fork would be one socket shared by every child: each opens its own instead.
    connections.close_all()
    start = context.Barrier(clerks + 1, timeout=120)
    answers = context.Queue()

    def body(i: int) -> None:
        try:
            connection.ensure_connection()  # connect before the clock starts
            start.wait()
            work(i)
            # CLOCK_MONOTONIC (time.monotonic) is one clock for every process of the machine.
            answers.put((i, time.monotonic(), None, collect(i)))
        except BaseException as exc:
            answers.put((i, time.monotonic(), repr(exc), None))
        finally:
            connection.close()

    workers = [context.Process(target=body, args=(i,)) for i in range(clerks)]
    for p in workers:
        p.start()
    try:
        start.wait()
        began = time.monotonic()
        # Read every answer before joining: a child blocks on exit until its queued data is taken.
        answered = [answers.get(timeout=600) for _ in range(clerks)]
        for p in workers:
            p.join(timeout=60)
    finally:
        for p in workers:
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
    errors = [error for _i, _t, error, _v in answered if error is not None]
    values: list[Any] = [None] * clerks
    for i, _t, _error, value in answered:
        values[i] = value
    return max(t for _i, t, _e, _v in answered) - began, errors, values


def part_queues(clerks: int = 20, tickets: int = 2000, processes: bool = False) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from balai.core.models import AuditEvent
    from balai.queues import services as q
    from balai.queues.choices import TicketState
    from balai.queues.models import Ticket

    call_command("migrate", verbosity=0, interactive=False)
    _office, counters, users, _service = _setup(clerks, tickets)

    called: list[list[int]] = [[] for _ in range(clerks)]
    latencies: list[list[float]] = [[] for _ in range(clerks)]

    def clerk_at_work(i: int) -> None:
        while True:
            t0 = time.perf_counter()
            try:
                ticket = q.call_next(actor=users[i], counter=counters[i])
            except q.NoWaitingTicket:
                return
            latencies[i].append(time.perf_counter() - t0)
            called[i].append(ticket.pk)
            q.ticket_skip(actor=users[i], counter=counters[i], ticket=ticket)

    errors: list[Any]
    if processes:
        seconds, errors, values = _run_processes(clerks, clerk_at_work, lambda i: (called[i], latencies[i]))
        for i, value in enumerate(values):
            if value is not None:
                called[i], latencies[i] = value
    else:
        seconds, errors = _run_threads(clerks, clerk_at_work)
    if errors:
        raise RuntimeError(f"{len(errors)} clerk threads failed, first: {errors[0]!r}")
    every = [pk for calls in called for pk in calls]
    duplicates = sum(n - 1 for n in Tally(every).values() if n > 1)
    all_ids = set(Ticket.objects.values_list("pk", flat=True))
    lost = len(all_ids - set(every))
    skipped = Ticket.objects.filter(state=TicketState.SKIPPED).count()
    audit_calls = AuditEvent.objects.filter(action="queue.call").count()

    # Baseline: two plain single-row UPDATE transactions per ticket, the tickets dealt out to the same threads.
    ids = sorted(all_ids)
    table = Ticket._meta.db_table

    def plain_updates(i: int) -> None:
        with connection.cursor() as cursor:
            for pk in ids[i::clerks]:
                for state in (TicketState.CALLED, TicketState.SKIPPED):
                    cursor.execute(f"UPDATE {table} SET state = %s WHERE id = %s", [state, pk])

    if processes:
        base_seconds, errors, _values = _run_processes(clerks, plain_updates, lambda i: None)
    else:
        base_seconds, errors = _run_threads(clerks, plain_updates)
    if errors:
        raise RuntimeError(f"{len(errors)} baseline threads failed, first: {errors[0]!r}")
    flat = sorted(x for lat in latencies for x in lat)
    rate = len(every) / seconds
    base_rate = len(ids) / base_seconds
    return {
        "part": "queues",
        "vendor": connection.vendor,
        "clerks": clerks,
        "clerks_as": "processes" if processes else "threads",
        "tickets": tickets,
        "calls": len(every),
        "duplicates": duplicates,
        "lost": lost,
        "skipped_rows": skipped,
        "audit_calls": audit_calls,
        "clerks_used": sum(1 for c in called if c),
        "seconds": round(seconds, 3),
        "calls_per_s": round(rate, 1),
        "call_ms_p50": round(statistics.median(flat) * 1000, 2) if flat else None,
        "call_ms_p95": round(flat[int(0.95 * (len(flat) - 1))] * 1000, 2) if flat else None,
        "baseline_seconds": round(base_seconds, 3),
        "baseline_cycles_per_s": round(base_rate, 1),
        "ratio": round(rate / base_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--processes", action="store_true", help="each clerk in its own process, not a thread")
    args = parser.parse_args()
    result = part_queues(args.clerks, args.tickets, args.processes)
    print("BENCH-RESULT " + json.dumps(result))
    if result["duplicates"] or result["lost"]:
        sys.exit(1)


if __name__ == "__main__":
    main()

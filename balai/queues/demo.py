"""Demo queue history: served tickets and logbook walk-ins at the kelurahan, kecamatan and MPP offices.

Call it after the catalogue (``balai.publicservices.demo.seed_catalogue``: services and counters) and the demo
accounts. Working days only (the Pemda's holiday calendar in ``balai.workdays``), office hours 07:30–16:00
(Friday 16:30, with the Friday prayer break), a morning peak, and each day simulated as a multi-counter queue so
waits grow when the hall is busy: 20–30 citizens a day at a kelurahan, 8–15 at a kecamatan PATEN desk,
120–340 at the MPP.

Rows are written with plain INSERTs (one service call per ticket would take minutes for a few months of an
MPP, and even ``bulk_create`` spends most of its time re-preparing values); each office's batch leaves one audit
event saying where the rows came from.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from balai.core.audit import audit_record
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, RoleAssignment
from balai.org.roles import Role
from balai.publicservices.choices import EventKind
from balai.publicservices.models import Counter, Service, ServiceEvent
from balai.publicservices.services import is_mpp
from balai.queues.choices import TicketChannel, TicketState
from balai.queues.models import CounterShift, Ticket, TicketSequence
from balai.queues.services import service_letter
from balai.workdays.models import Holiday

OPENS = dt.time(7, 30)
CLOSES = (dt.time(16, 0),) * 4 + (dt.time(16, 30),)
# Share of the day's arrivals per hour from 07:00: most come early, few after the midday break.
HOUR_WEIGHTS = {7: 6, 8: 16, 9: 18, 10: 16, 11: 11, 12: 5, 13: 10, 14: 10, 15: 6, 16: 2}
WALK_IN_SHARE = 0.2
NO_SHOW_SHARE = 0.03
NOTES = ["", "", "", "Legalisir", "Konsultasi", "Ambil surat", "Tanya persyaratan", "Pengantar RT/RW lengkap"]


@dataclass(frozen=True)
class Load:
    low: int
    high: int
    service_minutes: float  # median service time


LOADS = {"kelurahan": Load(20, 30, 6.0), "kecamatan": Load(8, 15, 9.0), "mpp": Load(120, 340, 11.0)}


def _offices(root: OrgUnit) -> list[tuple[OrgUnit, Load]]:
    units = OrgUnit.objects.filter(path__startswith=root.path, is_active=True, counters__is_active=True).distinct()
    out = []
    for unit in units.order_by("path"):
        if unit.kind in (UnitKind.KELURAHAN, UnitKind.DESA):
            out.append((unit, LOADS["kelurahan"]))
        elif unit.kind == UnitKind.KECAMATAN:
            out.append((unit, LOADS["kecamatan"]))
        elif is_mpp(unit):
            out.append((unit, LOADS["mpp"]))
    return out


def _arrival(rng: random.Random, day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    hours = list(HOUR_WEIGHTS)
    hour = rng.choices(hours, weights=[HOUR_WEIGHTS[h] for h in hours])[0]
    minute = rng.randrange(30, 60) if hour == 7 else rng.randrange(60)
    if day.weekday() == 4 and hour in (11, 12):
        hour = 13  # Friday prayers: the hall is closed from 11:30
    at = dt.datetime.combine(day, dt.time(hour, minute, rng.randrange(60)), tzinfo=zone)
    closes = dt.datetime.combine(day, CLOSES[day.weekday()], tzinfo=zone) - dt.timedelta(minutes=20)
    return min(at, closes)


def _clerks(root: OrgUnit) -> dict[int, int]:
    """A demo clerk per office (the kelurahan operator accounts), so visits carry who served them."""
    out: dict[int, int] = {}
    for unit_id, user_id in RoleAssignment.objects.filter(
        role=Role.KELURAHAN_OPERATOR, org_unit__path__startswith=root.path
    ).values_list("org_unit_id", "user_id"):
        out.setdefault(unit_id, user_id)
    return out


def seed_visits(root: OrgUnit, *, days: int = 90, seed: int = 2026, now: dt.datetime | None = None) -> dict[str, int]:
    """Tickets, visits and walk-ins for the ``days`` calendar days before ``now``'s day. Returns counts."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(root.time_zone or "Asia/Makassar")
    today = now.astimezone(zone).date()
    first = today - dt.timedelta(days=days)
    holidays = set(Holiday.objects.filter(pemda=root, date__gte=first, date__lte=today).values_list("date", flat=True))
    # Days before today only: a load at 09:00 and one at 15:00 must give the same history (and the same Facts);
    # today's queue is the one the clerks run.
    workdays = [
        first + dt.timedelta(days=i)
        for i in range((today - first).days)
        if (first + dt.timedelta(days=i)).weekday() < 5 and first + dt.timedelta(days=i) not in holidays
    ]
    clerks = _clerks(root)
    totals: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for office, load in _offices(root):
            rng = random.Random(f"{seed}:queues:{office.code}")
            counts = _seed_office(rng, office, load, workdays, zone, clerks.get(office.pk))
            for key, value in counts.items():
                totals[key] += value
            audit_record(actor=None, action="queue.demo_seed", obj=office, org_unit=office, changes=counts)
    return dict(totals)


def _seed_office(
    rng: random.Random,
    office: OrgUnit,
    load: Load,
    workdays: list[dt.date],
    zone: zoneinfo.ZoneInfo,
    clerk_id: int | None,
) -> dict[str, int]:
    counters = list(Counter.objects.filter(unit=office, is_active=True).prefetch_related("services"))
    serving: dict[int, list[Counter]] = defaultdict(list)
    for c in counters:
        for s in c.services.all():
            if s.is_active:
                serving[s.pk].append(c)
    services = [s for s in Service.objects.filter(pk__in=list(serving)).order_by("sort_order", "pk")]
    if not services:
        return {}
    letters = {s.pk: service_letter(s, office) for s in services}
    # Popular services first: a few letters make most of a kelurahan's day (domicile, SKTM...).
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(services))]
    base = rng.uniform(load.low, load.high)
    tickets: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    sequences: list[TicketSequence] = []
    shifts: list[CounterShift] = []
    at = connection.ops.adapt_datetimefield_value  # a UTC string on SQLite, the aware value on PostgreSQL
    visits = walk_ins = 0
    for day in workdays:
        factor = rng.uniform(0.85, 1.15) * (1.1 if day.weekday() == 0 else 0.85 if day.weekday() == 4 else 1.0)
        n = max(1, round(min(load.high, max(load.low, base * factor))))
        arrivals = sorted(_arrival(rng, day, zone) for _ in range(n))
        free_at = {c.pk: dt.datetime.combine(day, OPENS, tzinfo=zone) for c in counters}
        number = 0
        day_value = connection.ops.adapt_datefield_value(day)
        for taken in arrivals:
            service = rng.choices(services, weights=weights)[0]
            desks = serving[service.pk]
            desk = min(desks, key=lambda c: free_at[c.pk])
            minutes = max(1.0, rng.lognormvariate(0, 0.45) * load.service_minutes)
            if rng.random() < WALK_IN_SHARE:
                # Logbook: served when a desk is free, no ticket, no wait recorded; often no time either.
                end = max(taken, free_at[desk.pk]) + dt.timedelta(minutes=minutes)
                free_at[desk.pk] = end
                seconds = round(minutes) * 60 if rng.random() < 0.6 else None
                events.append(
                    (EventKind.WALK_IN.value, office.pk, service.pk, desk.pk, clerk_id, at(end), None, seconds,
                     rng.choice(NOTES))
                )  # fmt: skip
                walk_ins += 1
                continue
            number += 1
            called = max(taken, free_at[desk.pk])
            channel = TicketChannel.PHONE.value if rng.random() < 0.25 else TicketChannel.KIOSK.value
            key = secrets.token_urlsafe(16)
            if rng.random() < NO_SHOW_SHARE:
                closed = called + dt.timedelta(minutes=2)
                free_at[desk.pk] = closed
                tickets.append(
                    (office.pk, service.pk, day_value, number, letters[service.pk], TicketState.SKIPPED.value,
                     channel, key, at(taken), at(called), at(called), None, None, at(closed), desk.pk, clerk_id)
                )  # fmt: skip
                continue
            start = called + dt.timedelta(seconds=rng.randrange(20, 120))
            end = start + dt.timedelta(minutes=minutes)
            free_at[desk.pk] = end
            tickets.append(
                (office.pk, service.pk, day_value, number, letters[service.pk], TicketState.SERVED.value, channel,
                 key, at(taken), at(called), at(called), at(start), at(end), at(end), desk.pk, clerk_id)
            )  # fmt: skip
            events.append(
                (EventKind.QUEUE.value, office.pk, service.pk, desk.pk, clerk_id, at(end),
                 int((called - taken).total_seconds()), int((end - start).total_seconds()), "")
            )  # fmt: skip
            visits += 1
        if number:
            sequences.append(TicketSequence(unit=office, day=day, last_number=number))
        if clerk_id is not None and counters:
            opened = dt.datetime.combine(day, OPENS, tzinfo=zone)
            closed = dt.datetime.combine(day, CLOSES[day.weekday()], tzinfo=zone)
            # One account per office in the demo: the clerk's day at the first counter.
            shifts.append(CounterShift(counter=counters[0], clerk_id=clerk_id, started_at=opened, ended_at=closed))
    _insert(ServiceEvent, EVENT_FIELDS, events)
    _insert(Ticket, TICKET_FIELDS, tickets)
    _link_events(office)
    TicketSequence.objects.bulk_create(sequences, batch_size=1000)
    CounterShift.objects.bulk_create(shifts, batch_size=1000)
    return {"tickets": len(tickets), "visits": visits, "walk_ins": walk_ins}


EVENT_FIELDS = [
    "kind", "unit", "service", "counter", "clerk", "occurred_at", "wait_seconds", "service_seconds", "note",
]  # fmt: skip
TICKET_FIELDS = [
    "unit", "service", "day", "number", "prefix", "state", "channel", "key", "taken_at", "called_at",
    "last_called_at", "serve_started_at", "served_at", "closed_at", "counter", "clerk",
]  # fmt: skip


def _insert(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain INSERTs: Django's bulk_create spends most of a demo load preparing values already prepared here."""
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    defaults = [
        (f.column, f.get_default()) for f in meta.concrete_fields if f.column not in columns and not f.primary_key
    ]
    columns += [c for c, _v in defaults]
    extra = tuple(v for _c, v in defaults)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model's own metadata
        qn(meta.db_table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, [row + extra for row in rows[i : i + 5000]])


def _link_events(office: OrgUnit) -> None:
    """Point each served ticket at its visit: the queue event at its counter at the moment it was served."""
    ticket, event = Ticket._meta.db_table, ServiceEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ticket} SET event_id = (SELECT e.id FROM {event} e WHERE e.unit_id = {ticket}.unit_id"  # noqa: S608
            f" AND e.occurred_at = {ticket}.served_at AND e.counter_id = {ticket}.counter_id AND e.kind = %s)"
            " WHERE unit_id = %s AND state = %s AND event_id IS NULL",
            [EventKind.QUEUE.value, office.pk, TicketState.SERVED.value],
        )

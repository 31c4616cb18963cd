"""The read path of the queue: offices taking tickets, a clerk's counters, the call screen, a ticket's place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import pemda_zone
from balai.publicservices.choices import EventKind
from balai.publicservices.models import Counter, Service, ServiceEvent
from balai.queues.choices import AT_COUNTER, TicketState
from balai.queues.models import CounterShift, Ticket
from balai.queues.services import local_day, services_offered

#: Recent service times an estimate is taken over, and the guess when an office has none yet.
ESTIMATE_SAMPLE = 30
DEFAULT_SERVICE_SECONDS = 6 * 60
RECENT_CALLS = 6


# ------------------------------------------------------------------------------------------- public
def offices_with_queue() -> QuerySet[OrgUnit]:
    """Active offices that have an active counter serving an active service."""
    return (
        OrgUnit.objects.filter(is_active=True, counters__is_active=True, counters__services__is_active=True)
        .distinct()
        .order_by("path")
    )


def office_get(code: str) -> OrgUnit:
    """An office that takes tickets (public pages: kiosk, call screen), or 404."""
    office = offices_with_queue().filter(code=code).first()
    if office is None:
        raise Http404
    return office


def ticket_by_key(key: str) -> Ticket:
    ticket = Ticket.objects.select_related("unit", "service", "counter", "event").filter(key=key).first()
    if ticket is None:
        raise Http404
    return ticket


@dataclass
class Position:
    ahead: int
    minutes: int | None  # None once the ticket is no longer waiting
    counters_open: int


def _average_service_seconds(office: OrgUnit, service: Service) -> float:
    recent = ServiceEvent.objects.filter(
        unit=office, kind=EventKind.QUEUE, service=service, service_seconds__isnull=False
    ).order_by("-occurred_at")[:ESTIMATE_SAMPLE]
    value = ServiceEvent.objects.filter(pk__in=recent.values("pk")).aggregate(avg=Avg("service_seconds"))["avg"]
    return float(value) if value else float(DEFAULT_SERVICE_SECONDS)


def position(ticket: Ticket, now: dt.datetime | None = None) -> Position:
    """How many are ahead (same service, or sent to one of its counters) and a rough wait: the recent average
    service time at this office times the people ahead, shared by the counters staffed today."""
    now = now or timezone.now()
    counter_ids = list(
        Counter.objects.filter(unit_id=ticket.unit_id, is_active=True, services=ticket.service_id).values_list(
            "pk", flat=True
        )
    )
    today_start = dt.datetime.combine(ticket.day, dt.time.min, tzinfo=pemda_zone())
    staffed = CounterShift.objects.filter(
        counter_id__in=counter_ids, ended_at__isnull=True, started_at__gte=today_start
    ).count()
    if ticket.state != TicketState.WAITING:
        return Position(ahead=0, minutes=None, counters_open=staffed)
    ahead = (
        Ticket.objects.filter(unit_id=ticket.unit_id, day=ticket.day, state=TicketState.WAITING)
        .filter(Q(service_id=ticket.service_id, target_counter__isnull=True) | Q(target_counter_id__in=counter_ids))
        .filter(Q(taken_at__lt=ticket.taken_at) | Q(taken_at=ticket.taken_at, pk__lt=ticket.pk))
        .count()
    )
    average = _average_service_seconds(ticket.unit, ticket.service)
    minutes = round((ahead + 1) * average / max(1, staffed) / 60)
    return Position(ahead=ahead, minutes=max(1, minutes), counters_open=staffed)


# --------------------------------------------------------------------------------------- call screen
@dataclass
class CounterLine:
    counter: Counter
    ticket: Ticket | None


@dataclass
class ScreenState:
    office: OrgUnit
    counters: list[CounterLine]
    recent: list[Ticket]  # latest calls first
    waiting: list[tuple[Service, int]]
    latest: Ticket | None = None

    @property
    def call_key(self) -> str:
        """Changes with every call and recall: the screen announces a new call when it changes."""
        t = self.latest
        return f"{t.pk}:{t.recall_count}:{t.last_called_at:%H%M%S%f}" if t and t.last_called_at else ""


def screen_state(office: OrgUnit, now: dt.datetime | None = None) -> ScreenState:
    """What the call screen shows, in four queries: counters, tickets at them, latest calls, waiting counts."""
    day = local_day(now)
    counters = list(Counter.objects.filter(unit=office, is_active=True).order_by("name"))
    at_counter = {
        t.counter_id: t
        for t in Ticket.objects.filter(unit=office, day=day, state__in=AT_COUNTER)
        .select_related("counter")
        .order_by("last_called_at")
    }
    recent = list(
        Ticket.objects.filter(unit=office, day=day, last_called_at__isnull=False)
        .exclude(state=TicketState.CANCELLED)
        .select_related("counter")
        .order_by("-last_called_at", "-pk")[:RECENT_CALLS]
    )
    counts = dict(
        Ticket.objects.filter(unit=office, day=day, state=TicketState.WAITING)
        .values_list("service_id")
        .annotate(n=Count("pk"))
        .values_list("service_id", "n")
    )
    waiting = [(s, counts.get(s.pk, 0)) for s in services_offered(office)]
    return ScreenState(
        office=office,
        counters=[CounterLine(c, at_counter.get(c.pk)) for c in counters],
        recent=recent,
        waiting=waiting,
        latest=recent[0] if recent else None,
    )


def screen_json(state: ScreenState) -> dict[str, Any]:
    def ticket_out(t: Ticket | None) -> dict[str, Any] | None:
        if t is None:
            return None
        return {
            "code": t.code,
            "state": t.state,
            "counter": t.counter.name if t.counter_id and t.counter else None,
            "calledAt": t.last_called_at,
        }

    return {
        "office": state.office.code,
        "officeName": state.office.name,
        "counters": [{"name": line.counter.name, "ticket": ticket_out(line.ticket)} for line in state.counters],
        "recent": [ticket_out(t) for t in state.recent],
        "waiting": [{"service": s.pk, "name": s.name, "count": n} for s, n in state.waiting],
        "callKey": state.call_key,
    }


# ------------------------------------------------------------------------------------------- clerks
def counters_workable(user: Any) -> QuerySet[Counter]:
    """Open counters of the offices where the user records work (a kelurahan clerk: their kelurahan)."""
    return (
        Counter.objects.visible_to(user, Action.EDIT)
        .filter(is_active=True, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


def counter_get(user: Any, pk: int) -> Counter:
    """A counter the user may work at, or 404 (another office's counter must not reveal it exists)."""
    return Counter.objects.select_related("unit").get_visible(user, Action.EDIT, pk=pk)


def ticket_for_counter(counter: Counter, pk: Any) -> Ticket:
    """A ticket of the counter's office (404 otherwise)."""
    try:
        return Ticket.objects.select_related("unit", "service").get(pk=int(pk), unit_id=counter.unit_id)
    except (Ticket.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass
class ConsoleState:
    counter: Counter
    current: Ticket | None
    seated: Any  # the clerk sitting at the counter today, or None
    waiting: int
    skipped: list[Ticket]
    served_today: int
    walk_ins_today: int
    others: list[Counter] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)


def console_state(counter: Counter, now: dt.datetime | None = None) -> ConsoleState:
    day = local_day(now)
    zone = pemda_zone()
    today_start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    service_ids = list(counter.services.filter(is_active=True).values_list("pk", flat=True))
    current = (
        Ticket.objects.filter(counter=counter, state__in=AT_COUNTER)
        .select_related("service")
        .order_by("-last_called_at")
        .first()
    )
    shift = (
        CounterShift.objects.filter(counter=counter, ended_at__isnull=True, started_at__gte=today_start)
        .select_related("clerk")
        .first()
    )
    waiting = (
        Ticket.objects.filter(unit_id=counter.unit_id, day=day, state=TicketState.WAITING)
        .filter(Q(target_counter__isnull=True, service_id__in=service_ids) | Q(target_counter=counter))
        .count()
    )
    skipped = list(
        Ticket.objects.filter(
            unit_id=counter.unit_id, day=day, state=TicketState.SKIPPED, service_id__in=service_ids
        ).order_by("taken_at")[:20]
    )
    served = ServiceEvent.objects.filter(counter=counter, occurred_at__gte=today_start).aggregate(
        queue=Count("pk", filter=Q(kind=EventKind.QUEUE)), walk_in=Count("pk", filter=Q(kind=EventKind.WALK_IN))
    )
    others = list(Counter.objects.filter(unit_id=counter.unit_id, is_active=True).exclude(pk=counter.pk))
    return ConsoleState(
        counter=counter,
        current=current,
        seated=shift.clerk if shift else None,
        waiting=waiting,
        skipped=skipped,
        served_today=served["queue"],
        walk_ins_today=served["walk_in"],
        others=others,
        services=services_offered(counter.unit),
    )

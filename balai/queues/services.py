"""The write path of the queue: take a ticket, call it at a counter, serve it, log a walk-in.

Rules decided here (docs/users/queues.md tells the clerks):

* Numbers run per office per local day (``TicketSequence``: one row per office and day, incremented under its
  row lock, so two kiosks never print the same number and a number is never skipped by a failed insert).
* ``call_next`` gives a counter the oldest waiting ticket (by time taken) among the services it serves, or one
  transferred to it. On PostgreSQL the candidate row is taken with ``FOR UPDATE SKIP LOCKED``: twenty clerks
  pressing at once each get a different ticket and none waits for another. On SQLite every write transaction
  is serialised (``transaction_mode=IMMEDIATE``). On both, the ticket is claimed by a conditional UPDATE (still
  waiting?) whose row count is checked, so a ticket can never be handed out twice whatever the isolation.
* A counter holds one ticket at a time (called or being served): the clerk finishes, skips or transfers it
  before calling the next.
* A transfer sends the ticket back to waiting, for another service or counter of the same office. It keeps its
  place by the time it was taken, so the citizen, who has already waited once, is called first there.
* Wait time is first call − taken (a no-show's wait ends when the office was ready); service time is finish −
  start at the counter that finished it. Both go to the ``ServiceEvent`` the finished ticket becomes.
* Skipped tickets (citizen not present) can be recalled the same day by any counter serving their service.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.core.audit import audit_record
from balai.org import access
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import pemda_zone
from balai.publicservices.choices import EventKind
from balai.publicservices.models import Counter, Service, ServiceEvent
from balai.publicservices.services import service_event_record
from balai.queues.choices import AT_COUNTER, TicketChannel, TicketState
from balai.queues.models import CounterShift, Ticket, TicketSequence

MAX_SERVICE_MINUTES = 8 * 60


class NoWaitingTicket(ValidationError):
    """Nobody is waiting for the services of this counter."""


# ------------------------------------------------------------------------------------------ helpers
def local_day(at: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(at or timezone.now(), pemda_zone()).date()


def _require(actor: Any, unit: OrgUnit) -> None:
    """Clerks act on their own office's queue. None is the system (demo loader, benchmark)."""
    if actor is not None and not access.can(actor, Action.EDIT, unit):
        raise PermissionDenied(_("You do not work at %(unit)s.") % {"unit": unit.name})


def service_letter(service: Service, office: OrgUnit) -> str:
    """The letter of a service on the office's tickets: its place among the services its counters serve.

    Derived, not stored on the service: the ticket keeps the letter it was printed with.
    """
    ids = [s.pk for s in services_offered(office)]
    index = ids.index(service.pk) if service.pk in ids else len(ids)
    return string.ascii_uppercase[index % 26]


def services_offered(office: OrgUnit) -> list[Service]:
    """Active services an office takes tickets for: those an active counter of it serves."""
    seen: dict[int, Service] = {}
    for service in (
        Service.objects.filter(counters__unit=office, counters__is_active=True, is_active=True)
        .order_by("sort_order", "pk")
        .select_related("unit")
    ):
        seen.setdefault(service.pk, service)
    return list(seen.values())


def _next_number(office: OrgUnit, day: dt.date) -> int:
    """The office's next number of the day. The UPDATE locks the sequence row until the caller commits."""
    TicketSequence.objects.get_or_create(unit=office, day=day)
    TicketSequence.objects.filter(unit=office, day=day).update(last_number=F("last_number") + 1)
    return TicketSequence.objects.filter(unit=office, day=day).values_list("last_number", flat=True).get()


def _audit(actor: Any, action: str, ticket: Ticket, **changes: Any) -> None:
    # One small row per clerk action: enough to answer "who called A-012 at 10:04?", cheap at MPP volume.
    audit_record(
        actor=actor,
        action=f"queue.{action}",
        obj=ticket,
        org_unit=ticket.unit,
        changes={"ticket": ticket.code, "day": ticket.day.isoformat(), **changes},
        object_repr=ticket.code,
    )


# --------------------------------------------------------------------------------------------- take
def ticket_take(
    *, office: OrgUnit, service: Service, channel: str = TicketChannel.KIOSK, at: dt.datetime | None = None
) -> Ticket:
    """Print a ticket for ``service`` at ``office``. Anyone may take one (kiosk, phone): nothing personal asked."""
    if channel not in TicketChannel.values:
        raise ValidationError({"channel": _("Unknown channel %(c)s.") % {"c": channel}})
    if not office.is_active:
        raise ValidationError({"office": _("This office is closed.")})
    if not service.is_active:
        raise ValidationError({"service": _("%(service)s is no longer offered.") % {"service": service.name}})
    if not Counter.objects.filter(unit=office, is_active=True, services=service).exists():
        raise ValidationError(
            {
                "service": _("%(service)s is not served at the counters of %(office)s.")
                % {"service": service.name, "office": office.name}
            }
        )
    now = at or timezone.now()
    day = local_day(now)
    with transaction.atomic():
        number = _next_number(office, day)
        ticket = Ticket.objects.create(
            unit=office,
            service=service,
            day=day,
            number=number,
            prefix=service_letter(service, office),
            channel=channel,
            key=secrets.token_urlsafe(16),
            taken_at=now,
        )
        _audit(None, "take", ticket, service=service.code, channel=channel)
    return ticket


# ----------------------------------------------------------------------------------------- counters
def _counter_ready(actor: Any, counter: Counter, now: dt.datetime) -> None:
    """The actor may work at this counter now: same office, counter open, nobody else seated today.

    Sitting down is implicit: the first action at a counter opens the clerk's shift there (and ends their shift
    at any other counter). A shift left open on an earlier day has ended. One read in the usual case (the clerk
    already seated here today), since every call and every finish passes here.
    """
    _require(actor, counter.unit)
    if not counter.is_active:
        raise ValidationError(_("Counter %(counter)s is closed.") % {"counter": counter.name})
    if actor is None or not getattr(actor, "pk", None):
        return
    today_start = dt.datetime.combine(local_day(now), dt.time.min, tzinfo=pemda_zone())
    open_shifts = list(
        CounterShift.objects.filter(ended_at__isnull=True)
        .filter(Q(counter=counter) | Q(clerk=actor))
        .select_related("clerk")
    )
    stale = [s.pk for s in open_shifts if s.started_at < today_start]
    if stale:
        CounterShift.objects.filter(pk__in=stale).update(ended_at=today_start)
    current = [s for s in open_shifts if s.pk not in stale]
    seated = next((s for s in current if s.counter_id == counter.pk), None)
    if seated is not None and seated.clerk_id != actor.pk:
        raise ValidationError(
            _("%(name)s is working at %(counter)s. Choose another counter, or ask them to leave it first.")
            % {"name": seated.clerk.display_name, "counter": counter.name}
        )
    if seated is None:
        elsewhere = [s.pk for s in current if s.clerk_id == actor.pk]
        if elsewhere:
            CounterShift.objects.filter(pk__in=elsewhere).update(ended_at=now)
        try:
            with transaction.atomic():
                CounterShift.objects.create(counter=counter, clerk=actor, started_at=now)
        except IntegrityError as exc:  # another clerk sat down at this very moment
            raise ValidationError(
                _("Someone else has just taken %(counter)s. Choose another counter.") % {"counter": counter.name}
            ) from exc


def counter_open(*, actor: Any, counter: Counter, at: dt.datetime | None = None) -> None:
    """Sit down at a counter (the clerk's other shift, if any, ends)."""
    with transaction.atomic():
        _counter_ready(actor, counter, at or timezone.now())


def counter_leave(*, actor: Any, counter: Counter, at: dt.datetime | None = None) -> None:
    """Leave a counter (end the shift). A ticket still called or being served there must be dealt with first."""
    _require(actor, counter.unit)
    now = at or timezone.now()
    with transaction.atomic():
        current = _current(counter)
        if current is not None:
            raise ValidationError(
                _("Finish, skip or transfer %(ticket)s before leaving the counter.") % {"ticket": current.code}
            )
        CounterShift.objects.filter(counter=counter, ended_at__isnull=True).update(ended_at=now)


def _current(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .filter(counter=counter, state__in=AT_COUNTER)
        .select_related("unit", "service")
        .order_by("-last_called_at")
        .first()
    )


def _locked(ticket: Ticket, counter: Counter) -> Ticket:
    """The ticket's current row, locked; it must be of the counter's office (404 otherwise, by the caller)."""
    # of=self: the office and service rows joined in must not be locked, or every clerk of the office would wait
    # for each other.
    current = Ticket.objects.select_for_update(of=("self",)).select_related("unit", "service").get(pk=ticket.pk)
    if current.unit_id != counter.unit_id:
        raise PermissionDenied(_("This ticket is not of %(unit)s.") % {"unit": counter.unit.name})
    return current


def _at_this_counter(ticket: Ticket, counter: Counter, states: tuple[str, ...]) -> None:
    if ticket.counter_id != counter.pk or ticket.state not in states:
        raise ValidationError(
            _("%(ticket)s is %(state)s, not at %(counter)s.")
            % {"ticket": ticket.code, "state": ticket.get_state_display().lower(), "counter": counter.name}
        )


def _refresh(target: Ticket, source: Ticket) -> Ticket:
    if target is not source:
        for f in Ticket._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))
    return target


def call_next(*, actor: Any, counter: Counter, at: dt.datetime | None = None) -> Ticket:
    """Call the oldest waiting ticket this counter can serve. Raises :class:`NoWaitingTicket` if none."""
    now = at or timezone.now()
    with transaction.atomic():
        _counter_ready(actor, counter, now)
        busy = Ticket.objects.filter(counter=counter, state__in=AT_COUNTER).only("prefix", "number", "state").first()
        if busy is not None:
            raise ValidationError(
                _("%(ticket)s is still %(state)s at this counter: finish, skip or transfer it first.")
                % {"ticket": busy.code, "state": busy.get_state_display().lower()}
            )
        served = counter.services.filter(is_active=True).values("pk")
        waiting = (
            Ticket.objects.filter(unit_id=counter.unit_id, day=local_day(now), state=TicketState.WAITING)
            .filter(Q(target_counter__isnull=True, service_id__in=served) | Q(target_counter=counter))
            .select_related("unit", "service")
            .order_by("taken_at", "pk")
        )
        clerk = actor if getattr(actor, "pk", None) else None
        # Another round only when the ticket picked was claimed under us (a database without SKIP LOCKED):
        # each lost round means another clerk got a ticket, so the loop ends.
        while True:
            # SKIP LOCKED: a ticket another clerk is claiming right now is not waited for, the next one is taken.
            # (A no-op on SQLite, where the IMMEDIATE transaction already holds the database's write lock.)
            ticket = waiting.select_for_update(skip_locked=True, of=("self",)).first()
            if ticket is None:
                break
            claimed = Ticket.objects.filter(pk=ticket.pk, state=TicketState.WAITING).update(
                state=TicketState.CALLED,
                counter=counter,
                target_counter=None,
                clerk=clerk,
                # A transferred ticket keeps its first call time: its wait ended then.
                called_at=Coalesce(F("called_at"), Value(now)),
                last_called_at=now,
            )
            if claimed:
                ticket.state = TicketState.CALLED
                ticket.counter, ticket.target_counter, ticket.clerk = counter, None, clerk
                ticket.called_at = ticket.called_at or now
                ticket.last_called_at = now
                _audit(actor, "call", ticket, counter=counter.name)
                return ticket
        raise NoWaitingTicket(_("Nobody is waiting for the services of %(counter)s.") % {"counter": counter.name})


def ticket_recall(*, actor: Any, counter: Counter, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """Call again: the ticket called here (nobody came yet), or a skipped ticket of today this counter serves."""
    now = at or timezone.now()
    with transaction.atomic():
        _counter_ready(actor, counter, now)
        locked = _locked(ticket, counter)
        if locked.state == TicketState.SKIPPED:
            if locked.day != local_day(now):
                raise ValidationError(_("%(ticket)s was skipped on an earlier day.") % {"ticket": locked.code})
            if not counter.services.filter(pk=locked.service_id).exists():
                raise ValidationError(
                    _("%(counter)s does not serve %(service)s.")
                    % {"counter": counter.name, "service": locked.service.name}
                )
            busy = _current(counter)
            if busy is not None:
                raise ValidationError(
                    _("%(ticket)s is still at this counter: finish, skip or transfer it first.") % {"ticket": busy.code}
                )
            locked.counter = counter
            locked.closed_at = None
        else:
            _at_this_counter(locked, counter, (TicketState.CALLED,))
        locked.state = TicketState.CALLED
        locked.recall_count += 1
        locked.last_called_at = now
        locked.clerk = actor if getattr(actor, "pk", None) else locked.clerk
        locked.save()
        _audit(actor, "recall", locked, counter=counter.name, recall_count=locked.recall_count)
    return _refresh(ticket, locked)


def ticket_skip(*, actor: Any, counter: Counter, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """The citizen called did not come: set the ticket aside (it can be recalled later today)."""
    now = at or timezone.now()
    with transaction.atomic():
        _counter_ready(actor, counter, now)
        locked = _locked(ticket, counter)
        _at_this_counter(locked, counter, (TicketState.CALLED,))
        locked.state = TicketState.SKIPPED
        locked.closed_at = now
        locked.save()
        _audit(actor, "skip", locked, counter=counter.name)
    return _refresh(ticket, locked)


def serve_start(*, actor: Any, counter: Counter, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """The citizen is at the counter: service time starts."""
    now = at or timezone.now()
    with transaction.atomic():
        _counter_ready(actor, counter, now)
        locked = _locked(ticket, counter)
        _at_this_counter(locked, counter, (TicketState.CALLED,))
        locked.state = TicketState.SERVING
        locked.serve_started_at = now
        locked.clerk = actor if getattr(actor, "pk", None) else locked.clerk
        locked.save()
        _audit(actor, "start", locked, counter=counter.name)
    return _refresh(ticket, locked)


def _seconds(later: dt.datetime | None, earlier: dt.datetime | None) -> int | None:
    if later is None or earlier is None:
        return None
    return max(0, int((later - earlier).total_seconds()))


def serve_finish(
    *, actor: Any, counter: Counter, ticket: Ticket, note: str = "", at: dt.datetime | None = None
) -> ServiceEvent:
    """Done: the ticket becomes the visit record (``ServiceEvent`` of kind queue) with its wait and service time."""
    now = at or timezone.now()
    with transaction.atomic():
        _counter_ready(actor, counter, now)
        locked = _locked(ticket, counter)
        _at_this_counter(locked, counter, (TicketState.SERVING,))
        event = service_event_record(
            kind=EventKind.QUEUE,
            service=locked.service,
            unit=locked.unit,
            occurred_at=now,
            counter=counter,
            clerk=actor if getattr(actor, "pk", None) else locked.clerk,
            wait_seconds=_seconds(locked.called_at, locked.taken_at),
            service_seconds=_seconds(now, locked.serve_started_at),
            note=note,
        )
        locked.state = TicketState.SERVED
        locked.served_at = locked.closed_at = now
        locked.event = event
        locked.save()
        _audit(actor, "finish", locked, counter=counter.name, event=event.pk)
    _refresh(ticket, locked)
    return event


def ticket_transfer(
    *,
    actor: Any,
    counter: Counter,
    ticket: Ticket,
    to_counter: Counter | None = None,
    to_service: Service | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Send the ticket at this counter to another counter and/or service of the same office.

    It waits again, keeping its place by the time it was taken (so it is called first there).
    """
    now = at or timezone.now()
    with transaction.atomic():
        _counter_ready(actor, counter, now)
        locked = _locked(ticket, counter)
        _at_this_counter(locked, counter, AT_COUNTER)
        service = to_service or locked.service
        errors: dict[str, str] = {}
        if to_counter is None and to_service is None:
            errors["to_counter"] = _("Choose the counter or the service to send the ticket to.")
        if to_counter is not None:
            if to_counter.unit_id != counter.unit_id:
                errors["to_counter"] = _("%(counter)s is not of this office.") % {"counter": to_counter.name}
            elif to_counter.pk == counter.pk and to_service is None:
                errors["to_counter"] = _("The ticket is already at this counter.")
            elif not to_counter.is_active:
                errors["to_counter"] = _("Counter %(counter)s is closed.") % {"counter": to_counter.name}
            elif not to_counter.services.filter(pk=service.pk).exists():
                errors["to_counter"] = _("%(counter)s does not serve %(service)s.") % {
                    "counter": to_counter.name,
                    "service": service.name,
                }
        if to_service is not None and "to_counter" not in errors:
            if not to_service.is_active:
                errors["to_service"] = _("%(service)s is no longer offered.") % {"service": to_service.name}
            elif not Counter.objects.filter(unit_id=counter.unit_id, is_active=True, services=to_service).exists():
                errors["to_service"] = _("No open counter of this office serves %(service)s.") % {
                    "service": to_service.name
                }
        if errors:
            raise ValidationError(errors)
        before = {"service": locked.service.code, "counter": counter.name}
        locked.state = TicketState.WAITING
        locked.service = service
        locked.target_counter = to_counter
        locked.counter = None
        locked.serve_started_at = None
        locked.transfer_count += 1
        locked.save()
        _audit(
            actor,
            "transfer",
            locked,
            service={"before": before["service"], "after": service.code},
            counter={"before": before["counter"], "after": to_counter.name if to_counter else ""},
        )
    return _refresh(ticket, locked)


def ticket_cancel(*, ticket: Ticket, actor: Any = None, at: dt.datetime | None = None) -> Ticket:
    """The citizen no longer needs a waiting ticket (from their status page), or a clerk removes it."""
    now = at or timezone.now()
    if actor is not None:
        _require(actor, ticket.unit)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update(of=("self",)).select_related("unit").get(pk=ticket.pk)
        if locked.state not in (TicketState.WAITING, TicketState.SKIPPED):
            raise ValidationError(
                _("%(ticket)s is %(state)s and can no longer be cancelled.")
                % {"ticket": locked.code, "state": locked.get_state_display().lower()}
            )
        locked.state = TicketState.CANCELLED
        locked.closed_at = now
        locked.save()
        _audit(actor, "cancel", locked)
    return _refresh(ticket, locked)


# ----------------------------------------------------------------------------------------- walk-ins
def walk_in_record(
    *,
    actor: Any,
    office: OrgUnit,
    service: Service,
    counter: Counter | None = None,
    service_minutes: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> ServiceEvent:
    """The clerk's logbook (buku tamu): a citizen served without a ticket. No wait time is known."""
    _require(actor, office)
    errors: dict[str, str] = {}
    if not service.is_active:
        errors["service"] = _("%(service)s is no longer offered.") % {"service": service.name}
    if service_minutes is not None and not (0 <= service_minutes <= MAX_SERVICE_MINUTES):
        errors["service_minutes"] = _("Give the service time in minutes, between 0 and %(max)d.") % {
            "max": MAX_SERVICE_MINUTES
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return service_event_record(
            kind=EventKind.WALK_IN,
            service=service,
            unit=office,
            occurred_at=at or timezone.now(),
            counter=counter,
            clerk=actor,
            service_seconds=None if service_minutes is None else service_minutes * 60,
            note=note,
        )

"""Queue tickets over the API: kiosks and phones take and follow tickets, the call screen reads its state (all
public, like the pages), and counter apps call and serve (scoped like the token's owner: another office's
counter answers 404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from balai.publicservices.models import Counter, Service, ServiceEvent
from balai.queues import selectors, services
from balai.queues.choices import TicketChannel
from balai.queues.models import Ticket
from balai.queues.schemas import (
    CounterOut,
    ErrorOut,
    ScreenOut,
    TakeIn,
    TicketOut,
    TicketRef,
    TransferIn,
    VisitOut,
    WalkInIn,
)

router = Router(tags=["queues"])


def _ticket_out(t: Ticket, *, with_key: bool = False) -> dict[str, Any]:
    pos = selectors.position(t)
    return {
        "id": t.pk,
        "code": t.code,
        "key": t.key if with_key else None,
        "office": t.unit.code,
        "service": t.service_id,
        "serviceName": t.service.name,
        "state": t.state,
        "day": t.day,
        "takenAt": t.taken_at,
        "calledAt": t.last_called_at,
        "counter": t.counter.name if t.counter_id and t.counter else None,
        "ahead": pos.ahead if pos.minutes is not None else None,
        "estimatedMinutes": pos.minutes,
    }


def _errors(exc: ValidationError) -> dict[str, Any]:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {}
    return {"message": " ".join(str(m) for m in exc.messages), "errors": fields}


def _field_error(name: str, message: str) -> dict[str, Any]:
    return {"message": message, "errors": {name: [message]}}


# ------------------------------------------------------------------------------------------- public
@router.post(
    "/queues/{office}/tickets",
    auth=None,
    response={201: TicketOut, 400: ErrorOut, 404: ErrorOut},
    summary="Take a queue ticket at an office (public, like the kiosk)",
    description="Returns the ticket with its `key`: the secret to follow it at `/queues/tickets/{key}`.",
)
def take(request: HttpRequest, office: str, payload: TakeIn) -> Any:
    unit = selectors.office_get(office)
    service = Service.objects.filter(pk=payload.service).first()
    if service is None:
        return Status(400, _field_error("service", _("Unknown service.")))
    try:
        ticket = services.ticket_take(office=unit, service=service, channel=TicketChannel.API)
    except ValidationError as exc:
        return Status(400, _errors(exc))
    return Status(201, _ticket_out(ticket, with_key=True))


@router.get(
    "/queues/tickets/{key}",
    auth=None,
    response={200: TicketOut, 404: ErrorOut},
    summary="A ticket's state, place in line and estimated wait (by its secret key)",
)
def ticket_status(request: HttpRequest, key: str) -> Any:
    return _ticket_out(selectors.ticket_by_key(key))


@router.get(
    "/queues/{office}/screen",
    auth=None,
    response={200: ScreenOut, 404: ErrorOut},
    summary="The call screen's state: now serving per counter, latest calls, waiting per service",
)
def screen(request: HttpRequest, office: str) -> Any:
    return selectors.screen_json(selectors.screen_state(selectors.office_get(office)))


# -------------------------------------------------------------------------------------------- clerks
def _visit_out(event: ServiceEvent, counter: Counter) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "office": counter.unit.code,
        "service": event.service_id,
        "counter": counter.name,
        "occurredAt": event.occurred_at,
        "waitSeconds": event.wait_seconds,
        "serviceSeconds": event.service_seconds,
    }


def _counter_out(counter: Counter) -> dict[str, Any]:
    state = selectors.console_state(counter)
    return {
        "id": counter.pk,
        "name": counter.name,
        "office": counter.unit.code,
        "current": _ticket_out(state.current) if state.current else None,
        "waiting": state.waiting,
        "servedToday": state.served_today,
        "walkInsToday": state.walk_ins_today,
        "clerk": state.seated.username if state.seated else None,
    }


@router.get("/queues/counters/{pk}", response={200: CounterOut, 404: ErrorOut}, summary="A counter at work")
def counter_state(request: HttpRequest, pk: int) -> Any:
    return _counter_out(selectors.counter_get(request.user, pk))


def _counter_action(request: HttpRequest, pk: int, run: Any) -> Any:
    counter = selectors.counter_get(request.user, pk)
    try:
        run(counter)
    except ValidationError as exc:
        return Status(400, _errors(exc))
    except PermissionDenied as exc:
        raise Http404 from exc
    return Status(200, _counter_out(counter))


@router.post(
    "/queues/counters/{pk}/call-next",
    response={200: CounterOut, 400: ErrorOut, 404: ErrorOut},
    summary="Call the oldest waiting ticket this counter serves (two counters never get the same one)",
)
def call_next(request: HttpRequest, pk: int) -> Any:
    return _counter_action(request, pk, lambda c: services.call_next(actor=request.user, counter=c))


def _ticket(counter: Counter, ref: TicketRef) -> Ticket:
    return selectors.ticket_for_counter(counter, ref.ticket)


@router.post("/queues/counters/{pk}/recall", response={200: CounterOut, 400: ErrorOut, 404: ErrorOut})
def recall(request: HttpRequest, pk: int, payload: TicketRef) -> Any:
    """Call the counter's ticket again, or a ticket skipped earlier today."""
    return _counter_action(
        request, pk, lambda c: services.ticket_recall(actor=request.user, counter=c, ticket=_ticket(c, payload))
    )


@router.post("/queues/counters/{pk}/skip", response={200: CounterOut, 400: ErrorOut, 404: ErrorOut})
def skip(request: HttpRequest, pk: int, payload: TicketRef) -> Any:
    """The citizen called is not there: set the ticket aside (it can be recalled today)."""
    return _counter_action(
        request, pk, lambda c: services.ticket_skip(actor=request.user, counter=c, ticket=_ticket(c, payload))
    )


@router.post("/queues/counters/{pk}/start", response={200: CounterOut, 400: ErrorOut, 404: ErrorOut})
def start(request: HttpRequest, pk: int, payload: TicketRef) -> Any:
    """The citizen is at the counter: service time starts."""
    return _counter_action(
        request, pk, lambda c: services.serve_start(actor=request.user, counter=c, ticket=_ticket(c, payload))
    )


@router.post("/queues/counters/{pk}/serve", response={200: VisitOut, 400: ErrorOut, 404: ErrorOut})
def serve(request: HttpRequest, pk: int, payload: TicketRef) -> Any:
    """Finish serving: the ticket becomes a visit record with its wait and service time."""
    counter = selectors.counter_get(request.user, pk)
    try:
        event = services.serve_finish(actor=request.user, counter=counter, ticket=_ticket(counter, payload))
    except ValidationError as exc:
        return Status(400, _errors(exc))
    except PermissionDenied as exc:
        raise Http404 from exc
    return Status(200, _visit_out(event, counter))


@router.post("/queues/counters/{pk}/transfer", response={200: CounterOut, 400: ErrorOut, 404: ErrorOut})
def transfer(request: HttpRequest, pk: int, payload: TransferIn) -> Any:
    """Send the counter's ticket to another counter and/or service of the office; it keeps its place."""
    counter = selectors.counter_get(request.user, pk)
    to_counter = to_service = None
    if payload.toCounter is not None:
        to_counter = Counter.objects.filter(pk=payload.toCounter, unit_id=counter.unit_id).first()
        if to_counter is None:
            return Status(400, _field_error("toCounter", _("Unknown counter.")))
    if payload.toService is not None:
        to_service = Service.objects.filter(pk=payload.toService).first()
        if to_service is None:
            return Status(400, _field_error("toService", _("Unknown service.")))
    return _counter_action(
        request,
        pk,
        lambda c: services.ticket_transfer(
            actor=request.user,
            counter=c,
            ticket=_ticket(c, payload),
            to_counter=to_counter,
            to_service=to_service,
        ),
    )


@router.post("/queues/counters/{pk}/walk-ins", response={201: VisitOut, 400: ErrorOut, 404: ErrorOut})
def walk_in(request: HttpRequest, pk: int, payload: WalkInIn) -> Any:
    """Log a citizen served at this counter without a ticket (the logbook)."""
    counter = selectors.counter_get(request.user, pk)
    service = counter.services.filter(pk=payload.service).first()
    if service is None:
        return Status(400, _field_error("service", _("This counter does not serve that service.")))
    try:
        event = services.walk_in_record(
            actor=request.user,
            office=counter.unit,
            service=service,
            counter=counter,
            service_minutes=payload.serviceMinutes,
            note=payload.note,
        )
    except ValidationError as exc:
        return Status(400, _errors(exc))
    except PermissionDenied as exc:
        raise Http404 from exc
    return Status(201, _visit_out(event, counter))

"""Queue pages: the kiosk and the citizen's ticket (public), the call screen (public, on a TV), the clerk console.

Public pages show ticket numbers and counter names only: nothing personal is asked or shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balai.core.middleware import client_ip
from balai.core.models import AuditEvent
from balai.org import access
from balai.org.models import OrgUnit, User
from balai.org.roles import Action
from balai.publicservices.models import Counter, Service, ServiceEvent
from balai.queues import selectors, services
from balai.queues.choices import TicketChannel, TicketState
from balai.queues.forms import TakeForm, TransferForm, WalkInForm

#: Tickets one address may take per that many seconds. A kiosk is one address for a whole hall, so the limit
#: is well above an MPP's busiest minute; it stops a script from emptying the number range, not a crowd.
DEFAULT_TAKE_RATE = (60, 600)
SCREEN_POLL_SECONDS = 3
TICKET_POLL_SECONDS = 10


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# ------------------------------------------------------------------------------------------- public
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "queues/index.html", {"offices": selectors.offices_with_queue()})


def _take_limited(request: HttpRequest) -> bool:
    count, seconds = getattr(settings, "BALAI_QUEUE_TAKE_RATE", DEFAULT_TAKE_RATE)
    ip = client_ip(request)
    if not ip:
        return False
    since = timezone.now() - dt.timedelta(seconds=seconds)
    return AuditEvent.objects.filter(action="queue.take", ip_address=ip, created_at__gte=since).count() >= count


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """Big buttons, one per service. The same page serves the kiosk at the door (``?kiosk=1``) and a phone."""
    office = selectors.office_get(code)
    offered = services.services_offered(office)
    is_kiosk = request.GET.get("kiosk") == "1" or request.POST.get("kiosk") in ("1", "on", "true")
    form = TakeForm(request.POST or None, services=offered)
    error = ""
    if request.method == "POST":
        if _take_limited(request):
            error = _("Too many tickets were taken from this device just now. Please wait a few minutes.")
        elif form.is_valid():
            try:
                ticket = services.ticket_take(
                    office=office,
                    service=form.cleaned_data["service"],
                    channel=TicketChannel.KIOSK if is_kiosk else TicketChannel.PHONE,
                )
            except ValidationError as exc:
                error = _messages_of(exc)
            else:
                url = reverse("queues:ticket", args=[ticket.key])
                return redirect(f"{url}?kiosk=1" if is_kiosk else url)
        else:
            error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    letters = {s.pk: services.service_letter(s, office) for s in offered}
    status = 400 if error else 200
    return render(
        request,
        "queues/kiosk.html",
        {
            "office": office,
            "services": [(s, letters[s.pk]) for s in offered],
            "is_kiosk": is_kiosk,
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest, key: str) -> HttpResponse:
    """The citizen's ticket: place in line and a rough wait, then "go to counter 2". Its URL is its secret."""
    from balai.skm import services as skm

    t = selectors.ticket_by_key(key)
    error = ""
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            services.ticket_cancel(ticket=t)
        except ValidationError as exc:
            error = _messages_of(exc)
    elif request.method == "POST" and request.POST.get("action") == "rate":
        # The ticket's secret URL is the citizen's: served here, they may rate the service they got.
        if t.state != TicketState.SERVED or t.event is None:
            error = _("This number has not been served yet; the survey opens once it is.")
        else:
            try:
                return redirect("skm:survey", token=skm.citizen_invitation_create(event=t.event))
            except ValidationError as exc:
                error = _messages_of(exc)
    is_kiosk = request.GET.get("kiosk") == "1"
    context = {
        "ticket": t,
        "position": selectors.position(t),
        "is_kiosk": is_kiosk,
        # At the kiosk: a QR code of this page, so the citizen can follow the number on their phone.
        "qr_svg": segno.make(request.build_absolute_uri(request.path)).svg_inline(scale=4, omitsize=True)
        if is_kiosk
        else "",
        "poll_seconds": TICKET_POLL_SECONDS,
        "error": error,
        "States": TicketState,
        "survey": skm.citizen_survey_state(t.event) if t.state == TicketState.SERVED else "",
    }
    if getattr(request, "htmx", False):
        return render(request, "queues/_ticket_status.html", context)
    return render(request, "queues/ticket.html", context)


@require_GET
def screen(request: HttpRequest, code: str) -> HttpResponse:
    """The call screen for a TV in the hall: now serving per counter, the latest calls, who is waiting."""
    office = selectors.office_get(code)
    return render(
        request,
        "queues/screen.html",
        {"state": selectors.screen_state(office), "poll_seconds": SCREEN_POLL_SECONDS},
    )


@require_GET
def screen_state(request: HttpRequest, code: str) -> HttpResponse:
    office = selectors.office_get(code)
    return render(
        request,
        "queues/_screen_state.html",
        {"state": selectors.screen_state(office), "poll_seconds": SCREEN_POLL_SECONDS},
    )


# -------------------------------------------------------------------------------------------- clerks
@login_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    """Choose a counter (a clerk with one counter goes straight to it)."""
    user = _user(request)
    counters = list(selectors.counters_workable(user))
    if not counters and not access.can(user, Action.EDIT):
        raise Http404
    offices: dict[int, OrgUnit] = {}
    for c in counters:
        offices.setdefault(c.unit_id, c.unit)
    return render(request, "queues/console_index.html", {"counters": counters, "offices": list(offices.values())})


def _console_context(counter: Counter, user: User, **extra: Any) -> dict[str, Any]:
    from balai.skm.selectors import invitable

    state = selectors.console_state(counter)
    return {
        "state": state,
        # The citizen this counter served last, while they may still be handed the SKM survey.
        "last_event": invitable(ServiceEvent.objects.filter(counter=counter))
        .select_related("service")
        .order_by("-occurred_at", "-id")
        .first(),
        "counter": counter,
        "is_mine": state.seated is None or state.seated.pk == user.pk,
        "transfer_form": TransferForm(counters=state.others, services=state.services),
        "walk_in_form": WalkInForm(services=list(counter.services.filter(is_active=True))),
        "States": TicketState,
        **extra,
    }


@login_required
@require_GET
def console_counter(request: HttpRequest, pk: int) -> HttpResponse:
    counter = selectors.counter_get(_user(request), pk)
    context = _console_context(counter, _user(request))
    if getattr(request, "htmx", False):
        return render(request, "queues/_console_panel.html", context)
    return render(request, "queues/console.html", context)


ACTIONS = ("open", "next", "recall", "skip", "start", "finish", "transfer", "leave")


def _act(request: HttpRequest, counter: Counter, action: str) -> str:
    """Run one clerk action; return what to tell the clerk."""
    user = _user(request)
    if action == "open":
        services.counter_open(actor=user, counter=counter)
        return _("You are at %(counter)s.") % {"counter": counter.name}
    if action == "leave":
        services.counter_leave(actor=user, counter=counter)
        return _("You left %(counter)s.") % {"counter": counter.name}
    if action == "next":
        t = services.call_next(actor=user, counter=counter)
        return _("Calling %(ticket)s.") % {"ticket": t.code}
    t = selectors.ticket_for_counter(counter, request.POST.get("ticket"))
    if action == "recall":
        services.ticket_recall(actor=user, counter=counter, ticket=t)
        return _("Calling %(ticket)s again.") % {"ticket": t.code}
    if action == "skip":
        services.ticket_skip(actor=user, counter=counter, ticket=t)
        return _("%(ticket)s skipped: it can be recalled later today.") % {"ticket": t.code}
    if action == "start":
        services.serve_start(actor=user, counter=counter, ticket=t)
        return _("Serving %(ticket)s.") % {"ticket": t.code}
    if action == "finish":
        services.serve_finish(actor=user, counter=counter, ticket=t)
        return _("%(ticket)s served and recorded.") % {"ticket": t.code}
    form = TransferForm(
        request.POST,
        counters=list(Counter.objects.filter(unit_id=counter.unit_id, is_active=True)),
        services=services.services_offered(counter.unit),
    )
    if not form.is_valid():
        raise ValidationError(_("Choose a counter or a service of this office."))
    services.ticket_transfer(
        actor=user,
        counter=counter,
        ticket=t,
        to_counter=form.cleaned_data["to_counter"],
        to_service=form.cleaned_data["to_service"],
    )
    return _("%(ticket)s sent on; it waits there in its place.") % {"ticket": t.code}


@login_required
@require_POST
def console_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    counter = selectors.counter_get(user, pk)
    action = request.POST.get("action", "")
    notice = error = ""
    if action not in ACTIONS:
        error = _("Unknown action.")
    else:
        try:
            notice = _act(request, counter, action)
        except services.NoWaitingTicket as exc:
            notice = _messages_of(exc)
        except ValidationError as exc:
            error = _messages_of(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
    if getattr(request, "htmx", False):
        context = _console_context(counter, user, notice=notice, error=error)
        return render(request, "queues/_console_panel.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif notice:
        messages.info(request, notice)
    return redirect("queues:console_counter", pk=counter.pk)


def _walk_in(request: HttpRequest, office: OrgUnit, counter: Counter | None, offered: list[Service]) -> str | None:
    """Record the logbook form; the error message, or None when recorded."""
    form = WalkInForm(request.POST, services=offered)
    if not form.is_valid():
        return " ".join(str(e) for errors in form.errors.values() for e in errors)
    try:
        services.walk_in_record(
            actor=_user(request),
            office=office,
            service=form.cleaned_data["service"],
            counter=counter,
            service_minutes=form.cleaned_data["minutes"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        return _messages_of(exc)
    except PermissionDenied as exc:
        raise Http404 from exc
    return None


@login_required
@require_POST
def console_walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    counter = selectors.counter_get(_user(request), pk)
    error = _walk_in(request, counter.unit, counter, list(counter.services.filter(is_active=True)))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Walk-in recorded in the logbook."))
    return redirect("queues:console_counter", pk=counter.pk)


def logbook_services(office: OrgUnit) -> list[Service]:
    """What a walk-in may be logged for: the office's own services and those its counters serve."""
    own = list(Service.objects.filter(unit=office, is_active=True))
    seen = {s.pk for s in own}
    return own + [s for s in services.services_offered(office) if s.pk not in seen]


@login_required
@require_http_methods(["GET", "POST"])
def logbook(request: HttpRequest, code: str) -> HttpResponse:
    """The logbook (buku tamu) of an office without counters at work, or for a clerk away from the counter."""
    user = _user(request)
    office = OrgUnit.objects.get_visible(user, Action.EDIT, code=code, is_active=True)
    offered = logbook_services(office)
    if request.method == "POST":
        error = _walk_in(request, office, None, offered)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Walk-in recorded in the logbook."))
        return redirect("queues:logbook", code=office.code)
    today = selectors.local_day()
    from balai.skm.selectors import invitable

    walk_ins = ServiceEvent.objects.filter(unit=office, kind="walk_in")
    recent = list(walk_ins.select_related("service", "clerk").order_by("-occurred_at")[:20])
    can_invite = set(invitable(walk_ins.filter(pk__in=[e.pk for e in recent])).values_list("pk", flat=True))
    return render(
        request,
        "queues/logbook.html",
        {
            "office": office,
            "form": WalkInForm(services=offered),
            "recent": recent,
            "can_invite": can_invite,
            "today": today,
        },
    )

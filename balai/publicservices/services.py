"""The write path of the public-service catalogue and of service events.

``service_event_record`` is called by the queue (a ticket served), the walk-in logbook and the online
applications (an application completed): every citizen served once is one ``ServiceEvent``, so it stays
cheap — a handful of queries, one audit row, no locks on shared rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.core.audit import audit_record, changes_between, snapshot
from balai.org import access
from balai.org.choices import OFFICE_KINDS
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.publicservices.choices import EventKind
from balai.publicservices.models import Counter, Service, ServiceEvent

#: Indicator sources (``register(source, ...)`` in an app's indicators.py) computed from ServiceEvents: their
#: day is marked dirty when an event is recorded. A source with no indicators costs nothing.
EVENT_INDICATOR_SOURCES = ("publicservices", "queues", "skm", "applications")

# A clock a minute ahead of the server's must not refuse a citizen just served.
CLOCK_SKEW = dt.timedelta(minutes=1)
# 16 digits in a row is a NIK (or a KK number): the logbook note must not hold one (UU 27/2022).
_NIK_RE = re.compile(r"(?<!\d)\d{16}(?!\d)")


# ------------------------------------------------------------------------------------------ events
def service_event_record(
    *,
    kind: str,
    service: Service,
    unit: OrgUnit,
    occurred_at: dt.datetime,
    counter: Counter | None = None,
    clerk: Any = None,
    wait_seconds: int | None = None,
    service_seconds: int | None = None,
    note: str = "",
) -> ServiceEvent:
    """Record that one citizen was served once by ``unit`` (where they were served) for ``service``.

    ``unit`` is the service's own unit, or an office with a counter serving it (the MPP serves the services
    of Disdukcapil, DPMPTSP...). The caller checks the clerk's permission; this checks the facts are coherent.
    """
    errors: dict[str, str] = {}
    if kind not in EventKind.values:
        errors["kind"] = _("Unknown kind of service event: %(kind)s.") % {"kind": kind}
    if counter is not None and counter.unit_id != unit.pk:
        errors["counter"] = _("Counter %(counter)s belongs to another office.") % {"counter": counter.name}
    # The counter need not list the service: a clerk may serve a walk-in of any service the office gives.
    if service.unit_id != unit.pk and not Counter.objects.filter(unit=unit, services=service).exists():
        errors["unit"] = _("%(unit)s does not serve %(service)s: no counter of this office offers it.") % {
            "unit": unit.name,
            "service": service.name_id,
        }
    for name, value in (("wait_seconds", wait_seconds), ("service_seconds", service_seconds)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            errors[name] = _("Must be a whole number of seconds, zero or more.")
    if timezone.is_naive(occurred_at):
        errors["occurred_at"] = _("The time must carry its time zone.")
    elif occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = _("The time of service cannot be in the future.")
    note = (note or "").strip()
    if len(note) > 255:
        errors["note"] = _("The note is too long (at most 255 characters).")
    elif _NIK_RE.search(note):
        errors["note"] = _("Do not write a NIK or KK number in the note.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():  # the event and its audit row, or neither
        event = ServiceEvent.objects.create(
            kind=kind,
            service=service,
            unit=unit,
            counter=counter,
            clerk=clerk if getattr(clerk, "pk", None) else None,
            occurred_at=occurred_at,
            wait_seconds=wait_seconds,
            service_seconds=service_seconds,
            note=note,
        )
        audit_record(
            actor=clerk,
            action="serviceevent.record",
            obj=event,
            org_unit=unit,
            changes={"kind": kind, "service": service.pk},
            object_repr=f"{service.code}@{unit.code}",
        )
        _mark_event_dirty(occurred_at)
    return event


def _mark_event_dirty(occurred_at: dt.datetime) -> None:
    """The local day of the event moved the indicators that count events (roll-ups rebuild coarser periods)."""
    from balai.indicators.models import Indicator
    from balai.indicators.services import periods_mark_dirty
    from balai.org.selectors import pemda_zone

    day = occurred_at.astimezone(pemda_zone()).strftime("%Y%m%d")
    ids = Indicator.objects.filter(source__in=EVENT_INDICATOR_SOURCES, is_active=True).values_list("id", flat=True)
    periods_mark_dirty(pairs={(i, day) for i in ids})


# --------------------------------------------------------------------------------------- catalogue
#: Fields of a service a catalogue editor sets (the unit is fixed at creation: events hang on it).
SERVICE_FIELDS = (
    "code",
    "name_id",
    "name_en",
    "description",
    "requirements",
    "procedure",
    "time_limit_days",
    "cost",
    "cost_note",
    "cost_varies",
    "product",
    "complaint_channel",
    "is_online",
    "is_active",
    "sort_order",
)
MAX_TIME_LIMIT_DAYS = 365
MAX_COST = Decimal("999999999999")


def mpp_codes() -> frozenset[str]:
    """Codes of the units that are a Mal Pelayanan Publik (``BALAI_MPP_UNIT_CODES``, default "MPP").

    The org tree has no MPP kind (an MPP is an office, often a UPTD of DPMPTSP): the setting marks it.
    """
    codes = getattr(settings, "BALAI_MPP_UNIT_CODES", None) or ("MPP",)
    if isinstance(codes, str):
        codes = [c for c in codes.replace(",", " ").split() if c]
    return frozenset(codes)


def is_mpp(unit: OrgUnit) -> bool:
    return unit.code in mpp_codes()


def _require(actor: Any, unit: OrgUnit) -> None:
    if actor is None:  # the system itself: CLI commands, the demo loader, tasks
        return
    if not access.can(actor, Action.EDIT, unit):
        raise PermissionDenied(_("You may not manage the services of %(unit)s.") % {"unit": unit.name})


def _clean_service(unit: OrgUnit, values: dict[str, Any], *, exclude_pk: Any = None) -> dict[str, Any]:
    """Normalised values, or ValidationError with one clear message per field (nothing is written)."""
    errors: dict[str, str] = {}
    out = dict(values)
    for name in ("code", "name_id", "name_en", "description", "requirements", "procedure"):
        out[name] = _text(out.get(name))
    for name in ("cost_note", "product", "complaint_channel"):
        out[name] = _text(out.get(name))
    # Lines trimmed and blank lines dropped: each line is one requirement or one step on the public page.
    for name in ("requirements", "procedure"):
        out[name] = "\n".join(line.strip() for line in out[name].splitlines() if line.strip())
    out["code"] = out["code"].lower()
    if not out["code"]:
        errors["code"] = _("Give the service a short code (letters, digits and dashes).")
    elif not _SLUG_RE.fullmatch(out["code"]) or len(out["code"]) > 60:
        errors["code"] = _("The code may hold only letters, digits and dashes (at most 60), e.g. sk-domisili.")
    elif Service.objects.filter(unit=unit, code=out["code"]).exclude(pk=exclude_pk).exists():
        errors["code"] = _("%(unit)s already has a service with the code %(code)s.") % {
            "unit": unit.name,
            "code": out["code"],
        }
    if not out["name_id"]:
        errors["name_id"] = _("Give the name of the service in Indonesian.")
    for name in ("name_id", "name_en"):
        if len(out[name]) > 200:
            errors[name] = _("The name is too long (at most 200 characters).")
    for name in ("cost_note", "product", "complaint_channel"):
        if len(out[name]) > 255:
            errors[name] = _("Too long (at most 255 characters).")
    days_int = _whole(out.get("time_limit_days"))
    if days_int is None or not 1 <= days_int <= MAX_TIME_LIMIT_DAYS:
        errors["time_limit_days"] = _("The time limit must be between 1 and 365 working days.")
    else:
        out["time_limit_days"] = days_int
    try:
        cost = Decimal(str(out.get("cost") if out.get("cost") not in (None, "") else "0"))
        if not cost.is_finite() or cost != cost.to_integral_value():
            raise InvalidOperation
    except InvalidOperation:
        errors["cost"] = _("The cost must be a whole number of rupiah (0 when free).")
    else:
        if cost < 0:
            errors["cost"] = _("The cost cannot be negative (0 when free).")
        elif cost > MAX_COST:
            errors["cost"] = _("The cost is too large.")
        out["cost"] = cost
    order = _whole(out.get("sort_order") if out.get("sort_order") not in (None, "") else 100)
    if order is None or order < 0:
        errors["sort_order"] = _("The order must be a whole number, zero or more.")
    else:
        out["sort_order"] = order
    out["cost_varies"] = bool(out.get("cost_varies"))
    out["is_online"] = bool(out.get("is_online"))
    out["is_active"] = bool(out.get("is_active", True))
    if out["is_active"]:
        # A standar pelayanan without requirements or procedure cannot be published (UU 25/2009 art. 21).
        if not out["requirements"]:
            errors["requirements"] = _("An active service needs its requirements (persyaratan), one per line.")
        if not out["procedure"]:
            errors["procedure"] = _("An active service needs its procedure (prosedur), one step per line.")
    if errors:
        raise ValidationError(errors)
    return out


_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _whole(value: Any) -> int | None:
    """An int from an int or a string of digits (a form field); None for anything else (bool, 1.5, "x")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip() if value is not None else ""
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else None


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _office(unit: OrgUnit) -> None:
    if unit.kind not in OFFICE_KINDS or not unit.is_active:
        raise ValidationError({"unit": _("Services are given by an active office, not by %(unit)s.") % {"unit": unit}})


def service_create(*, actor: Any, unit: OrgUnit, **values: Any) -> Service:
    """Add a service to a unit's catalogue. Keyword values are the ``SERVICE_FIELDS``."""
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    _require(actor, unit)
    _office(unit)
    clean = _clean_service(unit, {"is_active": True, "time_limit_days": 1, **values})
    with transaction.atomic():
        service = Service(unit=unit, **clean)
        try:
            with transaction.atomic():
                service.save()
        except IntegrityError as exc:  # two editors adding the same code at once
            raise ValidationError(
                {
                    "code": _("%(unit)s already has a service with the code %(code)s.")
                    % {"unit": unit.name, "code": clean["code"]}
                }
            ) from exc
        audit_record(
            actor=actor,
            action="service.create",
            obj=service,
            org_unit=unit,
            changes={k: {"before": None, "after": v} for k, v in snapshot(service, list(SERVICE_FIELDS)).items()},
        )
    return service


def service_update(*, actor: Any, service: Service, **values: Any) -> Service:
    """Change some fields of a service (the ones passed); the rest stay as they are."""
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    _require(actor, service.unit)
    with transaction.atomic():
        locked = Service.objects.select_for_update().select_related("unit").get(pk=service.pk)
        before = snapshot(locked, list(SERVICE_FIELDS))
        current = {name: getattr(locked, name) for name in SERVICE_FIELDS}
        clean = _clean_service(locked.unit, {**current, **values}, exclude_pk=locked.pk)
        for name, value in clean.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise ValidationError({"code": _("This code is already used by another service of the unit.")}) from exc
        changes = changes_between(before, snapshot(locked, list(SERVICE_FIELDS)))
        if changes:
            audit_record(actor=actor, action="service.update", obj=locked, org_unit=locked.unit, changes=changes)
    _copy(locked, service)
    return service


def service_deactivate(*, actor: Any, service: Service) -> Service:
    """Take a service off the public catalogue; its history (events, applications) stays."""
    _require(actor, service.unit)
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active", "updated_at"])
            audit_record(
                actor=actor,
                action="service.deactivate",
                obj=locked,
                org_unit=service.unit,
                changes={"is_active": {"before": True, "after": False}},
            )
    _copy(locked, service)
    return service


def _copy(source: Service, target: Service) -> None:
    if source is not target:
        for name in (*SERVICE_FIELDS, "updated_at"):
            setattr(target, name, getattr(source, name))


def standard_missing(service: Service) -> list[str]:
    """Standar pelayanan components a service does not state yet (field names), for the editors' list."""
    return [
        name
        for name in ("requirements", "procedure", "product", "complaint_channel")
        if not (getattr(service, name) or "").strip()
    ]


# ----------------------------------------------------------------------------------------- counters
def _clean_counter(
    unit: OrgUnit, name: Any, services: Iterable[Service] | None, *, exclude_pk: Any = None
) -> tuple[str, list[Service] | None]:
    errors: dict[str, str] = {}
    clean_name = _text(name)
    if not clean_name:
        errors["name"] = _("Give the counter a name, e.g. Loket 1.")
    elif len(clean_name) > 60:
        errors["name"] = _("The name is too long (at most 60 characters).")
    elif Counter.objects.filter(unit=unit, name__iexact=clean_name).exclude(pk=exclude_pk).exists():
        errors["name"] = _("%(unit)s already has a counter named %(name)s.") % {"unit": unit.name, "name": clean_name}
    chosen = None if services is None else list({s.pk: s for s in services}.values())
    if chosen:
        mpp = is_mpp(unit)
        foreign = [s for s in chosen if s.unit_id != unit.pk and not mpp]
        if foreign:
            errors["services"] = _("A counter serves only the services of its own office (not: %(names)s).") % {
                "names": ", ".join(s.name_id for s in foreign)
            }
        inactive = [s for s in chosen if not s.is_active]
        if inactive and "services" not in errors:
            errors["services"] = _("These services are no longer active: %(names)s.") % {
                "names": ", ".join(s.name_id for s in inactive)
            }
    if errors:
        raise ValidationError(errors)
    return clean_name, chosen


def counter_create(
    *, actor: Any, unit: OrgUnit, name: str, services: Iterable[Service] = (), is_active: bool = True
) -> Counter:
    """Open a counter (loket) at an office, serving the given services."""
    _require(actor, unit)
    _office(unit)
    clean_name, chosen = _clean_counter(unit, name, services)
    with transaction.atomic():
        try:
            with transaction.atomic():
                counter = Counter.objects.create(unit=unit, name=clean_name, is_active=bool(is_active))
        except IntegrityError as exc:
            raise ValidationError({"name": _("This office already has a counter with that name.")}) from exc
        if chosen:
            counter.services.set(chosen)
        audit_record(
            actor=actor,
            action="counter.create",
            obj=counter,
            org_unit=unit,
            changes={
                "name": {"before": None, "after": clean_name},
                "services": {"before": [], "after": sorted(s.pk for s in chosen or [])},
                "is_active": {"before": None, "after": bool(is_active)},
            },
        )
    return counter


def counter_update(
    *,
    actor: Any,
    counter: Counter,
    name: str | None = None,
    services: Iterable[Service] | None = None,
    is_active: bool | None = None,
) -> Counter:
    """Rename a counter, change the services it serves or open/close it (only what is passed changes)."""
    _require(actor, counter.unit)
    with transaction.atomic():
        locked = Counter.objects.select_for_update().select_related("unit").get(pk=counter.pk)
        before_services = sorted(locked.services.values_list("pk", flat=True))
        clean_name, chosen = _clean_counter(
            locked.unit, locked.name if name is None else name, services, exclude_pk=locked.pk
        )
        changes: dict[str, Any] = {}
        if clean_name != locked.name:
            changes["name"] = {"before": locked.name, "after": clean_name}
            locked.name = clean_name
        if is_active is not None and bool(is_active) != locked.is_active:
            changes["is_active"] = {"before": locked.is_active, "after": bool(is_active)}
            locked.is_active = bool(is_active)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise ValidationError({"name": _("This office already has a counter with that name.")}) from exc
        if chosen is not None:
            after_services = sorted(s.pk for s in chosen)
            if after_services != before_services:
                locked.services.set(chosen)
                changes["services"] = {"before": before_services, "after": after_services}
        if changes:
            audit_record(actor=actor, action="counter.update", obj=locked, org_unit=locked.unit, changes=changes)
    counter.name, counter.is_active = locked.name, locked.is_active
    return counter

"""The read path of SKM results: which responses a result covers, scoped like the reader.

A result is for a unit (pooled over its subtree: a kecamatan's IKM is computed from all the answers given at
the kecamatan office and its kelurahan, never averaged from their IKMs), optionally one service, and one
period (a DHIS2 quarter or year). The reader must see the unit (or, with no unit, own the service); anything
else answers 404 like every other scoped read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.core.periods import InvalidPeriod, Period, PeriodType
from balai.core.scoping import subtree_q
from balai.org.choices import OFFICE_KINDS
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import home_units, pemda_zone
from balai.publicservices.models import Service, ServiceEvent
from balai.skm import ikm
from balai.skm.models import SkmResponse

#: Period types a result is given for: the SKM is run per quarter and reported per year.
PERIOD_TYPES = (PeriodType.QUARTER, PeriodType.YEAR)


class BadFilter(ValueError):
    """A filter value that is not a valid choice (a clear message, shown as a form error or an API 400)."""


@dataclass(frozen=True)
class Selection:
    unit: OrgUnit | None
    service: Service | None
    period: Period

    @cached_property
    def office_ids(self) -> list[int]:
        return unit_office_ids(self.unit) if self.unit is not None else []


def parse_period(value: str | None) -> Period:
    """A quarter or year period id; the current quarter when empty."""
    if not value:
        return Period.containing(timezone.localdate(timezone=pemda_zone()), PeriodType.QUARTER)
    try:
        period = Period.parse(value)
    except InvalidPeriod as exc:
        raise BadFilter(str(exc)) from exc
    if period.type not in PERIOD_TYPES:
        raise BadFilter(
            _("SKM results are given per quarter (2026Q1) or per year (2026), not for %(period)s.") % {"period": value}
        )
    return period


def period_choices(count_quarters: int = 8, count_years: int = 3) -> list[Period]:
    today = timezone.localdate(timezone=pemda_zone())
    quarters = Period.containing(today, PeriodType.QUARTER).series(count_quarters)
    years = Period.containing(today, PeriodType.YEAR).series(count_years)
    return [*reversed(quarters), *reversed(years)]


def units_for_results(user: Any) -> QuerySet[OrgUnit]:
    """Offices the user may read results of (RW and RT never serve anyone)."""
    return OrgUnit.objects.visible_to(user, Action.VIEW).filter(kind__in=list(OFFICE_KINDS), is_active=True)


def default_unit(user: Any) -> OrgUnit | None:
    homes = home_units(user, Action.VIEW)
    return homes[0] if homes else None


def unit_office_ids(unit: OrgUnit) -> list[int]:
    """The offices of a unit's subtree (itself included): a handful of ids, read from the kind+path index."""
    return list(OrgUnit.objects.filter(subtree_q(unit.path), kind__in=list(OFFICE_KINDS)).values_list("id", flat=True))


def services_for(unit: OrgUnit) -> QuerySet[Service]:
    """Services given in a unit's subtree: its own catalogue and what its counters serve (an MPP serves others')."""
    ids = unit_office_ids(unit)
    return (
        Service.objects.filter(Q(unit_id__in=ids) | Q(counters__unit_id__in=ids))
        .select_related("unit")
        .distinct()
        .order_by("name_id")
    )


def select(user: Any, *, unit_code: str | None, service_id: Any, period_id: str | None) -> Selection:
    """Resolve and scope-check the filters: 404 for a unit or service outside the reader's scope."""
    period = parse_period(period_id)
    unit: OrgUnit | None = None
    service: Service | None = None
    if unit_code:
        unit = units_for_results(user).filter(code=unit_code).first()
        if unit is None:
            raise Http404
    if service_id not in (None, ""):
        try:
            pk = int(service_id)
        except (TypeError, ValueError) as exc:
            raise BadFilter(_("The service must be given by its number.")) from exc
        if unit is not None:
            service = services_for(unit).filter(pk=pk).first()
        else:
            service = Service.objects.visible_to(user, Action.VIEW).select_related("unit").filter(pk=pk).first()
        if service is None:
            raise Http404
    if unit is None and service is None:
        unit = default_unit(user)
        if unit is None:
            raise Http404
    return Selection(unit=unit, service=service, period=period)


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = pemda_zone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def responses(selection: Selection) -> QuerySet[SkmResponse]:
    qs = SkmResponse.objects.filter(served_on__gte=selection.period.start, served_on__lte=selection.period.end)
    if selection.unit is not None:
        qs = qs.filter(unit_id__in=selection.office_ids)
    if selection.service is not None:
        qs = qs.filter(service_id=selection.service.pk)
    return qs


def population(selection: Selection) -> int:
    """N of the Krejcie–Morgan minimum: the citizens served (ServiceEvents) for the same unit, service, period."""
    start, end = _bounds(selection.period)
    qs = ServiceEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if selection.unit is not None:
        qs = qs.filter(unit_id__in=selection.office_ids)
    if selection.service is not None:
        qs = qs.filter(service_id=selection.service.pk)
    return qs.count()


def result(selection: Selection, *, with_profile: bool = True) -> ikm.IkmResult:
    return ikm.compute(responses(selection), population=population(selection), with_profile=with_profile)


@dataclass(frozen=True)
class Row:
    """One line of a breakdown table: a unit or a service with its own (pooled) result."""

    key: int
    label: str
    result: ikm.IkmResult


def breakdown_by_unit(selection: Selection) -> list[Row]:
    """Per office of the subtree, its own responses (one GROUP BY); only offices with responses."""
    grouped = ikm.compute_grouped(responses(selection), "unit_id")
    names = dict(OrgUnit.objects.filter(pk__in=list(grouped)).values_list("pk", "name"))
    return sorted((Row(k, names.get(k, str(k)), r) for k, r in grouped.items()), key=lambda row: row.label)


def breakdown_by_service(selection: Selection) -> list[Row]:
    grouped = ikm.compute_grouped(responses(selection), "service_id")
    names = {s.pk: s.name for s in Service.objects.filter(pk__in=list(grouped))}
    return sorted((Row(k, names.get(k, str(k)), r) for k, r in grouped.items()), key=lambda row: row.label)


def invitable(events: QuerySet[ServiceEvent], now: dt.datetime | None = None) -> QuerySet[ServiceEvent]:
    """Service events a clerk may still hand a survey link for: not rated yet, served within the link lifetime."""
    from balai.skm.services import link_lifetime

    since = (now or timezone.now()) - link_lifetime()
    return events.filter(occurred_at__gt=since).exclude(Exists(SkmResponse.objects.filter(event=OuterRef("pk"))))

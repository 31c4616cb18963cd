"""Scoped reads of citizen reports for the staff: the queue, one report with its timeline, duplicates, export."""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from balai.complaints.models import INCOMING_Q, OPEN, OPEN_Q, Category, Complaint, ComplaintPhoto, ComplaintUpdate
from balai.core.localcache import StampedCache, table_stamp
from balai.core.scoping import subtree_q
from balai.org import access
from balai.org.models import OrgUnit, User
from balai.org.roles import Action

#: Rows a list counts before it stops counting: 200 pages of the staff queue, 500 of the public list.
DUPLICATE_RADIUS_M = 50.0
DUPLICATE_WINDOW_DAYS = 30
EARTH_RADIUS_M = 6_371_000.0
# 1° of latitude ≈ 111 km everywhere; the lon box widens by 1/cos(lat), which is ~1 in Indonesia.
METERS_PER_DEGREE = 111_320.0


class Tab:
    INCOMING = "incoming"
    MINE = "mine"
    UNIT = "unit"
    ALL = "all"


TABS = (Tab.INCOMING, Tab.MINE, Tab.UNIT, Tab.ALL)


@dataclass(frozen=True)
class QueueFilters:
    category: str = ""  # Category.code
    kelurahan: str = ""  # OrgUnit.code of the territory
    status: str = ""
    channel: str = ""
    overdue: bool = False


def _categories_stamp(_key: Any) -> tuple[Any, ...]:
    return table_stamp(Category)


def _categories_load(_key: Any) -> tuple[dict[int, Category], dict[str, Category]]:
    """The active categories by primary key and by code (Open311's service_code), with their default unit."""
    active = list(Category.objects.filter(is_active=True).select_related("default_unit"))
    return {c.pk: c for c in active}, {c.code: c for c in active}


# Every report names its category: kept per process (a dozen rows), see balai.core.localcache.
_category_cache: StampedCache[tuple[dict[int, Category], dict[str, Category]]] = StampedCache(
    "complaints.categories", _categories_stamp, _categories_load, models=(Category,)
)


def active_category(*, pk: int | None = None, code: str | None = None) -> Category | None:
    """The active category with this primary key or code, or None; the caller's own copy."""
    by_pk, by_code = _category_cache.get(None, ({}, {}))
    found = by_pk.get(pk) if code is None else by_code.get(code)  # type: ignore[arg-type]
    return None if found is None else copy.copy(found)


def is_desk(user: Any) -> bool:
    """The complaint desk, by the services' own rule."""
    from balai.complaints.services import is_desk as desk_rule

    return desk_rule(user)


def can_act(user: Any, complaint: Complaint) -> bool:
    """May the user work on this report (desk, responsible unit or territory with EDIT)?"""
    units = [u for u in (complaint.unit, complaint.territory) if u is not None]
    return is_desk(user) or any(access.can(user, Action.EDIT, u) for u in units)


def _overdue_q(now: dt.datetime) -> Q:
    return Q(resolution_due__lt=now) & OPEN_Q


def queue(user: Any, *, tab: str = Tab.ALL, filters: QueueFilters | None = None) -> QuerySet[Complaint]:
    """The reports the user may see, for one tab of the queue, with everything the list shows joined in."""
    filters = filters or QueueFilters()
    qs = Complaint.objects.visible_to(user, Action.VIEW).select_related("category", "territory", "unit", "assignee")
    if tab == Tab.INCOMING:
        qs = qs.filter(INCOMING_Q)
    elif tab == Tab.MINE:
        qs = qs.filter(assignee_id=user.pk)
    elif tab == Tab.UNIT:
        paths = access.scope_paths(user, Action.EDIT)
        cond = Q(pk__in=[])
        for path in paths:
            cond |= subtree_q(path, "unit__")
        qs = qs.filter(cond)
    # Codes turned into ids first: a filter on the report's own columns lets the database combine its
    # indexes and sort before joining, where a filter through a join made it read every candidate row.
    if filters.category:
        qs = qs.filter(category_id__in=_ids(Category.objects.filter(code=filters.category)))
    if filters.kelurahan:
        qs = qs.filter(territory_id__in=_ids(OrgUnit.objects.filter(code=filters.kelurahan)))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.overdue:
        qs = qs.filter(_overdue_q(timezone.now()))
    return qs.order_by("-received_at", "-id")


def _ids(qs: QuerySet[Any]) -> list[int]:
    return list(qs.values_list("pk", flat=True))


def is_overdue(complaint: Complaint, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return complaint.resolution_due is not None and complaint.resolution_due < now and complaint.is_open


def complaint_get(user: Any, code: str) -> Complaint:
    """One report with its timeline (internal notes included) and photos, or 404 when out of scope."""
    qs = (
        Complaint.objects.visible_to(user, Action.VIEW)
        .select_related("category", "territory", "unit", "assignee", "duplicate_of")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ComplaintUpdate.objects.select_related("author", "unit").prefetch_related("photos"),
            ),
            Prefetch("photos", queryset=ComplaintPhoto.objects.order_by("created_at", "id")),
        )
    )
    try:
        return qs.get(tracking_code=code)
    except Complaint.DoesNotExist as exc:
        raise Http404 from exc


def complaint_by_code(user: Any, code: str) -> Complaint | None:
    """A report the user may see, for the "merge into" field; None when unknown or out of scope."""
    return Complaint.objects.visible_to(user, Action.VIEW).filter(tracking_code=code.strip().upper()).first()


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def duplicate_suggestions(
    user: Any, complaint: Complaint, *, radius_m: float = DUPLICATE_RADIUS_M, now: dt.datetime | None = None
) -> list[tuple[Complaint, float]]:
    """Open reports of the same category within ``radius_m`` and the last 30 days, nearest first."""
    if complaint.latitude is None or complaint.longitude is None:
        return []
    now = now or timezone.now()
    dlat = radius_m / METERS_PER_DEGREE
    dlon = radius_m / (METERS_PER_DEGREE * max(math.cos(math.radians(complaint.latitude)), 0.01))
    candidates = (
        Complaint.objects.visible_to(user, Action.VIEW)
        .filter(
            category_id=complaint.category_id,
            status__in=OPEN,
            received_at__gte=now - dt.timedelta(days=DUPLICATE_WINDOW_DAYS),
            latitude__range=(complaint.latitude - dlat, complaint.latitude + dlat),
            longitude__range=(complaint.longitude - dlon, complaint.longitude + dlon),
        )
        .exclude(pk=complaint.pk)
    )
    found = []
    for other in candidates:
        assert other.latitude is not None and other.longitude is not None  # the box filter guarantees it
        distance = haversine_m(complaint.latitude, complaint.longitude, other.latitude, other.longitude)
        if distance <= radius_m:
            found.append((other, distance))
    found.sort(key=lambda pair: pair[1])
    return found


def assignable_people(complaint: Complaint) -> QuerySet[User]:
    """People with EDIT on the responsible unit (or one of its ancestors): whom the report can be assigned to."""
    from balai.org.roles import roles_with

    if complaint.unit is None:
        return User.objects.none()
    unit: OrgUnit = complaint.unit
    return (
        User.objects.filter(
            is_active=True,
            is_integration=False,
            role_assignments__role__in=roles_with(Action.EDIT),
            role_assignments__org_unit__path__in=unit.ancestor_paths,
            role_assignments__org_unit__is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def disposable_units() -> QuerySet[OrgUnit]:
    """Offices a report can be sent to."""
    from balai.org.choices import OFFICE_KINDS

    return OrgUnit.objects.filter(is_active=True, kind__in=OFFICE_KINDS).order_by("path")


def export_rows(user: Any, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Complaint]:
    """Reports received in [start, end) within the user's scope, with their updates."""
    return (
        Complaint.objects.visible_to(user, Action.VIEW)
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("category", "territory", "unit", "assignee")
        .prefetch_related(Prefetch("updates", queryset=ComplaintUpdate.objects.select_related("author", "unit")))
        .order_by("received_at", "id")
    )

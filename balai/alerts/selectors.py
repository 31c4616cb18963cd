"""The read path of alerts: scoped lists and pages, and the alerts section of the monthly rakor pack."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from balai.alerts.choices import OPEN_STATUSES, SEVERITY_RANK, AlertStatus
from balai.alerts.models import Alert, AlertEvent, AlertRule
from balai.core.periods import Period
from balai.core.scoping import subtree_q
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import pemda_zone

#: Filter value meaning "open or acknowledged", the list's default.
ACTIVE = "active"

_SEVERITY_ORDER = Case(
    *[When(severity=s, then=Value(rank)) for s, rank in SEVERITY_RANK.items()],
    default=Value(9),
    output_field=IntegerField(),
)


def alerts_visible(
    user: Any, *, status: str = ACTIVE, severity: str = "", unit: OrgUnit | None = None
) -> QuerySet[Alert]:
    """Alerts of the units in the user's scope, most severe first, then newest, then in tree order."""
    qs = Alert.objects.visible_to(user, Action.VIEW).select_related("org_unit", "indicator")
    if status == ACTIVE:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "org_unit__"))
    return qs.annotate(severity_rank=_SEVERITY_ORDER).order_by("severity_rank", "-opened_at", "org_unit__path", "pk")


def alert_get(user: Any, pk: int) -> Alert:
    """The alert if it is in the user's scope, else 404."""
    return Alert.objects.select_related("org_unit", "indicator", "rule", "acknowledged_by", "resolved_by").get_visible(
        user, Action.VIEW, pk=pk
    )


def alert_history(alert: Alert) -> list[AlertEvent]:
    return list(alert.events.select_related("actor").order_by("at", "pk"))


def open_count(user: Any) -> int:
    return Alert.objects.visible_to(user, Action.VIEW).filter(status__in=OPEN_STATUSES).count()


def rules_visible(user: Any) -> QuerySet[AlertRule]:
    """Rules an administrator may manage: those whose scope unit is in their admin scope."""
    return AlertRule.objects.visible_to(user, Action.ADMIN).select_related("indicator", "scope_unit")


def rule_get(user: Any, pk: int) -> AlertRule:
    return AlertRule.objects.select_related("indicator", "scope_unit").get_visible(user, Action.ADMIN, pk=pk)


# ----------------------------------------------------------------------------------- rakor pack
@dataclass(frozen=True)
class AlertLine:
    title: str
    severity: str
    status: str
    unit_name: str
    opened_at: dt.datetime
    value: float | None
    target: float | None


def alerts_for_pack(*, unit_ids: list[int], period: Period) -> dict[int, list[AlertLine]]:
    """Per perangkat daerah id: the alerts of units in its subtree open during ``period`` or opened in it.

    "During" is in the Pemda's time zone: opened before the period ended and not resolved before it began.
    Every id asked for is in the answer (an empty list: no alerts). Most severe first, then oldest. Two queries.
    The pack is a city document built for people who see the whole city, so this read is not user-scoped:
    the caller checks who may build the pack.
    """
    zone = pemda_zone()
    start = dt.datetime.combine(period.start, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    units = list(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    out: dict[int, list[AlertLine]] = {pk: [] for pk in unit_ids}
    if not units:
        return out
    cond = Q(pk__in=[])
    for _pk, path in units:
        cond |= subtree_q(path, "org_unit__")
    rows = (
        Alert.objects.filter(cond, opened_at__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .select_related("org_unit")
        .annotate(severity_rank=_SEVERITY_ORDER)
        .order_by("severity_rank", "opened_at", "pk")
    )
    for alert in rows:
        line = AlertLine(
            title=alert.title,
            severity=alert.severity,
            status=alert.status,
            unit_name=alert.org_unit.name,
            opened_at=alert.opened_at,
            value=alert.value,
            target=alert.target,
        )
        for pk, path in units:  # nested perangkat daerah (rare) each list it
            if alert.org_unit.path.startswith(path):
                out[pk].append(line)
    return out


def owner_open_alerts() -> dict[int, tuple[Any, list[Alert]]]:
    """Every person owning an open alert, with their open alerts (most severe first): the digest's input."""
    rows = (
        Alert.owners.through.objects.filter(alert__status__in=OPEN_STATUSES, user__is_active=True)
        .select_related("alert__org_unit", "alert__indicator", "user")
        .order_by("user__username", "alert__opened_at", "alert_id")
    )
    out: dict[int, tuple[Any, list[Alert]]] = {}
    for row in rows:
        out.setdefault(row.user_id, (row.user, []))[1].append(row.alert)
    for _user, alerts in out.values():
        alerts.sort(key=lambda a: SEVERITY_RANK.get(a.severity, 9))  # stable: oldest first within a severity
    return out


__all__ = ["ACTIVE", "AlertLine", "AlertStatus", "alerts_for_pack"]

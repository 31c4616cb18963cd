"""The write path of alerts: rules, evaluation, people's actions and the system alerts API.

Every function is keyword-only, atomic, locks what it changes and leaves an audit event. Evaluation and the
system API run without an actor (``actor=None`` in the audit log: "system").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from balai.alerts import conditions
from balai.alerts.choices import (
    CHECKED_KINDS,
    OPEN_STATUSES,
    OWNER_ROLES,
    POLAR_KINDS,
    SYSTEM_OWNER_ROLES,
    THRESHOLD_KINDS,
    AlertStatus,
    CheckedPeriod,
    EventKind,
    RuleKind,
    Severity,
)
from balai.alerts.models import Alert, AlertEvent, AlertRule
from balai.core.audit import audit_record, snapshot
from balai.core.periods import Period, PeriodType, is_coarser_or_equal
from balai.indicators.choices import Polarity, ValueType
from balai.indicators.models import Indicator
from balai.org import access
from balai.org.models import OrgUnit, RoleAssignment, User
from balai.org.roles import Action, Role, roles_with
from balai.org.selectors import pemda_root, pemda_zone

#: Who may acknowledge and resolve an alert of a unit: whoever works there, and the head of region.
ACTING_ROLES = sorted({*roles_with(Action.EDIT), Role.HEAD_OF_REGION.value})
RULE_FIELDS = [
    "name",
    "indicator",
    "kind",
    "threshold",
    "scope_unit",
    "checked_kinds",
    "period_type",
    "checked_period",
    "severity",
    "owner_roles",
    "is_active",
]
#: Upper bound of an achievement threshold (% of target): 1000 % is already absurd for a target.
MAX_ACHIEVEMENT_PCT = 1000.0


class AlertStateError(Exception):
    """The alert is no longer in the state the person acted on (someone else was first)."""

    def __init__(self, message: str, alert: Alert) -> None:
        super().__init__(message)
        self.message = message
        self.alert = alert


# ------------------------------------------------------------------------------------------ rules
def rule_validate(
    *,
    name: str,
    indicator: Indicator | None,
    kind: str,
    threshold: float | None,
    scope_unit: OrgUnit | None,
    checked_kinds: list[str],
    period_type: str,
    checked_period: str,
    severity: str,
    owner_roles: list[str],
) -> float | None:
    """Refuse a rule that cannot work, with the reason per field; return the threshold as stored."""
    errors: dict[str, list[str]] = {}

    def err(f: str, message: str) -> None:
        errors.setdefault(f, []).append(message)

    if not name.strip():
        err("name", _("Give the rule a name."))
    if indicator is None or indicator.pk is None or not Indicator.objects.filter(pk=indicator.pk).exists():
        err("indicator", _("The indicator does not exist (it may have been deleted)."))
        indicator = None
    elif not indicator.is_active:
        err("indicator", _("Indicator %(code)s is inactive: a rule on it would never run.") % {"code": indicator.code})
    if kind not in RuleKind.values:
        err("kind", _("Choose what the rule checks."))
    if severity not in Severity.values:
        err("severity", _("Choose a severity."))
    if checked_period not in CheckedPeriod.values:
        err("checked_period", _("Choose which period is checked."))
    valid_kinds = {k for k, _label in CHECKED_KINDS}
    if not checked_kinds or any(k not in valid_kinds for k in checked_kinds):
        err("checked_kinds", _("Choose which units are checked."))
    valid_roles = {r for r, _label in OWNER_ROLES}
    if not owner_roles or any(r not in valid_roles for r in owner_roles):
        err("owner_roles", _("Choose who is responsible for the alerts."))
    if scope_unit is None:
        err("scope_unit", _("Choose the unit the rule covers."))
    elif not scope_unit.is_active:
        err("scope_unit", _("Unit %(unit)s is inactive.") % {"unit": scope_unit.name})
    if period_type not in PeriodType.__members__.values():
        err("period_type", _("Choose the period type checked."))
    elif indicator is not None and not is_coarser_or_equal(PeriodType(period_type), PeriodType(indicator.period_type)):
        err(
            "period_type",
            _("Indicator %(code)s is %(type)s: a rule cannot check a finer period.")
            % {"code": indicator.code, "type": indicator.get_period_type_display().lower()},
        )
    if kind in POLAR_KINDS and indicator is not None and indicator.polarity == Polarity.NEUTRAL:
        err(
            "kind",
            _("Indicator %(code)s has no better direction (neutral polarity): use a threshold instead.")
            % {"code": indicator.code},
        )
    if kind == RuleKind.NO_DATA:
        threshold = None
    elif kind in RuleKind.values:
        if threshold is None:
            err("threshold", _("This kind of rule needs a threshold."))
        elif kind == RuleKind.BELOW_TARGET and not 0 < threshold <= MAX_ACHIEVEMENT_PCT:
            err("threshold", _("The achievement must be a percentage of the target above 0 and at most 1000."))
        elif kind == RuleKind.WORSE_THAN_PREVIOUS:
            # A higher-is-better figure that cannot go negative falls at most 100 %; a rising backlog can double.
            top = (
                100.0
                if indicator is not None and indicator.polarity == Polarity.HIGHER_IS_BETTER
                else MAX_ACHIEVEMENT_PCT
            )
            if not 0 < threshold <= top:
                err(
                    "threshold",
                    _("The change must be a percentage above 0 and at most %(max)s.") % {"max": f"{top:g}"},
                )
        elif kind in THRESHOLD_KINDS and indicator is not None:
            non_negative = indicator.value_type in (ValueType.INTEGER, ValueType.PERCENTAGE, ValueType.BOOLEAN)
            if non_negative and threshold < 0:
                err(
                    "threshold",
                    _("Values of %(code)s are never negative: a negative limit is meaningless.")
                    % {"code": indicator.code},
                )
            elif non_negative and kind == RuleKind.BELOW_THRESHOLD and threshold == 0:
                err(
                    "threshold",
                    _("Values of %(code)s are never below 0: the rule could never alert.") % {"code": indicator.code},
                )
    if errors:
        raise ValidationError(errors)
    return threshold


def _rule_check_admin(actor: Any, unit: OrgUnit | None) -> None:
    if actor is not None and not access.can(actor, Action.ADMIN, unit):
        raise PermissionDenied(_("Only an administrator of the unit may manage its alert rules."))


def alert_rule_create(*, actor: Any, **data: Any) -> AlertRule:
    _rule_check_admin(actor, data.get("scope_unit"))
    fields = _rule_fields(data)
    with transaction.atomic():
        rule = AlertRule.objects.create(created_by=actor if getattr(actor, "pk", None) else None, **fields)
        audit_record(
            actor=actor,
            action="alert_rule.create",
            obj=rule,
            org_unit=rule.scope_unit,
            changes=snapshot(rule, RULE_FIELDS),
        )
    return rule


def alert_rule_update(*, actor: Any, rule: AlertRule, **data: Any) -> AlertRule:
    _rule_check_admin(actor, rule.scope_unit)
    _rule_check_admin(actor, data.get("scope_unit"))
    fields = _rule_fields(data)
    with transaction.atomic():
        locked = AlertRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(locked, RULE_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            action="alert_rule.update",
            obj=locked,
            org_unit=locked.scope_unit,
            changes={
                k: {"before": before[k], "after": v} for k, v in snapshot(locked, RULE_FIELDS).items() if before[k] != v
            },
        )
    return locked


def alert_rule_set_active(*, actor: Any, rule: AlertRule, active: bool) -> AlertRule:
    """Deactivate (its open alerts close at the next evaluation) or reactivate a rule."""
    _rule_check_admin(actor, rule.scope_unit)
    with transaction.atomic():
        locked = (
            AlertRule.objects.select_for_update(of=("self",)).select_related("indicator", "scope_unit").get(pk=rule.pk)
        )
        if active and locked.indicator is not None and not locked.indicator.is_active:
            raise ValidationError(
                _("Indicator %(code)s is inactive: the rule cannot run.") % {"code": locked.indicator.code}
            )
        if active and locked.indicator is None:
            raise ValidationError(_("The rule's indicator was deleted: the rule cannot run."))
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            action="alert_rule.activate" if active else "alert_rule.deactivate",
            obj=locked,
            org_unit=locked.scope_unit,
            changes={"is_active": {"before": not active, "after": active}},
        )
    return locked


def _rule_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": str(data.get("name") or "").strip(),
        "indicator": data.get("indicator"),
        "kind": data.get("kind") or "",
        "threshold": data.get("threshold"),
        "scope_unit": data.get("scope_unit"),
        "checked_kinds": list(data.get("checked_kinds") or []),
        "period_type": data.get("period_type") or "",
        "checked_period": data.get("checked_period") or CheckedPeriod.LAST_COMPLETE,
        "severity": data.get("severity") or Severity.WARNING,
        "owner_roles": list(data.get("owner_roles") or []),
    }
    fields["threshold"] = rule_validate(**fields)
    if "is_active" in data:
        fields["is_active"] = bool(data["is_active"])
    return fields


# ----------------------------------------------------------------------------------------- owners
def owners_for(units: Iterable[OrgUnit], roles: Iterable[str]) -> dict[int, list[User]]:
    """Per unit, the active people holding one of ``roles`` on it or on a unit above it below the Pemda.

    The Pemda root's people (the head of region, the desk) are owners only of alerts on the root itself:
    they see every alert anyway, and a digest of the whole city's alerts would drown the ones they own.
    """
    units = list(units)
    roles = list(roles)
    wanted: dict[int, list[str]] = {}
    for unit in units:
        paths = unit.ancestor_paths
        wanted[unit.pk] = paths if len(paths) == 1 else paths[1:]
    all_paths = sorted({p for paths in wanted.values() for p in paths})
    if not all_paths or not roles:
        return {u.pk: [] for u in units}
    by_path: dict[str, list[User]] = {}
    rows = (
        RoleAssignment.objects.filter(
            role__in=roles,
            org_unit__path__in=all_paths,
            org_unit__is_active=True,
            user__is_active=True,
            user__is_integration=False,
        )
        .select_related("user", "org_unit")
        .order_by("user__username")
    )
    for r in rows:
        by_path.setdefault(r.org_unit.path, []).append(r.user)
    out: dict[int, list[User]] = {}
    for unit in units:
        seen: dict[int, User] = {}
        for path in wanted[unit.pk]:
            for user in by_path.get(path, []):
                seen.setdefault(user.pk, user)
        out[unit.pk] = list(seen.values())
    return out


# ------------------------------------------------------------------------------------- evaluation
@dataclass
class EvaluationSummary:
    rules: int = 0
    opened: int = 0
    reopened: int = 0
    updated: int = 0
    resolved: int = 0
    stopped: list[int] = field(default_factory=list)


def dashboard_link(unit: OrgUnit, indicator: Indicator, period: str) -> str:
    return f"{reverse('dashboard:indicator', args=[unit.code, indicator.code])}?period={period}"


def alerts_evaluate(*, now: dt.datetime | None = None) -> EvaluationSummary:
    """Open, refresh and resolve the alerts of every rule; running it twice changes nothing the second time.

    Each (rule, unit, period) is one alert (a unique constraint; a concurrent run that loses the race skips
    it). An alert the system resolved is reopened when its condition returns; one a person resolved stays
    resolved: they judged it, and the next period gets its own alert.
    """
    now = now or timezone.now()
    today = now.astimezone(pemda_zone()).date()
    summary = EvaluationSummary()
    with translation.override(_language()):
        rules = AlertRule.objects.select_related("indicator", "scope_unit").order_by("pk")
        for rule in rules:
            summary.rules += 1
            if not rule.is_running:
                summary.stopped.append(rule.pk)
                summary.resolved += _resolve_all(
                    rule, now, _("The rule stopped: %(reason)s") % {"reason": rule.stopped_reason}
                )
                continue
            _evaluate_rule(rule, today, now, summary)
    return summary


def _language() -> str:
    from django.conf import settings

    return settings.LANGUAGE_CODE


def _evaluate_rule(rule: AlertRule, today: dt.date, now: dt.datetime, summary: EvaluationSummary) -> None:
    assert rule.indicator is not None
    units = conditions.checked_units(rule)
    by_id = {u.pk: u for u in units}
    period = conditions.checked_period(rule, today)
    existing = {
        (a.org_unit_id, a.period): a
        for a in Alert.objects.filter(rule=rule).filter(Q(status__in=OPEN_STATUSES) | Q(period=period.id))
    }
    periods = {period.id} | {p for (_u, p), a in existing.items() if a.is_open}
    found: dict[str, dict[int, conditions.Judgement]] = {
        pid: conditions.findings(rule, Period.parse(pid), units) for pid in sorted(periods)
    }
    new_units = [by_id[u] for u in found[period.id] if (u, period.id) not in existing]
    owners = owners_for(new_units, rule.owner_roles)
    for unit_id, judgement in found[period.id].items():
        alert = existing.get((unit_id, period.id))
        if alert is None:
            if _open(rule, by_id[unit_id], period, judgement, owners.get(unit_id, []), now):
                summary.opened += 1
        elif alert.is_open:
            if _refresh(alert, judgement):
                summary.updated += 1
        elif alert.resolved_by_system and _reopen(alert, judgement, now):
            summary.reopened += 1
    for (unit_id, pid), alert in existing.items():
        if not alert.is_open or unit_id in found.get(pid, {}):
            continue
        if unit_id not in by_id:
            note = _("The rule no longer checks this unit.")
        else:
            note = _("The condition no longer holds (value %(value)s).") % {"value": _current_value(rule, unit_id, pid)}
        if _system_resolve(alert.pk, now, note):
            summary.resolved += 1


def _current_value(rule: AlertRule, unit_id: int, period: str) -> str:
    from balai.core.formatting import format_number
    from balai.indicators.models import FactRollup

    assert rule.indicator is not None
    value = (
        FactRollup.objects.filter(indicator=rule.indicator, org_unit_id=unit_id, period=period)
        .values_list("value", flat=True)
        .first()
    )
    return (
        f"{format_number(value, rule.indicator.decimals)} {rule.indicator.unit}".strip() if value is not None else "–"
    )


def _open(
    rule: AlertRule,
    unit: OrgUnit,
    period: Period,
    judgement: conditions.Judgement,
    owners: list[User],
    now: dt.datetime,
) -> bool:
    assert rule.indicator is not None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule,
                org_unit=unit,
                indicator=rule.indicator,
                period=period.id,
                title=f"{rule.name} — {unit.name} ({period.label(_language())})"[:255],
                detail=judgement.detail,
                link=dashboard_link(unit, rule.indicator, period.id),
                severity=rule.severity,
                value=judgement.value,
                target=judgement.target,
                opened_at=now,
            )
            alert.owners.set(owners)
            AlertEvent.objects.create(alert=alert, kind=EventKind.OPENED, at=now, note=judgement.detail)
            audit_record(
                actor=None,
                action="alert.open",
                obj=alert,
                org_unit=unit,
                changes={"rule": rule.pk, "period": period.id, "value": judgement.value, "target": judgement.target},
            )
    except IntegrityError:
        return False  # a concurrent evaluation opened it first
    return True


def _refresh(alert: Alert, judgement: conditions.Judgement) -> bool:
    """Keep an open alert's figures current (late data) without adding history for every run."""
    if (alert.value, alert.target, alert.detail) == (judgement.value, judgement.target, judgement.detail):
        return False
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if not locked.is_open:
            return False
        locked.value, locked.target, locked.detail = judgement.value, judgement.target, judgement.detail
        locked.save(update_fields=["value", "target", "detail"])
    return True


def _reopen(alert: Alert, judgement: conditions.Judgement, now: dt.datetime) -> bool:
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.is_open or not locked.resolved_by_system:
            return False
        locked.status = AlertStatus.OPEN
        locked.value, locked.target, locked.detail = judgement.value, judgement.target, judgement.detail
        locked.resolved_at = locked.resolved_by = locked.acknowledged_at = locked.acknowledged_by = None
        locked.resolved_by_system = False
        locked.resolution_note = ""
        locked.save()
        AlertEvent.objects.create(alert=locked, kind=EventKind.REOPENED, at=now, note=judgement.detail)
        audit_record(
            actor=None, action="alert.reopen", obj=locked, org_unit=locked.org_unit, changes={"value": judgement.value}
        )
    return True


def _system_resolve(alert_id: int, now: dt.datetime, note: str) -> bool:
    with transaction.atomic():
        locked = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if locked is None or not locked.is_open:
            return False
        locked.status = AlertStatus.RESOLVED
        locked.resolved_at = now
        locked.resolved_by = None
        locked.resolved_by_system = True
        locked.resolution_note = note
        locked.save()
        AlertEvent.objects.create(alert=locked, kind=EventKind.AUTO_RESOLVED, at=now, note=note)
        audit_record(
            actor=None, action="alert.auto_resolve", obj=locked, org_unit=locked.org_unit, changes={"note": note}
        )
    return True


def _resolve_all(rule: AlertRule, now: dt.datetime, note: str) -> int:
    ids = list(Alert.objects.filter(rule=rule).open().values_list("pk", flat=True))
    return sum(_system_resolve(pk, now, note) for pk in ids)


# ---------------------------------------------------------------------------------- people's acts
def may_act(user: Any, unit: OrgUnit) -> bool:
    """Acknowledge and resolve: people who work in the unit (edit roles) and the head of region; not auditors."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user_id=user.pk, role__in=ACTING_ROLES, org_unit__is_active=True, org_unit__path__in=unit.ancestor_paths
    ).exists()


def _lock_for(actor: Any, alert: Alert) -> Alert:
    if not may_act(actor, alert.org_unit):
        raise PermissionDenied(_("You may not act on the alerts of this unit."))
    return Alert.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=alert.pk)


def _state_message(alert: Alert) -> str:
    if alert.status == AlertStatus.RESOLVED:
        who = alert.resolved_by.display_name if alert.resolved_by else _("the system")
        return _("This alert was already resolved by %(who)s.") % {"who": who}
    who = alert.acknowledged_by.display_name if alert.acknowledged_by else _("the system")
    return _("This alert was already acknowledged by %(who)s.") % {"who": who}


def alert_acknowledge(*, actor: Any, alert: Alert, note: str = "", now: dt.datetime | None = None) -> Alert:
    """ "I have seen it and someone is on it." Only an open alert can be acknowledged."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_for(actor, alert)
        if locked.status != AlertStatus.OPEN:
            raise AlertStateError(_state_message(locked), locked)
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_at = now
        locked.acknowledged_by = actor
        locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        AlertEvent.objects.create(alert=locked, kind=EventKind.ACKNOWLEDGED, at=now, actor=actor, note=note.strip())
        audit_record(
            actor=actor,
            action="alert.acknowledge",
            obj=locked,
            org_unit=locked.org_unit,
            changes={"status": {"before": AlertStatus.OPEN, "after": AlertStatus.ACKNOWLEDGED}, "note": note.strip()},
        )
    return locked


def alert_resolve(*, actor: Any, alert: Alert, note: str, now: dt.datetime | None = None) -> Alert:
    """Close an alert with what was done; the note is required (the next reader needs it)."""
    now = now or timezone.now()
    if not note.strip():
        raise ValidationError({"note": _("Say what was done before resolving the alert.")})
    with transaction.atomic():
        locked = _lock_for(actor, alert)
        if not locked.is_open:
            raise AlertStateError(_state_message(locked), locked)
        before = locked.status
        locked.status = AlertStatus.RESOLVED
        locked.resolved_at = now
        locked.resolved_by = actor
        locked.resolved_by_system = False
        locked.resolution_note = note.strip()
        locked.save(update_fields=["status", "resolved_at", "resolved_by", "resolved_by_system", "resolution_note"])
        AlertEvent.objects.create(alert=locked, kind=EventKind.RESOLVED, at=now, actor=actor, note=note.strip())
        audit_record(
            actor=actor,
            action="alert.resolve",
            obj=locked,
            org_unit=locked.org_unit,
            changes={"status": {"before": before, "after": AlertStatus.RESOLVED}, "note": note.strip()},
        )
    return locked


# ------------------------------------------------------------------------------- system alerts API
def alert_raise(*, key: str, unit: OrgUnit, title: str, detail: str, link: str, severity: str) -> Alert:
    """Raise a system alert (no rule) for another module, e.g. a connector after N failed pulls.

    Idempotent per ``key`` while the alert is open: raising it again updates its text and severity and returns
    the same alert. Once cleared or resolved, the same key opens a new alert.
    """
    key = key.strip()
    if not key or len(key) > 120:
        raise ValueError("alert_raise: key must be 1 to 120 characters")
    if severity not in Severity.values:
        raise ValueError(f"alert_raise: severity must be one of {Severity.values}, got {severity!r}")
    now = timezone.now()
    fields = {"title": title[:255], "detail": detail, "link": link[:500], "severity": severity}
    for _attempt in range(2):
        existing = Alert.objects.filter(rule__isnull=True, key=key).open().first()
        if existing is not None:
            return _system_update(existing, fields)
        try:
            with transaction.atomic():
                alert = Alert.objects.create(key=key, org_unit=unit, opened_at=now, **fields)
                alert.owners.set(_system_owners(unit))
                AlertEvent.objects.create(alert=alert, kind=EventKind.OPENED, at=now, note=detail)
                audit_record(actor=None, action="alert.raise", obj=alert, org_unit=unit, changes={"key": key, **fields})
            return alert
        except IntegrityError:
            continue  # raised concurrently by another process: update that one
    raise RuntimeError(f"alert_raise: could not raise or find the alert {key!r}")


def _system_owners(unit: OrgUnit) -> list[User]:
    """The unit's own people; when nobody holds those roles there (a new agency, a unit without accounts), the
    Pemda's administrators, so that a system alert (a connector that stopped) always reaches someone."""
    owners = owners_for([unit], SYSTEM_OWNER_ROLES)[unit.pk]
    if owners:
        return owners
    root = pemda_root()
    return [] if root is None else owners_for([root], [Role.ADMIN.value])[root.pk]


def _system_update(alert: Alert, fields: dict[str, Any]) -> Alert:
    if all(getattr(alert, k) == v for k, v in fields.items()):
        return alert
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        for k, v in fields.items():
            setattr(locked, k, v)
        locked.save(update_fields=list(fields))
    return locked


def alert_clear(*, key: str, note: str) -> Alert | None:
    """Resolve the open system alert with ``key`` (the failing thing works again); None if none is open."""
    alert = Alert.objects.filter(rule__isnull=True, key=key.strip()).open().first()
    if alert is None:
        return None
    _system_resolve(alert.pk, timezone.now(), note)
    return Alert.objects.get(pk=alert.pk)

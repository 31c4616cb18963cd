"""Alert rules on Facts, the alerts they open, and the history of each alert.

The alerts family reads only Facts (FactRollup, Target), Indicator and OrgUnit (ARCHITECTURE §3.4). Other
modules raise *system* alerts (a connector failing) through ``services.alert_raise``; those have no rule.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from balai.alerts.choices import AlertStatus, CheckedPeriod, EventKind, RuleKind, Severity
from balai.core.scoping import ScopedQuerySet
from balai.indicators.choices import PeriodTypeChoice


class AlertRuleQuerySet(ScopedQuerySet["AlertRule"]):
    scope_field = "scope_unit"


class AlertRule(models.Model):
    name = models.CharField(_lazy("name"), max_length=200)
    # SET_NULL, not CASCADE: a rule whose indicator was deleted stays listed and says why it stopped.
    indicator = models.ForeignKey(
        "indicators.Indicator", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_lazy("indicator")
    )
    kind = models.CharField(_lazy("kind"), max_length=30, choices=RuleKind.choices)
    #: below_target: the achievement (%) under which it alerts; worse_than_previous: the decline (%);
    #: above/below_threshold: N in the indicator's unit; no_data: unused.
    threshold = models.FloatField(_lazy("threshold"), null=True, blank=True)
    scope_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_lazy("scope")
    )
    #: Which units under the scope are checked: "self" and/or unit kinds (choices.CHECKED_KINDS).
    checked_kinds = models.JSONField(_lazy("units checked"), default=list)
    period_type = models.CharField(_lazy("period type"), max_length=10, choices=PeriodTypeChoice.choices)
    checked_period = models.CharField(
        _lazy("period checked"), max_length=20, choices=CheckedPeriod.choices, default=CheckedPeriod.LAST_COMPLETE
    )
    severity = models.CharField(_lazy("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    #: Roles whose holders on the alert's unit (or above it, below the Pemda) are responsible.
    owner_roles = models.JSONField(_lazy("responsible roles"), default=list)
    is_active = models.BooleanField(_lazy("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AlertRuleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _lazy("alert rule")
        verbose_name_plural = _lazy("alert rules")

    def __str__(self) -> str:
        return self.name

    @property
    def stopped_reason(self) -> str:
        """Why the rule is not evaluated, or "" when it runs."""
        if not self.is_active:
            return _("Deactivated.")
        if self.indicator is None:
            return _("Stopped: its indicator was deleted.")
        if not self.indicator.is_active:
            return _("Stopped: indicator %(code)s is inactive.") % {"code": self.indicator.code}
        if not self.scope_unit.is_active:
            return _("Stopped: unit %(unit)s is inactive.") % {"unit": self.scope_unit.name}
        return ""

    @property
    def is_running(self) -> bool:
        return not self.stopped_reason


class AlertQuerySet(ScopedQuerySet["Alert"]):
    scope_field = "org_unit"

    def open(self) -> AlertQuerySet:
        return self.filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])


class Alert(models.Model):
    """One alert: a rule's condition holding for a unit and period, or a system alert raised by a module."""

    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    #: System alerts: the caller's key, unique while the alert is open ("connector:12").
    key = models.CharField(max_length=120, blank=True)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_lazy("unit"))
    indicator = models.ForeignKey(
        "indicators.Indicator", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period = models.CharField(_lazy("period"), max_length=10, blank=True)
    title = models.CharField(_lazy("title"), max_length=255)
    detail = models.TextField(_lazy("detail"), blank=True)
    link = models.CharField(max_length=500, blank=True)
    severity = models.CharField(_lazy("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(_lazy("status"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    value = models.FloatField(null=True, blank=True)
    #: What the value was compared with: the target, the previous period's value or the threshold.
    target = models.FloatField(null=True, blank=True)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by_system = models.BooleanField(default=False)
    resolution_note = models.TextField(blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "org_unit", "period"],
                condition=Q(rule__isnull=False),
                name="uniq_alert_rule_unit_period",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(rule__isnull=True) & ~Q(status=AlertStatus.RESOLVED),
                name="uniq_open_system_alert_key",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "org_unit"], name="alert_status_unit"),
            models.Index(fields=["opened_at"], name="alert_opened"),
        ]
        verbose_name = _lazy("alert")
        verbose_name_plural = _lazy("alerts")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AlertEvent(models.Model):
    """The history of an alert, shown on its page (the audit log keeps the same facts for auditors)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

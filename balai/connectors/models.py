"""Connectors: an agency app's endpoint that Balai pulls Facts from on a schedule, and each pull's record."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.connectors.choices import AuthKind, Format, PeriodFormat, RunStatus, Schedule, Trigger, UnitMatch
from balai.core.scoping import ScopedQuerySet


class ConnectorQuerySet(ScopedQuerySet["Connector"]):
    # A connector belongs to the unit that owns the agency app (BKPSDM owns the attendance app).
    scope_field = "owner"


class Connector(models.Model):
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit"))
    url = models.URLField(_("address (URL)"), max_length=500)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.JSON)
    auth_kind = models.CharField(_("authentication"), max_length=10, choices=AuthKind.choices, default=AuthKind.NONE)
    #: Secrets are write-only in the UI: pages show whether they are set, never their value.
    token = models.CharField(max_length=500, blank=True)
    username = models.CharField(_("user name"), max_length=150, blank=True)
    password = models.CharField(max_length=500, blank=True)
    records_path = models.CharField(
        _("where the records are"),
        max_length=200,
        blank=True,
        help_text=_(
            "JSON only: a dotted path to the list of records, e.g. data.items. Empty: the document is the list."
        ),
    )
    next_page_path = models.CharField(
        _("next page link"),
        max_length=200,
        blank=True,
        help_text=_("JSON only: a dotted path to the next page's address, e.g. links.next. Empty: one page."),
    )
    # Field mapping: the name of the field in each record that holds each part of a data value.
    indicator_code = models.CharField(_("fixed indicator"), max_length=80, blank=True)
    indicator_field = models.CharField(_("indicator field"), max_length=100, blank=True)
    unit_code = models.CharField(_("fixed org unit"), max_length=40, blank=True)
    unit_field = models.CharField(_("org unit field"), max_length=100, blank=True)
    unit_match = models.CharField(
        _("match the unit by"), max_length=10, choices=UnitMatch.choices, default=UnitMatch.CODE
    )
    period_field = models.CharField(_("period field"), max_length=100)
    period_format = models.CharField(
        _("period format"), max_length=10, choices=PeriodFormat.choices, default=PeriodFormat.PERIOD
    )
    value_field = models.CharField(_("value field"), max_length=100)
    numerator_field = models.CharField(_("numerator field"), max_length=100, blank=True)
    denominator_field = models.CharField(_("denominator field"), max_length=100, blank=True)
    comment_field = models.CharField(_("comment field"), max_length=100, blank=True)
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.DAILY)
    daily_at = models.TimeField(_("daily at (Pemda time)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    alert_after = models.PositiveSmallIntegerField(
        _("alert after consecutive failures"), default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Health, kept by the pull service.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_rows = models.PositiveIntegerField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    alert_raised = models.BooleanField(default=False)
    #: A pull holds the connector until this moment, so two workers never pull the same connector at once.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConnectorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")

    def __str__(self) -> str:
        return self.name

    @property
    def health(self) -> str:
        """inactive | never | ok | failing | alert — what the list shows as a badge."""
        if not self.is_active:
            return "inactive"
        if self.consecutive_failures >= self.alert_after:
            return "alert"
        if self.consecutive_failures:
            return "failing"
        if self.last_success_at is None:
            return "never"
        return "ok"


class ConnectorRun(models.Model):
    """One pull: what was fetched, what the import did, or why it failed (then nothing was written)."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    #: The DHIS2-shaped import summary, or the problems found (capped) when the pull failed.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["connector", "-started_at"], name="connector_run_recent")]

    def __str__(self) -> str:
        return f"{self.connector_id} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

from django.db import models
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"


class AuthKind(models.TextChoices):
    NONE = "none", _("None")
    BEARER = "bearer", _("Bearer token")
    BASIC = "basic", _("User name and password (basic)")


class UnitMatch(models.TextChoices):
    CODE = "code", _("Unit code")
    NAME = "name", _("Unit name (exact, case-insensitive)")


class PeriodFormat(models.TextChoices):
    PERIOD = "period", _("DHIS2 period id (202601, 2026Q1, …)")
    DATE = "date", _("Date YYYY-MM-DD (turned into the indicator's period)")


class Schedule(models.TextChoices):
    HOURLY = "hourly", _("Every hour")
    DAILY = "daily", _("Every day at a set time")
    MANUAL = "manual", _("Only when pulled by hand")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Succeeded")
    FAILED = "failed", _("Failed")


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("By hand")

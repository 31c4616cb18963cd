from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from balai.core.scoping import ScopedQuerySet
from balai.indicators.choices import (
    Aggregation,
    ImportStatus,
    ImportStrategy,
    PeriodTypeChoice,
    Polarity,
    TermRole,
    ValueType,
)


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=80, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    unit = models.CharField(_("unit of measure"), max_length=30, blank=True)
    value_type = models.CharField(_("value type"), max_length=20, choices=ValueType.choices, default=ValueType.NUMBER)
    aggregation = models.CharField(
        _("aggregation"), max_length=20, choices=Aggregation.choices, default=Aggregation.SUM
    )
    polarity = models.SmallIntegerField(_("polarity"), choices=Polarity.choices, default=Polarity.HIGHER_IS_BETTER)
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodTypeChoice.choices)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    #: Ratio kinds and computed indicators: value = ratio_factor x numerator / denominator.
    ratio_factor = models.FloatField(
        _("factor"), default=1.0, help_text=_("100 for a percentage computed as a ratio, 1000 for a rate per 1,000.")
    )
    owner = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owning unit")
    )
    source = models.CharField(
        _("source"),
        max_length=60,
        default="external",
        help_text=_("The module that computes it, or 'external' for imported data."),
    )
    category = models.CharField(_("category"), max_length=60, blank=True)
    sort_order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    #: Shown on the public transparency dashboard and published as open data (Satu Data). An administrator's
    #: decision: a module's declaration only sets it when the indicator is first created.
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Published on the public dashboard and as open data. Never for indicators with personal data."),
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id

    @property
    def description(self) -> str:
        return self.description_en if (get_language() or "id").startswith("en") else self.description_id


class IndicatorTerm(models.Model):
    """One component of a computed indicator: its numerator or denominator is the sum of its terms' roll-ups."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="terms")
    # PROTECT: deleting a component would silently change the computed indicator's meaning.
    component = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="used_in")
    role = models.CharField(max_length=12, choices=TermRole.choices)

    class Meta:
        ordering = ["indicator", "role", "component__code"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "component", "role"], name="uniq_indicator_term"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.role} {self.component_id}"


class FactQuerySet(ScopedQuerySet["Fact"]):
    scope_field = "org_unit"


class Fact(models.Model):
    """One number: indicator x org unit x period (the spine of the dashboard)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="facts")
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="facts")
    period = models.CharField(max_length=10)
    period_start = models.DateField()
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    #: Median indicators only: the histogram {bucket value: cases} the median is taken from (see distribution.py).
    distribution = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=60, default="external")
    comment = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField()

    objects = FactQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "period"], name="uniq_fact"),
        ]
        indexes = [models.Index(fields=["indicator", "period_start"], name="fact_ind_start")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period}={self.value}"


class FactRollupQuerySet(ScopedQuerySet["FactRollup"]):
    scope_field = "org_unit"


class FactRollup(models.Model):
    """A Fact aggregated over an org unit's subtree and over a period of the indicator's type or coarser.

    Derived data, rebuilt from Facts by the recompute task: the dashboard reads one row per card
    and so costs the same whatever the size of the module tables behind it.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    period_type = models.CharField(max_length=10)
    period_start = models.DateField()
    value = models.FloatField()
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    #: Median indicators only: the merged histogram of the subtree and period (a p90 needs no recompute).
    distribution = models.JSONField(null=True)
    fact_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    objects = FactRollupQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "period"], name="uniq_fact_rollup"),
        ]
        indexes = [
            models.Index(fields=["org_unit", "period_type", "period_start"], name="rollup_unit_ptype"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period}={self.value}"


class TargetQuerySet(ScopedQuerySet["Target"]):
    scope_field = "org_unit"


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    value = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "org_unit", "period"], name="uniq_target")]

    def __str__(self) -> str:
        return f"target {self.indicator_id}/{self.org_unit_id}/{self.period}={self.value}"


class DirtyPeriod(models.Model):
    """A (indicator, period) whose Facts changed and whose roll-ups must be rebuilt."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="uniq_dirty_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.period}"


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: object, action: str = "import") -> ImportJobQuerySet:
        if getattr(user, "is_superuser", False):
            return self
        return self.filter(created_by=user)  # type: ignore[misc]


class ImportJob(models.Model):
    """One import of Facts (API or CSV); CSV uploads wait here between preview and confirmation."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=20)  # api | csv
    filename = models.CharField(max_length=255, blank=True)
    strategy = models.CharField(max_length=20, choices=ImportStrategy.choices, default=ImportStrategy.CREATE_AND_UPDATE)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    row_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)
    content = models.TextField(blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.channel} {self.status}"

"""A scorecard: indicators with weights and targets, scored per unit of one kind and ranked.

A definition, not data about a unit: every user who may see a dashboard may read it; only a city
administrator defines one (``services.scorecard_save``). The scores are computed on read from
FactRollup and Target (``selectors``), never stored, so they are never stale.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.scorecards.choices import DEFAULT_CAP, ScoredKind, ScorePeriod


class Scorecard(models.Model):
    name = models.CharField(_("name"), max_length=200)
    unit_kind = models.CharField(_("units scored"), max_length=30, choices=ScoredKind.choices)
    period_type = models.CharField(_("period type"), max_length=10, choices=ScorePeriod.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_kind", "name"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return self.name


class ScorecardItem(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="+")
    weight = models.FloatField(_("weight"))
    default_target = models.FloatField(
        _("default target"), help_text=_("Used for a unit and period that has no target of its own.")
    )
    cap = models.FloatField(_("cap on achievement (%)"), default=DEFAULT_CAP)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "indicator"], name="uniq_scorecard_indicator")]

    def __str__(self) -> str:
        return f"{self.scorecard_id}/{self.indicator_id} × {self.weight}"

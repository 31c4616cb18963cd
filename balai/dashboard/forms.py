"""The dashboard's filter bar: a GET form (org unit, period type, period)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.core.periods import InvalidPeriod, Period, PeriodType
from balai.dashboard.selectors import PERIOD_TYPES, SERIES_LENGTH

PERIOD_TYPE_LABELS = {
    PeriodType.MONTH: _("Month"),
    PeriodType.QUARTER: _("Quarter"),
    PeriodType.YEAR: _("Year"),
}
#: How many periods the period select lists, newest first.
PERIOD_CHOICES = 24


class FilterForm(forms.Form):
    unit = forms.CharField(required=False, max_length=40)
    ptype = forms.ChoiceField(required=False, choices=[(t.value, PERIOD_TYPE_LABELS[t]) for t in PERIOD_TYPES])
    period = forms.CharField(required=False, max_length=10)

    def clean_period(self) -> Period | None:
        raw = (self.cleaned_data.get("period") or "").strip()
        if not raw:
            return None
        try:
            return Period.parse(raw)
        except InvalidPeriod as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        """Move the asked period to the asked type; 202611 seen per quarter is 2026Q4.

        Types the bar does not offer are folded into one it does (a day or week into its month, a
        semester into its year). The period must have a full history behind it for the charts.
        """
        data = super().clean() or {}
        period: Period | None = data.get("period")
        if period is None:
            return data
        ptype = PeriodType(data["ptype"]) if data.get("ptype") else None
        if ptype is None and period.type not in PERIOD_TYPES:
            ptype = PeriodType.YEAR if period.type is PeriodType.SEMESTER else PeriodType.MONTH
        if ptype is not None and ptype is not period.type:
            period = Period.containing(period.anchor(), ptype)
        try:
            period.series(SERIES_LENGTH + 1)
            # Cards of yearly indicators chart 12 years back from the selected one: they need that history too.
            Period.containing(period.anchor(), PeriodType.YEAR).series(SERIES_LENGTH + 1)
        except InvalidPeriod:
            self.add_error("period", _("Period %(value)s is too far in the past.") % {"value": period.id})
            return data
        data["selected"] = period
        return data

    def selected_period(self, today: dt.date) -> Period:
        """The period to show: the valid one asked for, else the current one of the asked type (or month)."""
        data = getattr(self, "cleaned_data", {})
        if data.get("selected") is not None:
            return data["selected"]
        ptype = PeriodType(data["ptype"]) if data.get("ptype") else PeriodType.MONTH
        return Period.containing(today, ptype)


def period_choices(selected: Period, today: dt.date) -> list[Period]:
    """Recent periods of the selected type, newest first, always including the selected one."""
    current = Period.containing(today, selected.type)
    newest = max(current, selected, key=lambda p: p.start)
    periods = list(reversed(newest.series(PERIOD_CHOICES)))
    if selected not in periods:
        periods.append(selected)
    return periods

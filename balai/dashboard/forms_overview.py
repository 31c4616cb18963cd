"""Forms of the overview pages: the layout admin (one row per tile) and the comparisons."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.core.periods import InvalidPeriod, Period
from balai.dashboard.choices import TileChart, TilePeriodType
from balai.dashboard.services import TileSpec

#: Blank rows offered under a layout's tiles to add new ones.
EXTRA_ROWS = 5


class TileForm(forms.Form):
    indicator = forms.CharField(required=False, max_length=80)
    position = forms.IntegerField(required=False, min_value=1, max_value=999)
    period_type = forms.ChoiceField(required=False, choices=TilePeriodType.choices)
    chart = forms.ChoiceField(required=False, choices=TileChart.choices)
    remove = forms.BooleanField(required=False)


TileFormSet = forms.formset_factory(TileForm, extra=0, max_num=100, absolute_max=100, validate_max=True)


def tiles_from(formset: Any) -> list[TileSpec]:
    """The tiles kept in the formset, ordered by the position typed (ties keep the rows' order)."""
    kept = []
    for n, form in enumerate(formset.forms):
        data = form.cleaned_data
        code = (data.get("indicator") or "").strip()
        if not code or data.get("remove"):
            continue
        position = data.get("position") or 1000 + n
        kept.append((position, n, TileSpec(code, data.get("period_type") or "", data.get("chart") or TileChart.SPARK)))
    return [spec for _p, _n, spec in sorted(kept, key=lambda t: (t[0], t[1]))]


def parse_period(raw: str | None) -> Period | None:
    try:
        return Period.parse((raw or "").strip()) if raw else None
    except InvalidPeriod:
        return None


class ComparePeriodsForm(forms.Form):
    a = forms.CharField(required=False, max_length=10)
    b = forms.CharField(required=False, max_length=10)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in ("a", "b"):
            raw = data.get(key)
            if raw and parse_period(raw) is None:
                self.add_error(key, _("%(value)s is not a period (e.g. 202611, 2026Q3, 2026).") % {"value": raw})
        a, b = parse_period(data.get("a")), parse_period(data.get("b"))
        if a is not None and b is not None and a.type is not b.type:
            raise forms.ValidationError(_("Both periods must be of the same type (two months, two quarters…)."))
        return data

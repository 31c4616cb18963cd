"""The scorecard definition form: a header and a fixed number of item rows (blank rows are ignored)."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from balai.indicators.models import Indicator
from balai.scorecards.choices import DEFAULT_CAP, ScoredKind, ScorePeriod
from balai.scorecards.services import ItemSpec

#: Rows offered on the form: also the most items a scorecard may have (services.MAX_ITEMS).
ITEM_ROWS = 12


class ScorecardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_kind = forms.ChoiceField(label=_("Units scored"), choices=ScoredKind.choices)
    period_type = forms.ChoiceField(label=_("Period type"), choices=ScorePeriod.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-check-input" if name == "is_active" else "form-control")


def indicator_choices() -> list[tuple[str, str]]:
    rows = Indicator.objects.filter(is_active=True).order_by("sort_order", "code")
    return [("", "—"), *((ind.code, f"{ind.code} — {ind.name}") for ind in rows)]


class ItemForm(forms.Form):
    # A plain field, not a ModelChoiceField: the service explains an unknown or inactive code itself.
    indicator = forms.CharField(label=_("Indicator"), required=False, max_length=80)
    # localize: the edit page prints the saved numbers in the reader's format ("30,0" in Indonesian),
    # so saving the page unchanged must read them back.
    weight = forms.FloatField(label=_("Weight"), required=False, localize=True)
    default_target = forms.FloatField(label=_("Default target"), required=False, localize=True)
    cap = forms.FloatField(label=_("Cap (%)"), required=False, initial=DEFAULT_CAP, localize=True)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("indicator") and data.get("weight") is None and data.get("default_target") is None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("indicator"):
            self.add_error("indicator", _("Choose an indicator."))
        if data.get("weight") is None:
            self.add_error("weight", _("Give a weight."))
        if data.get("default_target") is None:
            self.add_error("default_target", _("Give a default target."))
        return data

    def spec(self) -> ItemSpec:
        data = self.cleaned_data
        cap = data.get("cap")
        return ItemSpec(
            indicator_code=data["indicator"].strip(),
            weight=data["weight"],
            default_target=data["default_target"],
            cap=DEFAULT_CAP if cap is None else cap,
        )


ItemFormSet = formset_factory(ItemForm, extra=0, min_num=ITEM_ROWS, max_num=ITEM_ROWS, validate_max=True)

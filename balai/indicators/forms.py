"""Edge validation of the indicator pages; the rules stay in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balai.core.periods import InvalidPeriod, Period
from balai.indicators.choices import Aggregation, PeriodTypeChoice, Polarity, ValueType
from balai.indicators.services import OWNER_KINDS
from balai.org.choices import UnitKind
from balai.org.forms import BalaiForm, CsvUploadForm
from balai.org.models import OrgUnit

__all__ = ["CsvUploadForm", "IndicatorForm", "TargetBulkForm", "TargetForm"]


class TargetForm(BalaiForm):
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), to_field_name="code")
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("DHIS2 period id: 2026 (year), 2026S1, 2026Q1, 202601 (month)."),
    )
    value = forms.FloatField(
        label=_("Target"), required=False, help_text=_("Leave empty and press “Clear target” to remove it.")
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        # Targets are set for offices and territories down to kelurahan/desa, not per RT.
        field.queryset = units.filter(is_active=True).exclude(kind__in=[UnitKind.RW, UnitKind.RT]).order_by("path")

    def clean_period(self) -> str:
        raw = self.cleaned_data["period"].strip()
        try:
            return Period.parse(raw).id
        except InvalidPeriod as exc:
            raise ValidationError(str(exc)) from exc


class IndicatorForm(BalaiForm):
    """The definition of an external or computed indicator (indicator admin)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=80,
        help_text=_("Lower-case, parts separated by dots, e.g. attendance.late_rate. Cannot change once it has data."),
    )
    name_id = forms.CharField(label=_("Name (Indonesian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    description_id = forms.CharField(
        label=_("Description (Indonesian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.CharField(
        label=_("Unit of measure"), max_length=30, required=False, help_text=_("e.g. %, orang, jiwa")
    )
    value_type = forms.ChoiceField(label=_("Value type"), choices=ValueType.choices)
    aggregation = forms.ChoiceField(
        label=_("Aggregation"),
        choices=[(a, label) for a, label in Aggregation.choices if a != Aggregation.MEAN_OF_RATIOS],
        help_text=_("How values of units and periods add up. Computed: factor × numerator ÷ denominator."),
    )
    period_type = forms.ChoiceField(label=_("Period type"), choices=PeriodTypeChoice.choices)
    polarity = forms.TypedChoiceField(label=_("Polarity"), choices=Polarity.choices, coerce=int)
    decimals = forms.IntegerField(label=_("Decimals"), initial=0)
    ratio_factor = forms.FloatField(
        label=_("Factor"),
        initial=1.0,
        help_text=_("Ratios and computed indicators: 100 for a percentage, 1000 for a rate per 1,000."),
    )
    numerator = forms.MultipleChoiceField(
        label=_("Numerator"),
        required=False,
        help_text=_("Computed indicators: the sum of these indicators."),
    )
    denominator = forms.MultipleChoiceField(
        label=_("Denominator"),
        required=False,
        help_text=_("Computed indicators: the sum of these indicators. No value where it is zero."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner (perangkat daerah)"), queryset=OrgUnit.objects.none(), to_field_name="code", required=False
    )
    category = forms.CharField(label=_("Category"), max_length=60, required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), initial=100, min_value=0)
    is_public = forms.BooleanField(
        label=_("Public (transparency dashboard and open data)"),
        required=False,
        help_text=_("Never for indicators with personal data."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    #: Fields of an indicator a module declares that an administrator may change.
    MODULE_FIELDS = ("owner", "sort_order", "is_public", "is_active")

    def __init__(self, *args: Any, components: list[tuple[str, str]], module_declared: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = OrgUnit.objects.filter(is_active=True, kind__in=OWNER_KINDS).order_by("path")
        for name in ("numerator", "denominator"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = components
            field.widget.attrs["size"] = "6"
        if module_declared:
            # The definition comes from the module's code: only what an administrator decides is a field.
            for name in list(self.fields):
                if name not in self.MODULE_FIELDS:
                    del self.fields[name]


class TargetBulkForm(BalaiForm):
    """Which units and period the bulk target page lists."""

    kind = forms.ChoiceField(label=_("Units"), choices=[])
    period = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("DHIS2 period id: 2026 (year), 2026S1, 2026Q1, 202601 (month).")
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kinds

    def clean_period(self) -> str:
        raw = self.cleaned_data["period"].strip()
        try:
            return Period.parse(raw).id
        except InvalidPeriod as exc:
            raise ValidationError(str(exc)) from exc

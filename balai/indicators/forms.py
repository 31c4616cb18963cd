"""Edge validation of the indicator pages; the rules stay in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balai.core.periods import InvalidPeriod, Period
from balai.org.choices import UnitKind
from balai.org.forms import BalaiForm, CsvUploadForm
from balai.org.models import OrgUnit

__all__ = ["CsvUploadForm", "TargetForm"]


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

"""Edge validation of the connector form: shapes only. The service refuses unknown indicators and units."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balai.connectors.choices import AuthKind, Format, PeriodFormat, Schedule, UnitMatch
from balai.connectors.models import Connector
from balai.org.forms import BalaiForm
from balai.org.models import OrgUnit

SECRET_HELP = _("Stored and never shown again. Leave empty to keep the one set.")


class ConnectorForm(BalaiForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    owner = forms.ModelChoiceField(label=_("Owning unit"), queryset=OrgUnit.objects.none())
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https")
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    records_path = forms.CharField(
        label=_("Where the records are (JSON)"),
        required=False,
        max_length=200,
        help_text=_("A dotted path such as data.items; empty when the document itself is the list."),
    )
    next_page_path = forms.CharField(
        label=_("Next page link (JSON)"),
        required=False,
        max_length=200,
        help_text=_("For paginated answers: a dotted path to the next page's address, such as links.next."),
    )
    auth_kind = forms.ChoiceField(label=_("Authentication"), choices=AuthKind.choices)
    token = forms.CharField(
        label=_("Bearer token"), required=False, max_length=500, widget=forms.PasswordInput, help_text=SECRET_HELP
    )
    token_clear = forms.BooleanField(label=_("Clear the stored token"), required=False)
    username = forms.CharField(label=_("User name"), required=False, max_length=150)
    password = forms.CharField(
        label=_("Password"), required=False, max_length=500, widget=forms.PasswordInput, help_text=SECRET_HELP
    )
    password_clear = forms.BooleanField(label=_("Clear the stored password"), required=False)
    indicator_code = forms.CharField(
        label=_("Fixed indicator"),
        required=False,
        max_length=80,
        help_text=_("The indicator code every record reports, e.g. attendance.presence_rate."),
    )
    indicator_field = forms.CharField(
        label=_("…or the field holding the indicator code"), required=False, max_length=100
    )
    unit_code = forms.CharField(
        label=_("Fixed org unit (code)"),
        required=False,
        max_length=40,
        help_text=_("When the app reports for one unit only."),
    )
    unit_field = forms.CharField(label=_("…or the field holding the unit"), required=False, max_length=100)
    unit_match = forms.ChoiceField(label=_("Match the unit by"), choices=UnitMatch.choices)
    period_field = forms.CharField(label=_("Period field"), max_length=100)
    period_format = forms.ChoiceField(label=_("Period format"), choices=PeriodFormat.choices)
    value_field = forms.CharField(label=_("Value field"), max_length=100)
    numerator_field = forms.CharField(
        label=_("Numerator field"), required=False, max_length=100, help_text=_("Ratios only, optional.")
    )
    denominator_field = forms.CharField(
        label=_("Denominator field"), required=False, max_length=100, help_text=_("Ratios only, optional.")
    )
    comment_field = forms.CharField(label=_("Comment field"), required=False, max_length=100)
    schedule = forms.ChoiceField(label=_("Schedule"), choices=Schedule.choices)
    daily_at = forms.TimeField(
        label=_("Daily at (Pemda time)"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    alert_after = forms.IntegerField(
        label=_("Alert after this many consecutive failures"), min_value=1, max_value=100, initial=3
    )
    is_active = forms.BooleanField(label=_("Active (pulled on schedule)"), required=False, initial=True)

    def __init__(self, *args: Any, owners: QuerySet[OrgUnit], connector: Connector | None = None, **kw: Any) -> None:
        if connector is not None and "initial" not in kw:
            kw["initial"] = {
                name: getattr(connector, name)
                for name in self.base_fields
                if name not in {"token", "password", "token_clear", "password_clear"}
            }
        super().__init__(*args, **kw)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners
        self.connector = connector
        self.fields["indicator_code"].widget.attrs["list"] = "indicator-codes"

    GROUPS: ClassVar[dict[str, list[str]]] = {
        "app": ["name", "owner", "url", "format", "records_path", "next_page_path"],
        "schedule": ["schedule", "daily_at", "alert_after", "is_active"],
        "mapping": [
            *("indicator_code", "indicator_field", "unit_code", "unit_field", "unit_match"),
            *("period_field", "period_format", "value_field", "numerator_field", "denominator_field", "comment_field"),
        ],
    }

    def app_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.GROUPS["app"]]

    def schedule_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.GROUPS["schedule"]]

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.GROUPS["mapping"]]

    def values(self) -> dict[str, Any]:
        skip = {"token", "password", "token_clear", "password_clear"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    def secret(self, name: str) -> str | None:
        """None keeps the stored secret, "" clears it, text replaces it."""
        if self.cleaned_data.get(f"{name}_clear"):
            return ""
        return self.cleaned_data.get(name) or None

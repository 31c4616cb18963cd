"""Forms of the alerts pages: the list's filter bar, acknowledge/resolve, and the rule editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from balai.alerts import services
from balai.alerts.choices import CHECKED_KINDS, OWNER_ROLES, AlertStatus, CheckedPeriod, RuleKind, Severity
from balai.alerts.models import AlertRule
from balai.alerts.selectors import ACTIVE
from balai.indicators.choices import PeriodTypeChoice
from balai.indicators.models import Indicator
from balai.org.choices import UnitKind
from balai.org.forms import BalaiForm
from balai.org.models import OrgUnit
from balai.org.roles import Action

NOTE_MAX = 2000


class FilterForm(BalaiForm):
    status = forms.ChoiceField(
        required=False,
        choices=[(ACTIVE, _("Open and acknowledged")), *AlertStatus.choices, ("", _("All"))],
    )
    severity = forms.ChoiceField(required=False, choices=[("", _("All severities")), *Severity.choices])
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40, widget=forms.Select)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].label = _("Status")
        self.fields["severity"].label = _("Severity")
        self.fields["unit"].widget.choices = [("", _("All units in my scope")), *_unit_choices(user, Action.VIEW)]


class AcknowledgeForm(BalaiForm):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(BalaiForm):
    note = forms.CharField(
        label=_("What was done"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what was done before resolving the alert.")},
    )


def _unit_choices(user: Any, action: str = Action.ADMIN) -> list[tuple[str, str]]:
    units = (
        OrgUnit.objects.visible_to(user, action)
        .filter(is_active=True)
        .exclude(kind__in=[UnitKind.RW, UnitKind.RT])
        .order_by("path")
        .values_list("code", "name", "depth")
    )
    rows = list(units)
    top = min((d for _c, _n, d in rows), default=0)
    return [(code, "\u00a0\u00a0\u00a0" * (depth - top) + name) for code, name, depth in rows]


class RuleForm(BalaiForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    indicator = forms.CharField(
        label=_("Indicator"),
        max_length=80,
        widget=forms.Select,
        error_messages={"required": _("Choose an indicator.")},
    )
    kind = forms.ChoiceField(label=_("Alert when"), choices=RuleKind.choices)
    threshold = forms.FloatField(
        label=_("Threshold"),
        required=False,
        localize=True,
        help_text=_(
            "Below target: the achievement in % under which it alerts (100 = any shortfall). Worse than the "
            "previous period: the change in %. Above/below a threshold: the limit in the indicator's unit. "
            "No data: leave empty."
        ),
    )
    scope_unit = forms.CharField(label=_("Scope"), max_length=40, widget=forms.Select)
    checked_kinds = forms.MultipleChoiceField(
        label=_("Units checked"), choices=CHECKED_KINDS, widget=forms.CheckboxSelectMultiple
    )
    period_type = forms.ChoiceField(label=_("Period type checked"), choices=PeriodTypeChoice.choices)
    checked_period = forms.ChoiceField(label=_("Period checked"), choices=CheckedPeriod.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.WARNING)
    owner_roles = forms.MultipleChoiceField(
        label=_("Responsible"),
        choices=OWNER_ROLES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People with these roles on the alert's unit or a unit above it (below the Pemda)."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("checked_kinds", "owner_roles"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        indicators = list(Indicator.objects.filter(is_active=True).order_by("sort_order", "code"))
        current = self.initial.get("indicator")
        if current and all(i.code != current for i in indicators):
            # The rule's own indicator, now inactive, stays visible so the refusal names it.
            indicators.extend(Indicator.objects.filter(code=current))
        self.fields["indicator"].widget.choices = [("", "—")] + [(i.code, f"{i.name} ({i.code})") for i in indicators]
        self.fields["scope_unit"].widget.choices = _unit_choices(user)

    @classmethod
    def initial_for(cls, rule: AlertRule) -> dict[str, Any]:
        return {
            "name": rule.name,
            "indicator": rule.indicator.code if rule.indicator else "",
            "kind": rule.kind,
            "threshold": rule.threshold,
            "scope_unit": rule.scope_unit.code,
            "checked_kinds": rule.checked_kinds,
            "period_type": rule.period_type,
            "checked_period": rule.checked_period,
            "severity": rule.severity,
            "owner_roles": rule.owner_roles,
        }

    def clean_indicator(self) -> Indicator | None:
        code = self.cleaned_data["indicator"].strip()
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise ValidationError(_("No indicator has the code %(code)s.") % {"code": code})
        return indicator

    def clean_scope_unit(self) -> OrgUnit:
        code = self.cleaned_data["scope_unit"].strip()
        unit = OrgUnit.objects.visible_to(self.user, Action.ADMIN).filter(code=code).first()
        if unit is None:
            raise ValidationError(_("No unit with the code %(code)s in your scope.") % {"code": code})
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["threshold"] = services.rule_validate(
                name=data["name"],
                indicator=data["indicator"],
                kind=data["kind"],
                threshold=data.get("threshold"),
                scope_unit=data["scope_unit"],
                checked_kinds=data["checked_kinds"],
                period_type=data["period_type"],
                checked_period=data["checked_period"],
                severity=data["severity"],
                owner_roles=data["owner_roles"],
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data

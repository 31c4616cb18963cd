"""Demo alert rules for Kota Banjarbaru, evaluated once so ``make demo`` opens with real alerts.

The rules are the ones a Bappeda would write first: reports resolved on time below the Pemda's 80 % standard,
too many open reports past their deadline, and perangkat daerah that reported no budget realisation (the demo's
finance app feeds the dinas and badan, not the kecamatan: a gap a real Pemda has too).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from balai.alerts import services
from balai.alerts.choices import CheckedPeriod, RuleKind, Severity
from balai.alerts.services import EvaluationSummary
from balai.core.periods import Period, PeriodType
from balai.indicators import services as indicators
from balai.indicators.models import Indicator
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.org.roles import Role
from balai.org.selectors import pemda_zone

#: The Pemda's standard for reports resolved within their LAPOR! deadline (a target per perangkat daerah).
ON_TIME_TARGET = 80.0
OVERDUE_LIMIT = 10.0


def seed_rules(root: OrgUnit, *, now: dt.datetime | None = None) -> EvaluationSummary:
    """Create the demo rules and their targets, then evaluate them (deterministic for a given day)."""
    now = now or timezone.now()
    today = now.astimezone(pemda_zone()).date()
    on_time = Indicator.objects.get(code="complaints.resolved_on_time_rate")
    overdue = Indicator.objects.get(code="complaints.overdue_open")
    budget = Indicator.objects.get(code="budget.realisation_rate")
    month = Period.containing(today, PeriodType.MONTH)
    agencies = list(OrgUnit.objects.filter(parent=root, kind=UnitKind.PERANGKAT_DAERAH).order_by("code"))
    for unit in agencies:
        for period in (month.previous(), month):
            indicators.target_set(actor=None, indicator=on_time, org_unit=unit, period=period.id, value=ON_TIME_TARGET)
    heads = [Role.SKPD_HEAD.value, Role.SKPD_OPERATOR.value]
    services.alert_rule_create(
        actor=None,
        name="Aduan selesai tepat waktu di bawah target",
        indicator=on_time,
        kind=RuleKind.BELOW_TARGET,
        threshold=100.0,
        scope_unit=root,
        checked_kinds=[UnitKind.PERANGKAT_DAERAH.value],
        period_type=PeriodType.MONTH.value,
        # The demo's reports cover the last 30 days: the month so far is what it can judge.
        checked_period=CheckedPeriod.CURRENT,
        severity=Severity.WARNING,
        owner_roles=heads,
    )
    services.alert_rule_create(
        actor=None,
        name="Aduan terbuka lewat tenggat lebih dari 10",
        indicator=overdue,
        kind=RuleKind.ABOVE_THRESHOLD,
        threshold=OVERDUE_LIMIT,
        scope_unit=root,
        checked_kinds=[UnitKind.PERANGKAT_DAERAH.value, UnitKind.KECAMATAN.value],
        period_type=PeriodType.MONTH.value,
        checked_period=CheckedPeriod.CURRENT,
        severity=Severity.CRITICAL,
        owner_roles=[*heads, Role.CAMAT.value],
    )
    services.alert_rule_create(
        actor=None,
        name="Realisasi anggaran belum dilaporkan",
        indicator=budget,
        kind=RuleKind.NO_DATA,
        threshold=None,
        scope_unit=root,
        checked_kinds=[UnitKind.PERANGKAT_DAERAH.value, UnitKind.KECAMATAN.value],
        period_type=PeriodType.MONTH.value,
        checked_period=CheckedPeriod.LAST_COMPLETE,
        severity=Severity.WARNING,
        owner_roles=[*heads, Role.CAMAT.value],
    )
    return services.alerts_evaluate(now=now)

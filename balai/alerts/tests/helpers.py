"""Set-up shared by the alerts tests: indicators, Facts through the import service, rules through the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from balai.alerts import services
from balai.alerts.choices import SELF, CheckedPeriod
from balai.alerts.models import AlertRule
from balai.indicators.models import Indicator
from balai.indicators.services import dirty_drain, facts_import
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_zone

MENTAOS, KOMET, UTARA = "63.72.04.1002", "63.72.04.1003", "63.72.04"
#: 10 December 2026, 09:00 WITA: the current month is 202612, the last complete one 202611.
NOW = dt.datetime(2026, 12, 10, 9, 0)


def now() -> dt.datetime:
    return NOW.replace(tzinfo=pemda_zone())


def make_indicator(code: str, **kw: Any) -> Indicator:
    values: dict[str, Any] = {
        "name_id": f"Indikator {code}",
        "name_en": f"Indicator {code}",
        "period_type": "month",
        "aggregation": "sum",
        "value_type": "integer",
        "unit": "aduan",
    }
    values.update(kw)
    return Indicator.objects.create(code=code, **values)


def load(rows: Sequence[tuple[str, str, str, float]]) -> None:
    summary = facts_import(
        actor=None, rows=[{"dataElement": c, "period": p, "orgUnit": u, "value": v} for c, p, u, v in rows]
    )
    assert summary.conflicts == [], summary.conflicts
    dirty_drain()


def rule(
    indicator: Indicator,
    kind: str,
    threshold: float | None,
    scope: OrgUnit,
    checked: list[str] | None = None,
    **kw: Any,
) -> AlertRule:
    data: dict[str, Any] = {
        "name": kw.pop("name", f"{kind} {indicator.code}"),
        "indicator": indicator,
        "kind": kind,
        "threshold": threshold,
        "scope_unit": scope,
        "checked_kinds": checked or [SELF],
        "period_type": kw.pop("period_type", "month"),
        "checked_period": kw.pop("checked_period", CheckedPeriod.LAST_COMPLETE),
        "severity": kw.pop("severity", "warning"),
        "owner_roles": kw.pop("owner_roles", ["kelurahan_operator", "camat"]),
    }
    actor = kw.pop("actor", None)
    data.update(kw)
    return services.alert_rule_create(actor=actor, **data)

"""The read path of connectors: scoped by the owning unit (an SKPD operator sees their own agency's apps)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import formats

from balai.connectors.choices import RunStatus
from balai.connectors.models import Connector, ConnectorRun
from balai.org.roles import Action

HISTORY = 50  # runs on the connector page and in its sparkline


def connectors_visible(user: Any, action: str = Action.IMPORT) -> QuerySet[Connector]:
    return Connector.objects.visible_to(user, action).select_related("owner")


def connector_get(user: Any, pk: int, action: str = Action.IMPORT) -> Connector:
    """The connector, or 404 when it is outside the user's scope for ``action``."""
    return Connector.objects.select_related("owner").get_visible(user, action, pk=pk)


def runs_recent(connector: Connector, limit: int = HISTORY) -> list[ConnectorRun]:
    return list(ConnectorRun.objects.filter(connector=connector).select_related("triggered_by")[:limit])


def sparkline(runs: list[ConnectorRun], name: str) -> dict[str, Any] | None:
    """Rows per finished run, oldest first, in the spec ``balai/dashboard.js`` draws (failed runs count 0)."""
    done = [r for r in reversed(runs) if r.status != RunStatus.RUNNING]
    if len(done) < 2:
        return None
    return {
        "kind": "spark",
        "labels": [formats.date_format(r.started_at, "SHORT_DATETIME_FORMAT") for r in done],
        "decimals": 0,
        "unit": "",
        "series": [
            {"name": name, "data": [r.rows if r.status == RunStatus.SUCCESS else 0 for r in done], "role": "value"}
        ],
    }

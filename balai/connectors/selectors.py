"""The read path of connectors: scoped by the owning unit (an SKPD operator sees their own agency's apps)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from django.db.models import QuerySet
from django.utils import formats, timezone

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
        "labels": [formats.date_format(timezone.localtime(r.started_at), "SHORT_DATETIME_FORMAT") for r in done],
        "decimals": 0,
        "unit": "",
        "series": [
            {"name": name, "data": [r.rows if r.status == RunStatus.SUCCESS else 0 for r in done], "role": "value"}
        ],
    }


SECRET_PARAMS = ("token", "key", "secret", "password", "passwd", "pwd", "signature", "sig", "auth")


def display_url(url: str) -> str:
    """The address with the values of secret-looking query parameters (``?api_key=…``) masked.

    Apps should take credentials in the authentication fields; some only accept them in the query string,
    and the connector page is read by SKPD operators too.
    """
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = "&".join(
        f"{quote_plus(k)}={'•••' if any(s in k.lower() for s in SECRET_PARAMS) else quote_plus(v)}"
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit(parts._replace(query=query))

"""DHIS2-compatible Fact import/export and the indicator catalogue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from balai.core.periods import InvalidPeriod, Period
from balai.indicators import selectors
from balai.indicators.schemas import (
    DataValueSetIn,
    DataValueSetOut,
    ErrorOut,
    ImportSummaryOut,
    IndicatorOut,
    RollupOut,
)
from balai.indicators.services import facts_import

router = Router(tags=["indicators"])

STRATEGIES = {"CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE", "NEW_AND_UPDATES", "NEW", "UPDATES"}
# DHIS2 accepted these older spellings; clients still send them.
STRATEGY_ALIASES = {"NEW_AND_UPDATES": "CREATE_AND_UPDATE", "NEW": "CREATE", "UPDATES": "UPDATE"}


def _error(status: int, message: str) -> JsonResponse:
    reason = {
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        413: "Payload Too Large",
        415: "Unsupported Media Type",
    }.get(status, "Error")
    return JsonResponse(
        {"httpStatus": reason, "httpStatusCode": status, "status": "ERROR", "message": message}, status=status
    )


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Pydantic puts nested models under $defs; the OpenAPI document has no such section, so inline them."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1", "yes"}


@router.post(
    "/dataValueSets",
    response={200: ImportSummaryOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut},
    summary="Import data values (DHIS2 dataValueSets)",
    description=(
        "Body: DHIS2 dataValueSets JSON (`dataElement` = indicator code, `orgUnit` = org unit code, "
        "`period` = DHIS2 period id), or CSV with the header `dataElement,period,orgUnit,value[,comment]`. "
        "Rows that fail are listed as conflicts; valid rows are imported. Idempotent: unchanged values are "
        "counted as ignored. Rows outside the token's scope are conflicts."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": _inline_refs(DataValueSetIn.model_json_schema())},
                "text/csv": {"schema": {"type": "string"}},
            },
            "required": True,
        }
    },
)
def data_value_sets_post(
    request: HttpRequest,
    dryRun: str | None = None,
    importStrategy: str | None = None,
    idScheme: str | None = None,
    dataElementIdScheme: str | None = None,
    orgUnitIdScheme: str | None = None,
) -> Any:
    limit = settings.BALAI_IMPORT_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _error(
            413,
            _(
                "The payload is %(size)s bytes; the limit is %(limit)s bytes (BALAI_IMPORT_MAX_BYTES). "
                "Split it into smaller imports."
            )
            % {"size": length, "limit": limit},
        )
    strategy = (importStrategy or "CREATE_AND_UPDATE").upper()
    if strategy not in STRATEGIES:
        return _error(
            409,
            _("importStrategy must be one of CREATE, UPDATE, CREATE_AND_UPDATE, DELETE; got %(s)s")
            % {"s": importStrategy},
        )
    strategy = STRATEGY_ALIASES.get(strategy, strategy)
    for scheme in (idScheme, dataElementIdScheme, orgUnitIdScheme):
        if scheme and scheme.upper() != "CODE":
            return _error(
                409,
                _("Only idScheme=CODE is supported: indicators and org units are identified by their codes; got %(s)s")
                % {"s": scheme},
            )
    content_type = (request.content_type or "").lower()
    body = request.body
    if content_type in {"text/csv", "application/csv"}:
        from balai.indicators.csv_import import rows_from_csv

        try:
            rows, defaults = rows_from_csv(body), {}
        except ValidationError as exc:
            return _error(400, " ".join(exc.messages))
    elif content_type in {"application/json", ""} or content_type.endswith("+json"):
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return _error(400, _("The request body is not valid JSON: %(error)s") % {"error": exc})
        if not isinstance(payload, dict) or not isinstance(payload.get("dataValues"), list):
            return _error(400, _("The body must be a JSON object with a list 'dataValues' (DHIS2 dataValueSets)."))
        rows = payload["dataValues"]
        defaults = {k: str(payload[k]) for k in ("period", "orgUnit") if payload.get(k)}
    else:
        return _error(415, _("Send application/json (dataValueSets) or text/csv; got %(ct)s") % {"ct": content_type})
    try:
        summary = facts_import(
            actor=request.user, rows=rows, strategy=strategy, dry_run=_flag(dryRun), channel="api", defaults=defaults
        )
    except PermissionDenied as exc:
        return _error(403, str(exc))
    return summary.as_dict()


@router.get(
    "/dataValueSets",
    response={200: DataValueSetOut, 400: ErrorOut},
    summary="Export data values (DHIS2 dataValueSets)",
)
def data_value_sets_get(
    request: HttpRequest,
    dataElement: list[str] = Query(...),  # noqa: B008
    period: list[str] = Query(default=[]),  # noqa: B008
    orgUnit: list[str] = Query(...),  # noqa: B008
    startDate: str | None = None,
    endDate: str | None = None,
    children: str | None = None,
) -> Any:
    try:
        periods = [Period.parse(p) for p in period]
    except InvalidPeriod as exc:
        return _error(400, str(exc))
    for name, raw in (("startDate", startDate), ("endDate", endDate)):
        if raw:
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                message = _("%(name)s must be a date YYYY-MM-DD; got %(value)s") % {"name": name, "value": raw}
                return _error(400, message)
    values = selectors.data_values(
        request.user,
        codes=dataElement,
        unit_codes=orgUnit,
        periods=periods,
        start=startDate,
        end=endDate,
        children=_flag(children),
    )
    return {"dataValues": values}


@router.get("/indicators", response=list[IndicatorOut], summary="Indicator catalogue")
def indicators_list(request: HttpRequest) -> Any:
    return [
        {**{k: getattr(i, k) for k in IndicatorOut.model_fields if k != "name"}, "name": i.name}
        for i in selectors.indicators_all()
    ]


@router.get(
    "/analytics",
    response={200: list[RollupOut], 400: ErrorOut, 404: ErrorOut},
    summary="Aggregated values of indicators for an org unit's subtree and a period",
)
def analytics(request: HttpRequest, orgUnit: str, period: str, indicator: list[str] = Query(default=[])) -> Any:  # noqa: B008
    from balai.org.selectors import unit_get

    try:
        p = Period.parse(period)
    except InvalidPeriod as exc:
        return _error(400, str(exc))
    unit = unit_get(request.user, orgUnit)
    return selectors.rollups_for(request.user, unit=unit, period=p, codes=indicator or None)

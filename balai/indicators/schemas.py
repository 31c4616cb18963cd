from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class DataValueIn(Schema):
    dataElement: str = Field(description="Indicator code, e.g. `attendance.presence_rate`")
    period: str | None = Field(None, description="DHIS2 period id: 20260102, 2026W01, 202601, 2026Q1, 2026S1, 2026")
    orgUnit: str | None = Field(None, description="Org unit code, e.g. `63.72.04.1002` or `DISKOMINFO`")
    categoryOptionCombo: str | None = Field(None, description="Accepted and ignored (no disaggregation yet)")
    value: str | float | int | bool | None = None
    comment: str | None = None
    numerator: float | None = Field(None, description="Balai extension for ratio indicators")
    denominator: float | None = Field(None, description="Balai extension for ratio indicators")


class DataValueSetIn(Schema):
    dataSet: str | None = None
    completeDate: str | None = None
    period: str | None = Field(None, description="Default period for values that name none")
    orgUnit: str | None = Field(None, description="Default org unit for values that name none")
    dataValues: list[DataValueIn]


class ConflictOut(Schema):
    object: str
    value: str
    indexes: list[int] | None = None
    property: str | None = None


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class ImportSummaryOut(Schema):
    responseType: str = "ImportSummary"
    status: str = Field(description="SUCCESS, WARNING (some rows ignored) or ERROR")
    importOptions: dict[str, Any]
    description: str
    importCount: ImportCountOut
    conflicts: list[ConflictOut]
    importJob: int | None = None


class ErrorOut(Schema):
    httpStatus: str
    httpStatusCode: int
    status: str = "ERROR"
    message: str


class DataValueOut(Schema):
    dataElement: str
    period: str
    orgUnit: str
    value: str
    comment: str | None = None
    lastUpdated: str


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]


class IndicatorOut(Schema):
    code: str
    name: str
    name_id: str
    name_en: str
    unit: str
    value_type: str
    aggregation: str
    polarity: int
    period_type: str
    source: str
    category: str


class RollupOut(Schema):
    indicator: str
    orgUnit: str
    period: str
    value: float
    numerator: float | None = None
    denominator: float | None = None
    target: float | None = None

from __future__ import annotations

from ninja import Schema


class OfficeOut(Schema):
    code: str
    name: str
    group: str  # mpp, perangkat_daerah, kecamatan or kelurahan


class ServiceSummaryOut(Schema):
    id: int
    code: str
    name: str
    office: OfficeOut
    timeLimitDays: int
    cost: int
    costVaries: bool
    isFree: bool
    isOnline: bool
    url: str


class CounterOut(Schema):
    id: int
    name: str
    office: OfficeOut


class ServiceOut(ServiceSummaryOut):
    description: str
    requirements: list[str]
    procedure: list[str]
    costNote: str
    product: str
    complaintChannel: str
    applyUrl: str | None = None
    counters: list[CounterOut]


class ErrorOut(Schema):
    message: str

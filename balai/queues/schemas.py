from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ErrorOut(Schema):
    message: str
    errors: dict[str, list[str]] = {}


class TakeIn(Schema):
    service: int = Field(description="Id of a service the office's counters serve")


class TicketRef(Schema):
    ticket: int = Field(description="Id of a ticket of the counter's office")


class TransferIn(TicketRef):
    toCounter: int | None = None
    toService: int | None = None


class WalkInIn(Schema):
    service: int
    serviceMinutes: int | None = Field(default=None, ge=0, le=480)
    note: str = Field(default="", max_length=255, description="What for; never a NIK")


class TicketOut(Schema):
    id: int
    code: str = Field(description="Number as called: letter of the service and the office's number of the day")
    key: str | None = Field(default=None, description="Secret to follow the ticket; only in the answer to take")
    office: str
    service: int
    serviceName: str
    state: str
    day: dt.date
    takenAt: dt.datetime
    calledAt: dt.datetime | None = None
    counter: str | None = None
    ahead: int | None = Field(default=None, description="Waiting before this ticket (only while waiting)")
    estimatedMinutes: int | None = None


class CounterOut(Schema):
    id: int
    name: str
    office: str
    current: TicketOut | None = None
    waiting: int
    servedToday: int
    walkInsToday: int
    clerk: str | None = None


class VisitOut(Schema):
    id: int
    kind: str
    office: str
    service: int
    counter: str | None = None
    occurredAt: dt.datetime
    waitSeconds: int | None = None
    serviceSeconds: int | None = None


class ScreenTicketOut(Schema):
    code: str
    state: str
    counter: str | None = None
    calledAt: dt.datetime | None = None


class ScreenCounterOut(Schema):
    name: str
    ticket: ScreenTicketOut | None = None


class ScreenWaitingOut(Schema):
    service: int
    name: str
    count: int


class ScreenOut(Schema):
    office: str
    officeName: str
    counters: list[ScreenCounterOut]
    recent: list[ScreenTicketOut]
    waiting: list[ScreenWaitingOut]
    callKey: str = Field(description="Changes with every call or recall: announce when it changes")

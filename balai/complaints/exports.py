"""Export of the reports in a user's scope and their updates, as CSV or XLSX.

Reporter data follows the same rules as the pages: masked for roles without PERSONAL, and an anonymous
reporter is never named, whoever exports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.complaints.models import Complaint
from balai.complaints.selectors import export_rows
from balai.org import access

MAX_EXPORT_DAYS = 366
FORMATS = ("csv", "xlsx")

REPORT_COLUMNS = [
    "tracking_code",
    "received_at",
    "channel",
    "category",
    "classification",
    "title",
    "status",
    "kelurahan",
    "unit",
    "assignee",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "is_anonymous",
    "is_confidential",
    "latitude",
    "longitude",
    "address",
    "description",
    "first_response_due",
    "resolution_due",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "rating",
]
UPDATE_COLUMNS = [
    "tracking_code",
    "created_at",
    "kind",
    "status_from",
    "status_to",
    "unit",
    "author",
    "is_public",
    "text",
]


def parse_range(date_from: str, date_to: str) -> tuple[dt.date, dt.date]:
    """The inclusive date range of an export, or a ValidationError that says what is wrong."""
    try:
        start = dt.date.fromisoformat(date_from.strip())
        end = dt.date.fromisoformat(date_to.strip())
    except ValueError as exc:
        raise ValidationError(_("Give the dates as YYYY-MM-DD, e.g. from=2026-01-01&to=2026-03-31.")) from exc
    if end < start:
        raise ValidationError(_("The end date is before the start date."))
    if (end - start).days + 1 > MAX_EXPORT_DAYS:
        raise ValidationError(_("At most one year per export; split the range."))
    return start, end


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _iso(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def reporter_fields(complaint: Complaint, user: Any) -> tuple[str, str, str]:
    """(name, phone, email) as this user may see them."""
    if complaint.is_anonymous:
        return (_("Anonymous"), "", "")
    unit = complaint.unit or complaint.territory
    personal = access.can(user, "personal", unit)
    email = complaint.reporter_email if personal else access.mask(complaint.reporter_email, user, unit)
    return (complaint.reporter_name, access.mask(complaint.reporter_phone, user, unit), email)


def _cell(text: str) -> str:
    """Free text from citizens must not run as a spreadsheet formula when the file is opened."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _report_row(c: Complaint, user: Any) -> list[Any]:
    name, phone, email = reporter_fields(c, user)
    return [
        c.tracking_code,
        _iso(c.received_at),
        c.channel,
        c.category.code,
        c.classification,
        _cell(c.title),
        c.status,
        c.territory.code if c.territory else "",
        c.unit.code if c.unit else "",
        c.assignee.username if c.assignee else "",
        _cell(name),
        phone,
        email,
        int(c.is_anonymous),
        int(c.is_confidential),
        c.latitude if c.latitude is not None else "",
        c.longitude if c.longitude is not None else "",
        _cell(c.address),
        _cell(c.description),
        _iso(c.first_response_due),
        _iso(c.resolution_due),
        _iso(c.first_response_at),
        _iso(c.resolved_at),
        _iso(c.closed_at),
        c.rating if c.rating is not None else "",
    ]


def _rows(user: Any, start: dt.date, end: dt.date) -> tuple[list[list[Any]], list[list[Any]]]:
    reports: list[list[Any]] = []
    updates: list[list[Any]] = []
    for c in export_rows(user, start=_aware(start), end=_aware(end + dt.timedelta(days=1))):
        reports.append(_report_row(c, user))
        for u in c.updates.all():
            updates.append(
                [
                    c.tracking_code,
                    _iso(u.created_at),
                    u.kind,
                    u.status_from,
                    u.status_to,
                    u.unit.code if u.unit else "",
                    u.author.username if u.author else "",
                    int(u.is_public),
                    _cell(u.text),
                ]
            )
    return reports, updates


def _csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def export_csv(user: Any, start: dt.date, end: dt.date) -> str:
    """One CSV: the reports, a blank line, then the updates (both with a header row)."""
    reports, updates = _rows(user, start, end)
    head = "".join(_csv_lines([REPORT_COLUMNS, *reports]))
    tail = "".join(_csv_lines([UPDATE_COLUMNS, *updates]))
    return head + "\r\n" + tail


def export_xlsx(user: Any, start: dt.date, end: dt.date) -> bytes:
    """A workbook with two sheets, "reports" and "updates"."""
    from openpyxl import Workbook

    reports, updates = _rows(user, start, end)
    wb = Workbook(write_only=True)
    for title, columns, rows in (("reports", REPORT_COLUMNS, reports), ("updates", UPDATE_COLUMNS, updates)):
        ws = wb.create_sheet(title)
        ws.append(columns)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

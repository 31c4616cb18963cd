"""The write path of the working-day calendar: set, delete and load holidays of a Pemda.

Every function is keyword-only, atomic, checks ``Action.ADMIN`` on the Pemda and writes an audit
event. ``actor=None`` means the system itself (CLI, demo loader).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from balai.core.audit import audit_record, changes_between, snapshot
from balai.org import access
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.workdays import master
from balai.workdays.models import NAME_MAX_LENGTH, Holiday, HolidayKind

HOLIDAY_AUDIT_FIELDS = ["date", "name", "kind", "source"]
# Days set by hand are the Pemda's own decision: reloading the national list never touches them.
MANUAL_SOURCE = "manual"
_MASTER_KINDS = [HolidayKind.NATIONAL.value, HolidayKind.CUTI_BERSAMA.value]


def _require_admin(actor: Any, pemda: OrgUnit) -> None:
    if actor is None:
        return
    if not access.can(actor, Action.ADMIN, pemda):
        raise PermissionDenied(_("You do not have the right to do this for this unit."))


def _check_pemda(pemda: OrgUnit) -> None:
    if pemda.kind != UnitKind.PEMDA or pemda.parent_id is not None:
        raise ValidationError({"pemda": _("Holidays belong to a regional government (the root of the tree).")})


@dataclass
class LoadSummary:
    year: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    kept_manual: int = 0
    provisional: bool = False


def holiday_set(*, actor: Any, pemda: OrgUnit, date: dt.date, name: str, kind: str) -> Holiday:
    """Create the Pemda's holiday on ``date``, or change the one already there (one holiday a day)."""
    _check_pemda(pemda)
    _require_admin(actor, pemda)
    name = (name or "").strip()
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ValidationError({"date": _("Enter a valid date.")})
    if not name:
        raise ValidationError({"name": _("Name is required.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("The name is too long (at most 200 characters).")})
    if kind not in HolidayKind.values:
        raise ValidationError({"kind": _("Unknown holiday kind %(kind)s.") % {"kind": kind}})
    with transaction.atomic():
        holiday = Holiday.objects.select_for_update().filter(pemda=pemda, date=date).first()
        if holiday is None:
            holiday = Holiday.objects.create(pemda=pemda, date=date, name=name, kind=kind, source=MANUAL_SOURCE)
            audit_record(
                actor=actor,
                action="holiday.create",
                obj=holiday,
                org_unit=pemda,
                changes=changes_between({}, snapshot(holiday, HOLIDAY_AUDIT_FIELDS)),
            )
            return holiday
        before = snapshot(holiday, HOLIDAY_AUDIT_FIELDS)
        holiday.name, holiday.kind, holiday.source = name, kind, MANUAL_SOURCE
        changes = changes_between(before, snapshot(holiday, HOLIDAY_AUDIT_FIELDS))
        if changes:
            holiday.save(update_fields=["name", "kind", "source", "updated_at"])
            audit_record(actor=actor, action="holiday.update", obj=holiday, org_unit=pemda, changes=changes)
        return holiday


def holiday_delete(*, actor: Any, holiday: Holiday) -> None:
    pemda = holiday.pemda
    _require_admin(actor, pemda)
    with transaction.atomic():
        before = snapshot(holiday, HOLIDAY_AUDIT_FIELDS)
        audit_record(
            actor=actor,
            action="holiday.delete",
            obj=holiday,
            org_unit=pemda,
            changes=changes_between(before, dict.fromkeys(before)),
        )
        holiday.delete()


def holidays_load_national(*, actor: Any, pemda: OrgUnit, year: int) -> LoadSummary:
    """Bring the Pemda's national holidays and cuti bersama of ``year`` in line with the shipped list.

    Safe to run again. Rows loaded earlier from the list and no longer in it (a revised SKB moved a
    day) are removed; days set by hand (regional days, a Keppres the list lacks) are never touched.
    """
    _check_pemda(pemda)
    _require_admin(actor, pemda)
    try:
        rows = master.national_holidays(year)
    except KeyError:
        raise ValidationError(
            _("There is no national holiday list for %(year)s. Available years: %(years)s.")
            % {"year": year, "years": ", ".join(str(y) for y in master.available_years())}
        ) from None
    summary = LoadSummary(year=year, provisional=any(row.is_provisional for row in rows))
    with transaction.atomic():
        existing = {
            h.date: h
            for h in Holiday.objects.select_for_update().filter(
                pemda=pemda, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
            )
        }
        listed = set()
        for row in rows:
            listed.add(row.date)
            holiday = existing.get(row.date)
            if holiday is None:
                Holiday.objects.create(pemda=pemda, date=row.date, name=row.name, kind=row.kind, source=row.source)
                summary.created += 1
            elif holiday.source == MANUAL_SOURCE:
                summary.kept_manual += 1
            elif (holiday.name, holiday.kind, holiday.source) == (row.name, row.kind, row.source):
                summary.unchanged += 1
            else:
                holiday.name, holiday.kind, holiday.source = row.name, row.kind, row.source
                holiday.save(update_fields=["name", "kind", "source", "updated_at"])
                summary.updated += 1
        stale = [
            h.pk
            for day, h in existing.items()
            if day not in listed and h.kind in _MASTER_KINDS and h.source != MANUAL_SOURCE
        ]
        if stale:
            Holiday.objects.filter(pk__in=stale).delete()
        summary.removed = len(stale)
        audit_record(
            actor=actor,
            action="holiday.load_national",
            org_unit=pemda,
            object_repr=f"{pemda.name} {year}",
            changes={
                "year": year,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "removed": summary.removed,
                "kept_manual": summary.kept_manual,
            },
        )
    return summary

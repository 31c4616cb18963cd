"""The write path of rakor packs: ask for a month's pack (a new version), and build it in the background."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from balai.alerts.choices import AlertStatus, Severity
from balai.alerts.selectors import AlertLine, alerts_for_pack
from balai.core.audit import audit_record
from balai.core.periods import InvalidPeriod, Period, PeriodType
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_root, pemda_zone
from balai.rakor import render, selectors
from balai.rakor.choices import PackStatus
from balai.rakor.models import RakorPack

log = logging.getLogger(__name__)

#: Steps besides the perangkat daerah pages: the cover and summary, the XLSX, storing the files.
EXTRA_STEPS = 3


def month_check(period: str, today: Any) -> Period:
    """The month of a pack: a month id, not after the current month."""
    try:
        parsed = Period.parse(period)
    except InvalidPeriod as exc:
        raise ValidationError(str(exc)) from exc
    if parsed.type is not PeriodType.MONTH:
        raise ValidationError(_("A rakor pack is made per month (for example 202611)."))
    if parsed.start > Period.containing(today, PeriodType.MONTH).start:
        raise ValidationError(_("%(month)s has not started yet.") % {"month": parsed.label(get_language() or "id")})
    return parsed


def rakor_pack_request(*, actor: Any, period: str) -> RakorPack:
    """Queue the pack of a month (a new version if it exists); the worker builds it."""
    if not selectors.can_generate(actor):
        raise Http404  # out of scope: as for any object, the page does not exist for them
    root = pemda_root()
    if root is None:
        raise ValidationError(_("No Pemda is set up yet."))
    month = month_check(period, timezone.localdate(timezone=pemda_zone()))
    with transaction.atomic():
        # Lock the Pemda row so two clicks at once get versions n and n+1, never the same number (an empty
        # month has no pack row to lock).
        OrgUnit.objects.select_for_update().filter(pk=root.pk).first()
        existing = RakorPack.objects.filter(org_unit=root, period=month.id)
        version = (existing.aggregate(v=Max("version"))["v"] or 0) + 1
        pack = RakorPack.objects.create(org_unit=root, period=month.id, version=version, created_by=actor)
        audit_record(
            actor=actor,
            action="rakor.pack.request",
            obj=pack,
            org_unit=root,
            changes={"period": month.id, "version": version},
        )
        pack_id = pack.pk
        transaction.on_commit(lambda: _enqueue(pack_id))
    return pack


def _enqueue(pack_id: int) -> None:
    from balai.rakor.tasks import build_pack

    build_pack.enqueue(pack_id)


def _step(pack_id: int) -> None:
    # Outside any transaction: the progress bar's poll must see each step as it happens.
    RakorPack.objects.filter(pk=pack_id).update(progress=F("progress") + 1)


def alert_sentence(line: AlertLine) -> str:
    """One alert as the pack prints it, in Indonesian like the rest of the pack (a document for the meeting)."""
    with translation.override("id"):
        severity = str(Severity(line.severity).label)
        status = str(AlertStatus(line.status).label)
    opened = line.opened_at.astimezone(pemda_zone()).strftime("%d-%m-%Y")
    return f"[{severity}] {line.title} - {line.unit_name} (dibuka {opened}; {status.lower()})"


def rakor_pack_build(*, pack_id: int) -> RakorPack:
    """Build the files of a queued pack. A failure is recorded on the pack with its reason, never raised."""
    with transaction.atomic():
        pack = RakorPack.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=pack_id)
        if pack.status != PackStatus.QUEUED:
            return pack  # built already, or being built by another worker
        pack.status = PackStatus.RUNNING
        pack.started_at = timezone.now()
        pack.save(update_fields=["status", "started_at"])
    try:
        if pack.created_by is None or not selectors.can_generate(pack.created_by):
            raise PermissionError(_("The person who asked for this pack may no longer generate packs."))
        content = selectors.pack_content(pack.created_by, Period.parse(pack.period))
        alerts = alerts_for_pack(unit_ids=[page.unit_id for page in content.units], period=content.period)
        for page in content.units:
            page.alerts = [alert_sentence(line) for line in alerts.get(page.unit_id, [])]
        RakorPack.objects.filter(pk=pack_id).update(total=len(content.units) + EXTRA_STEPS, units=len(content.units))
        printed = timezone.now().astimezone(pemda_zone()).strftime("%d-%m-%Y %H:%M")
        pdf = render.pdf_pack(content, pack.version, printed, progress=lambda: _step(pack_id))
        xlsx = render.xlsx_pack(content, pack.version)
        _step(pack_id)
        pack.refresh_from_db()
        pack.pdf.save(pack.filename("pdf"), ContentFile(pdf), save=False)
        pack.xlsx.save(pack.filename("xlsx"), ContentFile(xlsx), save=False)
    except Exception as exc:
        log.exception("rakor pack %s failed", pack_id)
        reason = str(exc) or exc.__class__.__name__
        with transaction.atomic():
            RakorPack.objects.filter(pk=pack_id).update(
                status=PackStatus.FAILED, error=reason[:2000], finished_at=timezone.now()
            )
            audit_record(
                actor=None,
                action="rakor.pack.failed",
                obj=pack,
                org_unit=pack.org_unit,
                changes={"period": pack.period, "version": pack.version, "error": reason[:500]},
            )
        pack.refresh_from_db()
        return pack
    with transaction.atomic():
        locked = RakorPack.objects.select_for_update().get(pk=pack_id)
        locked.pdf, locked.xlsx = pack.pdf.name, pack.xlsx.name
        locked.status = PackStatus.DONE
        locked.progress = locked.total
        locked.finished_at = timezone.now()
        locked.error = ""
        locked.save(update_fields=["pdf", "xlsx", "status", "progress", "finished_at", "error"])
        audit_record(
            actor=None,
            action="rakor.pack.done",
            obj=locked,
            org_unit=locked.org_unit,
            changes={"period": locked.period, "version": locked.version, "units": locked.units},
        )
    return locked

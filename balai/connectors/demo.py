"""Demo connectors with a believable history, seeded without network.

No real agency app exists in the demo, and a demo must load offline and the same way twice. So the
connectors are registered through the service (as an administrator would) and their past pulls are
written as history rows: one run a day at the connector's time over the last 30 days, with the row counts
the demo's own Facts give (the attendance app reports this month and last month for every office). Their
addresses are under the reserved ``.example`` domain, which never resolves: "Pull now" in the demo shows
what a failure looks like ("the host cannot be found"), and the schedule is manual so the demo's
scheduler does not pile up failures.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from balai.connectors import services
from balai.connectors.choices import RunStatus, Trigger
from balai.connectors.models import Connector, ConnectorRun
from balai.core.periods import Period, PeriodType
from balai.indicators.models import Fact
from balai.org.models import OrgUnit

DAYS = 30


def _reporting(code: str, periods: list[str]) -> int:
    return Fact.objects.filter(indicator__code=code, period__in=periods).count()


def seed_connectors(root: OrgUnit, *, seed: int) -> int:
    """Register the demo connectors and their run history; returns the number of runs written."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["BKPSDM", "BPKPAD"])}
    if len(units) < 2 or Connector.objects.exists():
        return 0
    rng = random.Random(f"{seed}:connectors")
    zone = zoneinfo.ZoneInfo(root.time_zone or "Asia/Makassar")
    today = dt.datetime.now(tz=zone).date()
    attendance = services.connector_create(
        actor=None,
        values={
            "name": "Aplikasi absensi BKPSDM",
            "owner": units["BKPSDM"],
            "url": "https://absensi.bkpsdm.banjarbaru.example/api/v1/rekap-bulanan",
            "format": "json",
            "auth_kind": "bearer",
            "records_path": "data.rekap",
            "indicator_code": "attendance.presence_rate",
            "unit_field": "kode_unit",
            "unit_match": "code",
            "period_field": "bulan",
            "period_format": "period",
            "value_field": "persen_hadir",
            "numerator_field": "hari_hadir",
            "denominator_field": "hari_kerja",
            "schedule": "manual",
            "alert_after": 3,
            "is_active": True,
        },
        token="demo-" + "".join(rng.choice("abcdef0123456789") for _i in range(24)),
    )
    budget = services.connector_create(
        actor=None,
        values={
            "name": "SIPD realisasi anggaran (BPKPAD)",
            "owner": units["BPKPAD"],
            "url": "https://sipd.bpkpad.banjarbaru.example/export/realisasi.csv",
            "format": "csv",
            "auth_kind": "basic",
            "username": "balai",
            "indicator_code": "budget.realisation_rate",
            "unit_field": "kode_skpd",
            "unit_match": "code",
            "period_field": "tanggal",
            "period_format": "date",
            "value_field": "persen_realisasi",
            "schedule": "manual",
            "alert_after": 3,
            "is_active": True,
        },
        password="demo-" + "".join(rng.choice("abcdef0123456789") for _i in range(16)),
    )
    runs: list[ConnectorRun] = []
    with translation.override(settings.LANGUAGE_CODE):
        timeout = _("The app did not answer within %(seconds)s seconds.") % {"seconds": 30}
        unavailable = _("The app answered HTTP %(status)d %(reason)s.") % {
            "status": 503,
            "reason": "Service Unavailable",
        }
    for connector, code, hour, failing in (
        (attendance, "attendance.presence_rate", 6, {12}),
        (budget, "budget.realisation_rate", 7, {1, 2}),
    ):
        last_ok: ConnectorRun | None = None
        last_bad: ConnectorRun | None = None
        streak = 0
        for back in range(DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            month = Period.containing(day, PeriodType.MONTH)
            # Today's and last month's figures: the app re-sends both until the month is closed.
            rows = _reporting(code, [month.id, month.previous().id])
            started = dt.datetime.combine(day, dt.time(hour, rng.randrange(0, 3), rng.randrange(0, 60)), tzinfo=zone)
            if back in failing:
                run = ConnectorRun(
                    connector=connector,
                    trigger=Trigger.SCHEDULE,
                    started_at=started,
                    finished_at=started + dt.timedelta(seconds=30 if connector is attendance else 1),
                    status=RunStatus.FAILED,
                    error=timeout if connector is attendance else unavailable,
                )
                streak += 1
                last_bad = run
            else:
                new = _reporting(code, [month.id]) if day.day == 1 else 0
                changed = 0 if day.day == 1 else rng.randrange(0, max(1, rows // 2))
                run = ConnectorRun(
                    connector=connector,
                    trigger=Trigger.SCHEDULE,
                    started_at=started,
                    finished_at=started + dt.timedelta(milliseconds=rng.randrange(600, 2400)),
                    status=RunStatus.SUCCESS,
                    rows=rows,
                    imported=new,
                    updated=changed,
                    ignored=rows - new - changed,
                    summary={"importCount": {"imported": new, "updated": changed, "ignored": rows - new - changed}},
                )
                streak = 0
                last_ok = run
            runs.append(run)
        Connector.objects.filter(pk=connector.pk).update(
            last_attempt_at=runs[-1].started_at,
            last_success_at=last_ok.finished_at if last_ok else None,
            last_rows=last_ok.rows if last_ok else None,
            last_error_at=last_bad.finished_at if last_bad else None,
            last_error=last_bad.error if last_bad else "",
            consecutive_failures=streak,
        )
    ConnectorRun.objects.bulk_create(runs)
    return len(runs)

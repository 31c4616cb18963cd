"""The write path of the spine: indicator registry sync, Fact imports, roll-ups, targets."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.core.audit import audit_record
from balai.core.localcache import Throttle
from balai.core.periods import InvalidPeriod, Period, PeriodType, is_coarser_or_equal
from balai.core.scoping import PATH_SEGMENT
from balai.indicators import computed, distribution, parts, registry
from balai.indicators.choices import Aggregation, ImportStatus, ImportStrategy, TermRole, ValueType
from balai.indicators.models import DirtyPeriod, Fact, FactRollup, ImportJob, Indicator, IndicatorTerm, Target
from balai.org import access
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.services import ImportReport, RowResult

CHUNK = 2000


# ------------------------------------------------------------------------------------- registry
def indicators_sync(*, actor: Any, sources: list[str] | None = None) -> int:
    """Mirror the declared indicators to rows (create or update; never delete data).

    ``sources`` limits the sync to some modules (a module re-syncing its data-driven indicators after an
    administrator added a category). Rows no longer declared are left as they are, with their history.
    The sort order and publicity come from the declaration only when the row is created: afterwards they
    are the administrator's (indicator admin pages).
    """
    changed = 0
    # Dynamic specs read module tables: gather them before the write transaction.
    declared = [
        (module.source, spec)
        for module in registry.modules()
        if sources is None or module.source in sources
        for spec in module.all_specs()
    ]
    with transaction.atomic():
        existing = {i.code: i for i in Indicator.objects.filter(code__in=[spec.code for _src, spec in declared])}
        for source, spec in declared:
            values = {
                "name_id": spec.name_id,
                "name_en": spec.name_en,
                "period_type": spec.period_type,
                "aggregation": spec.aggregation,
                "value_type": spec.value_type,
                "unit": spec.unit,
                "polarity": spec.polarity,
                "decimals": spec.decimals,
                "ratio_factor": spec.ratio_factor,
                "category": spec.category,
                "description_id": spec.description_id,
                "description_en": spec.description_en,
                "source": source,
            }
            obj = existing.get(spec.code)
            if obj is None:
                existing[spec.code], created = Indicator.objects.get_or_create(
                    code=spec.code, defaults={**values, "is_public": spec.public, "sort_order": spec.sort_order}
                )
                changed += int(created)
                continue
            diff = {k: v for k, v in values.items() if getattr(obj, k) != v}
            if diff:
                Indicator.objects.filter(pk=obj.pk).update(**diff)
                changed += 1
        if changed:
            audit_record(actor=actor, action="indicators.sync", changes={"changed": changed})
    return changed


# -------------------------------------------------------------------------------------- imports
@dataclass
class Conflict:
    object: str
    value: str
    index: int | None = None
    property: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"object": self.object, "value": self.value}
        if self.index is not None:
            out["indexes"] = [self.index]
        if self.property:
            out["property"] = self.property
        return out


@dataclass
class ImportSummary:
    strategy: str
    dry_run: bool
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    job_id: int | None = None

    @property
    def status(self) -> str:
        if self.conflicts and not (self.imported or self.updated or self.deleted or self.ignored > len(self.conflicts)):
            return "ERROR" if self.ignored and self.ignored == len(self.conflicts) else "WARNING"
        return "WARNING" if self.conflicts else "SUCCESS"

    def as_dict(self) -> dict[str, Any]:
        """DHIS2's ImportSummary shape, so DHIS2 clients read it unchanged."""
        return {
            "responseType": "ImportSummary",
            "status": self.status,
            "importOptions": {"dryRun": self.dry_run, "importStrategy": self.strategy, "idScheme": "CODE"},
            "description": _("Import process completed successfully")
            if not self.conflicts
            else _("Import completed with conflicts"),
            "importCount": {
                "imported": self.imported,
                "updated": self.updated,
                "ignored": self.ignored,
                "deleted": self.deleted,
            },
            "conflicts": [c.as_dict() for c in self.conflicts],
            "importJob": self.job_id,
        }


def _parse_value(raw: Any, indicator: Indicator) -> float:
    """The value as a float, or ValueError with a clerk-readable reason."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(_("value is empty"))
    vt = indicator.value_type
    if vt == ValueType.BOOLEAN:
        text = str(raw).strip().lower()
        if text in {"true", "1", "ya", "yes"}:
            return 1.0
        if text in {"false", "0", "tidak", "no"}:
            return 0.0
        raise ValueError(_("value %(v)s is not true/false") % {"v": raw})
    if isinstance(raw, bool):
        raise ValueError(_("value %(v)s is not a number") % {"v": raw})
    try:
        number = float(raw) if not isinstance(raw, str) else float(raw.strip())
    except (TypeError, ValueError):
        raise ValueError(_("value %(v)s is not a number") % {"v": raw}) from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(_("value %(v)s is not a finite number") % {"v": raw})
    if vt == ValueType.INTEGER and not number.is_integer():
        raise ValueError(
            _("value %(v)s must be a whole number for indicator %(code)s") % {"v": raw, "code": indicator.code}
        )
    if vt == ValueType.PERCENTAGE and not 0 <= number <= 1000:
        raise ValueError(_("value %(v)s is not a plausible percentage") % {"v": raw})
    return number


def _optional_number(raw: Any, name: str) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueError(_("%(name)s %(v)s is not a number") % {"name": name, "v": raw}) from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(_("%(name)s %(v)s is not a finite number") % {"name": name, "v": raw})
    return number


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def facts_import(
    *,
    actor: Any,
    rows: list[dict[str, Any]],
    strategy: str = ImportStrategy.CREATE_AND_UPDATE,
    dry_run: bool = False,
    channel: str = "api",
    filename: str = "",
    defaults: dict[str, str] | None = None,
) -> ImportSummary:
    """Import DHIS2-style data values. Each bad row becomes a conflict; the good rows go in.

    Rows are ``{dataElement, period, orgUnit, value, comment?, numerator?, denominator?}``; keys
    missing from a row fall back to ``defaults`` (the envelope's period/orgUnit). Sending the same
    payload twice changes nothing the second time (unchanged rows are counted as ignored).
    """
    if strategy not in ImportStrategy.values:
        raise ValidationError(_("importStrategy must be one of %(s)s") % {"s": ", ".join(ImportStrategy.values)})
    if actor is not None and not access.can(actor, Action.IMPORT):
        raise PermissionDenied(_("You do not have the right to import data."))
    defaults = defaults or {}
    summary = ImportSummary(strategy=strategy, dry_run=dry_run)
    now = timezone.now()

    codes = {str(r.get("dataElement") or "") for r in rows if isinstance(r, dict)}
    unit_codes = {str(r.get("orgUnit") or defaults.get("orgUnit") or "") for r in rows if isinstance(r, dict)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes, is_active=True)}
    units: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(unit_codes)):
        units.update(
            {
                c: (pk, path)
                for c, pk, path in OrgUnit.objects.filter(code__in=chunk, is_active=True).values_list(
                    "code", "id", "path"
                )
            }
        )
    scope = None if actor is None or actor.is_superuser else access.scope_paths(actor, Action.IMPORT)

    def conflict(obj: str, message: str, index: int, prop: str) -> None:
        summary.conflicts.append(Conflict(obj, message, index, prop))
        summary.ignored += 1

    # key -> (index, indicator, unit_id, period, value, numerator, denominator, comment)
    accepted: dict[tuple[int, int, str], tuple[Any, ...]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            conflict(str(row)[:50], _("row %(i)d is not an object") % {"i": index}, index, "dataValue")
            continue
        code = str(row.get("dataElement") or "")
        indicator = indicators.get(code)
        if indicator is None:
            conflict(
                code,
                _("row %(i)d: indicator (dataElement) %(c)s does not exist") % {"i": index, "c": code},
                index,
                "dataElement",
            )
            continue
        if indicator.aggregation == Aggregation.COMPUTED:
            # Its roll-ups are computed from its components' (computed.py): a Fact of its own would never be read.
            conflict(
                code,
                _(
                    "row %(i)d: indicator %(c)s is computed from other indicators and cannot be imported; "
                    "import its components instead"
                )
                % {"i": index, "c": code},
                index,
                "dataElement",
            )
            continue
        if indicator.aggregation == Aggregation.MEAN_OF_RATIOS:
            # Its value is a mean of pooled parts that only Balai's own records carry (indicators/parts.py).
            conflict(
                code,
                _("row %(i)d: indicator %(c)s is a mean of pooled ratios computed by Balai and cannot be imported")
                % {"i": index, "c": code},
                index,
                "dataElement",
            )
            continue
        if actor is not None and indicator.source != "external":
            # Module numbers are recomputed from Balai's own records; an import would be silently undone.
            conflict(
                code,
                _("row %(i)d: indicator %(c)s is computed by Balai from its own records and cannot be imported")
                % {"i": index, "c": code},
                index,
                "dataElement",
            )
            continue
        unit_code = str(row.get("orgUnit") or defaults.get("orgUnit") or "")
        unit = units.get(unit_code)
        if unit is None or (scope is not None and not any(unit[1].startswith(p) for p in scope)):
            # One message for both: an importer must not learn which codes exist outside their scope.
            conflict(
                unit_code,
                _("row %(i)d: org unit %(c)s does not exist or is outside your scope") % {"i": index, "c": unit_code},
                index,
                "orgUnit",
            )
            continue
        period_id = str(row.get("period") or defaults.get("period") or "")
        try:
            period = Period.parse(period_id)
        except InvalidPeriod as exc:
            conflict(period_id, _("row %(i)d: %(e)s") % {"i": index, "e": exc}, index, "period")
            continue
        if period.type.value != indicator.period_type:
            conflict(
                period_id,
                _("row %(i)d: period %(p)s is %(t)s but indicator %(c)s is reported per %(it)s")
                % {"i": index, "p": period_id, "t": period.type.value, "c": code, "it": indicator.period_type},
                index,
                "period",
            )
            continue
        key = (indicator.pk, unit[0], period.id)
        if strategy == ImportStrategy.DELETE:
            if key in accepted:
                conflict(
                    code,
                    _("row %(i)d duplicates row %(j)d (same indicator, org unit and period)")
                    % {"i": index, "j": accepted[key][0]},
                    index,
                    "dataValue",
                )
                continue
            accepted[key] = (index, indicator, unit[0], period, None, None, None, "")
            continue
        try:
            value = _parse_value(row.get("value"), indicator)
            numerator = _optional_number(row.get("numerator"), "numerator")
            denominator = _optional_number(row.get("denominator"), "denominator")
            if indicator.aggregation in (Aggregation.RATIO, Aggregation.LAST_RATIO):
                if (numerator is None) != (denominator is None):
                    raise ValueError(_("give both numerator and denominator, or neither"))
                if numerator is None:
                    # A ratio sent as a bare value rolls up as the mean of the values.
                    numerator, denominator = value / (indicator.ratio_factor or 1.0), 1.0
                elif denominator == 0:
                    raise ValueError(_("denominator is zero"))
            elif indicator.aggregation == Aggregation.MEDIAN and denominator is not None and denominator <= 0:
                # A median sent as a bare value rolls up as all its cases at that value (distribution.py).
                raise ValueError(_("denominator (the number of cases behind the median) must be positive"))
        except ValueError as exc:
            conflict(str(row.get("value")), _("row %(i)d: %(e)s") % {"i": index, "e": exc}, index, "value")
            continue
        if key in accepted:
            conflict(
                code,
                _("row %(i)d duplicates row %(j)d (same indicator, org unit and period)")
                % {"i": index, "j": accepted[key][0]},
                index,
                "dataValue",
            )
            continue
        comment = str(row.get("comment") or "")[:255]
        accepted[key] = (index, indicator, unit[0], period, value, numerator, denominator, comment)

    existing: dict[tuple[int, int, str], tuple[int, float, float | None, float | None, str]] = {}
    by_indicator: dict[int, set[str]] = defaultdict(set)
    for ind_id, _unit_id, period_id in accepted:
        by_indicator[ind_id].add(period_id)
    for ind_id, period_ids in by_indicator.items():
        for chunk in _chunks(sorted(period_ids), 500):
            for fid, uid, pid, value, num, den, comment in Fact.objects.filter(
                indicator_id=ind_id, period__in=chunk
            ).values_list("id", "org_unit_id", "period", "value", "numerator", "denominator", "comment"):
                existing[(ind_id, uid, pid)] = (fid, value, num, den, comment)

    to_write: list[tuple[Any, ...]] = []
    to_delete: list[int] = []
    dirty: set[tuple[int, str]] = set()
    for key, (index, indicator, unit_id, period, value, num, den, comment) in accepted.items():
        old = existing.get(key)
        if strategy == ImportStrategy.DELETE:
            if old is None:
                summary.ignored += 1
            else:
                to_delete.append(old[0])
                summary.deleted += 1
                dirty.add((indicator.pk, period.id))
            continue
        if old is None:
            if strategy == ImportStrategy.UPDATE:
                conflict(
                    indicator.code,
                    _("row %(i)d: no existing value to update (importStrategy=UPDATE)") % {"i": index},
                    index,
                    "dataValue",
                )
                continue
            summary.imported += 1
        else:
            if old[1:] == (value, num, den, comment):
                summary.ignored += 1
                continue
            if strategy == ImportStrategy.CREATE:
                conflict(
                    indicator.code,
                    _("row %(i)d: a value already exists (importStrategy=CREATE)") % {"i": index},
                    index,
                    "dataValue",
                )
                continue
            summary.updated += 1
        dirty.add((indicator.pk, period.id))
        to_write.append((indicator.pk, unit_id, period.id, period.start, value, num, den, comment, channel, now))

    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=actor if actor is not None else None,
            channel=channel,
            filename=filename,
            strategy=strategy,
            dry_run=dry_run,
            row_count=len(rows),
            status=ImportStatus.PREVIEW if dry_run else ImportStatus.APPLIED,
        )
        summary.job_id = job.pk
        if not dry_run:
            facts_upsert(to_write)
            for batch in _chunks(to_delete, 500):
                Fact.objects.filter(pk__in=batch).delete()
            periods_mark_dirty(pairs=dirty)
        job.summary = summary.as_dict()
        job.summary["conflicts"] = job.summary["conflicts"][:1000]  # the full list went to the client
        job.save(update_fields=["summary"])
        audit_record(
            actor=actor,
            action="facts.import_dry_run" if dry_run else "facts.import",
            obj=job,
            changes={
                "channel": channel,
                "rows": len(rows),
                "imported": summary.imported,
                "updated": summary.updated,
                "ignored": summary.ignored,
                "deleted": summary.deleted,
                "conflicts": len(summary.conflicts),
            },
        )
    return summary


FACT_UPSERT_SQL = """
INSERT INTO indicators_fact
    (indicator_id, org_unit_id, period, period_start, value, numerator, denominator, comment, source, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (indicator_id, org_unit_id, period) DO UPDATE SET
    value = excluded.value, numerator = excluded.numerator, denominator = excluded.denominator,
    comment = excluded.comment, source = excluded.source, updated_at = excluded.updated_at,
    distribution = NULL
"""


def facts_upsert(rows: list[tuple[Any, ...]]) -> None:
    """Write validated Fact tuples in batches with one upsert statement.

    Building 100,000 model instances costs more than the database work itself; the rows are already
    validated and typed here, so they go straight to ``executemany`` (SQLite ≥ 3.24 and PostgreSQL share
    the ``ON CONFLICT … DO UPDATE`` syntax). Callers hold the transaction and write the audit event.
    """
    if not rows:
        return
    from django.db import connection

    ops = connection.ops
    # Adapt each distinct date and timestamp once: an import has few periods and one timestamp.
    dates: dict[Any, Any] = {}
    stamps: dict[Any, Any] = {}
    params = []
    for r in rows:
        day = dates.get(r[3])
        if day is None:
            day = dates[r[3]] = ops.adapt_datefield_value(r[3])
        stamp = stamps.get(r[9])
        if stamp is None:
            stamp = stamps[r[9]] = ops.adapt_datetimefield_value(r[9])
        params.append((r[0], r[1], r[2], day, r[4], r[5], r[6], r[7], r[8], stamp))
    with connection.cursor() as cursor:
        for batch in _chunks(params, 5000):
            cursor.executemany(FACT_UPSERT_SQL, batch)


# ------------------------------------------------------------------------------ dirty + rollups
def periods_mark_dirty(*, pairs: Iterable[tuple[int, str]]) -> None:
    """Record that these (indicator, period) need their roll-ups rebuilt, and wake the worker."""
    objs = [DirtyPeriod(indicator_id=i, period=p) for i, p in pairs]
    if not objs:
        return
    DirtyPeriod.objects.bulk_create(objs, ignore_conflicts=True, batch_size=CHUNK)
    drain_wake_on_commit()


def drain_wake_on_commit() -> None:
    """Wake the worker when the transaction commits, for dirty marks written here or by a module's own SQL."""
    # One wake-up per transaction is enough (the drain takes everything queued): a demo load or an import that
    # marks days hundreds of times in one transaction must not enqueue hundreds of tasks.
    connection = transaction.get_connection()
    if not any(callback is _wake_drain for _sids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_wake_drain)


# The id of the last wake-up this process enqueued: while that task still waits for a worker, it will drain
# whatever was committed after it, so a busy intake (hundreds of reports a second) does not enqueue one task
# per report. One primary-key read replaces an INSERT of a serialized task (bench/: ~10% of a report's cost),
# and that read is made at most every BALAI_LOCAL_CACHE_SECONDS: in between, the last answer is trusted. If
# the drain ran meanwhile, what was committed after it waits for the next wake-up or the scheduler's drain
# of every minute, whichever comes first.
_pending_wake: str | None = None
_wake_checks = Throttle()


def _wake_drain() -> None:
    global _pending_wake
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from balai.indicators.tasks import recompute_dirty

    if _pending_wake is not None:
        if not _wake_checks.due(_pending_wake):
            return
        backend = recompute_dirty.get_backend()
        if isinstance(backend, DatabaseBackend):
            # A bare existence probe on the primary key: building the whole task result (arguments, return
            # value, the task's import) cost a report ~1 ms of the web worker's CPU (bench/intake_profile.py).
            # Pruned meanwhile: no row, so wake again, never lose a drain.
            if DBTaskResult.objects.filter(pk=_pending_wake, status=TaskResultStatus.READY).exists():
                _wake_checks.done(_pending_wake)
                return
        elif backend.supports_get_result:
            try:
                if recompute_dirty.get_result(_pending_wake).status == TaskResultStatus.READY:
                    _wake_checks.done(_pending_wake)
                    return
            except TaskResultDoesNotExist:  # pruned meanwhile: wake again, never lose a drain
                pass
    _pending_wake = recompute_dirty.enqueue().id
    _wake_checks.reset()
    _wake_checks.done(_pending_wake)


def _ancestor_paths(path: str) -> list[str]:
    return [path[: i + 8] for i in range(0, len(path), 8)]


def _fact_window(indicator: Indicator, period: Period) -> tuple[dt.date, dt.date]:
    """Range of ``period_start`` of the base facts that fall in ``period``."""
    if indicator.period_type == PeriodType.WEEK and period.type is not PeriodType.WEEK:
        # A week belongs to the month/quarter/year of its Thursday (ISO 8601).
        return period.start - dt.timedelta(days=3), period.end - dt.timedelta(days=3)
    return period.start, period.end


def rollup_compute(indicator: Indicator, period: Period) -> list[FactRollup]:
    """Aggregate the indicator over every subtree for one period (see :func:`rollups_compute`)."""
    return rollups_compute(indicator, {period})


_LAST_KINDS = (Aggregation.LAST, Aggregation.LAST_RATIO)
_RATIO_KINDS = (Aggregation.RATIO, Aggregation.LAST_RATIO)


def rollups_compute(indicator: Indicator, periods: set[Period]) -> list[FactRollup]:
    """Aggregate the indicator over every subtree for many periods, reading its Facts once.

    One range read covers all requested periods; each Fact is bucketed into the requested periods that
    contain it (its own, and its week/month/quarter/semester/year), then added to each ancestor's total.
    A recompute after a year of daily imports therefore costs one query per indicator, not one per period.
    A median indicator adds up the histograms of its Facts the same way and takes the median of the sum.
    """
    if not periods:
        return []
    if indicator.aggregation == Aggregation.COMPUTED:
        return computed.rollups_compute(indicator, computed.graph().get(indicator.pk, computed.Terms()), periods)
    windows = [_fact_window(indicator, p) for p in periods]
    start, end = min(w[0] for w in windows), max(w[1] for w in windows)
    wanted = {p.id: p for p in periods}
    agg = indicator.aggregation
    is_last = agg in _LAST_KINDS
    is_median = agg == Aggregation.MEDIAN
    is_parts = agg == Aggregation.MEAN_OF_RATIOS
    decimals = indicator.decimals
    memberships: dict[str, list[str]] = {}
    unit_ids: dict[str, int] = {}
    # (period id, unit path) -> [value, numerator, denominator, count, extra]; extra is the latest fact's
    # period start for "last", the merged histogram for "median", the merged parts for "mean_of_ratios",
    # None otherwise.
    buckets: dict[tuple[str, str], list[Any]] = {}
    fields = ["org_unit__path", "org_unit_id", "period", "period_start", "value", "numerator", "denominator"]
    if is_median or is_parts:
        fields.append("distribution")  # only read where used: histograms are the bulk of a Fact row
    facts = Fact.objects.filter(indicator=indicator, period_start__gte=start, period_start__lte=end)
    for row in facts.values_list(*fields):
        path, uid, fperiod, pstart, value, num, den = row[:7]
        unit_ids[path] = uid
        targets = memberships.get(fperiod)
        if targets is None:
            own = Period.parse(fperiod)
            targets = memberships[fperiod] = [q.id for q in (own, *own.parents()) if q.id in wanted]
        hist: dict[Any, Any] | None = None
        if is_parts:
            hist = parts.from_json(row[7])  # a Fact without parts adds nothing to any part
        elif is_median:
            # Stored without a histogram (imported as a bare value): all its cases at its value. An empty
            # histogram is a Fact with no cases and adds nothing.
            hist = (
                distribution.single_point(value, den, decimals)
                if row[7] is None
                else distribution.from_json(row[7], decimals)
            )
        for pid in targets:
            bucket = buckets.get((pid, path))
            if is_last:
                if bucket is None or pstart > bucket[4]:
                    buckets[(pid, path)] = [value, num or 0.0, den or 0.0, 1, pstart]
            elif bucket is None:
                buckets[(pid, path)] = [value, num or 0.0, den or 0.0, 1, _copy_extra(hist)]
            else:
                bucket[0] += value
                bucket[1] += num or 0.0
                bucket[2] += den or 0.0
                bucket[3] += 1
                if is_parts:
                    parts.merge(bucket[4], hist or {})
                elif hist is not None:
                    distribution.merge(bucket[4], hist)
    totals: dict[tuple[str, str], list[Any]] = {}
    for (pid, path), (v, n, d, c, extra) in buckets.items():
        for anc in _ancestor_paths(path):
            t = totals.get((pid, anc))
            if t is None:
                # A histogram is copied, never shared: every ancestor's total grows on its own.
                totals[(pid, anc)] = [v, n, d, c, _copy_extra(extra) if is_median or is_parts else None]
            else:
                t[0] += v
                t[1] += n
                t[2] += d
                t[3] += c
                if is_median:
                    distribution.merge(t[4], extra)
                elif is_parts:
                    parts.merge(t[4], extra)
    missing = sorted({anc for _pid, anc in totals if anc not in unit_ids})
    for chunk in _chunks(missing, 500):
        unit_ids.update(dict(OrgUnit.objects.filter(path__in=chunk).values_list("path", "id")))
    out = []
    for (pid, path), (v, n, d, c, merged) in totals.items():
        if path not in unit_ids:
            continue
        numerator = denominator = None
        histogram: dict[str, Any] | None = None
        if agg in _RATIO_KINDS:
            if not d:
                continue
            value = n * indicator.ratio_factor / d
            numerator, denominator = n, d
        elif is_median:
            middle = distribution.median(merged)
            if middle is None:
                continue
            value = middle
            denominator = distribution.total(merged)  # the number of cases the median is taken over
            histogram = distribution.to_json(merged, decimals)
        elif is_parts:
            pooled = parts.mean_of_ratios(merged, indicator.ratio_factor, decimals)
            if pooled is None:
                continue
            value = pooled
            histogram = parts.to_json(merged)
        elif agg == Aggregation.AVERAGE:
            value = v / c if c else 0.0
        else:
            value = v
        period = wanted[pid]
        out.append(
            FactRollup(
                indicator=indicator,
                org_unit_id=unit_ids[path],
                period=pid,
                period_type=period.type.value,
                period_start=period.start,
                value=value,
                numerator=numerator,
                denominator=denominator,
                distribution=histogram,
                fact_count=int(c),
            )
        )
    return out


def _copy_extra(extra: Any) -> Any:
    """A histogram or parts of its own (parts hold lists, copied too): every total grows on its own."""
    if isinstance(extra, dict):
        return {k: list(v) if isinstance(v, list) else v for k, v in extra.items()}
    return extra


def rollups_recompute(*, pairs: Iterable[tuple[int, str]]) -> int:
    """Rebuild roll-ups for the given (indicator, base period) pairs and all coarser periods.

    The computed indicators that use a rebuilt indicator (transitively) are rebuilt after it for the same
    periods (those of their type or coarser), components first: their roll-ups read the components'.
    """
    targets: dict[int, set[Period]] = defaultdict(set)
    for ind_id, period_id in pairs:
        base = Period.parse(period_id)
        targets[ind_id].add(base)
        targets[ind_id].update(base.parents())
    terms = computed.graph()
    if terms:
        uses = computed.dependents(terms)
        queue = list(targets)
        while queue:
            changed = queue.pop()
            for user_id in uses.get(changed, ()):
                before = len(targets[user_id])
                targets[user_id] |= targets[changed]
                if len(targets[user_id]) != before:
                    queue.append(user_id)
    written = 0
    indicators = Indicator.objects.in_bulk(list(targets))
    for ind_id in sorted(targets, key=lambda i: (computed.depth(terms, i), i)):
        periods = targets[ind_id]
        indicator = indicators.get(ind_id)
        if indicator is None or (indicator.aggregation == Aggregation.COMPUTED and not indicator.is_active):
            continue  # a deactivated computed indicator lost its roll-ups; reactivating it rebuilds them
        base_type = PeriodType(indicator.period_type)
        periods = {p for p in periods if is_coarser_or_equal(p.type, base_type)}
        with transaction.atomic():
            # One rebuild per indicator at a time: two workers must not interleave read and write and leave
            # the older computation in place.
            Indicator.objects.select_for_update().filter(pk=ind_id).first()
            if indicator.aggregation == Aggregation.COMPUTED:
                rows = computed.rollups_compute(indicator, terms.get(ind_id, computed.Terms()), periods)
            else:
                rows = rollups_compute(indicator, periods)
            for chunk in _chunks(sorted(p.id for p in periods), 500):
                FactRollup.objects.filter(indicator=indicator, period__in=chunk).delete()
            FactRollup.objects.bulk_create(rows, batch_size=CHUNK)
        written += len(rows)
    return written


def dirty_drain(*, limit: int = 5000) -> int:
    """Take dirty pairs off the queue and rebuild their roll-ups. Safe to run concurrently."""
    total = 0
    while True:
        with transaction.atomic():
            batch = list(DirtyPeriod.objects.select_for_update().order_by("id")[:limit])
            if not batch:
                return total
            pairs = {(d.indicator_id, d.period) for d in batch}
            DirtyPeriod.objects.filter(pk__in=[d.pk for d in batch]).delete()
        # Rebuilding outside the dequeue transaction keeps the queue lock short; a failure re-marks.
        try:
            pairs |= _module_pairs_refresh(pairs)
            total += rollups_recompute(pairs=pairs)
        except Exception:
            periods_mark_dirty(pairs=pairs)
            raise


def _module_pairs_refresh(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Recompute the module Facts of dirty module periods before their roll-ups are rebuilt.

    A module marks the days a write touched (a report received or resolved): its Facts for those days are
    derived from its tables and must be rewritten first, or the roll-ups would rebuild from stale Facts and
    the dashboard would lag until the nightly recompute.
    """
    sources = dict(
        Indicator.objects.filter(pk__in={i for i, _ in pairs}).exclude(source="external").values_list("pk", "source")
    )
    if not sources:
        return set()
    by_source: dict[str, set[Period]] = defaultdict(set)
    for ind_id, period_id in pairs:
        if ind_id in sources:
            by_source[sources[ind_id]].add(Period.parse(period_id))
    changed: set[tuple[int, str]] = set()
    for source, periods in by_source.items():
        changed |= _module_facts_refresh(sources=[source], only=periods)
    return changed


def _module_fact_numbers(
    indicator: Indicator, fv: registry.FactValue
) -> tuple[float, float | None, float | None, dict[str, Any] | None] | None:
    """(value, numerator, denominator, distribution) to store for a computed value; None stores nothing.

    A median's numbers are derived here from its histogram, bucketed at the indicator's resolution, so the
    Fact's value is exactly what a roll-up of that Fact alone gives.
    """
    if indicator.aggregation == Aggregation.MEAN_OF_RATIOS:
        own = parts.from_json(fv.distribution)
        pooled = parts.mean_of_ratios(own, indicator.ratio_factor, indicator.decimals)
        if pooled is None:
            return None
        return pooled, None, None, parts.to_json(own)
    if indicator.aggregation != Aggregation.MEDIAN:
        return fv.value, fv.numerator, fv.denominator, None
    hist = (
        distribution.from_json(fv.distribution, indicator.decimals)
        if fv.distribution is not None
        else distribution.single_point(fv.value, fv.denominator, indicator.decimals)
    )
    middle = distribution.median(hist)
    if middle is None:
        return None
    return middle, None, distribution.total(hist), distribution.to_json(hist, indicator.decimals)


def module_facts_recompute(*, start: dt.date, end: dt.date, sources: list[str] | None = None) -> int:
    """Recompute the Facts that modules derive from their own tables for periods in [start, end]."""
    changed_pairs = _module_facts_refresh(start=start, end=end, sources=sources)
    periods_mark_dirty(pairs=changed_pairs)
    return len(changed_pairs)


def _module_facts_refresh(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sources: list[str] | None = None,
    only: Iterable[Period] | None = None,
) -> set[tuple[int, str]]:
    """Rewrite module Facts for the periods in [start, end], or exactly the ``only`` periods; the changed pairs."""
    changed_pairs: set[tuple[int, str]] = set()
    now = timezone.now()
    chosen = list(only) if only is not None else None
    for module in registry.modules():
        if module.compute is None or (sources and module.source not in sources):
            continue
        specs = module.all_specs()
        by_type: dict[str, list[str]] = defaultdict(list)
        for spec in specs:
            by_type[spec.period_type].append(spec.code)
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=[s.code for s in specs])}
        if len(indicators) < len(specs):
            # A data-driven indicator declared since the last sync (a new report category) gets its row now.
            indicators_sync(actor=None, sources=[module.source])
            indicators = {i.code: i for i in Indicator.objects.filter(code__in=[s.code for s in specs])}
        for ptype, codes in by_type.items():
            periods: list[Period] = []
            if chosen is not None:
                periods = [p for p in chosen if p.type is PeriodType(ptype)]
                if not periods:
                    continue
            else:
                assert start is not None and end is not None
                p = Period.containing(end, PeriodType(ptype))
                while p.end >= start:
                    periods.append(p)
                    p = p.previous()
            fresh = {(fv.code, fv.org_unit_id, fv.period): fv for fv in module.compute(codes, periods)}
            ind_ids = [indicators[c].pk for c in codes if c in indicators]
            current = {
                (f.indicator.code, f.org_unit_id, f.period): f
                for f in Fact.objects.filter(
                    indicator_id__in=ind_ids, period__in=[p.id for p in periods]
                ).select_related("indicator")
            }
            writes = []
            present: set[tuple[str, int, str]] = set()
            for key, fv in fresh.items():
                ind = indicators.get(fv.code)
                if ind is None:
                    continue
                numbers = _module_fact_numbers(ind, fv)
                if numbers is None:
                    continue
                present.add(key)
                old = current.get(key)
                if old and (old.value, old.numerator, old.denominator, old.distribution) == numbers:
                    continue
                value, numerator, denominator, histogram = numbers
                writes.append(
                    Fact(
                        indicator=ind,
                        org_unit_id=fv.org_unit_id,
                        period=fv.period,
                        period_start=Period.parse(fv.period).start,
                        value=value,
                        numerator=numerator,
                        denominator=denominator,
                        distribution=histogram,
                        source=f"module:{module.source}",
                        updated_at=now,
                    )
                )
                changed_pairs.add((ind.pk, fv.period))
            # A unit that had a value and now has none dropped to zero for counts (sum, last): store 0 so a
            # "last" roll-up does not fall back to an older month. Averages, ratios and medians have no zero: delete.
            stale: list[int] = []
            zeroed: list[int] = []
            for key, f in current.items():
                if key in present:
                    continue
                if f.indicator.aggregation in (Aggregation.SUM, Aggregation.LAST):
                    if f.value != 0:
                        zeroed.append(f.pk)
                        changed_pairs.add((f.indicator_id, f.period))
                else:
                    stale.append(f.pk)
                    changed_pairs.add((f.indicator_id, f.period))
            with transaction.atomic():
                for batch in _chunks(writes):
                    Fact.objects.bulk_create(
                        batch,
                        update_conflicts=True,
                        unique_fields=["indicator", "org_unit", "period"],
                        update_fields=["value", "numerator", "denominator", "distribution", "source", "updated_at"],
                    )
                Fact.objects.filter(pk__in=stale).delete()
                Fact.objects.filter(pk__in=zeroed).update(value=0.0, updated_at=now)
    return changed_pairs


# ------------------------------------------------------------------------------ indicator admin
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,4}$")
DECIMALS_MAX = 4
#: Aggregations an administrator may give an indicator; a mean of ratios needs parts only modules compute.
ADMIN_AGGREGATIONS = [a for a in Aggregation.values if a != Aggregation.MEAN_OF_RATIOS]
#: What an administrator may change on an indicator a module declares; the rest comes from its code.
MODULE_EDITABLE = ("is_public", "owner", "sort_order", "is_active")
OWNER_KINDS = (UnitKind.PEMDA, UnitKind.PERANGKAT_DAERAH, UnitKind.UPTD, UnitKind.BAGIAN)
_RATIO_KINDS_ALL = (Aggregation.RATIO, Aggregation.LAST_RATIO, Aggregation.COMPUTED)


@dataclass
class IndicatorDefinition:
    """Everything an administrator sets on an indicator; ``numerator``/``denominator`` are component codes."""

    code: str
    name_id: str
    name_en: str
    period_type: str
    aggregation: str = Aggregation.SUM
    value_type: str = ValueType.NUMBER
    unit: str = ""
    polarity: int = 1
    decimals: int = 0
    ratio_factor: float = 1.0
    description_id: str = ""
    description_en: str = ""
    owner: OrgUnit | None = None
    is_public: bool = False
    category: str = ""
    sort_order: int = 100
    is_active: bool = True
    numerator: list[str] = field(default_factory=list)
    denominator: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorDefinition:
        """The indicator as it is now, to change a few fields of."""
        terms = list(indicator.terms.select_related("component").order_by("component__code"))
        return cls(
            **{f: getattr(indicator, f) for f in _DEFINITION_FIELDS},
            numerator=[t.component.code for t in terms if t.role == TermRole.NUMERATOR],
            denominator=[t.component.code for t in terms if t.role == TermRole.DENOMINATOR],
        )


_DEFINITION_FIELDS = (
    "code",
    "name_id",
    "name_en",
    "period_type",
    "aggregation",
    "value_type",
    "unit",
    "polarity",
    "decimals",
    "ratio_factor",
    "description_id",
    "description_en",
    "owner",
    "is_public",
    "category",
    "sort_order",
    "is_active",
)


def indicator_admin_allowed(user: Any) -> bool:
    """Indicators are city-wide: only an administrator of a whole Pemda (its root unit) defines them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(len(p) == PATH_SEGMENT for p in access.scope_paths(user, Action.ADMIN))


def _require_indicator_admin(actor: Any) -> None:
    if actor is not None and not indicator_admin_allowed(actor):
        raise PermissionDenied(_("Only an administrator of the whole Pemda can define indicators."))


def declared_sources() -> dict[str, str]:
    """Indicator code -> the module that declares it in code ("foundation" for the external ones every Pemda shares)."""
    return {
        spec.code: module.source if module.source != "external" else "foundation"
        for module in registry.modules()
        for spec in module.all_specs()
    }


def _reserved_prefixes() -> dict[str, str]:
    """First code segments that modules own (``complaints.``): an administrator's code must not collide."""
    out: dict[str, str] = {}
    for module in registry.modules():
        if module.source == "external":
            continue
        for spec in module.specs:
            out.setdefault(spec.code.split(".")[0], module.source)
    return out


def _validate_definition(d: IndicatorDefinition, current: Indicator | None) -> dict[str, Indicator]:
    """Raise ValidationError (by field) for a bad definition; return the components by code."""
    errors: dict[str, list[str]] = defaultdict(list)
    if current is None or d.code != current.code:
        if not CODE_RE.fullmatch(d.code) or len(d.code) > 80:
            errors["code"].append(
                _(
                    "Use lower-case letters, digits and underscores in two to five parts separated by dots, "
                    "at most 80 characters, e.g. attendance.late_rate."
                )
            )
        elif Indicator.objects.filter(code=d.code).exists() or d.code in declared_sources():
            errors["code"].append(_("An indicator with the code %(code)s already exists.") % {"code": d.code})
        else:
            module = _reserved_prefixes().get(d.code.split(".")[0])
            if module:
                errors["code"].append(
                    _("Codes starting with %(prefix)s. belong to the %(module)s module.")
                    % {"prefix": d.code.split(".")[0], "module": module}
                )
    for name in ("name_id", "name_en"):
        value = getattr(d, name)
        if not value.strip():
            errors[name].append(_("Enter a name."))
        elif len(value) > 200:
            errors[name].append(_("At most 200 characters."))
    if d.period_type not in PeriodType.__members__.values():
        errors["period_type"].append(_("Choose a period type."))
    if d.aggregation not in ADMIN_AGGREGATIONS:
        errors["aggregation"].append(_("Choose an aggregation."))
    if d.value_type not in ValueType.values:
        errors["value_type"].append(_("Choose a value type."))
    elif d.aggregation == Aggregation.COMPUTED and d.value_type == ValueType.BOOLEAN:
        errors["value_type"].append(_("A computed indicator is a number or a percentage, not yes/no."))
    if d.polarity not in (-1, 0, 1):
        errors["polarity"].append(_("Choose a polarity."))
    if not 0 <= d.decimals <= DECIMALS_MAX:
        errors["decimals"].append(_("Decimals must be between 0 and %(max)d.") % {"max": DECIMALS_MAX})
    if not math.isfinite(d.ratio_factor) or d.ratio_factor <= 0:
        errors["ratio_factor"].append(_("The factor must be a number greater than 0, e.g. 100 or 1000."))
    if len(d.unit) > 30:
        errors["unit"].append(_("At most 30 characters."))
    if len(d.category) > 60:
        errors["category"].append(_("At most 60 characters."))
    if not 0 <= d.sort_order <= 1_000_000:
        errors["sort_order"].append(_("The sort order must be between 0 and 1,000,000."))
    if d.owner is not None and (not d.owner.is_active or d.owner.kind not in OWNER_KINDS):
        errors["owner"].append(
            _("The owner must be an active office: the Pemda, a perangkat daerah, UPTD or division.")
        )
    if current is not None:
        has_facts = Fact.objects.filter(indicator=current).exists()
        if has_facts:
            if d.code != current.code:
                errors["code"].append(_("The code cannot change once the indicator has data."))
            if d.aggregation != current.aggregation:
                errors["aggregation"].append(_("The aggregation cannot change once the indicator has data."))
            if d.period_type != current.period_type:
                errors["period_type"].append(_("The period type cannot change once the indicator has data."))
        if d.aggregation != current.aggregation or d.period_type != current.period_type or not d.is_active:
            users = _computed_users(current)
            if users:
                field_name = "is_active" if not d.is_active else "aggregation"
                errors[field_name].append(
                    _("It is a component of the computed indicator(s) %(codes)s: change or deactivate those first.")
                    % {"codes": ", ".join(users)}
                )
    components = _validate_terms(d, current, errors) if not errors.get("period_type") else {}
    if errors:
        raise ValidationError(dict(errors))
    return components


def _validate_terms(
    d: IndicatorDefinition, current: Indicator | None, errors: dict[str, list[str]]
) -> dict[str, Indicator]:
    numerator = [c.strip() for c in d.numerator if c.strip()]
    denominator = [c.strip() for c in d.denominator if c.strip()]
    if d.aggregation != Aggregation.COMPUTED:
        if numerator or denominator:
            errors["numerator"].append(_("Only a computed indicator has a numerator and a denominator."))
        return {}
    for side, codes in (("numerator", numerator), ("denominator", denominator)):
        if not codes:
            errors[side].append(_("Choose at least one indicator."))
        elif len(set(codes)) != len(codes):
            errors[side].append(_("An indicator appears twice."))
    if numerator and set(numerator) == set(denominator):
        errors["denominator"].append(
            _("The denominator must differ from the numerator (the value would always be the factor).")
        )
    found = {i.code: i for i in Indicator.objects.filter(code__in=set(numerator) | set(denominator))}
    terms = computed.graph()
    for side, codes in (("numerator", numerator), ("denominator", denominator)):
        for code in codes:
            comp = found.get(code)
            if code == d.code or (comp is not None and current is not None and comp.pk == current.pk):
                errors[side].append(_("An indicator cannot be computed from itself."))
            elif comp is None:
                errors[side].append(_("Indicator %(code)s does not exist.") % {"code": code})
            elif not comp.is_active:
                errors[side].append(_("Indicator %(code)s is not active.") % {"code": code})
            elif comp.aggregation not in computed.ALLOWED_COMPONENTS:
                errors[side].append(
                    _(
                        "Indicator %(code)s is aggregated as “%(agg)s”: only counts (sum, last value) and other "
                        "computed indicators can be components. Use the indicator of its count instead."
                    )
                    % {"code": code, "agg": comp.get_aggregation_display()}
                )
            elif current is not None and computed.reaches(terms, [comp.pk], current.pk):
                errors[side].append(
                    _("Indicator %(code)s is itself computed from this one: that would be a cycle.") % {"code": code}
                )
            elif d.period_type in PeriodType.__members__.values() and not is_coarser_or_equal(
                PeriodType(d.period_type), PeriodType(comp.period_type)
            ):
                errors["period_type"].append(
                    _("The period type cannot be finer than that of component %(code)s (%(type)s).")
                    % {"code": code, "type": comp.get_period_type_display()}
                )
    return found


def _apply_terms(indicator: Indicator, d: IndicatorDefinition, components: dict[str, Indicator]) -> bool:
    """Replace the indicator's terms; whether they changed."""
    wanted = {(components[c].pk, TermRole.NUMERATOR.value) for c in d.numerator if c.strip()} | {
        (components[c].pk, TermRole.DENOMINATOR.value) for c in d.denominator if c.strip()
    }
    if d.aggregation != Aggregation.COMPUTED:
        wanted = set()
    current = set(IndicatorTerm.objects.filter(indicator=indicator).values_list("component_id", "role"))
    if current == wanted:
        return False
    IndicatorTerm.objects.filter(indicator=indicator).delete()
    IndicatorTerm.objects.bulk_create(
        [IndicatorTerm(indicator=indicator, component_id=cid, role=role) for cid, role in sorted(wanted)]
    )
    return True


def computed_rebuild(*, indicator: Indicator) -> int:
    """Rebuild all roll-ups of a computed indicator (its definition changed), and of those that use it."""
    FactRollup.objects.filter(indicator=indicator).delete()
    if indicator.aggregation != Aggregation.COMPUTED or not indicator.is_active:
        return 0
    terms = computed.graph().get(indicator.pk, computed.Terms())
    base = PeriodType(indicator.period_type)
    types = [t.value for t in PeriodType if is_coarser_or_equal(t, base)]
    periods = set(
        FactRollup.objects.filter(indicator_id__in=terms.components, period_type__in=types)
        .order_by()
        .values_list("period", flat=True)
        .distinct()
    )
    return rollups_recompute(pairs=[(indicator.pk, p) for p in periods])


def _definition_changes(indicator: Indicator, d: IndicatorDefinition) -> dict[str, dict[str, Any]]:
    out = {}
    for f in _DEFINITION_FIELDS:
        before, after = getattr(indicator, f), getattr(d, f)
        if before != after:
            if isinstance(before, OrgUnit) or isinstance(after, OrgUnit):
                before = before.code if before else None
                after = after.code if after else None
            out[f] = {"before": before, "after": after}
    return out


def indicator_create(*, actor: Any, definition: IndicatorDefinition) -> Indicator:
    """Define an external (or computed) indicator; the import API and connectors feed it by its code."""
    _require_indicator_admin(actor)
    d = definition
    d.code = d.code.strip()
    with transaction.atomic():
        components = _validate_definition(d, None)
        indicator = Indicator.objects.create(**{f: getattr(d, f) for f in _DEFINITION_FIELDS}, source="external")
        _apply_terms(indicator, d, components)
        audit_record(
            actor=actor,
            action="indicator.create",
            obj=indicator,
            changes={
                "code": indicator.code,
                "aggregation": indicator.aggregation,
                "period_type": indicator.period_type,
                "numerator": sorted(d.numerator),
                "denominator": sorted(d.denominator),
            },
        )
        if indicator.aggregation == Aggregation.COMPUTED:
            computed_rebuild(indicator=indicator)
    return indicator


def indicator_update(*, actor: Any, indicator: Indicator, definition: IndicatorDefinition) -> Indicator:
    """Change an indicator. A module's indicator keeps its definition from code: only MODULE_EDITABLE changes."""
    _require_indicator_admin(actor)
    d = definition
    d.code = d.code.strip()
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
        declared_by = declared_sources().get(indicator.code)
        if declared_by is not None:
            theirs = IndicatorDefinition.of(indicator)
            locked = [
                f
                for f in (*_DEFINITION_FIELDS, "numerator", "denominator")
                if f not in MODULE_EDITABLE and getattr(theirs, f) != getattr(d, f)
            ]
            if locked:
                raise ValidationError(
                    {
                        f: _("Declared by the %(module)s module: only public, owner, sort order and active can change.")
                        % {"module": declared_by}
                        for f in locked
                    }
                )
        components = _validate_definition(d, indicator)
        changes = _definition_changes(indicator, d)
        rebuild = {"aggregation", "period_type", "ratio_factor", "is_active"} & set(changes)
        for f in _DEFINITION_FIELDS:
            setattr(indicator, f, getattr(d, f))
        indicator.save()
        if _apply_terms(indicator, d, components):
            changes["terms"] = {"numerator": sorted(d.numerator), "denominator": sorted(d.denominator)}
            rebuild.add("terms")
        if not changes:
            return indicator
        audit_record(actor=actor, action="indicator.update", obj=indicator, changes=changes)
        if (rebuild and indicator.aggregation == Aggregation.COMPUTED) or "aggregation" in rebuild:
            computed_rebuild(indicator=indicator)
        elif "ratio_factor" in rebuild and indicator.aggregation in _RATIO_KINDS_ALL:
            # A ratio's value is factor x numerator / denominator: its roll-ups (and those using it) change.
            periods_mark_dirty(
                pairs={
                    (indicator.pk, p)
                    for p in Fact.objects.filter(indicator=indicator)
                    .order_by()
                    .values_list("period", flat=True)
                    .distinct()
                }
            )
    return indicator


def indicator_deactivate(*, actor: Any, indicator: Indicator) -> Indicator:
    """Hide an indicator from the catalogue, dashboards and imports; its data stays. Refused while in use."""
    _require_indicator_admin(actor)
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
        if not indicator.is_active:
            return indicator
        users = _computed_users(indicator)
        if users:
            raise ValidationError(
                {
                    "is_active": _(
                        "It is a component of the computed indicator(s) %(codes)s: change or deactivate those first."
                    )
                    % {"codes": ", ".join(users)}
                }
            )
        indicator.is_active = False
        indicator.save(update_fields=["is_active"])
        audit_record(actor=actor, action="indicator.deactivate", obj=indicator, changes={"is_active": False})
        if indicator.aggregation == Aggregation.COMPUTED:
            computed_rebuild(indicator=indicator)  # drops its roll-ups: they would no longer follow its components
    return indicator


def _computed_users(indicator: Indicator) -> list[str]:
    """Codes of the active computed indicators that use this one directly."""
    return sorted(
        Indicator.objects.filter(terms__component=indicator, is_active=True)
        .exclude(pk=indicator.pk)
        .distinct()
        .values_list("code", flat=True)
    )


# -------------------------------------------------------------------------------------- targets
#: Aggregations whose values can be negative (a balance, a change); everything else counts or rates something.
_SIGNED = (Aggregation.SUM, Aggregation.AVERAGE, Aggregation.LAST)
TARGET_CSV_HEADERS = ["indicator", "orgUnit", "period", "value"]
TARGET_CSV_ALIASES = {
    "dataelement": "indicator",
    "indikator": "indicator",
    "kode_indikator": "indicator",
    "org_unit": "orgunit",
    "unit": "orgunit",
    "kode_unit": "orgunit",
    "periode": "period",
    "target": "value",
    "nilai": "value",
}


def target_value_check(indicator: Indicator, value: float) -> None:
    """Refuse a target the indicator can never reach (ValueError with the reason)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(_("the target %(v)s is not a number") % {"v": value})
    vt = indicator.value_type
    if vt == ValueType.PERCENTAGE and not 0 <= value <= 100:
        raise ValueError(_("a percentage target must be between 0 and 100"))
    if vt == ValueType.BOOLEAN and value not in (0, 1):
        raise ValueError(_("a yes/no target is 1 (yes) or 0 (no)"))
    if value < 0 and (vt != ValueType.NUMBER or indicator.aggregation not in _SIGNED):
        raise ValueError(_("a target for %(name)s cannot be negative") % {"name": indicator.name})


def _target_period(indicator: Indicator, period: str) -> Period:
    """The period parsed, or ValueError: a target is per period of the indicator's type or coarser."""
    try:
        parsed = Period.parse(period)
    except InvalidPeriod as exc:
        raise ValueError(str(exc)) from exc
    if not is_coarser_or_equal(parsed.type, PeriodType(indicator.period_type)):
        raise ValueError(
            _("period %(p)s is finer than the indicator's (%(t)s): a target needs its type or coarser")
            % {"p": parsed.id, "t": indicator.get_period_type_display()}
        )
    return parsed


def target_set(*, actor: Any, indicator: Indicator, org_unit: OrgUnit, period: str, value: float | None) -> None:
    """Set (or with value None, clear) the target of an indicator for a unit and period."""
    if actor is not None and not access.can(actor, Action.IMPORT, org_unit):
        raise PermissionDenied(_("You do not have the right to set targets for this unit."))
    try:
        parsed = Period.parse(period)
    except InvalidPeriod as exc:
        raise ValidationError({"period": str(exc)}) from exc
    if not is_coarser_or_equal(parsed.type, PeriodType(indicator.period_type)):
        raise ValidationError({"period": _("A target needs a period of the indicator's type or coarser.")})
    if value is not None:
        try:
            target_value_check(indicator, value)
        except ValueError as exc:
            raise ValidationError({"value": str(exc)}) from exc
    with transaction.atomic():
        old = Target.objects.filter(indicator=indicator, org_unit=org_unit, period=parsed.id).first()
        if value is None:
            if old:
                old.delete()
        else:
            Target.objects.update_or_create(
                indicator=indicator, org_unit=org_unit, period=parsed.id, defaults={"value": value}
            )
        audit_record(
            actor=actor,
            action="target.set",
            obj=indicator,
            org_unit=org_unit,
            changes={"period": parsed.id, "value": {"before": old.value if old else None, "after": value}},
        )


@dataclass
class TargetsResult:
    created: int = 0
    updated: int = 0
    cleared: int = 0
    unchanged: int = 0


def targets_set_bulk(
    *, actor: Any, indicator: Indicator, period: str, values: dict[OrgUnit, float | None]
) -> TargetsResult:
    """Set the targets of many units for one period at once (None clears). All or nothing.

    Refused as a whole with one message per unit code (ValidationError keyed by code, or ``period``).
    """
    try:
        parsed = _target_period(indicator, period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    errors: dict[str, str] = {}
    for unit, value in values.items():
        if actor is not None and not access.can(actor, Action.IMPORT, unit):
            errors[unit.code] = _("outside your scope")
            continue
        if value is not None:
            try:
                target_value_check(indicator, value)
            except ValueError as exc:
                errors[unit.code] = str(exc)
    if errors:
        raise ValidationError(errors)
    result = TargetsResult()
    with transaction.atomic():
        current = {
            t.org_unit_id: t
            for t in Target.objects.select_for_update().filter(
                indicator=indicator, period=parsed.id, org_unit__in=list(values)
            )
        }
        changes: dict[str, Any] = {}
        for unit, value in values.items():
            old = current.get(unit.pk)
            if (old is None and value is None) or (old is not None and old.value == value):
                result.unchanged += 1
                continue
            if value is None:
                assert old is not None
                old.delete()
                result.cleared += 1
            elif old is None:
                Target.objects.create(indicator=indicator, org_unit=unit, period=parsed.id, value=value)
                result.created += 1
            else:
                old.value = value
                old.save(update_fields=["value", "updated_at"])
                result.updated += 1
            changes[unit.code] = {"before": old.value if old else None, "after": value}
        if changes:
            audit_record(
                actor=actor, action="target.set_bulk", obj=indicator, changes={"period": parsed.id, "units": changes}
            )
    return result


def targets_import_csv(*, actor: Any, content: bytes | str, dry_run: bool = False) -> ImportReport:
    """Targets from CSV ``indicator,orgUnit,period,value`` (an empty value clears the target). All or nothing.

    The report says per line what would change or why the line is refused: unknown indicator or unit (or a
    unit outside the importer's scope: one message for both), a period finer than the indicator's, a value
    the indicator can never take, the same target twice.
    """
    from balai.core.csvio import read_csv
    from balai.indicators.csv_import import decimal_comma

    if actor is not None and not access.can(actor, Action.IMPORT):
        raise PermissionDenied(_("You do not have the right to set targets."))
    table = read_csv(content, TARGET_CSV_HEADERS, aliases=TARGET_CSV_ALIASES)
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={r["indicator"] for r in table.rows}, is_active=True)
    }
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r["orgUnit"] for r in table.rows}, is_active=True)}
    report = ImportReport()
    seen: dict[tuple[int, int, str], int] = {}
    writes: list[tuple[Indicator, OrgUnit, str, float | None]] = []
    lines: list[int] = []
    for line, row in enumerate(table.rows, start=2):
        try:
            indicator = indicators.get(row["indicator"])
            if indicator is None:
                raise ValueError(_("indicator %(c)s does not exist or is not active") % {"c": row["indicator"]})
            unit = units.get(row["orgUnit"])
            if unit is None or (actor is not None and not access.can(actor, Action.IMPORT, unit)):
                raise ValueError(_("org unit %(c)s does not exist or is outside your scope") % {"c": row["orgUnit"]})
            period = _target_period(indicator, row["period"])
            raw = decimal_comma(row["value"]) if table.decimal_comma else row["value"]
            value: float | None = None
            if raw:
                try:
                    value = float(raw)
                except ValueError:
                    raise ValueError(_("the target %(v)s is not a number") % {"v": row["value"]}) from None
                target_value_check(indicator, value)
            key = (indicator.pk, unit.pk, period.id)
            if key in seen:
                raise ValueError(_("the same target as line %(n)d") % {"n": seen[key]})
            seen[key] = line
        except ValueError as exc:
            report.rows.append(RowResult(line, "error", str(exc)))
            continue
        writes.append((indicator, unit, period.id, value))
        lines.append(line)
    existing = {
        (t.indicator_id, t.org_unit_id, t.period): t
        for t in Target.objects.filter(
            indicator_id__in={w[0].pk for w in writes},
            org_unit_id__in={w[1].pk for w in writes},
            period__in={w[2] for w in writes},
        )
    }
    refused = report.has_errors  # a file with a bad line changes nothing: only say what the others would do
    with transaction.atomic():
        for line, (indicator, unit, period_id, value) in zip(lines, writes, strict=True):
            old = existing.get((indicator.pk, unit.pk, period_id))
            if (old is None and value is None) or (old is not None and old.value == value):
                report.rows.append(RowResult(line, "ignored", _("unchanged")))
                continue
            if value is None:
                report.rows.append(RowResult(line, "updated", _("target cleared")))
            else:
                report.rows.append(RowResult(line, "updated" if old else "created", f"{indicator.code} {period_id}"))
            if dry_run or refused:
                continue
            if value is None:
                Target.objects.filter(indicator=indicator, org_unit=unit, period=period_id).delete()
            else:
                Target.objects.update_or_create(
                    indicator=indicator, org_unit=unit, period=period_id, defaults={"value": value}
                )
        report.rows.sort(key=lambda r: r.row)
        if dry_run or report.has_errors:
            transaction.set_rollback(True)
        else:
            audit_record(
                actor=actor,
                action="target.import",
                changes={"created": report.count("created"), "updated": report.count("updated")},
            )
    return report

"""The write path of connectors: register and change them, pull (one import per pull), schedule, alert.

A pull is all-or-nothing: the answer is fetched and every record mapped first; one record that cannot be
mapped, or one row the import refuses, fails the whole pull and nothing is written (the import runs in a
transaction that is rolled back). The next scheduled pull tries again. The network is never touched inside
a database transaction: a connector is claimed with a lease (a conditional UPDATE, atomic on SQLite and
PostgreSQL alike), fetched, and only then written.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from balai.alerts.choices import Severity
from balai.alerts.services import alert_clear, alert_raise
from balai.connectors.choices import AuthKind, Format, RunStatus, Schedule, Trigger, UnitMatch
from balai.connectors.fetch import Credentials, FetchError, fetch
from balai.connectors.mapping import (
    Mapped,
    PayloadError,
    import_rows,
    importable_indicators,
    map_records,
    missing_everywhere,
    page_from,
)
from balai.connectors.models import Connector, ConnectorRun
from balai.core.audit import audit_record
from balai.indicators.services import ImportSummary, facts_import
from balai.org import access
from balai.org.models import OrgUnit
from balai.org.roles import Action

logger = logging.getLogger(__name__)

#: Settings an administrator edits on the form (secrets apart: they are write-only).
CONFIG_FIELDS = [
    "name",
    "owner",
    "url",
    "format",
    "auth_kind",
    "username",
    "records_path",
    "next_page_path",
    "indicator_code",
    "indicator_field",
    "unit_code",
    "unit_field",
    "unit_match",
    "period_field",
    "period_format",
    "value_field",
    "numerator_field",
    "denominator_field",
    "comment_field",
    "schedule",
    "daily_at",
    "is_active",
    "alert_after",
]
PREVIEW_RECORDS = 20
MAX_PAGES = 1000  # a paginated answer; the size limit counts all pages together
PROBLEMS_KEPT = 100  # problems stored on a failed run (the error text names the first few)
ALERT_SEVERITY = Severity.CRITICAL  # the dashboard has stopped receiving the agency's numbers


# ---------------------------------------------------------------------------------- registration
def _validate(connector: Connector) -> None:
    """The mapping must name what exists: a save that references an unknown indicator or unit is refused."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    parts = urlsplit(connector.url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        err("url", _("Give an http:// or https:// address."))
    if parts.username or parts.password:
        err("url", _("Put the user name and password in the authentication fields, not in the address."))
    if bool(connector.indicator_code) == bool(connector.indicator_field):
        err("indicator_code", _("Give either a fixed indicator or the field that holds the indicator code."))
    elif connector.indicator_code and connector.indicator_code not in importable_indicators([connector.indicator_code]):
        err(
            "indicator_code",
            _("Indicator %(c)s does not exist or is not fed from outside Balai.") % {"c": connector.indicator_code},
        )
    if bool(connector.unit_code) == bool(connector.unit_field):
        err("unit_code", _("Give either a fixed org unit or the field that holds the unit."))
    elif connector.unit_code and not OrgUnit.objects.filter(code=connector.unit_code, is_active=True).exists():
        err("unit_code", _("Org unit %(c)s does not exist.") % {"c": connector.unit_code})
    if connector.unit_match not in UnitMatch.values:
        err("unit_match", _("Choose how the unit is matched."))
    for name in ("period_field", "value_field"):
        if not getattr(connector, name):
            err(name, _("This field is required."))
    if connector.format == Format.CSV and connector.records_path:
        err("records_path", _("A CSV answer is the list of records itself; leave this empty."))
    if connector.format == Format.CSV and connector.next_page_path:
        err("next_page_path", _("Pages are followed in JSON answers only; leave this empty."))
    if connector.schedule == Schedule.DAILY and connector.daily_at is None:
        err("daily_at", _("Give the time of the daily pull."))
    if connector.auth_kind == AuthKind.BEARER and not connector.token:
        err("token", _("Give the token."))
    if connector.auth_kind == AuthKind.BASIC and not connector.username:
        err("username", _("Give the user name."))
    if not 1 <= (connector.alert_after or 0) <= 100:
        err("alert_after", _("Between 1 and 100 consecutive failures."))
    if errors:
        raise ValidationError(errors)


def _apply(connector: Connector, values: dict[str, Any], token: str | None, password: str | None) -> None:
    for name in CONFIG_FIELDS:
        if name in values:
            setattr(connector, name, values[name])
    for name in ("records_path", "next_page_path", "indicator_code", "indicator_field", "unit_code", "unit_field"):
        setattr(connector, name, (getattr(connector, name) or "").strip())
    # None keeps the stored secret, "" clears it, anything else replaces it.
    if token is not None:
        connector.token = token
    if password is not None:
        connector.password = password
    if connector.auth_kind != AuthKind.BEARER:
        connector.token = ""
    if connector.auth_kind != AuthKind.BASIC:
        connector.username, connector.password = "", ""
    if connector.schedule != Schedule.DAILY:
        connector.daily_at = None


def _check_admin(actor: Any, unit: OrgUnit | None) -> None:
    if actor is not None and (unit is None or not access.can(actor, Action.ADMIN, unit)):
        raise PermissionDenied(_("You may not manage connectors of this unit."))


def _audit_view(connector: Connector) -> dict[str, Any]:
    """What the audit log keeps of a connector: its settings and whether a secret is set, never the secret."""
    out: dict[str, Any] = {}
    for name in CONFIG_FIELDS:
        value = getattr(connector, "owner_id" if name == "owner" else name)
        out[name] = value.isoformat() if isinstance(value, dt.time) else value
    out["token_set"] = bool(connector.token)
    out["password_set"] = bool(connector.password)
    return out


def connector_create(
    *, actor: Any, values: dict[str, Any], token: str | None = None, password: str | None = None
) -> Connector:
    _check_admin(actor, values.get("owner"))
    connector = Connector()
    _apply(connector, values, token, password)
    _validate(connector)
    with transaction.atomic():
        connector.save()
        audit_record(
            actor=actor,
            action="connector.create",
            obj=connector,
            org_unit=connector.owner,
            changes=_audit_view(connector),
        )
    return connector


def connector_update(
    *,
    actor: Any,
    connector: Connector,
    values: dict[str, Any],
    token: str | None = None,
    password: str | None = None,
) -> Connector:
    """Change settings; ``token``/``password``: None keeps the stored secret, "" clears it, text replaces it."""
    _check_admin(actor, connector.owner)
    if "owner" in values:
        _check_admin(actor, values["owner"])
    with transaction.atomic():
        locked = Connector.objects.select_for_update().get(pk=connector.pk)
        before = _audit_view(locked)
        _apply(locked, values, token, password)
        _validate(locked)
        locked.save()
        after = _audit_view(locked)
        changes: dict[str, Any] = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
        if token:
            changes["token_replaced"] = True
        if password:
            changes["password_replaced"] = True
        audit_record(actor=actor, action="connector.update", obj=locked, org_unit=locked.owner, changes=changes)
    return locked


# ---------------------------------------------------------------------------------------- fetch
def _credentials(connector: Connector) -> Credentials:
    return Credentials(
        kind=connector.auth_kind, token=connector.token, username=connector.username, password=connector.password
    )


def _fetch_records(connector: Connector) -> list[dict[str, Any]]:
    """Every record of the answer; a paginated JSON answer is followed page by page on the same host."""
    accept = "text/csv, */*;q=0.5" if connector.format == Format.CSV else "application/json, */*;q=0.5"
    next_path = connector.next_page_path if connector.format == Format.JSON else ""
    url, size = connector.url, 0
    seen: set[str] = set()
    records: list[dict[str, Any]] = []
    while True:
        if len(seen) >= MAX_PAGES:
            raise PayloadError(_("The answer has more than %(n)d pages.") % {"n": MAX_PAGES})
        seen.add(url)
        response = fetch(url, _credentials(connector), accept=accept)
        size += len(response.body)
        if size > settings.BALAI_CONNECTOR_MAX_BYTES:
            raise FetchError(
                _("The answer is larger than %(limit)s bytes.") % {"limit": settings.BALAI_CONNECTOR_MAX_BYTES}
            )
        page, link = page_from(
            response.body,
            response.content_type,
            fmt=connector.format,
            records_path=connector.records_path,
            next_path=next_path,
        )
        records.extend(page)
        if not link or not page:
            return records
        following = urljoin(response.url, link)
        if urlsplit(following)[:2] != urlsplit(connector.url)[:2]:
            raise FetchError(
                _("The next page is on another host (%(host)s); connectors do not follow it.")
                % {"host": urlsplit(following).hostname}
            )
        if following in seen:
            raise PayloadError(_("The next-page link points back to a page already read."))
        url = following


def _missing_message(gone: list[str], records: list[dict[str, Any]]) -> str:
    found = sorted({k for r in records[:50] for k in r})
    return ngettext(
        "The field %(fields)s is not in the data any more (was it renamed?). Fields found: %(found)s.",
        "The fields %(fields)s are not in the data any more (were they renamed?). Fields found: %(found)s.",
        len(gone),
    ) % {"fields": ", ".join(gone), "found": ", ".join(found)[:500] or "-"}


@dataclass
class Preview:
    records: int = 0
    rows: list[Mapped] = field(default_factory=list)
    error: str = ""
    fields: list[str] = field(default_factory=list)

    @property
    def problem_rows(self) -> int:
        return sum(1 for m in self.rows if m.problems)


def connector_preview(*, actor: Any, connector: Connector) -> Preview:
    """Fetch now and map the first records, writing nothing: what the next pull would import."""
    _check_admin(actor, connector.owner)
    preview = Preview()
    try:
        records = _fetch_records(connector)
    except (FetchError, PayloadError) as exc:
        preview.error = str(exc)
        return preview
    preview.records = len(records)
    preview.fields = sorted({k for r in records[:PREVIEW_RECORDS] for k in r})
    gone = missing_everywhere(connector, records)
    if gone:
        preview.error = _missing_message(gone, records)
    preview.rows = map_records(connector, records[:PREVIEW_RECORDS])
    return preview


# ------------------------------------------------------------------------------------------ pull
class _Refused(Exception):
    def __init__(self, summary: ImportSummary) -> None:
        super().__init__("import refused rows")
        self.summary = summary


@dataclass
class _Outcome:
    ok: bool
    rows: int = 0
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _records_problems(mapped: list[Mapped]) -> _Outcome:
    bad = [m for m in mapped if m.problems]
    first = "; ".join(_("record %(n)d: %(p)s") % {"n": m.number, "p": ", ".join(m.problems)} for m in bad[:3])
    error = ngettext(
        "%(bad)d of %(total)d records cannot be imported, so nothing was written. %(first)s.",
        "%(bad)d of %(total)d records cannot be imported, so nothing was written. %(first)s.",
        len(bad),
    ) % {"bad": len(bad), "total": len(mapped), "first": first}
    problems = [{"record": m.number, "problems": m.problems} for m in bad[:PROBLEMS_KEPT]]
    return _Outcome(ok=False, rows=len(mapped), error=error, summary={"problems": problems, "bad_records": len(bad)})


def _pull(connector: Connector) -> _Outcome:
    try:
        records = _fetch_records(connector)
    except (FetchError, PayloadError) as exc:
        return _Outcome(ok=False, error=str(exc))
    gone = missing_everywhere(connector, records)
    if gone:
        return _Outcome(ok=False, rows=len(records), error=_missing_message(gone, records))
    rows = import_rows(connector, records)
    if rows is None:
        mapped = map_records(connector, records)
        if any(m.problems for m in mapped):
            return _records_problems(mapped)
        rows = [m.as_row() for m in mapped]  # the fast path declined what the general one accepts
    try:
        with transaction.atomic():
            summary = facts_import(actor=None, rows=rows, channel="connector", filename=connector.name)
            if summary.conflicts:
                raise _Refused(summary)  # rolls the whole import back: no partial pull
    except _Refused as refused:
        conflicts = refused.summary.conflicts
        error = ngettext(
            "The import refused %(n)d row, so nothing was written: %(first)s",
            "The import refused %(n)d rows, so nothing was written: %(first)s",
            len(conflicts),
        ) % {"n": len(conflicts), "first": _conflict_text(conflicts)}
        data = refused.summary.as_dict()
        data["conflicts"] = data["conflicts"][:PROBLEMS_KEPT]
        data["importJob"] = None  # rolled back with the import
        return _Outcome(ok=False, rows=len(rows), error=error, summary=data)
    counts = {"imported": summary.imported, "updated": summary.updated, "ignored": summary.ignored}
    return _Outcome(ok=True, rows=len(rows), summary=summary.as_dict(), counts=counts)


def _conflict_text(conflicts: list[Any]) -> str:
    return "; ".join(f"{c.object}: {c.value}" for c in conflicts[:3])


def alert_decision(*, ok: bool, failures: int, alert_after: int, alert_raised: bool) -> str | None:
    """After a pull: "raise" when the failures just reached the threshold, "clear" when a raised alert recovers.

    ``failures`` is the count of consecutive failures including this pull. An alert is raised once per
    streak, however long the streak grows, and cleared by the first success.
    """
    if ok:
        return "clear" if alert_raised else None
    if failures >= alert_after and not alert_raised:
        return "raise"
    return None


def _lease() -> dt.timedelta:
    # Long enough for the fetch (bounded by the timeout) and a large import; a crashed worker frees it after.
    return dt.timedelta(seconds=2 * int(settings.BALAI_CONNECTOR_TIMEOUT_SECONDS) + 600)


def connector_pull(
    *,
    connector_id: int,
    actor: Any = None,
    trigger: str = Trigger.MANUAL,
    slot: dt.datetime | None = None,
) -> ConnectorRun | None:
    """Pull once; None when another pull holds the connector (or, for a scheduled slot, it already ran).

    ``actor`` is the person who pressed "Pull now" (None for the scheduler); the import itself runs as the
    system, as the connector was registered by an administrator.
    """
    now = timezone.now()
    if actor is not None:
        connector = Connector.objects.select_related("owner").get(pk=connector_id)
        if not access.can(actor, Action.IMPORT, connector.owner):
            raise PermissionDenied(_("You may not pull this connector."))
    claim = Connector.objects.filter(pk=connector_id).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    if trigger == Trigger.SCHEDULE:
        claim = claim.filter(is_active=True)
        if slot is not None:
            claim = claim.filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=slot))
    if not claim.update(lease_until=now + _lease(), last_attempt_at=now):
        return None
    connector = Connector.objects.select_related("owner").get(pk=connector_id)
    run = ConnectorRun.objects.create(
        connector=connector,
        trigger=trigger,
        triggered_by=actor if getattr(actor, "pk", None) else None,
        started_at=now,
    )
    try:
        # Stored messages are in the Pemda's language (Indonesian first), whoever or whatever started the pull.
        with translation.override(settings.LANGUAGE_CODE):
            outcome = _pull(connector)
    except Exception as exc:  # a bug or a database error must still end the run and free the lease
        logger.exception("connector %s: pull crashed", connector.pk)
        with translation.override(settings.LANGUAGE_CODE):
            outcome = _Outcome(ok=False, error=_("Internal error during the pull: %(e)s") % {"e": exc})
    decision = _finish(connector_id=connector.pk, run=run, outcome=outcome, actor=actor)
    connector.refresh_from_db()
    try:
        if decision == "raise":
            _failure_alert(connector, run)
        elif decision == "clear":
            _recovery_alert(connector)
    except Exception:  # an alert that cannot be raised must not undo the record of the pull
        logger.exception("connector %s: alert %s failed", connector.pk, decision)
    return run


def _finish(*, connector_id: int, run: ConnectorRun, outcome: _Outcome, actor: Any) -> str | None:
    finished = timezone.now()
    with transaction.atomic():
        connector = Connector.objects.select_for_update().get(pk=connector_id)
        run.finished_at = finished
        run.status = RunStatus.SUCCESS if outcome.ok else RunStatus.FAILED
        run.rows = outcome.rows
        run.imported = outcome.counts.get("imported", 0)
        run.updated = outcome.counts.get("updated", 0)
        run.ignored = outcome.counts.get("ignored", 0)
        run.error = outcome.error
        run.summary = outcome.summary
        run.save()
        failures = 0 if outcome.ok else connector.consecutive_failures + 1
        decision = alert_decision(
            ok=outcome.ok, failures=failures, alert_after=connector.alert_after, alert_raised=connector.alert_raised
        )
        connector.consecutive_failures = failures
        if outcome.ok:
            connector.last_success_at = finished
            connector.last_rows = outcome.rows
        else:
            connector.last_error_at = finished
            connector.last_error = outcome.error
        if decision == "raise":
            connector.alert_raised = True
        elif decision == "clear":
            connector.alert_raised = False
        connector.lease_until = None
        connector.save(
            update_fields=[
                "consecutive_failures",
                "last_success_at",
                "last_rows",
                "last_error_at",
                "last_error",
                "alert_raised",
                "lease_until",
            ]
        )
        audit_record(
            actor=actor if actor is not None else f"connector:{connector.pk}",
            action="connector.pull" if outcome.ok else "connector.pull_failed",
            obj=connector,
            org_unit=connector.owner,
            changes={
                "run": run.pk,
                "trigger": run.trigger,
                "rows": outcome.rows,
                **outcome.counts,
                "error": outcome.error[:500],
                "consecutive_failures": failures,
            },
        )
    return decision


def _failure_alert(connector: Connector, run: ConnectorRun) -> None:
    """N consecutive failures reached: raise the connector's alert for the people of its owning unit."""
    with translation.override(settings.LANGUAGE_CODE):
        title = ngettext(
            "Connector %(name)s failed %(n)d time in a row",
            "Connector %(name)s failed %(n)d times in a row",
            connector.consecutive_failures,
        ) % {"name": connector.name, "n": connector.consecutive_failures}
    alert_raise(
        key=alert_key(connector),
        unit=connector.owner,
        title=title,
        detail=run.error,
        link=reverse("connectors:detail", args=[connector.pk]),
        severity=ALERT_SEVERITY,
    )


def _recovery_alert(connector: Connector) -> None:
    """The first success after an alert: clear it."""
    with translation.override(settings.LANGUAGE_CODE):
        note = _("The pull succeeded again (%(rows)s rows).") % {"rows": connector.last_rows}
    alert_clear(key=alert_key(connector), note=note)


def alert_key(connector: Connector) -> str:
    return f"connector:{connector.pk}"


# ------------------------------------------------------------------------------------- schedule
def due_slot(connector: Connector, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The schedule slot the connector is due for at ``now`` (not pulled since it began), else None."""
    if not connector.is_active or connector.schedule == Schedule.MANUAL:
        return None
    local = now.astimezone(zone)
    if connector.schedule == Schedule.HOURLY:
        slot = local.replace(minute=0, second=0, microsecond=0)
    else:
        if connector.daily_at is None:
            return None
        slot = dt.datetime.combine(local.date(), connector.daily_at, tzinfo=zone)
        if slot > local:
            slot -= dt.timedelta(days=1)
    if connector.last_attempt_at is not None and connector.last_attempt_at >= slot:
        return None
    return slot


def connectors_due(*, now: dt.datetime | None = None) -> list[tuple[int, dt.datetime]]:
    """(connector id, slot) of every connector whose scheduled pull is due."""
    from balai.org.selectors import pemda_zone

    now = now or timezone.now()
    zone = pemda_zone()
    out = []
    for connector in Connector.objects.filter(is_active=True).exclude(schedule=Schedule.MANUAL):
        slot = due_slot(connector, now, zone)
        if slot is not None:
            out.append((connector.pk, slot))
    return out


def mapping_summary(connector: Connector) -> list[tuple[str, str]]:
    """(what, from where) lines describing the mapping, for the connector page."""
    out = [
        (_("Indicator"), connector.indicator_code or _("field %(f)s") % {"f": connector.indicator_field}),
        (
            _("Org unit"),
            connector.unit_code
            or _("field %(f)s (%(m)s)") % {"f": connector.unit_field, "m": connector.get_unit_match_display()},
        ),
        (
            _("Period"),
            _("field %(f)s (%(m)s)") % {"f": connector.period_field, "m": connector.get_period_format_display()},
        ),
        (_("Value"), _("field %(f)s") % {"f": connector.value_field}),
    ]
    for label, name in (
        (_("Numerator"), connector.numerator_field),
        (_("Denominator"), connector.denominator_field),
        (_("Comment"), connector.comment_field),
    ):
        if name:
            out.append((label, _("field %(f)s") % {"f": name}))
    return out

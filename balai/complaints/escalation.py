"""Overdue escalation and the daily digest of citizen reports (LAPOR! deadlines, issue 3).

Escalation: an open report past its first-response or resolution deadline is escalated once per breach
to the head of its unit and to the complaint desk (the verifiers), with an internal timeline entry and
an audit event. Each recipient gets one e-mail per run listing all their newly escalated reports.

Digest: every working morning each unit's staff get one e-mail with what changed since the previous
working day and what is late or about to be.

Both run as tasks enqueued by ``balai scheduler`` (every 15 minutes / daily at 07:00 Pemda time) and
send their e-mails after their database writes committed, so they must not be called inside a caller's
transaction that may still roll back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from balai.complaints.choices import OPEN_STATUSES, UpdateKind
from balai.complaints.models import Complaint, ComplaintUpdate
from balai.core.audit import audit_record
from balai.core.mail import send_each
from balai.org.models import OrgUnit, RoleAssignment, User
from balai.org.roles import Action, roles_with
from balai.org.selectors import pemda_root, pemda_zone
from balai.workdays.selectors import is_working_day, working_days_add

logger = logging.getLogger(__name__)

#: Longest list per digest section; the counts stay exact and the queue link shows the rest.
DIGEST_LIST_LIMIT = 20
#: Longest list in one escalation e-mail (the first run after an import of history can find many).
ESCALATION_LIST_LIMIT = 50
#: When a digest given only a date looks at the reports (the scheduler enqueues it at this time).
DIGEST_AT = dt.time(7, 0)
# A holiday stretch longer than this (Lebaran plus cuti bersama is about ten days) is not expected.
_MAX_LOOKBACK_DAYS = 31


# ------------------------------------------------------------------------------------- escalation
@dataclass(frozen=True)
class Breach:
    """One kind of missed deadline and the field that records its escalation."""

    kind: str
    due_field: str
    stamp_field: str

    def overdue_q(self, now: dt.datetime) -> Q:
        q = Q(status__in=list(OPEN_STATUSES), **{f"{self.due_field}__lt": now, f"{self.stamp_field}__isnull": True})
        if self.kind == FIRST_RESPONSE.kind:
            # Any status change away from "received" or a public answer sets first_response_at (services).
            q &= Q(first_response_at__isnull=True)
        return q

    @property
    def label(self) -> str:
        return _("First response overdue") if self.kind == "first_response" else _("Resolution overdue")


FIRST_RESPONSE = Breach("first_response", "first_response_due", "first_response_escalated_at")
RESOLUTION = Breach("resolution", "resolution_due", "resolution_escalated_at")
BREACHES = (FIRST_RESPONSE, RESOLUTION)


@dataclass(frozen=True)
class Escalated:
    complaint: Complaint
    breach: Breach
    due: dt.datetime
    head_unit: OrgUnit | None

    @property
    def link(self) -> str:
        return staff_link(self.complaint)


def staff_link(complaint: Complaint) -> str:
    """Absolute when BALAI_PUBLIC_URL is set (it should be, or mail clients get a bare path)."""
    return settings.BALAI_PUBLIC_URL + reverse("complaints_staff:detail", args=[complaint.tracking_code])


def _active_staff(assignments: Any) -> Any:
    return assignments.filter(org_unit__is_active=True, user__is_active=True, user__is_integration=False)


def desk_users() -> list[User]:
    """The complaint desk (the verifiers): people with an edit role on the Pemda root, as services.is_desk."""
    rows = _active_staff(
        RoleAssignment.objects.filter(role__in=roles_with(Action.EDIT), org_unit__parent__isnull=True)
    ).select_related("user")
    return _by_name(r.user for r in rows)


def unit_heads(unit: OrgUnit | None) -> tuple[OrgUnit | None, list[User]]:
    """The head(s) of the report's unit: people with an approving role (agency head, camat) on it.

    A unit without one (a kelurahan has no head role; a UPTD's head may not use Balai) escalates to the
    nearest unit above it that has one, but never to the Pemda root: the people there are the desk.
    """
    if unit is None:
        return None, []
    paths = unit.ancestor_paths[1:]
    rows = _active_staff(
        RoleAssignment.objects.filter(role__in=roles_with(Action.APPROVE), org_unit__path__in=paths)
    ).select_related("user", "org_unit")
    by_path: dict[str, tuple[OrgUnit, list[User]]] = {}
    for r in rows:
        by_path.setdefault(r.org_unit.path, (r.org_unit, []))[1].append(r.user)
    for path in reversed(paths):
        if path in by_path:
            head_unit, users = by_path[path]
            return head_unit, _by_name(users)
    return None, []


def _unique_users(users: Iterable[User]) -> list[User]:
    """Each person once, in the order given."""
    seen: dict[int, User] = {}
    for u in users:
        seen.setdefault(u.pk, u)
    return list(seen.values())


def _by_name(users: Iterable[User]) -> list[User]:
    return sorted(_unique_users(users), key=lambda u: (u.display_name.lower(), u.pk))


def _claim(complaint_id: int, breach: Breach, now: dt.datetime) -> bool:
    """Stamp the breach as escalated if it still is an unescalated breach: True for exactly one worker.

    A conditional UPDATE, so two workers (or a staff action resolving the report meanwhile) never both
    win: the database re-checks the condition on the locked row.
    """
    claimed = Complaint.objects.filter(Q(pk=complaint_id) & breach.overdue_q(now)).update(**{breach.stamp_field: now})
    return claimed == 1


def _format_dt(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value, pemda_zone()), "j F Y H:i")


def _escalate_one(
    complaint: Complaint, breach: Breach, now: dt.datetime, head_unit: OrgUnit | None, notified: Sequence[User]
) -> bool:
    due: dt.datetime = getattr(complaint, breach.due_field)
    if head_unit is not None:
        to = _("the head of %(unit)s and the complaint desk") % {"unit": head_unit.name}
    else:
        to = _("the complaint desk")
    if breach is FIRST_RESPONSE:
        text = _("No first response by the deadline (%(due)s). Escalated to %(to)s.")
    else:
        text = _("Not resolved by the deadline (%(due)s). Escalated to %(to)s.")
    with transaction.atomic():
        if not _claim(complaint.pk, breach, now):
            return False
        ComplaintUpdate.objects.create(
            complaint=complaint,
            kind=UpdateKind.ESCALATION,
            text=text % {"due": _format_dt(due), "to": to},
            is_public=False,
        )
        audit_record(
            actor=None,
            action="complaint.escalation",
            obj=complaint,
            org_unit=complaint.unit or complaint.territory,
            changes={
                "breach": breach.kind,
                "due": due.isoformat(),
                "head_unit": head_unit.code if head_unit else None,
                "notified": [u.username for u in notified],
            },
        )
    return True


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Escalate every open report whose deadline passed and that was not escalated for that breach yet.

    Returns how many breaches were escalated. Each person notified gets one e-mail listing all of theirs.
    """
    now = now or timezone.now()
    escalated = 0
    inbox: dict[int, tuple[User, list[Escalated]]] = {}
    heads_of: dict[int | None, tuple[OrgUnit | None, list[User]]] = {}
    with translation.override(settings.LANGUAGE_CODE), timezone.override(pemda_zone()):
        desk = desk_users()
        for breach in BREACHES:
            candidates = (
                Complaint.objects.filter(breach.overdue_q(now))
                .select_related("category", "unit", "territory")
                .order_by(breach.due_field, "pk")
            )
            for complaint in candidates:
                if complaint.unit_id not in heads_of:
                    heads_of[complaint.unit_id] = unit_heads(complaint.unit)
                head_unit, heads = heads_of[complaint.unit_id]
                recipients = _unique_users([*heads, *desk])
                if not recipients:
                    logger.warning("complaints: %s is overdue and nobody is on the desk to tell", complaint)
                if not _escalate_one(complaint, breach, now, head_unit, recipients):
                    continue  # another worker, or a staff action, was first
                escalated += 1
                entry = Escalated(complaint, breach, getattr(complaint, breach.due_field), head_unit)
                for user in recipients:
                    inbox.setdefault(user.pk, (user, []))[1].append(entry)
        _send_escalation_mails(inbox)
    return escalated


def _message(to: User, subject: str, template: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    context = {**context, "recipient": to, "language": translation.get_language() or settings.LANGUAGE_CODE}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"complaints/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.email],
    )
    message.attach_alternative(render_to_string(f"complaints/email/{template}.html", context), "text/html")
    return message


def _with_email(users: Iterable[User], what: str) -> list[User]:
    kept = []
    for user in users:
        if user.email:
            kept.append(user)
        else:
            logger.info("complaints: %s has no e-mail address; %s not sent", user.username, what)
    return kept


def _send_escalation_mails(inbox: dict[int, tuple[User, list[Escalated]]]) -> int:
    messages: list[EmailMultiAlternatives] = []
    for user in _with_email((u for u, _entries in inbox.values()), "escalation"):
        entries = inbox[user.pk][1]
        subject = ngettext(
            "[Balai] %(n)d citizen report is overdue", "[Balai] %(n)d citizen reports are overdue", len(entries)
        ) % {"n": len(entries)}
        context = {
            "entries": entries[:ESCALATION_LIST_LIMIT],
            "total": len(entries),
            "more": max(0, len(entries) - ESCALATION_LIST_LIMIT),
            "overdue_link": settings.BALAI_PUBLIC_URL + reverse("complaints_staff:queue") + "?tab=all&overdue=on",
        }
        messages.append(_message(user, subject, "escalation", context))
    return send_each(messages, label="complaints")


# ----------------------------------------------------------------------------------------- digest
@dataclass(frozen=True)
class Row:
    complaint: Complaint
    link: str


@dataclass
class Section:
    key: str
    title: str
    items: list[Complaint] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def shown(self) -> list[Row]:
        return [Row(c, staff_link(c)) for c in self.items[:DIGEST_LIST_LIMIT]]

    @property
    def more(self) -> int:
        return max(0, self.total - DIGEST_LIST_LIMIT)


@dataclass
class UnitDigest:
    unit: OrgUnit
    is_desk: bool
    overdue: Section
    due_soon: Section
    new: Section
    resolved: Section

    @property
    def name(self) -> str:
        """How the unit is named in the subject: short, and the desk by its role rather than the Pemda's name."""
        return _("the complaint desk") if self.is_desk else (self.unit.short_name or self.unit.name)

    @property
    def heading(self) -> str:
        if self.is_desk:
            return _("Citizen reports at the complaint desk")
        return _("Citizen reports of %(unit)s") % {"unit": self.unit.name}

    @property
    def sections(self) -> list[Section]:
        return [self.overdue, self.due_soon, self.new, self.resolved]

    @property
    def is_empty(self) -> bool:
        return not any(s.total for s in self.sections)


def previous_working_day(pemda: OrgUnit, day: dt.date) -> dt.date:
    for back in range(1, _MAX_LOOKBACK_DAYS + 1):
        candidate = day - dt.timedelta(days=back)
        if is_working_day(pemda, candidate):
            return candidate
    return day - dt.timedelta(days=1)


def daily_digest(today: dt.date | None = None) -> int:
    """E-mail each unit's staff what happened since the previous working day; returns the e-mails sent.

    Runs on working days only (the Monday digest covers the weekend). "Today" and the windows are in the
    Pemda's time zone; given only a date, it looks at the reports as they are at 07:00 that day.
    """
    zone = pemda_zone()
    now = timezone.now() if today is None else dt.datetime.combine(today, DIGEST_AT, tzinfo=zone)
    today = today or now.astimezone(zone).date()
    root = pemda_root()
    if root is None or not is_working_day(root, today):
        return 0
    since = previous_working_day(root, today)
    start = dt.datetime.combine(since, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(today, dt.time(0), tzinfo=zone)
    with translation.override(settings.LANGUAGE_CODE), timezone.override(zone):
        digests = unit_digests(root, start=start, end=end, now=now)
        return _send_digests(digests, since=since, today=today)


def unit_digests(root: OrgUnit, *, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[UnitDigest]:
    """Per unit: new since ``start``, open overdue, due by the end of the next working day, resolved.

    Reports not disposed yet belong to the complaint desk (the Pemda root), which also gets every new report.
    """
    soon = working_days_add(root, now, 1)
    digests: dict[int, UnitDigest] = {}

    def bucket(complaint: Complaint, unit: OrgUnit | None = None) -> UnitDigest:
        unit = unit or complaint.unit or root
        if unit.pk not in digests:
            digests[unit.pk] = UnitDigest(
                unit=unit,
                is_desk=unit.pk == root.pk,
                overdue=Section("overdue", _("Overdue")),
                due_soon=Section("due_soon", _("Due by the end of the next working day")),
                new=Section("new", _("New")),
                resolved=Section("resolved", _("Resolved")),
            )
        return digests[unit.pk]

    base = Complaint.objects.select_related("category", "unit", "territory")
    in_pemda = Q(unit__path__startswith=root.path) | Q(unit__isnull=True)
    open_ = base.filter(in_pemda, status__in=list(OPEN_STATUSES))
    # The same rule as the queue's "overdue" filter, so the numbers match what staff see there.
    for c in open_.filter(resolution_due__lt=now).order_by("resolution_due", "pk"):
        bucket(c).overdue.items.append(c)
    for c in open_.filter(resolution_due__gte=now, resolution_due__lte=soon).order_by("resolution_due", "pk"):
        bucket(c).due_soon.items.append(c)
    for c in base.filter(received_at__gte=start, received_at__lt=end).order_by("received_at", "pk"):
        bucket(c, root).new.items.append(c)
    # New to a unit is what was disposed to it in the window (and is still with it), whenever received.
    disposed = ComplaintUpdate.objects.filter(
        kind=UpdateKind.DISPOSITION, created_at__gte=start, created_at__lt=end, unit_id=F("complaint__unit_id")
    ).values("complaint_id")
    for c in base.filter(pk__in=disposed, unit__path__startswith=root.path).exclude(unit=root).order_by("pk"):
        bucket(c).new.items.append(c)
    for c in base.filter(in_pemda, resolved_at__gte=start, resolved_at__lt=end).order_by("resolved_at", "pk"):
        bucket(c).resolved.items.append(c)
    return [d for d in sorted(digests.values(), key=lambda d: d.unit.path) if not d.is_empty]


def _unit_staff(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active staff with a working (edit) role on exactly that unit: its operators and its head."""
    rows = _active_staff(
        RoleAssignment.objects.filter(role__in=roles_with(Action.EDIT), org_unit_id__in=list(unit_ids))
    ).select_related("user")
    grouped: dict[int, list[User]] = {}
    for r in rows:
        grouped.setdefault(r.org_unit_id, []).append(r.user)
    return {unit_id: _by_name(users) for unit_id, users in grouped.items()}


def _send_digests(digests: list[UnitDigest], *, since: dt.date, today: dt.date) -> int:
    staff = _unit_staff(d.unit.pk for d in digests)
    queue = settings.BALAI_PUBLIC_URL + reverse("complaints_staff:queue")
    messages: list[EmailMultiAlternatives] = []
    for digest in digests:
        recipients = _with_email(staff.get(digest.unit.pk, []), f"digest of {digest.unit.code}")
        if not recipients:
            continue
        subject = _("[Balai] Daily digest of %(unit)s, %(date)s: %(overdue)d overdue, %(new)d new") % {
            "unit": digest.name,
            "date": formats.date_format(today, "j F Y"),
            "overdue": digest.overdue.total,
            "new": digest.new.total,
        }
        tab = "incoming" if digest.is_desk else "unit"
        context = {
            "digest": digest,
            "since": since,
            "today": today,
            "queue_link": f"{queue}?tab={tab}",
            "overdue_link": f"{queue}?tab={'all' if digest.is_desk else 'unit'}&overdue=on",
        }
        messages.extend(_message(user, subject, "digest", context) for user in recipients)
    return send_each(messages, label="complaints")

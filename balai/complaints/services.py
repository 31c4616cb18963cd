"""The write path of citizen reports: intake from every channel and the LAPOR! workflow of the staff.

Every staff action takes the ``version`` the person saw: when two people act on one report at once, the
second gets :class:`StaleReport` with the current state instead of silently overwriting the first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.complaints.choices import OPEN_STATUSES, TRANSITIONS, Channel, Classification, Status, UpdateKind
from balai.complaints.models import TERRITORY_KINDS, Category, Complaint, ComplaintUpdate, Follower, RoutingRule
from balai.core.audit import audit_event_new, audit_record
from balai.core.inserts import Child, Family, Link, insert_family
from balai.core.scoping import PATH_SEGMENT
from balai.org import access
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.workdays.selectors import pemda_of, working_days_add, working_days_add_each

MAX_DESCRIPTION = 4000
REOPEN_WINDOW_DAYS = 14
# Unambiguous on a phone screen and when read aloud: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


class StaleReport(ValidationError):
    """The report changed since the person loaded it."""

    def __init__(self, complaint: Complaint) -> None:
        self.current = complaint
        super().__init__(
            _("Someone else has just changed this report (now: %(status)s). Check the current state and try again.")
            % {"status": complaint.get_status_display()},
            code="stale",
        )


def tracking_code_new(received_at: dt.datetime) -> str:
    return f"AD{received_at:%y}-" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))


# ------------------------------------------------------------------------------------------ intake
def _territory(territory: OrgUnit | None) -> OrgUnit | None:
    if territory is not None and territory.kind not in TERRITORY_KINDS:
        raise ValidationError({"territory": _("Choose a kelurahan or desa.")})
    return territory


def suggested_unit(*, category: Category, territory: OrgUnit | None) -> OrgUnit | None:
    """The routing rule for the category in the report's kelurahan (or an ancestor), else the category default."""
    if territory is not None:
        rules = {
            r.territory.path: r.unit
            for r in RoutingRule.objects.filter(category=category).select_related("territory", "unit")
        }
        for path in reversed(territory.ancestor_paths):
            if path in rules:
                return rules[path]
    return category.default_unit


def _deadlines(pemda: OrgUnit, category: Category, received_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    first, resolution = working_days_add_each(
        pemda, received_at, [category.first_response_days, category.resolution_days]
    )
    return first, resolution


def complaint_submit(
    *,
    channel: str,
    category: Category,
    description: str,
    pemda: OrgUnit,
    territory: OrgUnit | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_ref: str = "",
    is_anonymous: bool = False,
    is_confidential: bool = False,
    attributes: dict[str, Any] | None = None,
    received_at: dt.datetime | None = None,
    actor: Any = None,
) -> Complaint:
    """File a new report from any channel; the caller has already validated and stored nothing else."""
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Describe the problem.")]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [
            _("The description is %(n)d characters long; at most %(max)d are allowed.")
            % {"n": len(description), "max": MAX_DESCRIPTION}
        ]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel %(c)s.") % {"c": channel}]
    if not category.is_active:
        errors["category"] = [_("This category is no longer in use.")]
    if (latitude is None) != (longitude is None):
        errors["location"] = [_("Give both latitude and longitude.")]
    elif latitude is not None and longitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["location"] = [_("This is not a location on Earth.")]
    if territory is not None and not territory.path.startswith(pemda.path):
        errors["territory"] = [_("This place is outside the area of %(pemda)s.") % {"pemda": pemda.name}]
    if errors:
        raise ValidationError(errors)
    territory = _territory(territory)
    if latitude is not None and longitude is not None:
        # Every channel passes here, and a report without a kelurahan reached nobody but the complaint desk:
        # an Open311 app or a chat's shared location gets the nearest kelurahan, as the web form does.
        from balai.complaints.geo import territory_at

        territory = territory or territory_at(pemda, latitude, longitude)
    received_at = received_at or timezone.now()
    first_due, resolution_due = _deadlines(pemda, category, received_at)
    fields: dict[str, Any] = {
        "channel": channel,
        "category": category,
        "classification": category.classification,
        "description": description,
        "territory": territory,
        "latitude": latitude,
        "longitude": longitude,
        "address": address.strip()[:255],
        "reporter_name": reporter_name.strip()[:120],
        "reporter_phone": reporter_phone.strip()[:20],
        "reporter_email": reporter_email.strip(),
        "reporter_ref": reporter_ref[:64],
        "is_anonymous": is_anonymous,
        "is_confidential": is_confidential,
        "attributes": attributes or {},
        "received_at": received_at,
        "first_response_due": first_due,
        "resolution_due": resolution_due,
    }
    # The report, its first timeline entry, followers, audit event and dirty marks are one INSERT statement
    # on PostgreSQL (balai.core.inserts): outside a caller's transaction (Open311, a web report without
    # photos) that statement is its own transaction. A tracking code collision leaves nothing written, and a
    # new code is drawn; inside a caller's transaction (the web form's, with its photos) a savepoint around
    # the insert keeps the caller's work.
    from balai.indicators.services import drain_wake_on_commit

    in_callers = transaction.get_connection().in_atomic_block
    for _attempt in range(5):
        family = _family(fields, channel, category, territory, reporter_ref, reporter_email, reporter_phone, actor)
        complaint = cast(Complaint, family.parent)
        try:
            with transaction.atomic() if in_callers else contextlib.nullcontext():
                insert_family(family)
        except IntegrityError:
            if not Complaint.objects.filter(tracking_code=complaint.tracking_code).exists():
                raise
            continue  # the drawn code was taken: draw again
        drain_wake_on_commit()
        return complaint
    raise RuntimeError("could not allocate a tracking code")  # pragma: no cover - 25^6 codes a year


def _family(
    fields: dict[str, Any],
    channel: str,
    category: Category,
    territory: OrgUnit | None,
    reporter_ref: str,
    reporter_email: str,
    reporter_phone: str,
    actor: Any,
) -> Family:
    """The new report with its first timeline entry, followers, audit event and indicator dirty marks."""
    from balai.complaints.indicators import mark_dirty_sql

    complaint = Complaint(tracking_code=tracking_code_new(fields["received_at"]), **fields)
    family = Family(complaint)
    report: dict[str, Link] = {"complaint_id": "key"}
    first = ComplaintUpdate(
        kind=UpdateKind.STATUS, status_to=Status.RECEIVED, is_public=True, text=_("Report received.")
    )
    family.children.append(Child(first, report))
    followers = {
        (follower_channel, address_)
        for follower_channel, address_ in (
            (channel, reporter_ref),
            (Channel.WEB, reporter_email),
            (Channel.WHATSAPP if channel == Channel.WHATSAPP else Channel.WEB, reporter_phone),
        )
        if address_
    }
    for follower_channel, address_ in sorted(followers):
        family.children.append(Child(Follower(channel=follower_channel, address=address_), report))
    event = audit_event_new(
        actor=actor,
        action="complaint.submit",
        obj=complaint,
        org_unit=territory,
        changes={"channel": channel, "category": category.code},
    )
    family.children.append(Child(event, {"object_id": "key_text"}))
    family.extra.append(mark_dirty_sql(complaint))  # the caller wakes the worker
    return family


# ----------------------------------------------------------------------------------- staff actions
def _locked(complaint: Complaint, version: int) -> Complaint:
    current = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("territory", "unit", "category")
        .get(pk=complaint.pk)
    )
    if current.version != version:
        raise StaleReport(current)
    return current


def is_desk(user: Any) -> bool:
    """The complaint desk: staff whose edit role is on the Pemda root (or a superuser)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return _at_root(user, Action.EDIT)


def _at_root(actor: Any, action: str) -> bool:
    if actor is None:  # the system itself (demo loader, imports)
        return True
    return actor.is_superuser or any(len(p) == PATH_SEGMENT for p in access.scope_paths(actor, action))


def _require(actor: Any, complaint: Complaint, action: str = Action.EDIT) -> None:
    """The actor works in the responsible unit, in the report's territory, or at the complaint desk."""
    units = [u for u in (complaint.unit, complaint.territory) if u is not None]
    if _at_root(actor, action) or any(access.can(actor, action, u) for u in units):
        return
    raise PermissionDenied(_("You do not have the right to act on this report."))


def _require_desk(actor: Any, complaint: Complaint) -> None:
    """Verification and disposition are the complaint desk's: staff scoped at the Pemda root."""
    if not _at_root(actor, Action.EDIT):
        raise PermissionDenied(_("Only the complaint desk can verify and dispose reports."))


def _transition(complaint: Complaint, to: str) -> None:
    if to not in TRANSITIONS.get(complaint.status, set()):
        raise ValidationError(
            _("A report that is %(from)s cannot become %(to)s.")
            % {"from": complaint.get_status_display(), "to": Status(to).label}
        )


def _save(
    complaint: Complaint,
    actor: Any,
    *,
    kind: str,
    text: str = "",
    is_public: bool = True,
    status_from: str = "",
    unit: OrgUnit | None = None,
    changes: dict[str, Any] | None = None,
) -> ComplaintUpdate:
    complaint.version += 1
    complaint.save()
    update = ComplaintUpdate.objects.create(
        complaint=complaint,
        kind=kind,
        author=actor if getattr(actor, "pk", None) else None,
        status_from=status_from,
        status_to=complaint.status if status_from else "",
        unit=unit,
        text=text,
        is_public=is_public,
    )
    audit_record(
        actor=actor,
        action=f"complaint.{kind}",
        obj=complaint,
        org_unit=complaint.unit or complaint.territory,
        changes=changes or {},
    )
    _mark_dirty(complaint)
    if is_public:
        _notify(complaint, update)
    return update


def _restart_resolution(complaint: Complaint, now: dt.datetime) -> None:
    """Back to work after a resolution: a fresh resolution period (the old deadline has usually passed),
    and a new breach of it escalates again."""
    complaint.resolved_at = None
    where = complaint.territory or complaint.unit
    if where is not None:
        complaint.resolution_due = working_days_add(pemda_of(where), now, complaint.category.resolution_days)
    complaint.resolution_escalated_at = None


def _set_status(complaint: Complaint, to: str, now: dt.datetime) -> str:
    _transition(complaint, to)
    before = complaint.status
    complaint.status = to
    if complaint.first_response_at is None and to != Status.RECEIVED:
        complaint.first_response_at = now
    if to == Status.VERIFIED and complaint.verified_at is None:
        complaint.verified_at = now
    if to == Status.RESOLVED:
        complaint.resolved_at = now
    elif before == Status.RESOLVED and to == Status.IN_PROGRESS:
        _restart_resolution(complaint, now)  # staff found the work unfinished
    if to in (Status.CLOSED, Status.ARCHIVED, Status.NOT_AUTHORITY, Status.DUPLICATE):
        complaint.closed_at = now
    return before


def complaint_verify(
    *,
    actor: Any,
    complaint: Complaint,
    version: int,
    title: str,
    classification: str,
    category: Category,
    unit: OrgUnit,
    tags: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> Complaint:
    """LAPOR! *Verifikasi*: set title, classification, category and tags, and dispose to a unit.

    ``at`` is when it happened, for imports of history; it defaults to now.
    """
    if not title.strip():
        raise ValidationError({"title": _("Give the report a title.")})
    if classification not in Classification.values:
        raise ValidationError({"classification": _("Unknown classification.")})
    with transaction.atomic():
        complaint = _locked(complaint, version)
        _require_desk(actor, complaint)
        before = _set_status(complaint, Status.VERIFIED, at or timezone.now())
        complaint.title = title.strip()[:200]
        complaint.classification = classification
        if category.pk != complaint.category_id:
            complaint.category = category
            pemda = pemda_of(complaint.territory or unit)
            complaint.first_response_due, complaint.resolution_due = _deadlines(pemda, category, complaint.received_at)
        complaint.tags = sorted({t.strip() for t in tags if t.strip()})
        complaint.unit = unit
        _save(
            complaint,
            actor,
            kind=UpdateKind.DISPOSITION,
            status_from=before,
            unit=unit,
            text=_("Verified and forwarded to %(unit)s.") % {"unit": unit.name},
            changes={"status": [before, Status.VERIFIED], "unit": unit.code, "classification": classification},
        )
    return complaint


def _desk_close(
    *,
    actor: Any,
    complaint: Complaint,
    version: int,
    to: str,
    text: str,
    changes: dict[str, Any] | None = None,
    **fields: Any,
) -> Complaint:
    with transaction.atomic():
        complaint = _locked(complaint, version)
        _require_desk(actor, complaint)
        before = _set_status(complaint, to, timezone.now())
        for key, value in fields.items():
            setattr(complaint, key, value)
        _save(
            complaint,
            actor,
            kind=UpdateKind.STATUS,
            status_from=before,
            text=text,
            changes={"status": [before, to], **(changes or {})},
        )
    return complaint


def complaint_postpone(*, actor: Any, complaint: Complaint, version: int, reason: str) -> Complaint:
    """LAPOR! *Tunda*: wait for more information from the reporter."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is missing, so the reporter can add it.")})
    return _desk_close(actor=actor, complaint=complaint, version=version, to=Status.POSTPONED, text=reason.strip())


def complaint_not_authority(*, actor: Any, complaint: Complaint, version: int, authority: str) -> Complaint:
    """LAPOR! *Bukan Wewenang*: name the authority that handles it (PLN, BPJS, the province...)."""
    if not authority.strip():
        raise ValidationError({"authority": _("Name the authority that handles this.")})
    return _desk_close(
        actor=actor,
        complaint=complaint,
        version=version,
        to=Status.NOT_AUTHORITY,
        text=_("Not the authority of the Pemda; handled by %(who)s.") % {"who": authority.strip()},
        not_authority_of=authority.strip()[:200],
        changes={"authority": authority.strip()},
    )


def complaint_archive(*, actor: Any, complaint: Complaint, version: int, reason: str) -> Complaint:
    """LAPOR! *Arsipkan*: not actionable (spam, test, no content)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for archiving.")})
    return _desk_close(actor=actor, complaint=complaint, version=version, to=Status.ARCHIVED, text=reason.strip())


def complaint_dispose(*, actor: Any, complaint: Complaint, version: int, unit: OrgUnit, reason: str) -> Complaint:
    """Send a verified report to another unit, with the reason (the receiving unit sees it)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report goes to another unit.")})
    with transaction.atomic():
        complaint = _locked(complaint, version)
        if complaint.status not in OPEN_STATUSES or complaint.status in (Status.RECEIVED, Status.POSTPONED):
            raise ValidationError(_("Only a verified, open report can be sent to another unit."))
        _require(actor, complaint)
        before_unit = complaint.unit
        complaint.unit = unit
        complaint.assignee = None
        _save(
            complaint,
            actor,
            kind=UpdateKind.DISPOSITION,
            unit=unit,
            text=reason.strip(),
            changes={"unit": [before_unit.code if before_unit else None, unit.code]},
        )
    return complaint


def complaint_assign(*, actor: Any, complaint: Complaint, version: int, assignee: Any) -> Complaint:
    with transaction.atomic():
        complaint = _locked(complaint, version)
        _require(actor, complaint)
        if (
            assignee is not None
            and complaint.unit is not None
            and not access.can(assignee, Action.EDIT, complaint.unit)
        ):
            raise ValidationError({"assignee": _("This person does not work in the responsible unit.")})
        complaint.assignee = assignee
        _save(
            complaint,
            actor,
            kind=UpdateKind.NOTE,
            is_public=False,
            text=_("Assigned to %(who)s.") % {"who": assignee} if assignee else _("Unassigned."),
            changes={"assignee": getattr(assignee, "username", None)},
        )
    return complaint


def complaint_respond(
    *,
    actor: Any,
    complaint: Complaint,
    version: int,
    text: str,
    is_public: bool = True,
    status: str | None = None,
    at: dt.datetime | None = None,
) -> ComplaintUpdate:
    """A public response (sent to the reporter) or an internal note, optionally with a status change.

    ``at`` is when it happened, for imports of history; it defaults to now.
    """
    if not text.strip():
        raise ValidationError({"text": _("Write the response.")})
    now = at or timezone.now()
    with transaction.atomic():
        complaint = _locked(complaint, version)
        _require(actor, complaint)
        before = ""
        if status and status != complaint.status:
            before = _set_status(complaint, status, now)
        elif is_public and complaint.first_response_at is None:
            complaint.first_response_at = now
        return _save(
            complaint,
            actor,
            kind=UpdateKind.RESPONSE if is_public else UpdateKind.NOTE,
            text=text.strip(),
            is_public=is_public,
            status_from=before,
            changes={"status": [before, complaint.status]} if before else {},
        )


def complaint_merge(*, actor: Any, duplicate: Complaint, version: int, original: Complaint) -> Complaint:
    """Close ``duplicate`` as a duplicate of ``original``; its followers now follow the original."""
    if duplicate.pk == original.pk:
        raise ValidationError(_("A report cannot be a duplicate of itself."))
    with transaction.atomic():
        duplicate = _locked(duplicate, version)
        _require(actor, duplicate)
        target = Complaint.objects.select_for_update().get(pk=original.pk)
        if target.duplicate_of_id:
            target = Complaint.objects.select_for_update().get(pk=target.duplicate_of_id)
        before = _set_status(duplicate, Status.DUPLICATE, timezone.now())
        duplicate.duplicate_of = target
        for f in duplicate.followers.all():
            Follower.objects.get_or_create(complaint=target, channel=f.channel, address=f.address)
        _save(
            duplicate,
            actor,
            kind=UpdateKind.STATUS,
            status_from=before,
            text=_("Same problem as report %(code)s: follow that report.") % {"code": target.tracking_code},
            changes={"duplicate_of": target.tracking_code},
        )
    return duplicate


# --------------------------------------------------------------------------------------- citizens
def complaint_reopen(*, complaint: Complaint, reason: str) -> Complaint:
    """The reporter says the problem is back, within 14 days of the resolution."""
    if not reason.strip():
        raise ValidationError({"reason": _("Tell us what is wrong again.")})
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status != Status.RESOLVED or complaint.resolved_at is None:
            raise ValidationError(_("Only a resolved report can be reopened."))
        if timezone.now() - complaint.resolved_at > dt.timedelta(days=REOPEN_WINDOW_DAYS):
            raise ValidationError(
                _("A report can be reopened within %(n)d days of its resolution; file a new report instead.")
                % {"n": REOPEN_WINDOW_DAYS}
            )
        before = complaint.status
        complaint.status = Status.IN_PROGRESS
        complaint.reopen_count += 1
        _restart_resolution(complaint, timezone.now())
        _save(
            complaint,
            None,
            kind=UpdateKind.REOPEN,
            status_from=before,
            text=reason.strip(),
            changes={"reopen_count": complaint.reopen_count},
        )
    return complaint


def complaint_rate(*, complaint: Complaint, rating: int, comment: str = "") -> Complaint:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5.")})
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status not in (Status.RESOLVED, Status.CLOSED) or complaint.resolved_at is None:
            raise ValidationError(_("A report can be rated once it is resolved."))
        complaint.rating = rating
        _save(
            complaint,
            None,
            kind=UpdateKind.RATING,
            text=comment.strip()[:1000],
            is_public=False,
            changes={"rating": rating},
        )
    return complaint


# ----------------------------------------------------------------------------------- side effects
def _mark_dirty(complaint: Complaint) -> None:
    """The report's day changed for the complaint indicators (received, resolved...)."""
    from balai.complaints.indicators import mark_dirty

    mark_dirty(complaint)


def _notify(complaint: Complaint, update: ComplaintUpdate) -> None:
    def enqueue() -> None:
        from balai.complaints.tasks import notify_followers

        notify_followers.enqueue(update.pk)

    transaction.on_commit(enqueue)

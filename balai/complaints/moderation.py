"""Moderation of what the public sees of a report: its public text, its photos, the report itself.

Kept apart from services.py (owned by the lead) but built the same way: keyword-only, atomic, locked,
version-checked, audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from balai.complaints.choices import UpdateKind
from balai.complaints.models import Complaint, ComplaintPhoto, ComplaintUpdate
from balai.complaints.services import StaleReport, is_desk
from balai.core.audit import audit_record
from balai.org import access
from balai.org.roles import Action

MAX_PUBLIC_DESCRIPTION = 4000


def _may_moderate(actor: Any, complaint: Complaint) -> bool:
    """The complaint desk or EDIT on the responsible unit (the kelurahan does not moderate)."""
    if is_desk(actor):
        return True
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return complaint.unit is not None and access.can(actor, Action.EDIT, complaint.unit)


def complaint_moderate(
    *,
    actor: Any,
    complaint: Complaint,
    version: int,
    public_description: str | None = None,
    hide: bool | None = None,
    hide_photo_ids: Iterable[int] = (),
) -> Complaint:
    """Change what the public sees; None / empty arguments leave that part as it is."""
    photo_ids = sorted({int(pk) for pk in hide_photo_ids})
    if public_description is not None and len(public_description.strip()) > MAX_PUBLIC_DESCRIPTION:
        raise ValidationError(
            {"public_description": _("At most %(max)d characters are allowed.") % {"max": MAX_PUBLIC_DESCRIPTION}}
        )
    with transaction.atomic():
        current = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("territory", "unit", "category")
            .get(pk=complaint.pk)
        )
        if current.version != version:
            raise StaleReport(current)
        if not _may_moderate(actor, current):
            raise PermissionDenied(_("You do not have the right to moderate this report."))
        photos = list(ComplaintPhoto.objects.select_for_update().filter(complaint=current, pk__in=photo_ids))
        if len(photos) != len(photo_ids):
            raise ValidationError({"hide_photo_ids": _("One of the photos does not belong to this report.")})
        changes: dict[str, Any] = {}
        if public_description is not None and public_description.strip() != current.public_description:
            changes["public_description"] = [current.public_description, public_description.strip()]
            current.public_description = public_description.strip()
        if hide is not None and hide != current.is_hidden:
            changes["is_hidden"] = [current.is_hidden, hide]
            current.is_hidden = hide
        newly_hidden = [p.pk for p in photos if not p.is_hidden]
        if newly_hidden:
            ComplaintPhoto.objects.filter(pk__in=newly_hidden).update(is_hidden=True)
            changes["hidden_photos"] = newly_hidden
        if not changes:
            raise ValidationError(_("Nothing to change."))
        current.version += 1
        current.save()
        ComplaintUpdate.objects.create(
            complaint=current,
            kind=UpdateKind.MODERATION,
            author=actor if getattr(actor, "pk", None) else None,
            text=_("Moderated: %(what)s.") % {"what": ", ".join(sorted(changes))},
            is_public=False,
        )
        audit_record(
            actor=actor,
            action="complaint.moderate",
            obj=current,
            org_unit=current.unit or current.territory,
            changes=changes,
        )
    return current

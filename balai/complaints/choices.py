from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    """SP4N-LAPOR! classification of a report."""

    ASPIRASI = "aspirasi", _("Aspiration (aspirasi)")
    PENGADUAN = "pengaduan", _("Complaint (pengaduan)")
    INFORMASI = "informasi", _("Information request (permintaan informasi)")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    OPEN311 = "open311", _("Open311 app")
    STAFF = "staff", _("Entered by staff")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Verified")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for another unit")
    POSTPONED = "postponed", _("Postponed (tunda)")
    RESOLVED = "resolved", _("Resolved")
    NOT_AUTHORITY = "not_authority", _("Not our authority (bukan wewenang)")
    DUPLICATE = "duplicate", _("Duplicate")
    ARCHIVED = "archived", _("Archived")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = {Status.RECEIVED, Status.VERIFIED, Status.IN_PROGRESS, Status.WAITING, Status.POSTPONED}
CLOSED_STATUSES = {Status.RESOLVED, Status.NOT_AUTHORITY, Status.DUPLICATE, Status.ARCHIVED, Status.CLOSED}

# Which status may follow which (staff actions); anything else is refused with a clear message.
TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.VERIFIED, Status.POSTPONED, Status.NOT_AUTHORITY, Status.ARCHIVED, Status.DUPLICATE},
    Status.POSTPONED: {Status.VERIFIED, Status.NOT_AUTHORITY, Status.ARCHIVED, Status.DUPLICATE},
    Status.VERIFIED: {Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.NOT_AUTHORITY, Status.DUPLICATE},
    Status.IN_PROGRESS: {Status.WAITING, Status.RESOLVED, Status.NOT_AUTHORITY, Status.DUPLICATE},
    Status.WAITING: {Status.IN_PROGRESS, Status.RESOLVED, Status.NOT_AUTHORITY},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},
    Status.NOT_AUTHORITY: {Status.CLOSED},
    Status.DUPLICATE: {Status.CLOSED},
    Status.ARCHIVED: set(),
    Status.CLOSED: set(),
}


class UpdateKind(models.TextChoices):
    STATUS = "status", _("Status change")
    RESPONSE = "response", _("Public response")
    NOTE = "note", _("Internal note")
    DISPOSITION = "disposition", _("Disposition to a unit")
    REOPEN = "reopen", _("Reopened by the reporter")
    RATING = "rating", _("Rating by the reporter")
    MODERATION = "moderation", _("Moderation")
    ESCALATION = "escalation", _("Escalated (overdue)")

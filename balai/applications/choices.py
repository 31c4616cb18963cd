from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("Short text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice from a list")
    TEXTAREA = "textarea", _("Long text")


class DocType(models.TextChoices):
    """File types a required document may be sent as; each is recognised by its content, never its name."""

    PDF = "pdf", _("PDF")
    JPEG = "jpeg", _("JPEG image")
    PNG = "png", _("PNG image")


#: Sniffed type → MIME type stored and served.
MIME_TYPES = {DocType.PDF: "application/pdf", DocType.JPEG: "image/jpeg", DocType.PNG: "image/png"}
EXTENSIONS = {DocType.PDF: "pdf", DocType.JPEG: "jpg", DocType.PNG: "png"}


class ContactChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone (WhatsApp)")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VERIFYING = "verifying", _("Documents being verified")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    PROCESSING = "processing", _("Being processed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")


OPEN_STATUSES = {
    Status.SUBMITTED,
    Status.VERIFYING,
    Status.REVISION_REQUESTED,
    Status.PROCESSING,
    Status.APPROVED,
}
#: Open and on the office's side: the SLA runs. While a revision is requested the citizen holds the file,
#: and their answer restarts the time limit (it counts from complete requirements), so it is never overdue.
SLA_RUNNING_STATUSES = OPEN_STATUSES - {Status.REVISION_REQUESTED}

TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.VERIFYING, Status.REVISION_REQUESTED, Status.REJECTED},
    Status.VERIFYING: {Status.REVISION_REQUESTED, Status.PROCESSING, Status.REJECTED},
    Status.REVISION_REQUESTED: {Status.SUBMITTED, Status.REJECTED},
    Status.PROCESSING: {Status.REVISION_REQUESTED, Status.APPROVED, Status.REJECTED},
    Status.APPROVED: {Status.COMPLETED},
    Status.REJECTED: set(),
    Status.COMPLETED: set(),
}


class StepKind(models.TextChoices):
    STATUS = "status", _("Status change")
    REVISION = "revision", _("Revision requested")
    ANSWER = "answer", _("Revision sent by the applicant")
    NOTE = "note", _("Internal note")
    RESULT = "result", _("Result document issued")

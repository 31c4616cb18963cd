"""Online applications for public services (permohonan layanan online).

A service of the catalogue (``publicservices.Service``) gets an application form here: the fields the citizen
fills (``FormField``) and the documents they upload (``RequiredDocument``). A ``Citizen`` is a lightweight
identity proven by a one-time code sent to an e-mail address or a WhatsApp number; it is deliberately not a
staff ``User``: it has no password, no role and can never reach a staff page or the staff API.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balai.applications.choices import (
    OPEN_STATUSES,
    SLA_RUNNING_STATUSES,
    ContactChannel,
    DocType,
    FieldType,
    Status,
    StepKind,
)
from balai.core.scoping import ScopedQuerySet, scope_unit_ids


# ------------------------------------------------------------------------------------- form config
class FormField(models.Model):
    """One question of a service's application form."""

    service = models.ForeignKey(
        "publicservices.Service", on_delete=models.CASCADE, related_name="form_fields", verbose_name=_("service")
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices, default=FieldType.TEXT)
    is_required = models.BooleanField(_("required"), default=True)
    #: For a choice field: the options, one per line.
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice: one option per line."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="appfield_service_code")]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class RequiredDocument(models.Model):
    """A document the applicant uploads (KTP, KK, a letter from the RT...)."""

    service = models.ForeignKey(
        "publicservices.Service",
        on_delete=models.CASCADE,
        related_name="required_documents",
        verbose_name=_("service"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    #: Comma-separated DocType values, e.g. "pdf,jpeg,png".
    accepted_types = models.CharField(_("accepted types"), max_length=40, default="pdf,jpeg,png")
    max_mb = models.PositiveSmallIntegerField(_("largest size (MB)"), default=2)
    is_required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="appdoc_service_code")]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.name

    @property
    def types(self) -> list[str]:
        return [t for t in (p.strip() for p in self.accepted_types.split(",")) if t in DocType.values]

    @property
    def types_label(self) -> str:
        return ", ".join(str(DocType(t).label) for t in self.types)

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024

    @property
    def accept_attr(self) -> str:
        """The ``accept`` attribute of the file input: a hint to the phone's picker, never trusted."""
        from balai.applications.choices import EXTENSIONS, MIME_TYPES

        parts: list[str] = []
        for t in self.types:
            parts += [MIME_TYPES[DocType(t)], "." + EXTENSIONS[DocType(t)]]
            if t == DocType.JPEG:
                parts.append(".jpeg")
        return ",".join(parts)


class ResultTemplate(models.Model):
    """How a service's result document reads. Texts may use $name, $nik, $service, $unit, $number, $date,
    $tracking and $<field code> (the applicant's answers)."""

    service = models.OneToOneField(
        "publicservices.Service", on_delete=models.CASCADE, related_name="result_template", verbose_name=_("service")
    )
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Empty: the service's product."))
    opening = models.TextField(_("opening text"), blank=True)
    closing = models.TextField(_("closing text"), blank=True)
    signer_title = models.CharField(_("signed by (position)"), max_length=200, blank=True)
    signer_name = models.CharField(_("signed by (name)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("result document template")
        verbose_name_plural = _("result document templates")

    def __str__(self) -> str:
        return self.title or str(self.service_id)


# ------------------------------------------------------------------------------------------ citizens
def _salt() -> str:
    return secrets.token_hex(16)


class Citizen(models.Model):
    """Someone applying online, known by one verified e-mail address or phone number."""

    channel = models.CharField(_("contact channel"), max_length=10, choices=ContactChannel.choices)
    #: E-mail in lower case, or the phone as its international digits (62812...), the WhatsApp id.
    address = models.CharField(_("contact"), max_length=254)
    name = models.CharField(_("name"), max_length=120, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    #: Updates (revision requested, rejected, completed) sent to the contact; the tracking page shows them anyway.
    notifications = models.BooleanField(_("send me updates"), default=True)
    #: Part of every session of this citizen: changing it ends them all.
    session_salt = models.CharField(max_length=32, default=_salt)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="citizen_channel_address")]
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class OneTimeCode(models.Model):
    """A sign-in code sent to a contact; only its keyed hash is stored."""

    channel = models.CharField(max_length=10, choices=ContactChannel.choices)
    address = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "address", "created_at"], name="otp_contact_created")]

    def __str__(self) -> str:
        return f"code for {self.channel}:{self.address}"


# -------------------------------------------------------------------------------------- applications
class ApplicationQuerySet(ScopedQuerySet["Application"]):
    scope_field = "unit"

    def visible_to(self, user: Any, action: str = "view") -> ApplicationQuerySet:
        """The scope as the ids of the units in it, not a join on their paths: the filter then stays on this
        table, so the (unit, status) index serves the desk's list and its overdue count."""
        units = scope_unit_ids(user, action)
        return self if units is None else self.filter(unit_id__in=units)

    def overdue(self, now: dt.datetime | None = None) -> ApplicationQuerySet:
        return self.filter(status__in=list(SLA_RUNNING_STATUSES), due_at__lt=now or timezone.now())


class Application(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    service = models.ForeignKey(
        "publicservices.Service", on_delete=models.PROTECT, related_name="applications", verbose_name=_("service")
    )
    #: The office giving the service when it was applied for: the scope of the staff who handle it.
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="applications")
    applicant_name = models.CharField(_("applicant name"), max_length=120)
    nik = models.CharField(_("NIK"), max_length=16)
    #: {field code: value as text}, validated against the service's FormFields at submission.
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    due_at = models.DateTimeField(_("due"))
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    #: The visit this application counts as once completed: what the applicant rates in the SKM.
    event = models.OneToOneField(
        "publicservices.ServiceEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )
    #: Random per form rendering: the same form posted twice (double click, retry) makes one application.
    idempotency_key = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)
    #: Bumped by every write: an action posted against an older version is refused (no lost update).
    version = models.PositiveIntegerField(default=1)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "idempotency_key"], name="application_idempotency"),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="application_unit_status_due"),
            models.Index(fields=["status", "due_at"], name="application_status_due"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.status in SLA_RUNNING_STATUSES and self.due_at < (now or timezone.now())


def document_path(instance: ApplicationDocument, filename: str) -> str:
    app = instance.application
    return f"applications/{app.submitted_at:%Y/%m}/{app.tracking_number}/{filename}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        RequiredDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    #: A random name: the original can hold the applicant's name or their phone's gallery path.
    file = models.FileField(upload_to=document_path, max_length=200)
    doc_type = models.CharField(max_length=10, choices=DocType.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    #: False once replaced in a revision: kept for the record, no longer the one checked.
    is_current = models.BooleanField(default=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"{self.code} of {self.application_id}"

    @property
    def is_image(self) -> bool:
        return self.doc_type in (DocType.JPEG, DocType.PNG)


class ApplicationStep(models.Model):
    """One entry of an application's timeline."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_citizen = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.status_to}"

    @property
    def status_label(self) -> str:
        return str(Status(self.status_to).label) if self.status_to in Status.values else ""


def result_path(instance: ResultDocument, filename: str) -> str:
    return f"applications/results/{instance.issued_at:%Y/%m}/{filename}"


class ResultDocument(models.Model):
    """The document an approved application ends with, carrying a QR that leads to its public check."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="result")
    number = models.CharField(_("document number"), max_length=120, unique=True)
    file = models.FileField(upload_to=result_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")

    def __str__(self) -> str:
        return self.number

    @property
    def verification_code(self) -> str:
        from balai.applications.results import verification_code

        return verification_code(self)

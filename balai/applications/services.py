"""The write path of online applications: the citizen's submission and revision, the desk's workflow.

Every staff action takes the ``version`` the clerk saw: when two clerks act on one application at once, the
second gets :class:`StaleApplication` with the current state instead of silently overwriting the first.
Submission is all-or-nothing: one bad field or document and nothing is stored (files included).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.applications import accounts
from balai.applications.choices import (
    EXTENSIONS,
    MIME_TYPES,
    TRANSITIONS,
    DocType,
    FieldType,
    Status,
    StepKind,
)
from balai.applications.documents import Upload, check_upload
from balai.applications.models import (
    Application,
    ApplicationDocument,
    ApplicationStep,
    Citizen,
    FormField,
    RequiredDocument,
    ResultDocument,
    ResultTemplate,
)
from balai.core.audit import audit_record
from balai.org import access, wilayah
from balai.org.roles import Action
from balai.org.validators import parse_nik
from balai.publicservices.models import Service
from balai.workdays.selectors import pemda_of, working_days_add

# Unambiguous on a phone screen and when read aloud: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
MAX_TEXT = 500
MAX_TEXTAREA = 4000
MAX_REASON = 2000


class StaleApplication(ValidationError):
    """The application changed since the clerk (or citizen) loaded it."""

    def __init__(self, application: Application) -> None:
        self.current = application
        super().__init__(
            _(
                "Someone else has just changed this application (now: %(status)s). "
                "Check the current state and try again."
            )
            % {"status": application.get_status_display()},
            code="stale",
        )


def tracking_number_new(at: dt.datetime) -> str:
    return f"LY{at:%y}-" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))


# ---------------------------------------------------------------------------------------- validation
def clean_nik(raw: str) -> str:
    """The NIK as 16 digits, or an error naming the part that is wrong (region, birth date, serial)."""
    nik = (raw or "").replace(" ", "").replace(".", "")
    parts = parse_nik(nik)  # the foundation's check: length, region digits, birth date, serial
    if wilayah.get(parts.region[:2]) is None:
        raise ValidationError(
            _("NIK digits 1–2 must be a province code; %(part)s is not one.") % {"part": nik[:2]},
            code="nik_region",
        )
    if parts.birth_date > timezone.localdate():
        raise ValidationError(
            _("NIK digits 7–12: the birth date %(part)s is in the future.") % {"part": nik[6:12]},
            code="nik_birth_date",
        )
    return nik


def _clean_answer(field: FormField, raw: Any) -> str:
    value = "" if raw is None else str(raw).strip()
    if not value:
        if field.is_required:
            raise ValidationError(_("%(label)s: this is required.") % {"label": field.label})
        return ""
    if field.field_type == FieldType.NUMBER:
        try:
            number = Decimal(value.replace(",", "."))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ValidationError(_("%(label)s: enter a number.") % {"label": field.label}) from None
        return format(number.normalize(), "f") if number == number.to_integral_value() else str(number)
    if field.field_type == FieldType.DATE:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError(_("%(label)s: enter a date.") % {"label": field.label}) from None
    if field.field_type == FieldType.CHOICE:
        if value not in field.options:
            raise ValidationError(_("%(label)s: choose one of the options.") % {"label": field.label})
        return value
    limit = MAX_TEXTAREA if field.field_type == FieldType.TEXTAREA else MAX_TEXT
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s: at most %(n)d characters.") % {"label": field.label, "n": limit},
        )
    return value


def clean_answers(service: Service, answers: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The answers to the service's fields (unknown keys dropped) and the errors keyed ``field_<code>``."""
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field in FormField.objects.filter(service=service):
        try:
            value = _clean_answer(field, answers.get(field.code))
        except ValidationError as exc:
            errors[f"field_{field.code}"] = exc.messages
            continue
        if value:
            clean[field.code] = value
    return clean, errors


def _check_documents(
    requirements: list[RequiredDocument], uploads: Mapping[str, Upload | None], present: set[str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Each upload sniffed and sized; each required document uploaded now or already ``present``."""
    checked: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for req in requirements:
        upload = uploads.get(req.code)
        if upload is None:
            if req.is_required and req.code not in present:
                errors[f"doc_{req.code}"] = [_("%(doc)s: this document is required.") % {"doc": req.name}]
            continue
        try:
            checked[req.code] = check_upload(upload, name=req.name, accepted=req.types, max_bytes=req.max_bytes)
        except ValidationError as exc:
            errors[f"doc_{req.code}"] = exc.messages
    return checked, errors


def _store_documents(
    application: Application, requirements: list[RequiredDocument], checked: Mapping[str, Any], stored: list[Any]
) -> None:
    by_code = {r.code: r for r in requirements}
    for code, item in checked.items():
        req = by_code[code]
        ApplicationDocument.objects.filter(application=application, code=code, is_current=True).update(is_current=False)
        doc = ApplicationDocument(
            application=application,
            requirement=req,
            code=code,
            name=req.name,
            doc_type=item.doc_type,
            content_type=MIME_TYPES[DocType(item.doc_type)],
            size=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
        )
        doc.file.save(
            f"{secrets.token_hex(16)}.{EXTENSIONS[DocType(item.doc_type)]}", ContentFile(item.content), save=False
        )
        stored.append((doc.file.storage, doc.file.name))
        doc.save()


def _discard(stored: list[tuple[Storage, str]]) -> None:
    """The database rolled back; the files in storage did not."""
    for storage, name in stored:
        if name:
            storage.delete(name)


# -------------------------------------------------------------------------------------------- submit
def application_submit(
    *,
    citizen: Citizen | None,
    service: Service,
    applicant_name: str,
    nik: str,
    answers: Mapping[str, Any],
    documents: Mapping[str, Upload | None],
    idempotency_key: str,
    submitted_at: dt.datetime | None = None,
) -> Application:
    """File an application. The same ``idempotency_key`` from the same citizen returns the first application."""
    key = (idempotency_key or "").strip()
    if citizen is not None and key:
        existing = Application.objects.filter(citizen=citizen, idempotency_key=key).first()
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    if citizen is None or not citizen.is_verified:
        errors["contact"] = [_("Verify your e-mail address or phone number with the code we send before applying.")]
    if not 16 <= len(key) <= 64:
        errors["idempotency_key"] = [_("The form has expired. Open it again and resend.")]
    if not (service.is_active and service.is_online):
        errors["service"] = [_("This service cannot be applied for online.")]
    name = " ".join((applicant_name or "").split())
    if not name:
        errors["applicant_name"] = [_("Enter your name as written on your KTP.")]
    elif len(name) > 120:
        errors["applicant_name"] = [_("The name is too long (at most 120 characters).")]
    try:
        clean_nik_value = clean_nik(nik)
    except ValidationError as exc:
        errors["nik"] = exc.messages
    clean, answer_errors = clean_answers(service, answers)
    errors.update(answer_errors)
    requirements = list(RequiredDocument.objects.filter(service=service))
    checked, doc_errors = _check_documents(requirements, documents, present=set())
    errors.update(doc_errors)
    if errors:
        raise ValidationError(errors)
    assert citizen is not None
    now = submitted_at or timezone.now()
    unit = service.unit
    due = working_days_add(pemda_of(unit), now, service.time_limit_days)
    stored: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            application = _create(citizen, service, name, clean_nik_value, clean, key, now, due)
            if application is None:  # the same form won a race a moment ago
                return Application.objects.get(citizen=citizen, idempotency_key=key)
            _store_documents(application, requirements, checked, stored)
            if not citizen.name:
                Citizen.objects.filter(pk=citizen.pk).update(name=name)
            ApplicationStep.objects.create(
                application=application,
                kind=StepKind.STATUS,
                status_to=Status.SUBMITTED,
                by_citizen=True,
                text=_("Application received."),
                created_at=now,
            )
            audit_record(
                actor=f"citizen {citizen.pk}",
                action="application.submit",
                obj=application,
                org_unit=unit,
                changes={"service": service.code, "documents": sorted(checked)},
            )
            _mark_dirty(application)
    except Exception:
        _discard(stored)
        raise
    return application


def _create(
    citizen: Citizen,
    service: Service,
    name: str,
    nik: str,
    answers: dict[str, str],
    key: str,
    now: dt.datetime,
    due: dt.datetime,
) -> Application | None:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Application.objects.create(
                    tracking_number=tracking_number_new(now),
                    service=service,
                    unit=service.unit,
                    citizen=citizen,
                    applicant_name=name,
                    nik=nik,
                    answers=answers,
                    status=Status.SUBMITTED,
                    submitted_at=now,
                    due_at=due,
                    idempotency_key=key,
                )
        except IntegrityError:
            if Application.objects.filter(citizen=citizen, idempotency_key=key).exists():
                return None
            continue  # a tracking number collision: draw again
    raise RuntimeError("could not allocate a tracking number")  # pragma: no cover - 25^6 a year


# ------------------------------------------------------------------------------------------ citizen
def application_revise(
    *,
    citizen: Citizen,
    application: Application,
    version: int,
    answers: Mapping[str, Any],
    documents: Mapping[str, Upload | None],
    note: str = "",
) -> Application:
    """The applicant answers a revision request: corrected answers, replaced documents, a note.

    The time limit starts again: it counts from complete requirements (UU 25/2009 standar pelayanan).
    """
    if application.citizen_id != citizen.pk:
        raise PermissionDenied(_("This is not your application."))
    service = application.service
    clean, errors = clean_answers(service, answers)
    requirements = list(RequiredDocument.objects.filter(service=service))
    present = set(
        ApplicationDocument.objects.filter(application=application, is_current=True).values_list("code", flat=True)
    )
    checked, doc_errors = _check_documents(requirements, documents, present=present)
    errors.update(doc_errors)
    note = (note or "").strip()
    if len(note) > MAX_REASON:
        errors["note"] = [_("The note is too long (at most %(n)d characters).") % {"n": MAX_REASON}]
    if errors:
        raise ValidationError(errors)
    stored: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            app = _locked(application, version)
            if app.status != Status.REVISION_REQUESTED:
                raise ValidationError(_("No revision is requested for this application now."))
            now = timezone.now()
            before = app.status
            app.status = Status.SUBMITTED
            app.answers = clean
            app.due_at = working_days_add(pemda_of(app.unit), now, service.time_limit_days)
            _store_documents(app, requirements, checked, stored)
            _save(
                app,
                f"citizen {citizen.pk}",
                kind=StepKind.ANSWER,
                status_from=before,
                text=note or _("Revision sent."),
                by_citizen=True,
                changes={"status": [before, app.status], "documents": sorted(checked)},
            )
    except Exception:
        _discard(stored)
        raise
    _copy(app, application)
    return application


# -------------------------------------------------------------------------------------------- staff
def _locked(application: Application, version: int) -> Application:
    current = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service", "unit", "citizen")
        .get(pk=application.pk)
    )
    if current.version != version:
        raise StaleApplication(current)
    return current


def _require(actor: Any, application: Application, action: str = Action.EDIT) -> None:
    if actor is None:  # the system itself (demo loader)
        return
    if not access.can(actor, action, application.unit):
        raise PermissionDenied(_("You do not have the right to act on this application."))


def _transition(application: Application, to: str) -> str:
    if to not in TRANSITIONS.get(application.status, set()):
        raise ValidationError(
            _("An application that is %(from)s cannot become %(to)s.")
            % {"from": application.get_status_display(), "to": Status(to).label}
        )
    before = application.status
    application.status = to
    return before


def _save(
    application: Application,
    actor: Any,
    *,
    kind: str,
    text: str = "",
    status_from: str = "",
    is_public: bool = True,
    by_citizen: bool = False,
    changes: dict[str, Any] | None = None,
) -> ApplicationStep:
    application.version += 1
    application.save()
    step = ApplicationStep.objects.create(
        application=application,
        kind=kind,
        author=actor if getattr(actor, "pk", None) else None,
        by_citizen=by_citizen,
        status_from=status_from,
        status_to=application.status if status_from else "",
        text=text,
        is_public=is_public,
    )
    audit_record(
        actor=actor,
        action=f"application.{kind}" if kind != StepKind.STATUS else f"application.{application.status}",
        obj=application,
        org_unit=application.unit,
        changes=changes or {},
    )
    _mark_dirty(application)
    return step


def _copy(source: Application, target: Application) -> None:
    if source is not target:
        fields = ("status", "answers", "due_at", "decided_at", "decision_reason", "completed_at", "event", "version")
        for name in fields:
            setattr(target, name, getattr(source, name))


def _staff_move(
    *,
    actor: Any,
    application: Application,
    version: int,
    to: str,
    kind: str,
    text: str,
    notify: tuple[str, str] | None = None,
    **fields: Any,
) -> Application:
    with transaction.atomic():
        app = _locked(application, version)
        _require(actor, app)
        before = _transition(app, to)
        for key, value in fields.items():
            setattr(app, key, value)
        _save(app, actor, kind=kind, status_from=before, text=text, changes={"status": [before, to]})
        if notify is not None:
            _notify(app, *notify)
    _copy(app, application)
    return application


def application_verify_documents(*, actor: Any, application: Application, version: int) -> Application:
    """The desk takes the application up and checks its documents."""
    return _staff_move(
        actor=actor,
        application=application,
        version=version,
        to=Status.VERIFYING,
        kind=StepKind.STATUS,
        text=_("The office is checking your documents."),
    )


def application_request_revision(*, actor: Any, application: Application, version: int, reason: str) -> Application:
    """Send the application back to the applicant with what to correct (a document, an answer)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the applicant must correct or add.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": MAX_REASON}})
    return _staff_move(
        actor=actor,
        application=application,
        version=version,
        to=Status.REVISION_REQUESTED,
        kind=StepKind.REVISION,
        text=reason,
        notify=(_("Your application needs a correction"), reason),
    )


def application_process(*, actor: Any, application: Application, version: int) -> Application:
    """The documents are complete and valid: processing starts."""
    with transaction.atomic():
        result = _staff_move(
            actor=actor,
            application=application,
            version=version,
            to=Status.PROCESSING,
            kind=StepKind.STATUS,
            text=_("Documents complete. Your application is being processed."),
        )
        ApplicationDocument.objects.filter(application=application, is_current=True, verified_at__isnull=True).update(
            verified_at=timezone.now()
        )
    return result


def application_approve(*, actor: Any, application: Application, version: int, note: str = "") -> Application:
    note = (note or "").strip()[:MAX_REASON]
    return _staff_move(
        actor=actor,
        application=application,
        version=version,
        to=Status.APPROVED,
        kind=StepKind.STATUS,
        text=note or _("Application approved. The result document is being prepared."),
        decided_at=timezone.now(),
        decision_reason=note,
    )


def application_reject(*, actor: Any, application: Application, version: int, reason: str) -> Application:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection: the applicant reads it.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": MAX_REASON}})
    now = timezone.now()
    return _staff_move(
        actor=actor,
        application=application,
        version=version,
        to=Status.REJECTED,
        kind=StepKind.STATUS,
        text=reason,
        notify=(_("Your application was rejected"), reason),
        decided_at=now,
        decision_reason=reason,
    )


def _document_number(app: Application, at: dt.datetime) -> str:
    year = timezone.localtime(at).year
    prefix = f"{app.service.code.upper()}/"
    suffix = f"/{app.unit.code}/{year}"
    taken = ResultDocument.objects.filter(number__startswith=prefix, number__endswith=suffix).count()
    return f"{prefix}{taken + 1:04d}{suffix}"


def application_issue_result(
    *, actor: Any, application: Application, version: int, public_base: str = ""
) -> ResultDocument:
    """Issue the result document of an approved application (PDF with its QR) and complete it.

    ``public_base`` (scheme and host) is used for the QR when BALAI_PUBLIC_URL is not set.
    """
    from balai.applications import results
    from balai.publicservices.choices import EventKind
    from balai.publicservices.services import service_event_record

    stored: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            app = _locked(application, version)
            _require(actor, app)
            before = _transition(app, Status.COMPLETED)
            now = timezone.now()
            doc = None
            for attempt in range(5):
                number = _document_number(app, now)
                if attempt:
                    number = number.replace("/", f"-{secrets.token_hex(2)}/", 1)
                try:
                    with transaction.atomic():
                        doc = ResultDocument.objects.create(
                            application=app, number=number, issued_at=now, issued_by=_user(actor), sha256=""
                        )
                    break
                except IntegrityError:  # two clerks issuing for one service at the same moment
                    continue
            if doc is None:  # pragma: no cover
                raise RuntimeError("could not allocate a document number")
            url = results.verify_url(doc)
            if url.startswith("/") and public_base:
                url = public_base.rstrip("/") + url
            content = results.render_pdf(app, number=doc.number, issued_at=now, url=url)
            doc.file.save(f"{secrets.token_hex(16)}.pdf", ContentFile(content), save=False)
            stored.append((doc.file.storage, doc.file.name or ""))
            doc.sha256 = hashlib.sha256(content).hexdigest()
            doc.save()
            app.completed_at = now
            app.event = service_event_record(
                kind=EventKind.ONLINE,
                service=app.service,
                unit=app.unit,
                occurred_at=now,
                clerk=_user(actor),
                note=app.tracking_number,
            )
            _save(
                app,
                actor,
                kind=StepKind.RESULT,
                status_from=before,
                text=_("Result document %(number)s issued.") % {"number": doc.number},
                changes={"status": [before, app.status], "number": doc.number},
            )
            _notify(
                app,
                _("Your application is complete"),
                _("Your application %(tracking)s is complete. Download the result document from the tracking page.")
                % {"tracking": app.tracking_number},
            )
    except Exception:
        _discard(stored)
        raise
    _copy(app, application)
    return doc


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# ------------------------------------------------------------------------------------- form config
def _require_service(actor: Any, service: Service) -> None:
    if actor is not None and not access.can(actor, Action.EDIT, service.unit):
        raise PermissionDenied(_("You may not change the application form of this service."))


def _slug_error(code: str) -> str | None:
    import re

    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", code) or len(code) > 40:
        return _("The code may hold only lower-case letters, digits, dashes and underscores (at most 40).")
    return None


def form_field_save(
    *,
    actor: Any,
    service: Service,
    code: str,
    label: str,
    field_type: str = FieldType.TEXT,
    is_required: bool = True,
    choices: str = "",
    help_text: str = "",
    order: int = 100,
) -> FormField:
    """Add a field to the service's form, or change the one with this code."""
    _require_service(actor, service)
    code = (code or "").strip().lower()
    errors: dict[str, str] = {}
    if (message := _slug_error(code)) is not None:
        errors["code"] = message
    if not (label or "").strip():
        errors["label"] = _("Give the question's label.")
    if field_type not in FieldType.values:
        errors["field_type"] = _("Unknown field type.")
    options = [line.strip() for line in (choices or "").splitlines() if line.strip()]
    if field_type == FieldType.CHOICE and len(options) < 2:
        errors["choices"] = _("A choice needs at least two options, one per line.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        field, created = FormField.objects.update_or_create(
            service=service,
            code=code,
            defaults={
                "label": label.strip()[:200],
                "field_type": field_type,
                "is_required": bool(is_required),
                "choices": "\n".join(options),
                "help_text": (help_text or "").strip()[:255],
                "order": order,
            },
        )
        audit_record(
            actor=actor,
            action="application_form.field_save",
            obj=field,
            org_unit=service.unit,
            changes={"service": service.code, "code": code, "created": created},
        )
    return field


def form_field_delete(*, actor: Any, field: FormField) -> None:
    _require_service(actor, field.service)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="application_form.field_delete",
            obj=field,
            org_unit=field.service.unit,
            changes={"service": field.service.code, "code": field.code},
        )
        field.delete()


def required_document_save(
    *,
    actor: Any,
    service: Service,
    code: str,
    name: str,
    accepted_types: list[str] | tuple[str, ...] = ("pdf", "jpeg", "png"),
    max_mb: int = 2,
    is_required: bool = True,
    order: int = 100,
) -> RequiredDocument:
    """Add a required document to the service's form, or change the one with this code."""
    _require_service(actor, service)
    code = (code or "").strip().lower()
    errors: dict[str, str] = {}
    if (message := _slug_error(code)) is not None:
        errors["code"] = message
    if not (name or "").strip():
        errors["name"] = _("Give the document's name, e.g. KTP.")
    types = [t for t in DocType.values if t in set(accepted_types)]
    if not types or len(types) != len(set(accepted_types)):
        errors["accepted_types"] = _("Choose PDF, JPEG and/or PNG.")
    if not isinstance(max_mb, int) or not 1 <= max_mb <= 20:
        errors["max_mb"] = _("The largest size must be between 1 and 20 MB.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        doc, created = RequiredDocument.objects.update_or_create(
            service=service,
            code=code,
            defaults={
                "name": name.strip()[:200],
                "accepted_types": ",".join(types),
                "max_mb": max_mb,
                "is_required": bool(is_required),
                "order": order,
            },
        )
        audit_record(
            actor=actor,
            action="application_form.document_save",
            obj=doc,
            org_unit=service.unit,
            changes={"service": service.code, "code": code, "created": created},
        )
    return doc


def required_document_delete(*, actor: Any, document: RequiredDocument) -> None:
    _require_service(actor, document.service)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="application_form.document_delete",
            obj=document,
            org_unit=document.service.unit,
            changes={"service": document.service.code, "code": document.code},
        )
        document.delete()


def result_template_save(*, actor: Any, service: Service, **texts: str) -> ResultTemplate:
    """Set the wording of the service's result document (title, opening, closing, signer)."""
    allowed = {"title", "opening", "closing", "signer_title", "signer_name"}
    unknown = set(texts) - allowed
    if unknown:
        raise TypeError(f"unknown template fields: {sorted(unknown)}")
    _require_service(actor, service)
    with transaction.atomic():
        tpl, _created = ResultTemplate.objects.update_or_create(
            service=service, defaults={k: (v or "").strip() for k, v in texts.items()}
        )
        audit_record(
            actor=actor,
            action="application_form.template_save",
            obj=tpl,
            org_unit=service.unit,
            changes={"service": service.code, "fields": sorted(texts)},
        )
    return tpl


# ----------------------------------------------------------------------------------- side effects
def _mark_dirty(application: Application) -> None:
    from balai.applications.indicators import dirty_pairs_for
    from balai.indicators.services import periods_mark_dirty

    periods_mark_dirty(pairs=dirty_pairs_for(application))


def _notify(application: Application, subject: str, text: str) -> None:
    citizen = application.citizen
    message = f"{application.tracking_number} — {application.service.name_id}\n\n{text}"

    transaction.on_commit(lambda: accounts.notify(citizen, subject, message))

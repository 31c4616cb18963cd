"""The write path: submission rules, the desk's workflow, revision, result document, indicators."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from balai.applications import results, services
from balai.applications.choices import ContactChannel, Status, StepKind
from balai.applications.indicators import compute
from balai.applications.models import Application, ApplicationDocument, Citizen, ResultDocument
from balai.applications.tests.conftest import GOOD_NIK, PDF_BYTES, Desk, jpeg_bytes, png_bytes, submit, upload
from balai.core.models import AuditEvent
from balai.core.periods import Period
from balai.core.testing import pdf_streams
from balai.publicservices.models import ServiceEvent

pytestmark = pytest.mark.django_db


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# -------------------------------------------------------------------------------------------- submit
def test_submit_creates_application_with_documents_and_due_date(desk: Desk) -> None:
    app = submit(desk)
    assert re.fullmatch(r"LY\d\d-[ACDEFGHJKMNPQRTUVWXY34679]{6}", app.tracking_number)
    assert app.status == Status.SUBMITTED
    assert app.unit == desk.story.mentaos
    assert app.answers == {"address": "Jl. Mentaos No. 5", "purpose": "Bank"}
    assert app.due_at > app.submitted_at
    docs = {d.code: d for d in app.documents.all()}
    assert docs["ktp"].content_type == "image/png"
    stored_name = docs["ktp"].file.name or ""
    assert stored_name.endswith(".png") and "ktp" not in stored_name.rsplit("/", 1)[1]
    assert docs["rt-letter"].content_type == "application/pdf"
    assert docs["rt-letter"].size == len(PDF_BYTES)
    assert [s.status_to for s in app.steps.all()] == [Status.SUBMITTED]
    assert AuditEvent.objects.filter(action="application.submit", object_id=str(app.pk)).count() == 1
    desk.citizen.refresh_from_db()
    assert desk.citizen.name == "Siti Aminah"


@pytest.mark.parametrize(
    ("nik", "fragment"),
    [
        ("637204410290000", "16 digits"),
        ("63720441029O0003", "digits only"),
        ("0072044102900003", "kecamatan code"),
        ("9972044102900003", "province code"),
        ("6372043302900003", "birth date"),
        ("6372044113900003", "birth date"),
        ("6372044102900000", "serial"),
    ],
)
def test_bad_nik_names_the_part_and_stores_nothing(desk: Desk, nik: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(desk, nik=nik)
    assert fragment in " ".join(errors_of(exc)["nik"])
    assert Application.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0


def test_unverified_contact_cannot_apply(desk: Desk) -> None:
    stranger = Citizen.objects.create(channel=ContactChannel.EMAIL, address="x@example.com")
    with pytest.raises(ValidationError) as exc:
        submit(desk, citizen=stranger)
    assert "Verify your e-mail address or phone number" in errors_of(exc)["contact"][0]
    with pytest.raises(ValidationError):
        submit(desk, citizen=None)
    assert Application.objects.count() == 0


def test_missing_required_document_and_answers_are_field_errors(desk: Desk) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(
            desk,
            answers={"address": "", "purpose": "Holiday", "since": "yesterday"},
            documents={"ktp": upload("ktp.jpg", jpeg_bytes())},
        )
    errors = errors_of(exc)
    assert errors["doc_rt-letter"] == ["RT letter: this document is required."]
    assert errors["field_address"] == ["Address: this is required."]
    assert errors["field_purpose"] == ["Purpose: choose one of the options."]
    assert errors["field_since"] == ["Living here since: enter a date."]
    assert "doc_ktp" not in errors
    assert Application.objects.count() == 0 and ApplicationDocument.objects.count() == 0


def test_a_pdf_that_is_really_a_png_is_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(desk, documents={"ktp": upload("ktp.pdf", png_bytes()), "rt-letter": upload("rt.pdf", png_bytes())})
    errors = errors_of(exc)
    # The KTP accepts PNG, but a file named .pdf that is a PNG is not what the applicant meant to send.
    assert errors["doc_ktp"] == ["KTP: the file is named .pdf but it is a PNG image. Send the document itself."]
    assert errors["doc_rt-letter"] == ["RT letter: this file is a PNG image, but only PDF is accepted."]
    assert Application.objects.count() == 0


def test_a_file_that_is_nothing_known_is_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as exc:
        submit(
            desk,
            documents={"ktp": upload("ktp.png", b"MZ\x90\x00 not an image"), "rt-letter": upload("rt.pdf", PDF_BYTES)},
        )
    assert errors_of(exc)["doc_ktp"] == ["KTP: this file is not a PDF, JPEG image, PNG image file."]


def test_too_large_file_is_refused_before_reading(desk: Desk) -> None:
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        submit(desk, documents={"ktp": upload("ktp.png", png_bytes()), "rt-letter": upload("rt.pdf", big)})
    assert errors_of(exc)["doc_rt-letter"] == ["RT letter: the file is 1.0 MB; at most 1 MB is allowed."]
    assert Application.objects.count() == 0


def test_double_submit_makes_one_application(desk: Desk) -> None:
    key = secrets.token_urlsafe(24)
    first = submit(desk, idempotency_key=key)
    second = submit(desk, idempotency_key=key)
    assert first.pk == second.pk
    assert Application.objects.count() == 1
    assert ApplicationDocument.objects.count() == 2
    assert submit(desk).pk != first.pk  # a new form, a new application


def test_service_not_online_cannot_be_applied_for(desk: Desk) -> None:
    desk.service.is_online = False
    desk.service.save()
    with pytest.raises(ValidationError) as exc:
        submit(desk)
    assert "service" in errors_of(exc)


# ------------------------------------------------------------------------------------------ workflow
def test_revision_round_trip_restarts_the_time_limit(desk: Desk, django_capture_on_commit_callbacks) -> None:
    story = desk.story
    app = submit(desk)
    services.application_verify_documents(actor=story.mentaos_clerk, application=app, version=app.version)
    with pytest.raises(ValidationError) as exc:
        services.application_request_revision(
            actor=story.mentaos_clerk, application=app, version=app.version, reason=" "
        )
    assert "reason" in exc.value.message_dict
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_revision(
            actor=story.mentaos_clerk, application=app, version=app.version, reason="The KTP scan is unreadable."
        )
    assert app.status == Status.REVISION_REQUESTED
    assert len(mail.outbox) == 1 and "The KTP scan is unreadable." in mail.outbox[0].body
    assert mail.outbox[0].to == ["siti@example.com"]
    old_due = app.due_at
    old_ktp = app.documents.get(code="ktp", is_current=True)
    # A revision with a bad file changes nothing.
    with pytest.raises(ValidationError):
        services.application_revise(
            citizen=desk.citizen,
            application=app,
            version=app.version,
            answers=app.answers,
            documents={"ktp": upload("ktp.jpg", b"nope")},
        )
    app.refresh_from_db()
    assert app.status == Status.REVISION_REQUESTED
    services.application_revise(
        citizen=desk.citizen,
        application=app,
        version=app.version,
        answers={**app.answers, "address": "Jl. Mentaos No. 7"},
        documents={"ktp": upload("ktp.jpg", jpeg_bytes())},
        note="New scan attached.",
    )
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert app.answers["address"] == "Jl. Mentaos No. 7"
    assert app.due_at >= old_due
    current = app.documents.get(code="ktp", is_current=True)
    assert current.pk != old_ktp.pk and current.content_type == "image/jpeg"
    assert app.documents.filter(code="ktp").count() == 2
    kinds = [(s.kind, s.status_to, s.by_citizen) for s in app.steps.all()]
    assert kinds == [
        (StepKind.STATUS, Status.SUBMITTED, True),
        (StepKind.STATUS, Status.VERIFYING, False),
        (StepKind.REVISION, Status.REVISION_REQUESTED, False),
        (StepKind.ANSWER, Status.SUBMITTED, True),
    ]


def test_another_citizen_cannot_revise(desk: Desk) -> None:
    app = submit(desk)
    services.application_request_revision(
        actor=desk.story.mentaos_clerk, application=app, version=app.version, reason="x"
    )
    other = Citizen.objects.create(channel=ContactChannel.EMAIL, address="o@example.com", verified_at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.application_revise(citizen=other, application=app, version=app.version, answers={}, documents={})


def test_reject_needs_a_reason_and_is_final(desk: Desk) -> None:
    app = submit(desk)
    clerk = desk.story.mentaos_clerk
    with pytest.raises(ValidationError) as exc:
        services.application_reject(actor=clerk, application=app, version=app.version, reason="")
    assert exc.value.message_dict["reason"] == ["Give the reason for the rejection: the applicant reads it."]
    services.application_reject(actor=clerk, application=app, version=app.version, reason="Not a resident of Mentaos.")
    app.refresh_from_db()
    assert app.status == Status.REJECTED and app.decision_reason == "Not a resident of Mentaos."
    with pytest.raises(ValidationError):
        services.application_verify_documents(actor=clerk, application=app, version=app.version)


def test_stale_version_is_refused(desk: Desk) -> None:
    app = submit(desk)
    clerk = desk.story.mentaos_clerk
    seen = app.version
    services.application_verify_documents(actor=clerk, application=app, version=seen)
    with pytest.raises(services.StaleApplication):
        services.application_reject(actor=clerk, application=app, version=seen, reason="x")


def test_other_kelurahan_clerk_cannot_act(desk: Desk) -> None:
    app = submit(desk)
    with pytest.raises(PermissionDenied):
        services.application_verify_documents(actor=desk.story.komet_clerk, application=app, version=app.version)
    with pytest.raises(PermissionDenied):
        services.application_verify_documents(actor=desk.story.head, application=app, version=app.version)


def _approved(desk: Desk) -> Application:
    clerk = desk.story.mentaos_clerk
    app = submit(desk)
    services.application_verify_documents(actor=clerk, application=app, version=app.version)
    services.application_process(actor=clerk, application=app, version=app.version)
    assert all(d.verified_at for d in app.documents.filter(is_current=True))
    services.application_approve(actor=clerk, application=app, version=app.version)
    return app


def _pdf_text(content: bytes) -> bytes:
    """The PDF's bytes with its compressed streams inflated, to look for text and images."""
    return b"\n".join([content, *pdf_streams(content)])


def test_issue_result_completes_with_pdf_qr_and_service_event(desk: Desk, django_capture_on_commit_callbacks) -> None:
    app = _approved(desk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        doc = services.application_issue_result(actor=desk.story.mentaos_clerk, application=app, version=app.version)
    app.refresh_from_db()
    assert app.status == Status.COMPLETED and app.completed_at is not None
    year = timezone.localtime(doc.issued_at).year
    assert doc.number == f"SK-DOMISILI/0001/63.72.04.1002/{year}"
    content = doc.file.read()
    assert content.startswith(b"%PDF-")
    url = f"https://balai.example.go.id/layanan/verifikasi/{doc.verification_code}/"
    assert results.verify_url(doc) == url
    assert f"/URI ({url})".encode() in content  # the QR is a link to the check, too
    inflated = _pdf_text(content)
    assert b"/Subtype /Image" in inflated
    assert b"Siti Aminah" in inflated and GOOD_NIK.encode() in inflated
    event = ServiceEvent.objects.get()
    assert (event.kind, event.service, event.unit, event.note) == (
        "online",
        desk.service,
        desk.story.mentaos,
        app.tracking_number,
    )
    assert len(mail.outbox) == 1 and app.tracking_number in mail.outbox[0].body
    # A second application of the same service gets the next number.
    doc2 = services.application_issue_result(
        actor=desk.story.mentaos_clerk, application=(a := _approved(desk)), version=a.version
    )
    assert doc2.number == f"SK-DOMISILI/0002/63.72.04.1002/{year}"


def test_result_cannot_be_issued_before_approval(desk: Desk) -> None:
    app = submit(desk)
    with pytest.raises(ValidationError):
        services.application_issue_result(actor=desk.story.mentaos_clerk, application=app, version=app.version)
    assert ResultDocument.objects.count() == 0


def test_verification_code_rejects_forgery(desk: Desk) -> None:
    app = _approved(desk)
    doc = services.application_issue_result(actor=desk.story.mentaos_clerk, application=app, version=app.version)
    code = doc.verification_code
    assert results.document_for_code(code) == doc
    pk, mac = code.split("-")
    flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    for forged in (f"{pk}-{flipped}", f"{int(pk) + 1}-{mac}", f"{pk}-", "abc", f"{pk}-{mac}0", ""):
        assert results.document_for_code(forged) is None, forged
    assert results.mask_name("Siti Aminah") == "S*** A*****"


# ---------------------------------------------------------------------------------------- indicators
def test_indicators_count_received_completed_on_time_and_overdue(desk: Desk) -> None:
    on_time = _approved(desk)
    services.application_issue_result(actor=desk.story.mentaos_clerk, application=on_time, version=on_time.version)
    late = submit(desk)
    Application.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    waiting = submit(desk)
    Application.objects.filter(pk=waiting.pk).update(
        status=Status.REVISION_REQUESTED, due_at=timezone.now() - dt.timedelta(hours=1)
    )
    from balai.org.selectors import pemda_zone

    today = Period.parse(timezone.now().astimezone(pemda_zone()).strftime("%Y%m%d"))
    codes = [
        "applications.received",
        "applications.completed",
        "applications.completed_on_time_rate",
        "applications.overdue_open",
    ]
    values = {(f.code, f.org_unit_id): (f.value, f.numerator, f.denominator) for f in compute(codes, [today])}
    unit = desk.story.mentaos.pk
    assert values[("applications.received", unit)] == (3.0, None, None)
    assert values[("applications.completed", unit)] == (1.0, None, None)
    assert values[("applications.completed_on_time_rate", unit)] == (100.0, 1.0, 1.0)
    # The one waiting for the applicant's revision is not the office's delay.
    assert values[("applications.overdue_open", unit)] == (1.0, None, None)

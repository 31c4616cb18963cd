"""The pages: applying, tracking, revision; the desk with its scope, masking and overdue flag; the public check."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import pytest
from django.utils import timezone

from balai.applications import accounts, services
from balai.applications.choices import ContactChannel, Status
from balai.applications.models import Application, Citizen, ResultDocument
from balai.applications.tests.conftest import GOOD_NIK, PDF_BYTES, Desk, png_bytes, submit, upload
from balai.core.testing import ScopingContract, Story

pytestmark = pytest.mark.django_db


def citizen_login(client: Any, citizen: Citizen) -> None:
    session = client.session
    session[accounts.SESSION_KEY] = {"id": citizen.pk, "salt": citizen.session_salt}
    session.save()


def form_data(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_name": "Siti Aminah",
        "nik": GOOD_NIK,
        "field_address": "Jl. Mentaos No. 5",
        "field_purpose": "Bank",
        "idempotency_key": secrets.token_urlsafe(24),
        "doc_ktp": upload("ktp.png", png_bytes()),
        "doc_rt-letter": upload("rt.pdf", PDF_BYTES),
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def assert_strict_csp_markup(html: str) -> None:
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"


# ----------------------------------------------------------------------------------------- citizens
def test_apply_page_sends_anonymous_visitors_to_sign_in(client: Any, desk: Desk) -> None:
    url = f"/layanan/ajukan/{desk.service.pk}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/layanan/masuk/?next=%2Flayanan%2Fajukan%2F")


def test_apply_page_renders_fields_and_documents(client: Any, desk: Desk) -> None:
    citizen_login(client, desk.citizen)
    response = client.get(f"/layanan/ajukan/{desk.service.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("applicant_name", "nik", "field_address", "field_purpose", "field_since", "doc_ktp", "doc_rt-letter"):
        assert f'name="{name}"' in html, name
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="application/pdf,.pdf"' in html
    assert_strict_csp_markup(html)


def test_apply_with_errors_shows_them_and_submits_nothing(client: Any, desk: Desk) -> None:
    citizen_login(client, desk.citizen)
    response = client.post(
        f"/layanan/ajukan/{desk.service.pk}/",
        form_data(nik="6372043302900003", **{"doc_rt-letter": upload("rt.pdf", png_bytes())}),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-nik"' in html and "birth date" in html
    assert "RT letter: this file is a PNG image, but only PDF is accepted." in html
    assert Application.objects.count() == 0


def test_double_post_of_the_same_form_makes_one_application(client: Any, desk: Desk) -> None:
    citizen_login(client, desk.citizen)
    key = secrets.token_urlsafe(24)
    first = client.post(f"/layanan/ajukan/{desk.service.pk}/", form_data(idempotency_key=key))
    second = client.post(f"/layanan/ajukan/{desk.service.pk}/", form_data(idempotency_key=key))
    app = Application.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/layanan/lacak/{app.tracking_number}/"


def test_track_page_is_the_citizens_own(client: Any, desk: Desk) -> None:
    app = submit(desk)
    url = f"/layanan/lacak/{app.tracking_number}/"
    assert client.get(url).status_code == 302  # not signed in
    other = Citizen.objects.create(channel=ContactChannel.EMAIL, address="o@example.com", verified_at=timezone.now())
    citizen_login(client, other)
    assert client.get(url).status_code == 404
    doc = app.documents.get(code="ktp")
    assert client.get(f"{url}dokumen/{doc.pk}/").status_code == 404
    citizen_login(client, desk.citizen)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert app.tracking_number in html and 'data-testid="timeline"' in html
    assert client.get(f"{url}dokumen/{doc.pk}/").status_code == 200
    assert_strict_csp_markup(html)
    mine = client.get("/layanan/saya/").content.decode()
    assert app.tracking_number in mine


def test_revision_through_the_tracking_page(client: Any, desk: Desk) -> None:
    app = submit(desk)
    services.application_request_revision(
        actor=desk.story.mentaos_clerk, application=app, version=app.version, reason="Scan the KTP again, please."
    )
    citizen_login(client, desk.citizen)
    url = f"/layanan/lacak/{app.tracking_number}/"
    html = client.get(url).content.decode()
    assert "Scan the KTP again, please." in html and 'data-testid="revision-form"' in html
    response = client.post(
        f"{url}revisi/",
        {
            "version": app.version,
            "field_address": "Jl. Mentaos No. 5",
            "field_purpose": "School",
            "doc_ktp": upload("ktp.png", png_bytes((6, 6))),
            "note": "Here it is.",
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.answers["purpose"] == "School"
    assert app.steps.order_by("id").reverse()[0].text == "Here it is."


def test_result_download_and_public_check(client: Any, desk: Desk) -> None:
    clerk = desk.story.mentaos_clerk
    app = submit(desk)
    for step in (services.application_verify_documents, services.application_process, services.application_approve):
        step(actor=clerk, application=app, version=app.version)
    doc = services.application_issue_result(actor=clerk, application=app, version=app.version)
    citizen_login(client, desk.citizen)
    response = client.get(f"/layanan/lacak/{app.tracking_number}/hasil/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    client.logout()
    anonymous = type(client)()
    anonymous.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = anonymous.get(f"/layanan/verifikasi/{doc.verification_code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Valid document" in html and doc.number in html and "Certificate of residence" in html
    assert "S*** A*****" in html
    assert "Siti Aminah" not in html and GOOD_NIK not in html and "siti@example.com" not in html
    assert app.tracking_number not in html
    assert_strict_csp_markup(html)


@pytest.mark.parametrize("tamper", ["flip", "other_id", "junk"])
def test_forged_or_altered_code_says_not_valid_and_leaks_nothing(client: Any, desk: Desk, tamper: str) -> None:
    clerk = desk.story.mentaos_clerk
    app = submit(desk)
    for step in (services.application_verify_documents, services.application_process, services.application_approve):
        step(actor=clerk, application=app, version=app.version)
    doc = services.application_issue_result(actor=clerk, application=app, version=app.version)
    pk, mac = doc.verification_code.split("-")
    code = {
        "flip": f"{pk}-{mac[:-1]}{'a' if mac[-1] != 'a' else 'b'}",
        "other_id": f"{int(pk) + 1}-{mac}",
        "junk": "<script>alert(1)</script>",
    }[tamper]
    response = client.get(f"/layanan/verifikasi/{code}/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Not valid" in html
    for secret in (doc.number, "S*** A*****", "Siti", "Certificate of residence", desk.story.mentaos.name):
        assert secret not in html, secret
    assert ResultDocument.objects.count() == 1


# --------------------------------------------------------------------------------------------- desk
class TestDeskScoping(ScopingContract):
    @pytest.fixture(autouse=True)
    def _application(self, desk: Desk) -> None:
        clerk = desk.story.mentaos_clerk
        app = submit(desk)
        for step in (services.application_verify_documents, services.application_process, services.application_approve):
            step(actor=clerk, application=app, version=app.version)
        services.application_issue_result(actor=clerk, application=app, version=app.version)
        self.app = app

    def mentaos_urls(self, story: Story) -> list[str]:
        base = f"/layanan/permohonan/{self.app.tracking_number}/"
        doc = self.app.documents.get(code="ktp")
        return [base, f"{base}dokumen/{doc.pk}/", f"{base}hasil/"]

    def mentaos_api_urls(self, story: Story) -> list[str]:
        return [f"/api/v1/applications/{self.app.tracking_number}"]

    def test_other_kelurahan_sees_an_empty_desk(self, client: Any, story: Story) -> None:
        client.force_login(story.komet_clerk)
        html = client.get("/layanan/permohonan/").content.decode()
        assert self.app.tracking_number not in html
        client.force_login(story.mentaos_clerk)
        assert self.app.tracking_number in client.get("/layanan/permohonan/").content.decode()

    def test_other_kelurahan_cannot_post_actions(self, client: Any, story: Story) -> None:
        client.force_login(story.komet_clerk)
        url = f"/layanan/permohonan/{self.app.tracking_number}/"
        assert client.post(url, {"action": "reject", "version": 1, "reason": "x"}).status_code == 404


def test_nik_is_masked_for_roles_without_personal_data(client: Any, desk: Desk) -> None:
    app = submit(desk)
    url = f"/layanan/permohonan/{app.tracking_number}/"
    client.force_login(desk.story.mentaos_clerk)
    html = client.get(url).content.decode()
    assert GOOD_NIK in html and "siti@example.com" in html
    client.force_login(desk.story.head)  # head of region: sees everything, personal data masked
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert GOOD_NIK not in html and "••••••••••••0003" in html
    assert "siti@example.com" not in html
    assert 'data-testid="action-form"' not in html  # view only


def test_desk_flags_overdue_and_filters(client: Any, desk: Desk) -> None:
    late = submit(desk)
    Application.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    fresh = submit(desk)
    client.force_login(desk.story.mentaos_clerk)
    html = client.get("/layanan/permohonan/").content.decode()
    assert html.count('data-testid="overdue-badge"') == 1
    assert 'data-testid="overdue-count"' in html
    only = client.get("/layanan/permohonan/?overdue=on").content.decode()
    assert late.tracking_number in only and fresh.tracking_number not in only
    assert_strict_csp_markup(html)


def test_desk_actions_run_through_the_page(client: Any, desk: Desk) -> None:
    app = submit(desk)
    url = f"/layanan/permohonan/{app.tracking_number}/"
    client.force_login(desk.story.mentaos_clerk)
    response = client.post(url, {"action": "reject", "version": app.version, "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for the rejection" in response.content.decode()
    assert client.post(url, {"action": "verify", "version": app.version}).status_code == 302
    # The same click again, from the stale page: refused with the current state, nothing changes.
    client.post(url, {"action": "verify", "version": app.version})
    app.refresh_from_db()
    assert app.status == Status.VERIFYING and app.version == 2
    for action in ("process", "approve", "issue"):
        app.refresh_from_db()
        assert client.post(url, {"action": action, "version": app.version}).status_code == 302, action
    app.refresh_from_db()
    assert app.status == Status.COMPLETED
    assert client.get(f"{url}hasil/")["Content-Type"] == "application/pdf"


def test_desk_requires_a_staff_role(client: Any, desk: Desk) -> None:
    client.force_login(desk.story.citizen)  # a staff account without any role
    assert client.get("/layanan/permohonan/").status_code == 404
    assert client.get("/layanan/permohonan/").status_code == 404
    client.logout()
    assert client.get("/layanan/permohonan/").status_code == 302  # to the staff sign-in


def test_form_settings_page_adds_a_question(client: Any, desk: Desk) -> None:
    url = f"/layanan/permohonan/formulir/{desk.service.pk}/"
    client.force_login(desk.story.komet_clerk)
    assert client.get(url).status_code == 404
    client.force_login(desk.story.mentaos_clerk)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "part": "field",
            "field-code": "rt",
            "field-label": "RT number",
            "field-field_type": "number",
            "field-is_required": "on",
            "field-order": "5",
        },
    )
    assert response.status_code == 302
    assert desk.service.form_fields.get(code="rt").label == "RT number"


def test_unverified_or_expired_form_errors_are_shown(client: Any, desk: Desk) -> None:
    citizen_login(client, desk.citizen)
    response = client.post(f"/layanan/ajukan/{desk.service.pk}/", form_data(idempotency_key="short"))
    assert response.status_code == 400
    assert "The form has expired. Open it again and resend." in response.content.decode()
    Citizen.objects.filter(pk=desk.citizen.pk).update(verified_at=None)
    response = client.get(f"/layanan/ajukan/{desk.service.pk}/")
    assert response.status_code == 302  # an unverified account is no signed-in citizen
    assert Application.objects.count() == 0


def test_desk_list_query_count_does_not_grow_with_rows(client: Any, desk: Desk) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(desk.story.mentaos_clerk)
    submit(desk)
    client.get("/layanan/permohonan/")
    with CaptureQueriesContext(connection) as few:
        client.get("/layanan/permohonan/")
    for _i in range(4):
        submit(desk)
    with CaptureQueriesContext(connection) as more:
        html = client.get("/layanan/permohonan/").content.decode()
    assert html.count('data-testid="desk-row"') == 5
    assert len(more.captured_queries) == len(few.captured_queries)


def test_camat_sees_the_kelurahan_applications_and_audit_names_the_citizen(client: Any, desk: Desk) -> None:
    from balai.core.models import AuditEvent

    app = submit(desk)
    client.force_login(desk.story.camat)
    assert client.get(f"/layanan/permohonan/{app.tracking_number}/").status_code == 200
    event = AuditEvent.objects.get(action="application.submit")
    assert event.actor_label == f"citizen {desk.citizen.pk}"


def test_the_applicant_rates_a_completed_application_once(client: Any, desk: Desk, settings: Any) -> None:
    from balai.skm.models import SkmResponse
    from balai.skm.services import response_submit

    clerk = desk.story.mentaos_clerk
    app = submit(desk)
    citizen_login(client, desk.citizen)
    track = f"/layanan/lacak/{app.tracking_number}/"
    # Not complete yet: nothing to rate, and asking anyway opens nothing.
    assert 'data-testid="skm-offer"' not in client.get(track).content.decode()
    early = client.post(f"{track}nilai/", follow=True)
    assert "The survey opens once the application is complete." in early.content.decode()

    for step in (services.application_verify_documents, services.application_process, services.application_approve):
        step(actor=clerk, application=app, version=app.version)
    services.application_issue_result(actor=clerk, application=app, version=app.version)
    app.refresh_from_db()
    assert app.event is not None and app.event.kind == "online" and app.event.unit_id == app.unit_id
    assert 'data-testid="skm-offer"' in client.get(track).content.decode()

    response = client.post(f"{track}nilai/")
    assert response.status_code == 302 and response["Location"].startswith("/skm/")
    token = response["Location"].removeprefix("/skm/").strip("/")
    response_submit(token=token, answers={f"u{i}": 4 for i in range(1, 10)})
    assert SkmResponse.objects.filter(event=app.event).count() == 1
    page = client.get(track).content.decode()
    assert 'data-testid="skm-offer-rated"' in page and 'data-testid="skm-offer"' not in page
    again = client.post(f"{track}nilai/", follow=True)
    assert "already been rated" in again.content.decode()

    # Someone else's application: nothing to rate, nothing learnt.
    other = Citizen.objects.create(channel=ContactChannel.EMAIL, address="o@example.com", verified_at=timezone.now())
    citizen_login(client, other)
    assert client.post(f"{track}nilai/").status_code == 404


def test_the_survey_window_closes_for_the_applicant(client: Any, desk: Desk, settings: Any) -> None:
    settings.BALAI_SKM_LINK_HOURS = 24
    clerk = desk.story.mentaos_clerk
    app = submit(desk)
    for step in (services.application_verify_documents, services.application_process, services.application_approve):
        step(actor=clerk, application=app, version=app.version)
    services.application_issue_result(actor=clerk, application=app, version=app.version)
    app.refresh_from_db()
    assert app.event is not None
    type(app.event).objects.filter(pk=app.event.pk).update(occurred_at=timezone.now() - dt.timedelta(hours=25))
    citizen_login(client, desk.citizen)
    track = f"/layanan/lacak/{app.tracking_number}/"
    assert 'data-testid="skm-offer"' not in client.get(track).content.decode()
    late = client.post(f"{track}nilai/", follow=True)
    assert "The time to rate this service has passed." in late.content.decode()

"""An online application from a phone to its result document, in a real Chromium (issue 4).

A citizen signs in on a phone with a one-time code sent by e-mail, applies for a kelurahan letter with a photo
of their KTP and a PDF, gets a tracking number and follows the timeline; the kelurahan clerk handles it at the
desk and issues the result; the citizen sees the result, and its QR link opens the public check. Every page must
run without a console error or a CSP violation, and fit the phone's width.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser

NIK = "6372044102900003"  # a woman born 1 Feb 1990, Kecamatan Banjarbaru Utara
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def ktp_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@dataclass
class Office:
    story: Any
    service: Any


@pytest.fixture
def office(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[Office]:
    from balai.applications import services
    from balai.applications.choices import FieldType
    from balai.core.testing import build_story
    from balai.publicservices.models import Service

    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media-not-served/"  # documents only ever go through Balai's own checked views
    settings.BALAI_PUBLIC_URL = ""  # the QR then points at the server the clerk used
    story = build_story()
    service = Service.objects.create(
        unit=story.mentaos,
        code="sk-domisili",
        name_id="Surat Keterangan Domisili",
        name_en="Certificate of residence",
        requirements="KTP\nSurat pengantar RT",
        procedure="Ajukan\nVerifikasi\nTerbit",
        time_limit_days=3,
        is_online=True,
    )
    services.form_field_save(
        actor=None, service=service, code="alamat", label="Alamat", field_type=FieldType.TEXTAREA, order=1
    )
    services.form_field_save(
        actor=None,
        service=service,
        code="keperluan",
        label="Keperluan",
        field_type=FieldType.CHOICE,
        choices="Perbankan\nSekolah",
        order=2,
    )
    services.form_field_save(
        actor=None, service=service, code="sejak", label="Sejak", field_type=FieldType.DATE, is_required=False
    )
    services.required_document_save(
        actor=None, service=service, code="ktp", name="KTP-el", accepted_types=["jpeg", "png"], order=1
    )
    services.required_document_save(
        actor=None, service=service, code="pengantar", name="Surat pengantar RT", accepted_types=["pdf"], order=2
    )
    yield Office(story, service)


def _no_errors(*sessions: BrowserSession) -> None:
    errors = [f"{s.name}: {e}" for s in sessions for e in s.errors]
    assert errors == [], "console errors or CSP violations:\n" + "\n".join(errors)


def _fits_the_phone(session: BrowserSession) -> None:
    overflow = session.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{session.page.url} is {overflow}px wider than the phone screen"


def _sign_in_by_code(phone: BrowserSession, office: Office) -> None:
    from django.core import mail

    page = phone.page
    phone.goto(f"/layanan/ajukan/{office.service.pk}/")
    expect(page.locator("[data-testid=contact-form]")).to_be_visible()  # sent to sign in first
    _fits_the_phone(phone)
    page.fill("input[name=contact]", "siti.aminah@example.com")
    with page.expect_navigation():
        page.locator("[data-testid=send-code]").tap()
    expect(page.locator("[data-testid=code-form]")).to_be_visible()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["siti.aminah@example.com"]
    match = re.search(r"\b(\d{6})\b", str(mail.outbox[0].body))
    assert match is not None
    page.fill("input[name=code]", match.group(1))
    phone.screenshot("1-code")
    with page.expect_navigation():
        page.locator("[data-testid=verify-code]").tap()
    expect(page.locator("[data-testid=apply-form]")).to_be_visible()  # back where they wanted to go


def _apply(phone: BrowserSession) -> str:
    page = phone.page
    _fits_the_phone(phone)
    page.fill("input[name=applicant_name]", "Siti Aminah")
    page.fill("input[name=nik]", NIK)
    page.fill("textarea[name=field_alamat]", "Jl. Karang Anyar No. 12, RT 003 RW 001")
    page.select_option("select[name=field_keperluan]", value="Perbankan")
    page.fill("input[name=field_sejak]", "2019-07-01")
    page.set_input_files(
        "input[name=doc_ktp]", files=[{"name": "IMG_KTP.jpg", "mimeType": "image/jpeg", "buffer": ktp_photo()}]
    )
    page.set_input_files(
        "input[name=doc_pengantar]",
        files=[{"name": "pengantar.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    phone.screenshot("2-form")
    with page.expect_navigation():
        page.locator("[data-testid=submit-application]").tap()
    number = page.locator("[data-testid=tracking-number]")
    expect(number).to_be_visible()
    tracking = number.inner_text().strip()
    assert re.fullmatch(r"LY\d\d-[A-Z0-9]{6}", tracking), tracking
    expect(page.locator("[data-testid=timeline] .timeline-event")).to_have_count(1)
    expect(page.locator("[data-testid=timeline] .timeline-event[data-status=submitted]")).to_have_count(1)
    expect(page.locator("[data-testid=documents] li")).to_have_count(2)
    _fits_the_phone(phone)
    phone.screenshot("3-tracking")
    return tracking


def _desk_action(desktop: BrowserSession, tracking: str, action: str) -> None:
    page = desktop.page
    with page.expect_navigation():
        page.locator(f"[data-testid=action-{action}]").click()
    expect(page.locator("[data-testid=tracking-number]")).to_have_text(tracking)


def test_citizen_applies_on_a_phone_and_follows_it(
    phone: BrowserSession, desktop: BrowserSession, office: Office
) -> None:
    from balai.applications.models import Application, ResultDocument

    _sign_in_by_code(phone, office)
    tracking = _apply(phone)
    app = Application.objects.get(tracking_number=tracking)
    assert app.status == "submitted" and app.documents.count() == 2

    # "My applications" lists it.
    phone.goto("/layanan/saya/")
    expect(phone.page.locator("[data-testid=my-application]").filter(has_text=tracking)).to_have_count(1)

    # The Mentaos clerk works it through at the desk, on a desktop.
    desktop.login("clerk_mentaos")
    desktop.goto("/layanan/permohonan/")
    row = desktop.page.locator("[data-testid=desk-row]").filter(has_text=tracking)
    expect(row).to_have_count(1)
    with desktop.page.expect_navigation():
        row.click()
    expect(desktop.page.locator("[data-testid=nik]")).to_have_text(NIK)
    desktop.page.locator("[data-testid=document] img").scroll_into_view_if_needed()
    desktop.page.wait_for_function(
        "el => el.complete && el.naturalWidth > 0",
        arg=desktop.page.locator("[data-testid=document] img").element_handle(),
    )
    for action in ("verify", "process", "approve", "issue"):
        _desk_action(desktop, tracking, action)
    expect(desktop.page.locator("[data-testid=result]")).to_be_visible()
    desktop.screenshot("4-desk")

    # The citizen sees every step and the result, and the QR's link checks out.
    phone.goto(f"/layanan/lacak/{tracking}/")
    expect(phone.page.locator("[data-testid=status]")).to_have_text(re.compile(r"\S"))
    statuses = phone.page.locator("[data-testid=timeline] .timeline-event").evaluate_all(
        "els => els.map(e => e.dataset.status)"
    )
    assert statuses == ["submitted", "verifying", "processing", "approved", "completed"]
    expect(phone.page.locator("[data-testid=download-result]")).to_be_visible()
    _fits_the_phone(phone)
    phone.screenshot("5-result")
    doc = ResultDocument.objects.get(application__tracking_number=tracking)
    response = phone.goto(f"/layanan/verifikasi/{doc.verification_code}/")
    assert response is not None and response.status == 200
    expect(phone.page.locator("[data-testid=verify-valid]")).to_be_visible()
    expect(phone.page.locator("[data-testid=masked-name]")).to_have_text("S*** A*****")
    _fits_the_phone(phone)
    phone.screenshot("6-verify")
    _no_errors(phone, desktop)

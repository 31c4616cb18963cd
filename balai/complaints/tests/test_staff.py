"""The staff pages of citizen reports: scoping, anonymity, the LAPOR! actions, conflicts, export, moderation."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from balai.complaints import services
from balai.complaints.choices import Channel, Classification, Status
from balai.complaints.models import Category, Complaint, ComplaintPhoto
from balai.core.models import AuditEvent
from balai.core.testing import ScopingContract, Story
from balai.org import services as org
from balai.org.models import User
from balai.org.roles import Role

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")  # Banjarbaru


@pytest.fixture(autouse=True)
def _media_in_memory(settings) -> None:  # photos must not land in var/media
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def client(client):  # English pages: assertions read the source strings
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _category(code: str = "jalan") -> Category:
    return Category.objects.create(code=code, name_id="Jalan rusak", name_en="Damaged road")


def _report(story: Story, category: Category, **kw: object) -> Complaint:
    defaults: dict[str, object] = {
        "channel": Channel.WEB,
        "category": category,
        "description": "Lubang besar di Jl. Mentaos",
        "pemda": story.root,
        "territory": story.mentaos,
        "latitude": -3.4420,
        "longitude": 114.8310,
        "reporter_name": "Siti Rahmah",
        "reporter_phone": "081234567890",
        "reporter_email": "siti@example.org",
    }
    defaults.update(kw)
    return services.complaint_submit(**defaults)  # type: ignore[arg-type]


def _staff(username: str, role: str, unit: object) -> User:
    user = org.user_create(actor=None, username=username, full_name=username.title(), password="x-Long-Pass-2026")
    org.role_assign(actor=None, user=user, role=role, org_unit=unit)  # type: ignore[arg-type]
    return user


def _desk(story: Story) -> User:
    return _staff("desk", Role.SKPD_OPERATOR, story.root)


def _url(c: Complaint) -> str:
    return reverse("complaints_staff:detail", args=[c.tracking_code])


class TestComplaintScoping(ScopingContract):
    def mentaos_urls(self, story: Story) -> list[str]:
        return [_url(_report(story, _category()))]


def test_unit_sees_disposed_report_and_other_agency_gets_404(client, story: Story) -> None:
    c = _report(story, _category())
    services.complaint_verify(
        actor=_desk(story),
        complaint=c,
        version=c.version,
        title="Jalan berlubang",
        classification=Classification.PENGADUAN,
        category=c.category,
        unit=story.dinkes,
    )
    client.force_login(_staff("dinkes_op", Role.SKPD_OPERATOR, story.dinkes))
    assert client.get(_url(c)).status_code == 200
    client.force_login(story.skpd_operator)  # Diskominfo
    assert client.get(_url(c)).status_code == 404


def test_anonymous_reporter_name_never_in_unit_html(client, story: Story) -> None:
    c = _report(story, _category(), is_anonymous=True)
    services.complaint_verify(
        actor=_desk(story),
        complaint=c,
        version=c.version,
        title="Jalan berlubang",
        classification=Classification.PENGADUAN,
        category=c.category,
        unit=story.dinkes,
    )
    client.force_login(_staff("dinkes_op", Role.SKPD_OPERATOR, story.dinkes))
    html = client.get(_url(c)).content.decode()
    assert "Siti Rahmah" not in html
    assert "081234567890" not in html
    assert "siti@example.org" not in html


def test_phone_masked_for_role_without_personal(client, story: Story) -> None:
    c = _report(story, _category())
    client.force_login(story.head)  # head of region: VIEW only
    html = client.get(_url(c)).content.decode()
    assert "081234567890" not in html
    assert "••••••••7890" in html
    assert 'data-testid="complaint-actions"' not in html


def test_desk_verifies_and_disposes(client, story: Story) -> None:
    c = _report(story, _category())
    client.force_login(_desk(story))
    response = client.post(
        _url(c),
        {
            "action": "verify",
            "verify-version": "1",
            "verify-title": "Jalan berlubang di Mentaos",
            "verify-classification": Classification.PENGADUAN,
            "verify-category": str(c.category_id),
            "verify-tags": "jalan, darurat",
            "verify-unit": str(story.dinkes.pk),
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.unit, c.title, c.tags, c.version) == (
        Status.VERIFIED,
        story.dinkes,
        "Jalan berlubang di Mentaos",
        ["darurat", "jalan"],
        2,
    )
    response = client.post(
        _url(c),
        {"action": "dispose", "dispose-version": "2", "dispose-unit": str(story.diskominfo.pk), "dispose-reason": "IT"},
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.unit, c.version) == (story.diskominfo, 3)


def test_verify_form_preselects_suggested_unit(client, story: Story) -> None:
    category = _category()
    category.default_unit = story.dinkes
    category.save()
    c = _report(story, category)
    client.force_login(_desk(story))
    html = client.get(_url(c)).content.decode()
    assert f'<option value="{story.dinkes.pk}" selected>' in html


def test_second_concurrent_action_gets_409_and_first_state_stays(client, story: Story) -> None:
    c = _report(story, _category())
    client.force_login(_desk(story))
    first = client.post(_url(c), {"action": "postpone", "postpone-version": "1", "postpone-reason": "Foto kurang"})
    second = client.post(_url(c), {"action": "archive", "archive-version": "1", "archive-reason": "Spam"})
    assert (first.status_code, second.status_code) == (302, 409)
    assert "Someone else has just changed this report" in second.content.decode()
    c.refresh_from_db()
    assert (c.status, c.version) == (Status.POSTPONED, 2)


def test_service_validation_error_shows_on_form(client, story: Story) -> None:
    c = _report(story, _category())
    client.force_login(_desk(story))
    response = client.post(_url(c), {"action": "merge", "merge-version": "1", "merge-original": "AD26-XXXXXX"})
    assert response.status_code == 400
    assert "No report with this tracking code in your area." in response.content.decode()
    c.refresh_from_db()
    assert (c.status, c.version) == (Status.RECEIVED, 1)


def test_action_not_allowed_for_role_gets_404(client, story: Story) -> None:
    c = _report(story, _category())
    client.force_login(story.mentaos_clerk)  # territory staff, not the desk: cannot verify
    response = client.post(_url(c), {"action": "archive", "archive-version": "1", "archive-reason": "Spam"})
    assert response.status_code == 404
    c.refresh_from_db()
    assert c.status == Status.RECEIVED


def test_internal_note_on_timeline(client, story: Story) -> None:
    c = _report(story, _category())
    client.force_login(story.mentaos_clerk)
    response = client.post(
        _url(c),
        {"action": "respond", "respond-version": "1", "respond-text": "Cek lapangan besok", "respond-is_public": "0"},
    )
    assert response.status_code == 302
    html = client.get(_url(c)).content.decode()
    assert "Cek lapangan besok" in html
    assert c.updates.get(text="Cek lapangan besok").is_public is False


def test_unit_resolves_with_proof_photo(client, story: Story) -> None:
    from PIL import Image

    c = _report(story, _category())
    services.complaint_verify(
        actor=_desk(story),
        complaint=c,
        version=c.version,
        title="Jalan berlubang",
        classification=Classification.PENGADUAN,
        category=c.category,
        unit=story.dinkes,
    )
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(buffer, "JPEG")
    client.force_login(_staff("dinkes_op", Role.SKPD_OPERATOR, story.dinkes))
    response = client.post(
        _url(c),
        {
            "action": "respond",
            "respond-version": "2",
            "respond-text": "Sudah ditambal",
            "respond-is_public": "1",
            "respond-status": Status.RESOLVED,
            "respond-photos": [SimpleUploadedFile("bukti.jpg", buffer.getvalue(), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    update = c.updates.get(text="Sudah ditambal")
    assert (c.status, update.is_public, update.status_to) == (Status.RESOLVED, True, Status.RESOLVED)
    assert list(c.photos.values_list("is_proof", "update_id", "width", "height")) == [(True, update.pk, 40, 30)]


def test_merge_as_duplicate(client, story: Story) -> None:
    category = _category()
    original = _report(story, category)
    dup = _report(story, category, latitude=-3.44210, longitude=114.83105)
    client.force_login(_desk(story))
    html = client.get(_url(dup)).content.decode()
    assert 'data-testid="duplicate-suggestions"' in html
    assert original.tracking_code in html
    response = client.post(
        _url(dup), {"action": "merge", "merge-version": "1", "merge-original": original.tracking_code}
    )
    assert response.status_code == 302
    dup.refresh_from_db()
    assert (dup.status, dup.duplicate_of_id) == (Status.DUPLICATE, original.pk)


def test_moderation_hides_a_photo(client, story: Story) -> None:
    c = _report(story, _category())
    photo = ComplaintPhoto.objects.create(
        complaint=c, image=SimpleUploadedFile("a.png", PNG_1PX, content_type="image/png"), sha256="0" * 64
    )
    client.force_login(_desk(story))
    response = client.post(
        _url(c),
        {
            "action": "moderate",
            "moderate-version": "1",
            "moderate-public_description": "Jalan berlubang",
            "moderate-hide_photos": [str(photo.pk)],
        },
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    c.refresh_from_db()
    assert (photo.is_hidden, c.public_description, c.is_hidden, c.version) == (True, "Jalan berlubang", False, 2)
    event = AuditEvent.objects.get(action="complaint.moderate")
    assert event.changes["hidden_photos"] == [photo.pk]


def test_queue_tabs_and_overdue_badge(client, story: Story) -> None:
    category = _category()
    late = _report(story, category, received_at=timezone.now() - dt.timedelta(days=40))
    fresh = _report(story, category)
    client.force_login(_desk(story))
    html = client.get(reverse("complaints_staff:queue")).content.decode()
    assert late.tracking_code in html and fresh.tracking_code in html
    assert html.count('data-testid="overdue-badge"') == 1
    html = client.get(reverse("complaints_staff:queue"), {"tab": "all", "overdue": "on"}).content.decode()
    assert late.tracking_code in html and fresh.tracking_code not in html
    html = client.get(reverse("complaints_staff:queue"), {"tab": "mine"}).content.decode()
    assert 'data-testid="queue-empty"' in html


def test_queue_other_kelurahan_sees_nothing(client, story: Story) -> None:
    c = _report(story, _category())
    client.force_login(story.komet_clerk)
    html = client.get(reverse("complaints_staff:queue"), {"tab": "all"}).content.decode()
    assert c.tracking_code not in html


def test_queue_query_count_is_pinned(client, story: Story) -> None:
    category = _category()
    for _i in range(3):
        _report(story, category)
    client.force_login(_desk(story))
    url = reverse("complaints_staff:queue")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"tab": "all"})
    for _i in range(5):
        _report(story, category)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"tab": "all"})
    assert response.content.decode().count('data-testid="queue-row"') == 8
    # 7: the desk sees every report, so no scope's unit ids are read (a unit's or kelurahan's staff: 8).
    assert len(many) == len(few) == 7


def _export(client, **params: str):
    return client.get(reverse("complaints_staff:export"), params)


def test_export_csv_content(client, story: Story) -> None:
    category = _category()
    named = _report(story, category, received_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA))
    anon = _report(story, category, received_at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=WITA), is_anonymous=True)
    _report(story, category, received_at=dt.datetime(2026, 5, 1, 9, 0, tzinfo=WITA))  # outside the range
    client.force_login(story.head)  # no PERSONAL
    response = _export(client, format="csv", **{"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode()
    reports, updates = text.split("\r\n\r\n")
    lines = reports.split("\r\n")
    assert lines[0].startswith("tracking_code,received_at,channel,category,")
    assert len(lines) == 3
    assert lines[1].startswith(f"{named.tracking_code},2026-03-02T09:00:00+08:00,web,jalan,pengaduan,,received,")
    assert ",Siti Rahmah,••••••••7890,••••••••••••.org,0,0," in lines[1]
    assert f"{anon.tracking_code}," in lines[2] and ",Anonymous,,,1,0," in lines[2]
    assert "Siti Rahmah" not in lines[2]
    update_lines = updates.strip().split("\r\n")
    assert update_lines[0] == "tracking_code,created_at,kind,status_from,status_to,unit,author,is_public,text"
    assert len(update_lines) == 3


def test_export_xlsx_opens_with_openpyxl(client, story: Story) -> None:
    c = _report(story, _category(), received_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA))
    client.force_login(_desk(story))
    response = _export(client, format="xlsx", **{"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["reports", "updates"]
    rows = list(wb["reports"].iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == c.tracking_code
    assert rows[1][10:13] == ("Siti Rahmah", "081234567890", "siti@example.org")  # the desk has PERSONAL


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-12-31"}, "Give the dates as YYYY-MM-DD"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "The end date is before the start date."),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "At most one year per export; split the range."),
        ({"format": "pdf", "from": "2026-01-01", "to": "2026-01-31"}, "Unknown format"),
    ],
)
def test_export_bad_input_is_400(client, story: Story, params: dict[str, str], message: str) -> None:
    client.force_login(story.head)
    response = _export(client, **{"format": "csv", **params})
    assert response.status_code == 400
    assert message in response.content.decode()

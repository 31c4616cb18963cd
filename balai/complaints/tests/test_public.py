from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from balai.complaints import geo
from balai.complaints.choices import Channel, Status, UpdateKind
from balai.complaints.models import Category, Complaint, ComplaintPhoto, ComplaintUpdate
from balai.complaints.services import complaint_submit
from balai.complaints.tests.test_photos import jpeg
from balai.core.testing import Story

MENTAOS = (-3.4400, 114.8350)
JAKARTA = (-6.2000, 106.8166)
NEW = reverse("complaints_public:new")


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def located(story: Story) -> Story:
    assert geo.centroids_load(story.root) == 20
    return story


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Broken road")


def form_data(category: Category, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": category.pk,
        "description": "Lubang besar di Jalan Karang Anyar",
        "latitude": MENTAOS[0],
        "longitude": MENTAOS[1],
        "phone": "081234567890",
        "email": "warga@example.org",
        "reporter_name": "Siti Aminah",
    }
    data.update(extra)
    return data


def upload(name: str = "foto.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else jpeg(), content_type="image/jpeg")


def mark(complaint: Complaint, **fields: object) -> Complaint:
    """Test setup only: put a report in a state the staff services would reach."""
    Complaint.objects.filter(pk=complaint.pk).update(**fields)
    complaint.refresh_from_db()
    return complaint


# ------------------------------------------------------------------------------------------- geo
def test_territory_for_point_finds_nearest_kelurahan(located: Story) -> None:
    assert geo.territory_for_point(located.root, *MENTAOS) == located.mentaos
    assert geo.territory_for_point(located.root, -3.4505, 114.8448) == located.komet


def test_point_outside_the_pemda_has_no_territory(located: Story) -> None:
    assert geo.territory_for_point(located.root, *JAKARTA) is None


def test_centroids_load_is_idempotent(located: Story) -> None:
    located.mentaos.refresh_from_db()
    assert (located.mentaos.latitude, located.mentaos.longitude) == MENTAOS
    assert geo.centroids_load(located.root) == 0


# ----------------------------------------------------------------------------------------- intake
def test_form_page_opens_without_an_account(client: Client, located: Story, category: Category) -> None:
    response = client.get(NEW)
    assert response.status_code == 200
    assert b'id="villages-data"' in response.content
    assert b"<script>" not in response.content


def test_happy_path_with_a_photo_creates_one_report_and_one_photo(
    client: Client, located: Story, category: Category, media: Path
) -> None:
    response = client.post(NEW, form_data(category, photos=[upload()]))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints_public:done", args=[complaint.tracking_code])
    assert complaint.channel == Channel.WEB
    assert complaint.territory == located.mentaos
    assert complaint.reporter_phone == "081234567890"
    assert ComplaintPhoto.objects.filter(complaint=complaint).count() == 1
    done = client.get(response["Location"])
    assert complaint.tracking_code in done.content.decode()
    assert reverse("complaints_public:track", args=[complaint.tracking_code]) in done.content.decode()


def test_four_photos_are_refused(client: Client, located: Story, category: Category, media: Path) -> None:
    response = client.post(NEW, form_data(category, photos=[upload(f"f{i}.jpg") for i in range(4)]))
    assert response.status_code == 200
    assert "At most 3 photos can be sent." in response.content.decode()
    assert Complaint.objects.count() == 0


def test_text_file_named_jpg_refused_and_nothing_stored(
    client: Client, located: Story, category: Category, media: Path
) -> None:
    response = client.post(NEW, form_data(category, photos=[upload(), upload("evil.jpg", b"hello")]))
    assert "evil.jpg: This file is not a JPEG, PNG or WebP photo." in response.content.decode()
    assert Complaint.objects.count() == 0
    assert ComplaintPhoto.objects.count() == 0
    assert list(media.rglob("*.jpg")) == []


def test_description_of_4001_characters_is_refused(client: Client, located: Story, category: Category) -> None:
    response = client.post(NEW, form_data(category, description="x" * 4001))
    assert response.status_code == 200
    assert Complaint.objects.count() == 0
    assert "4000" in response.content.decode()


def test_location_outside_the_pemda_is_refused(client: Client, located: Story, category: Category) -> None:
    response = client.post(NEW, form_data(category, latitude=JAKARTA[0], longitude=JAKARTA[1]))
    assert (
        "This place is outside Kota Banjarbaru: we can only handle reports inside our area."
        in response.content.decode()
    )
    assert Complaint.objects.count() == 0


def test_no_location_at_all_is_refused(client: Client, located: Story, category: Category) -> None:
    response = client.post(NEW, form_data(category, latitude="", longitude=""))
    assert "Show us where" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_location_read_from_photo_exif(client: Client, located: Story, category: Category, media: Path) -> None:
    data = form_data(category, latitude="", longitude="", photos=[upload(content=jpeg(gps=(-3.4502, 114.8449)))])
    assert client.post(NEW, data).status_code == 302
    complaint = Complaint.objects.get()
    assert round(complaint.latitude, 4) == -3.4502  # type: ignore[arg-type]
    assert complaint.territory == located.komet


def test_kelurahan_and_address_without_pin(client: Client, located: Story, category: Category) -> None:
    data = form_data(category, latitude="", longitude="", territory=located.komet.pk, address="Jl. Komet 5")
    assert client.post(NEW, data).status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.territory, complaint.address, complaint.latitude) == (located.komet, "Jl. Komet 5", None)


def test_rate_limit_per_ip(client: Client, located: Story, category: Category, settings) -> None:
    settings.BALAI_INTAKE_RATE = (2, 600)
    for i in range(2):
        assert client.post(NEW, form_data(category, phone=f"08123456780{i}")).status_code == 302
    response = client.post(NEW, form_data(category, phone="081234567809"))
    assert response.status_code == 429
    assert "Please wait a few minutes" in response.content.decode()
    assert Complaint.objects.count() == 2


def test_rate_limit_per_phone(client: Client, located: Story, category: Category, settings) -> None:
    settings.BALAI_INTAKE_RATE = (1, 600)
    complaint_submit(
        channel=Channel.WEB, category=category, description="x", pemda=located.root, reporter_phone="081234567890"
    )
    response = client.post(NEW, form_data(category), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 429
    assert Complaint.objects.count() == 1


# -------------------------------------------------------------------------------------- tracking
@pytest.fixture
def report(located: Story, category: Category) -> Complaint:
    return complaint_submit(
        channel=Channel.WEB,
        category=category,
        description="Lampu jalan mati",
        pemda=located.root,
        territory=located.mentaos,
        reporter_name="Siti Aminah",
        reporter_phone="081234567890",
        reporter_email="siti@example.org",
        is_confidential=True,
    )


def test_tracking_page_shows_timeline_and_no_personal_data(client: Client, report: Complaint) -> None:
    ComplaintUpdate.objects.create(complaint=report, kind=UpdateKind.RESPONSE, text="Petugas sudah dikirim")
    ComplaintUpdate.objects.create(complaint=report, kind=UpdateKind.NOTE, text="internal secret", is_public=False)
    response = client.get(reverse("complaints_public:track", args=[report.tracking_code.lower()]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Report received." in html
    assert "Petugas sudah dikirim" in html
    assert "internal secret" not in html
    for personal in ("081234567890", "siti@example.org", "Siti Aminah"):
        assert personal not in html


def test_unknown_code_is_404(client: Client, db: None) -> None:
    assert client.get(reverse("complaints_public:track", args=["AD26-XXXXXX"])).status_code == 404


def test_lookup_redirects_to_the_report(client: Client, report: Complaint) -> None:
    response = client.get(reverse("complaints_public:lookup"), {"code": f" {report.tracking_code.lower()} "})
    assert response["Location"] == reverse("complaints_public:track", args=[report.tracking_code])
    missing = client.get(reverse("complaints_public:lookup"), {"code": "AD26-AAAAAA"})
    assert "No report has this code." in missing.content.decode()


def test_overdue_badge_when_deadline_past_and_open(client: Client, report: Complaint) -> None:
    mark(report, first_response_due=timezone.now() - dt.timedelta(days=1))
    html = client.get(reverse("complaints_public:track", args=[report.tracking_code])).content.decode()
    assert html.count('data-testid="overdue"') == 1


def test_reopen_within_14_days(client: Client, report: Complaint) -> None:
    mark(report, status=Status.RESOLVED, resolved_at=timezone.now() - dt.timedelta(days=3))
    page = client.get(reverse("complaints_public:track", args=[report.tracking_code]))
    assert b'data-testid="reopen-form"' in page.content
    response = client.post(reverse("complaints_public:reopen", args=[report.tracking_code]), {"reason": "Mati lagi"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reopen_count) == (Status.IN_PROGRESS, 1)


def test_reopen_after_14_days_is_refused(client: Client, report: Complaint) -> None:
    mark(report, status=Status.RESOLVED, resolved_at=timezone.now() - dt.timedelta(days=15))
    page = client.get(reverse("complaints_public:track", args=[report.tracking_code]))
    assert b'data-testid="reopen-form"' not in page.content
    client.post(reverse("complaints_public:reopen", args=[report.tracking_code]), {"reason": "Mati lagi"})
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_rating_flow(client: Client, report: Complaint) -> None:
    mark(report, status=Status.RESOLVED, resolved_at=timezone.now() - dt.timedelta(days=1))
    url = reverse("complaints_public:rate", args=[report.tracking_code])
    client.post(url, {"rating": "4", "comment": "Cepat"})
    report.refresh_from_db()
    assert report.rating == 4
    client.post(url, {"rating": "9"})
    report.refresh_from_db()
    assert report.rating == 4


def test_rating_refused_while_open(client: Client, report: Complaint) -> None:
    client.post(reverse("complaints_public:rate", args=[report.tracking_code]), {"rating": "5"})
    report.refresh_from_db()
    assert report.rating is None


# ------------------------------------------------------------------------------------ list and map
@pytest.fixture
def public_reports(located: Story, category: Category) -> dict[str, Complaint]:
    def make(description: str, **kw: object) -> Complaint:
        c = complaint_submit(
            channel=Channel.WEB,
            category=category,
            description=description,
            pemda=located.root,
            territory=located.mentaos,
            latitude=-3.441234,
            longitude=114.835678,
            address="Jl. Mawar 12",
            reporter_name="Budi Santoso",
            reporter_phone="081111111111",
            **kw,  # type: ignore[arg-type]
        )
        return mark(c, status=Status.VERIFIED)

    return {
        "open": make("Jalan berlubang dekat sekolah"),
        "secret": make("Pungutan liar di kantor", is_confidential=True),
        "anon": make("Sampah menumpuk di gang", is_anonymous=True),
    }


def test_confidential_report_absent_from_public_list_and_json(
    client: Client, public_reports: dict[str, Complaint]
) -> None:
    html = client.get(reverse("complaints_public:map")).content.decode()
    assert "Jalan berlubang dekat sekolah" in html
    assert "Pungutan liar" not in html
    data = client.get(reverse("complaints_public:map_json")).json()
    assert data["count"] == 2
    assert all("Pungutan" not in p["text"] for p in data["points"])


def test_public_list_shows_no_personal_data_nor_codes(client: Client, public_reports: dict[str, Complaint]) -> None:
    html = client.get(reverse("complaints_public:map")).content.decode()
    for secret in ("Budi Santoso", "081111111111", public_reports["open"].tracking_code):
        assert secret not in html
    assert html.count("Jl. Mawar 12") == 1  # the named report's address; not the anonymous one's


def test_anonymous_point_is_rounded_in_json(client: Client, public_reports: dict[str, Complaint]) -> None:
    points = client.get(reverse("complaints_public:map_json")).json()["points"]
    assert sorted((p["lat"], p["lon"]) for p in points) == [(-3.44123, 114.83568), (-3.441, 114.836)]
    assert all("Budi" not in str(p) for p in points)


def test_map_filters_and_bbox(client: Client, public_reports: dict[str, Complaint], located: Story) -> None:
    url = reverse("complaints_public:map_json")
    assert client.get(url, {"territory": located.komet.pk}).json()["count"] == 0
    assert client.get(url, {"status": Status.VERIFIED}).json()["count"] == 2
    assert client.get(url, {"bbox": "-3.5,114.8,-3.4,114.9"}).json()["count"] == 2
    assert client.get(url, {"bbox": "-6.3,106.7,-6.1,106.9"}).json()["count"] == 0


def test_received_report_is_not_public_yet(client: Client, report: Complaint) -> None:
    mark(report, is_confidential=False)
    assert client.get(reverse("complaints_public:map_json")).json()["count"] == 0


def test_photo_served_by_code(client: Client, report: Complaint, media: Path) -> None:
    from balai.complaints.photos import photo_add

    photo = photo_add(complaint=report, content=jpeg())
    response = client.get(reverse("complaints_public:photo", args=[report.tracking_code, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("complaints_public:photo", args=["AD26-AAAAAA", photo.pk])).status_code == 404

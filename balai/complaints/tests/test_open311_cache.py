"""Open311 reads: the short cache of anonymous public answers, and what an uncached list costs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balai.complaints import open311
from balai.complaints.choices import Channel, Classification, Status
from balai.complaints.models import Category, Complaint, ComplaintPhoto, ComplaintUpdate
from balai.complaints.moderation import complaint_moderate
from balai.complaints.open311_keys import open311_client_create
from balai.complaints.services import complaint_respond, complaint_submit, complaint_verify
from balai.core.testing import Story, sign_in

BASE = "/open311/v2"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@pytest.fixture(autouse=True)
def empty_cache(settings: Any) -> Iterator[None]:
    # Ids repeat across tests (rolled back), and so would the complaints version.
    settings.BALAI_OPEN311_CACHE_SECONDS = 30
    caches["open311"].clear()
    yield
    caches["open311"].clear()


@pytest.fixture
def roads(story: Story, settings: Any, tmp_path: Path) -> Category:
    settings.MEDIA_ROOT = tmp_path
    return Category.objects.create(code="roads", name_id="Jalan rusak", name_en="Damaged road", sort_order=1)


def report(story: Story, category: Category, days_ago: float = 1, *, public: bool = True) -> Complaint:
    complaint = complaint_submit(
        channel=Channel.WEB,
        category=category,
        description="Lubang besar di depan sekolah",
        pemda=story.root,
        latitude=-3.4417,
        longitude=114.8302,
        address="Jl. Ahmad Yani km 34",
        reporter_name="Budi Santoso",
        received_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    if public:
        complaint = complaint_verify(
            actor=story.admin,
            complaint=complaint,
            version=complaint.version,
            title="Jalan rusak",
            classification=Classification.PENGADUAN,
            category=category,
            unit=story.diskominfo,
        )
    return complaint


def get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(f"{BASE}/{url}", params)
    assert response.status_code == 200, response.content
    return response


def behind_the_services_back(complaint: Complaint, address: str) -> None:
    """A change no service made (no timeline entry): only the cache's time limit brings it out."""
    Complaint.objects.filter(pk=complaint.pk).update(address=address)


def test_anonymous_list_is_served_from_the_cache_and_says_so(client: Client, story: Story, roads: Category) -> None:
    complaint = report(story, roads)
    first = get(client, "requests.json")
    assert first["Cache-Control"] == "public, max-age=30"
    assert "Accept-Language" in first["Vary"]  # a proxy keeps one answer per language
    behind_the_services_back(complaint, "Jl. Lain")
    with CaptureQueriesContext(connection) as queries:
        again = get(client, "requests.json")
    assert again.content == first.content
    assert again["Cache-Control"] == "public, max-age=30"
    assert len(queries) == 1  # the complaints version, nothing else
    # Another parameter, format or language is another answer.
    assert get(client, "requests.json", page_size="5").json()[0]["address"] == "Jl. Lain"
    assert b"Jl. Lain" in get(client, "requests.xml").content
    indonesian = client.get(f"{BASE}/requests.json", headers={"accept-language": "id"}).json()
    assert indonesian[0]["service_name"] == "Jalan rusak"
    assert indonesian[0]["address"] == "Jl. Lain"


def test_same_parameters_in_another_order_share_the_answer(client: Client, story: Story, roads: Category) -> None:
    complaint = report(story, roads)
    first = get(client, "requests.json", status="open", service_code="roads").content
    behind_the_services_back(complaint, "Jl. Lain")
    assert client.get(f"{BASE}/requests.json?service_code=roads&status=open").content == first


def test_a_staff_response_shows_at_once(client: Client, story: Story, roads: Category) -> None:
    complaint = report(story, roads)
    before = get(client, "requests.json").json()
    assert before[0]["status"] == "open"
    detail = get(client, f"requests/{complaint.tracking_code}.json").json()
    updates = get(client, "servicerequestupdates.json").json()
    complaint_respond(
        actor=story.admin, complaint=complaint, version=complaint.version, text="Sudah diperbaiki.", status="resolved"
    )
    after = get(client, "requests.json").json()
    assert after[0]["status"] == "closed"
    assert after[0]["status_notes"] == "Sudah diperbaiki."
    assert get(client, f"requests/{complaint.tracking_code}.json").json() != detail
    assert [u["description"] for u in get(client, "servicerequestupdates.json").json()] == [
        *(u["description"] for u in updates),
        "Sudah diperbaiki.",
    ]


def test_a_report_hidden_by_a_moderator_disappears_at_once(client: Client, story: Story, roads: Category) -> None:
    shown, hidden = report(story, roads), report(story, roads, 2)
    assert len(get(client, "requests.json").json()) == 2
    assert get(client, f"requests/{hidden.tracking_code}.json").status_code == 200
    complaint_moderate(actor=story.admin, complaint=hidden, version=hidden.version, hide=True)
    assert [r["service_request_id"] for r in get(client, "requests.json").json()] == [shown.tracking_code]
    assert client.get(f"{BASE}/requests/{hidden.tracking_code}.json").status_code == 404


def test_a_new_photo_shows_at_once(client: Client, story: Story, roads: Category) -> None:
    complaint = report(story, roads)
    assert get(client, "requests.json").json()[0]["media_url"] is None
    photo = ComplaintPhoto.objects.create(
        complaint=complaint, image=SimpleUploadedFile("a.gif", GIF, content_type="image/gif"), sha256="x"
    )
    assert get(client, "requests.json").json()[0]["media_url"] == (
        f"http://testserver/aduan/lacak/{complaint.tracking_code}/foto/{photo.pk}/"
    )


def test_reads_with_an_api_key_are_never_cached(client: Client, story: Story, roads: Category) -> None:
    complaint = report(story, roads)
    _client, key = open311_client_create(actor=None, name="Warga App")
    first = get(client, "requests.json", api_key=key)
    assert "public" not in first.get("Cache-Control", "")
    behind_the_services_back(complaint, "Jl. Lain")
    assert get(client, "requests.json", api_key=key).json()[0]["address"] == "Jl. Lain"
    assert get(client, f"requests/{complaint.tracking_code}.json", api_key=key).json()[0]["address"] == "Jl. Lain"


def test_reads_by_a_signed_in_user_are_never_cached(client: Client, story: Story, roads: Category) -> None:
    complaint = report(story, roads)
    sign_in(client, story.admin)
    first = get(client, "requests.json")
    assert "public" not in first.get("Cache-Control", "")
    behind_the_services_back(complaint, "Jl. Lain")
    assert get(client, "requests.json").json()[0]["address"] == "Jl. Lain"


def test_errors_are_not_cached(client: Client, story: Story, roads: Category) -> None:
    complaint = report(story, roads, public=False)
    assert client.get(f"{BASE}/requests/{complaint.tracking_code}.json").status_code == 404
    response = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert response.status_code == 400
    assert "public" not in response.get("Cache-Control", "")
    # Made public by a direct write (no timeline entry, so the version stays): found all the same.
    Complaint.objects.filter(pk=complaint.pk).update(status=Status.VERIFIED)
    assert get(client, f"requests/{complaint.tracking_code}.json").json()[0]["service_request_id"] == (
        complaint.tracking_code
    )


def test_zero_seconds_turns_the_cache_off(client: Client, story: Story, roads: Category, settings: Any) -> None:
    settings.BALAI_OPEN311_CACHE_SECONDS = 0
    complaint = report(story, roads)
    first = get(client, "requests.json")
    assert "Cache-Control" not in first
    behind_the_services_back(complaint, "Jl. Lain")
    assert get(client, "requests.json").json()[0]["address"] == "Jl. Lain"


def test_an_uncached_list_of_100_takes_a_fixed_few_queries(
    client: Client, story: Story, roads: Category, settings: Any
) -> None:
    """Neither the reports nor their timelines or photos are read one by one."""
    settings.BALAI_OPEN311_CACHE_SECONDS = 0
    lights = Category.objects.create(code="lights", name_id="Lampu jalan", name_en="Street light", sort_order=2)
    first = report(story, roads)
    for i, complaint in enumerate(report(story, (roads, lights)[i % 2], 1 + i / 100) for i in range(99)):
        if i % 10 == 0:
            ComplaintPhoto.objects.create(
                complaint=complaint, image=SimpleUploadedFile("a.gif", GIF, content_type="image/gif"), sha256="x"
            )
        if i % 7 == 0:
            complaint_respond(actor=story.admin, complaint=complaint, version=complaint.version, text=f"Catatan {i}")
    assert Complaint.objects.public().count() == 100
    assert ComplaintUpdate.objects.count() > 200
    get(client, "requests.json")  # the process-wide caches (the Pemda's zone) are warm
    counts = {}
    for size in (1, 10, 100):
        with CaptureQueriesContext(connection) as queries:
            data = get(client, "requests.json", page_size=str(size)).json()
        assert len(data) == size
        counts[size] = len(queries)
    assert counts == {1: 1, 10: 1, 100: 1}
    with CaptureQueriesContext(connection) as queries:
        updates = get(client, "servicerequestupdates.json").json()
    assert len(updates) > 200
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        get(client, f"requests/{first.tracking_code}.json")
    assert len(queries) == 1
    # Cached: one query (the version) whatever the size.
    settings.BALAI_OPEN311_CACHE_SECONDS = 30
    get(client, "requests.json", page_size="100")
    with CaptureQueriesContext(connection) as queries:
        get(client, "requests.json", page_size="100")
    assert len(queries) == 1


class NoConnection:
    """Django's connection as a request on SQLite finds it: not opened yet (and it must stay so)."""

    connection = None

    def __init__(self) -> None:
        self.ops = connection.ops

    def cursor(self) -> Any:
        raise AssertionError("the database was asked")


def test_a_worker_without_a_connection_trusts_its_version_for_a_second(
    monkeypatch: pytest.MonkeyPatch, story: Story
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(open311, "_clock", lambda: clock[0])
    monkeypatch.setattr(open311, "_version_read", None)
    version = open311._complaints_version()  # the test's connection is open: read
    monkeypatch.setattr(open311, "connection", NoConnection())
    clock[0] += 0.9
    assert open311._complaints_version() == version
    clock[0] += 0.2
    with pytest.raises(AssertionError, match="the database was asked"):
        open311._complaints_version()

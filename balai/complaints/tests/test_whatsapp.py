"""WhatsApp Cloud API webhook: handshake, signatures, de-duplication and the whole bot conversation."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from PIL import Image

from balai.complaints.channels import senders
from balai.complaints.channels import tasks as channel_tasks
from balai.complaints.choices import Channel, Status
from balai.complaints.models import Category, ChatSession, Complaint, Follower, InboundMessage
from balai.complaints.tests.fake_platforms import FakePlatforms
from balai.core.testing import Story

pytestmark = pytest.mark.django_db

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "106540352242922"
WA_ID = "6281234567890"
URL = "/webhooks/whatsapp/"
CATEGORY_QUESTION = "Which category fits best? Reply with the number:\n1. Damaged road\n2. Street light out"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    server = FakePlatforms().start()
    conf = {
        "API_BASE": server.base,
        "TOKEN": "test-wa-token",
        "APP_SECRET": APP_SECRET,
        "VERIFY_TOKEN": VERIFY_TOKEN,
        "PHONE_NUMBER_ID": PHONE_NUMBER_ID,
    }
    # English replies: the tests read the source strings, whatever the Indonesian catalogue says.
    with override_settings(BALAI_WHATSAPP=conf, LANGUAGE_CODE="en"):
        yield server
    server.stop()


@pytest.fixture
def categories(story: Story) -> list[Category]:
    return [
        Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Damaged road", sort_order=1),
        Category.objects.create(code="lampu", name_id="Lampu jalan mati", name_en="Street light out", sort_order=2),
        Category.objects.create(code="lama", name_id="Lama", name_en="Old", sort_order=3, is_active=False),
    ]


def envelope(message: dict[str, Any] | None = None, *, statuses: list[dict[str, Any]] | None = None) -> dict:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6285100000000", "phone_number_id": PHONE_NUMBER_ID},
    }
    if message is not None:
        value["contacts"] = [{"profile": {"name": "Siti Rahmah"}, "wa_id": WA_ID}]
        value["messages"] = [message]
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


_counter = iter(range(1, 10_000))


def msg(kind: str, content: dict[str, Any], *, message_id: str | None = None) -> dict[str, Any]:
    return {
        "from": WA_ID,
        "id": message_id or f"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA{next(_counter):05d}",
        "timestamp": "1780000000",
        "type": kind,
        kind: content,
    }


def text(body: str, **kw: Any) -> dict[str, Any]:
    return msg("text", {"body": body}, **kw)


def sign(raw: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post(payload: Any, *, signature: str | None = None, raw: bytes | None = None) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    headers: dict[str, Any] = {} if signature == "" else {"HTTP_X_HUB_SIGNATURE_256": signature or sign(body)}
    return Client().post(URL, data=body, content_type="application/json", **headers)


def say(message: dict[str, Any]) -> None:
    assert post(envelope(message)).status_code == 200


# ------------------------------------------------------------------------------------------ handshake
def test_handshake_with_the_verify_token_returns_the_challenge(fake: FakePlatforms) -> None:
    r = Client().get(URL, {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN})
    assert (r.status_code, r.content, r["Content-Type"]) == (200, b"1158201444", "text/plain")


def test_handshake_with_a_wrong_verify_token_is_403(fake: FakePlatforms) -> None:
    r = Client().get(URL, {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "nope"})
    assert r.status_code == 403


def test_handshake_is_403_when_no_verify_token_is_configured(fake: FakePlatforms) -> None:
    with override_settings(BALAI_WHATSAPP={"VERIFY_TOKEN": "", "APP_SECRET": ""}):
        r = Client().get(URL, {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""})
    assert r.status_code == 403


# ------------------------------------------------------------------------------------------ signatures
def test_bad_signature_is_403_and_nothing_stored(fake: FakePlatforms, categories: list[Category]) -> None:
    body = json.dumps(envelope(text("Halo"))).encode()
    assert post(None, raw=body, signature=sign(body, "wrong-secret")).status_code == 403
    assert post(None, raw=body, signature="").status_code == 403
    assert post(None, raw=body, signature=sign(body + b" ")).status_code == 403
    assert (InboundMessage.objects.count(), ChatSession.objects.count(), fake.requests) == (0, 0, [])


def test_malformed_json_is_200_and_nothing_stored(fake: FakePlatforms, categories: list[Category]) -> None:
    assert post(None, raw=b"{not json").status_code == 200
    assert InboundMessage.objects.count() == 0


def test_unexpected_shape_is_200_and_nothing_stored(fake: FakePlatforms, categories: list[Category]) -> None:
    good = text("Halo")
    bad = {"from": WA_ID, "type": "text", "text": {"body": "no id"}}
    payload = envelope(good)
    payload["entry"][0]["changes"][0]["value"]["messages"].append(bad)
    assert post(payload).status_code == 200
    assert post({"object": "page", "entry": []}).status_code == 200
    assert post([1, 2, 3]).status_code == 200
    assert (InboundMessage.objects.count(), fake.requests) == (0, [])


def test_status_receipts_are_ignored(fake: FakePlatforms, categories: list[Category]) -> None:
    receipt = {"id": "wamid.out1", "status": "delivered", "timestamp": "1780000001", "recipient_id": WA_ID}
    assert post(envelope(statuses=[receipt])).status_code == 200
    assert (InboundMessage.objects.count(), fake.requests) == (0, [])


# ------------------------------------------------------------------------------------------ conversation
def test_a_location_outside_the_pemda_is_asked_again_and_the_report_is_placed(
    fake: FakePlatforms, categories: list[Category], story: Story
) -> None:
    """A shared location in another city is refused at once; the next one, in Mentaos, places the report there."""
    from balai.complaints import geo

    geo.centroids_load(story.root)
    say(text("Halo"))
    say(text("lewati"))
    say(msg("location", {"latitude": -6.2000, "longitude": 106.8166, "name": "Monas"}))
    texts = fake.sent_texts()
    assert texts[-2] == "This place is outside Kota Banjarbaru: we can only handle reports inside our area."
    assert texts[-1].startswith("Where is it?")
    assert ChatSession.objects.get().state == "location"
    say(msg("location", {"latitude": -3.4400, "longitude": 114.8350, "name": "Jl. Mentaos"}))
    say(text("Lampu jalan mati sejak kemarin."))
    say(text("1"))
    say(text("ya"))
    assert Complaint.objects.get().territory == story.mentaos


def test_full_conversation_creates_one_report(
    fake: FakePlatforms, categories: list[Category], monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = png_bytes()
    fake.add_media("1479537139650973", photo)
    say(text("Halo"))
    say(msg("image", {"mime_type": "image/png", "sha256": "x", "id": "1479537139650973"}))
    say(msg("location", {"latitude": -3.4420, "longitude": 114.8300, "name": "Jl. Mentaos"}))
    say(text("Lubang besar di tengah jalan, sudah dua minggu."))
    say(text("1"))
    say(text("ya"))

    complaint = Complaint.objects.get()
    assert (
        complaint.channel,
        complaint.category.code,
        complaint.latitude,
        complaint.longitude,
        complaint.address,
        complaint.description,
        complaint.reporter_ref,
        complaint.reporter_name,
        complaint.reporter_phone,
        complaint.status,
    ) == (
        Channel.WHATSAPP,
        "jalan",
        -3.4420,
        114.8300,
        "Jl. Mentaos",
        "Lubang besar di tengah jalan, sudah dua minggu.",
        WA_ID,
        "Siti Rahmah",
        WA_ID,
        Status.RECEIVED,
    )
    assert list(Follower.objects.values_list("channel", "address")) == [(Channel.WHATSAPP, WA_ID)]
    texts = fake.sent_texts()
    assert texts[0].startswith("Hello! This is the citizen report service of ")
    assert texts[1] == 'Send a photo of the problem, or type "lewati" to skip.'
    assert texts[2].startswith("Where is it?")
    assert texts[3] == "Describe the problem in a few sentences."
    assert texts[4] == CATEGORY_QUESTION
    assert texts[5].startswith("Your report:\nCategory: Damaged road\nPlace: Jl. Mentaos\nPhoto: yes\n")
    assert texts[6] == (
        f"Thank you, your report has been received. Tracking code: {complaint.tracking_code}. "
        f'Follow it at /aduan/lacak/{complaint.tracking_code}/ or type "status {complaint.tracking_code}". '
        "We will send updates here."
    )
    assert len(texts) == 7
    sends = [r for r in fake.requests if r.method == "POST"]
    assert {r.path for r in sends} == {f"/{PHONE_NUMBER_ID}/messages"}
    assert sends[0].headers["Authorization"] == "Bearer test-wa-token"
    assert sends[0].body["to"] == WA_ID
    media_gets = [r.path for r in fake.requests if r.method == "GET"]
    assert media_gets == ["/1479537139650973", "/media-bytes/1479537139650973"]
    session = ChatSession.objects.get(channel=Channel.WHATSAPP, sender=WA_ID)
    assert session.state == "start"
    stored = complaint.photos.get()  # the real photo pipeline: sniffed, re-encoded, EXIF-free
    assert (stored.width, stored.height, stored.is_proof) == (*Image.open(io.BytesIO(photo)).size, False)


def test_report_is_filed_when_its_photo_cannot_be_stored(
    fake: FakePlatforms, categories: list[Category], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_photo_add(**kw: Any) -> None:
        raise RuntimeError("storage down")

    monkeypatch.setattr("balai.complaints.channels.bot.photo_add", broken_photo_add)
    fake.add_media("777", png_bytes())
    say(msg("image", {"mime_type": "image/png", "sha256": "x", "id": "777"}))
    for body in ("Jl. Mentaos 12", "Lampu mati", "2", "ya"):
        say(text(body))
    complaint = Complaint.objects.get()  # the report is filed all the same
    assert not complaint.photos.exists()
    assert fake.sent_texts()[-1].startswith("Your photo could not be kept with the report")
    assert ChatSession.objects.get().data == {}


def test_typed_address_and_skipped_photo(fake: FakePlatforms, categories: list[Category]) -> None:
    for body in ("Halo", "lewati", "Jl. A. Yani km 3, RT 02, Mentaos", "Lampu mati", "2", "ya"):
        say(text(body))
    complaint = Complaint.objects.get()
    assert (complaint.category.code, complaint.latitude, complaint.address) == (
        "lampu",
        None,
        "Jl. A. Yani km 3, RT 02, Mentaos",
    )


def test_wrong_category_number_asks_again(fake: FakePlatforms, categories: list[Category]) -> None:
    for body in ("Halo", "lewati", "Jl. Mentaos 12", "Lampu mati", "3"):
        say(text(body))
    assert (
        fake.sent_texts()[-1]
        == "Which category fits best? Reply with the number:\n1. Damaged road\n2. Street light out"
    )
    assert ChatSession.objects.get().state == "category"


def test_duplicate_delivery_makes_one_report(fake: FakePlatforms, categories: list[Category]) -> None:
    for body in ("Halo", "lewati", "Jl. Mentaos 12", "Lampu mati", "2"):
        say(text(body))
    confirm = text("ya", message_id="wamid.CONFIRM-1")
    say(confirm)
    sent = len(fake.sent_texts())
    say(confirm)  # the platform retries a delivery it thinks failed
    assert Complaint.objects.count() == 1
    assert InboundMessage.objects.filter(message_id="wamid.CONFIRM-1").count() == 1
    assert len(fake.sent_texts()) == sent


def test_unsupported_type_is_answered_politely(fake: FakePlatforms, categories: list[Category]) -> None:
    say(msg("sticker", {"mime_type": "image/webp", "sha256": "x", "id": "2222"}))
    say(msg("audio", {"mime_type": "audio/ogg", "id": "3333", "voice": True}))
    polite = "Sorry, we cannot read this kind of message. Please send text, a photo or a location."
    assert fake.sent_texts() == [polite, polite]
    assert Complaint.objects.count() == 0


def test_status_command_answers_the_current_status(fake: FakePlatforms, categories: list[Category]) -> None:
    for body in ("Halo", "lewati", "Jl. Mentaos 12", "Lampu mati", "2", "ya"):
        say(text(body))
    code = Complaint.objects.get().tracking_code
    say(text(f"status {code.lower()}"))
    say(text("status AD26-XXXXXX"))
    assert fake.sent_texts()[-2:] == [
        f"Report {code}: Received. Details: /aduan/lacak/{code}/",
        "No report has the code AD26-XXXXXX. Check the code and try again.",
    ]


def test_too_many_messages_get_one_friendly_answer(
    fake: FakePlatforms, categories: list[Category], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(channel_tasks, "RATE_LIMIT_PER_MINUTE", 2)
    for body in ("Halo", "lewati", "Jl. Mentaos 12", "Lampu mati"):
        say(text(body))
    texts = fake.sent_texts()
    assert texts[-1] == "You are sending messages very quickly. Please wait a minute, then continue."
    assert len(texts) == 4  # greeting + photo question, location question, the one friendly message
    assert ChatSession.objects.get().state == "location"


def test_send_update_posts_a_whatsapp_text(fake: FakePlatforms) -> None:
    follower = Follower(channel=Channel.WHATSAPP, address=WA_ID)
    assert senders.send_update(follower, "Laporan AD26-ACDEFG sedang dikerjakan.") is True
    (request,) = fake.requests
    assert (request.path, request.body) == (
        f"/{PHONE_NUMBER_ID}/messages",
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": WA_ID,
            "type": "text",
            "text": {"preview_url": False, "body": "Laporan AD26-ACDEFG sedang dikerjakan."},
        },
    )
    assert senders.send_update(Follower(channel=Channel.WEB, address="a@example.id"), "x") is False

"""Telegram Bot API webhook: secret token, update de-duplication and the bot conversation."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from PIL import Image

from balai.complaints.channels import senders
from balai.complaints.choices import Channel
from balai.complaints.models import Category, ChatSession, Complaint, Follower, InboundMessage
from balai.complaints.tests.fake_platforms import FakePlatforms
from balai.core.testing import Story

pytestmark = pytest.mark.django_db

BOT_TOKEN = "123456:TEST-token"
SECRET = "test-telegram-secret"
CHAT_ID = 987654321
URL = "/webhooks/telegram/"


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    server = FakePlatforms().start()
    conf = {"API_BASE": server.base, "BOT_TOKEN": BOT_TOKEN, "SECRET_TOKEN": SECRET}
    with override_settings(BALAI_TELEGRAM=conf, LANGUAGE_CODE="en"):
        yield server
    server.stop()


@pytest.fixture
def categories(story: Story) -> list[Category]:
    return [
        Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Damaged road", sort_order=1),
        Category.objects.create(code="parkir", name_id="Parkir liar", name_en="Illegal parking", sort_order=2),
    ]


_update_ids = iter(range(500_000_001, 600_000_000))


def update(content: dict[str, Any], *, update_id: int | None = None) -> dict[str, Any]:
    uid = update_id or next(_update_ids)
    return {
        "update_id": uid,
        "message": {
            "message_id": uid % 10_000,
            "from": {
                "id": CHAT_ID,
                "is_bot": False,
                "first_name": "Budi",
                "last_name": "Santoso",
                "language_code": "id",
            },
            "chat": {"id": CHAT_ID, "first_name": "Budi", "type": "private"},
            "date": 1780000000,
            **content,
        },
    }


def post(payload: Any, *, secret: str | None = SECRET) -> Any:
    headers: dict[str, Any] = {} if secret is None else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret}
    return Client().post(URL, data=json.dumps(payload), content_type="application/json", **headers)


def say(content: dict[str, Any], **kw: Any) -> None:
    assert post(update(content, **kw)).status_code == 200


def test_wrong_or_missing_secret_is_403_and_nothing_stored(fake: FakePlatforms, categories: list[Category]) -> None:
    assert post(update({"text": "Halo"}), secret="wrong").status_code == 403
    assert post(update({"text": "Halo"}), secret=None).status_code == 403
    assert (InboundMessage.objects.count(), fake.requests) == (0, [])


def test_malformed_update_is_200_and_nothing_stored(fake: FakePlatforms, categories: list[Category]) -> None:
    assert (
        Client()
        .post(URL, data=b"[[", content_type="application/json", HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET)
        .status_code
        == 200
    )
    assert post({"message": {"text": "no update id"}}).status_code == 200
    assert post({"update_id": 5, "message": {"text": "no chat"}}).status_code == 200
    assert post({"update_id": 6, "edited_message": {"chat": {"id": 1}, "text": "edit"}}).status_code == 200
    assert (InboundMessage.objects.count(), fake.requests) == (0, [])


def test_full_conversation_creates_one_report(
    fake: FakePlatforms, categories: list[Category], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (0, 90, 200)).save(out, "PNG")
    big = out.getvalue()
    fake.add_media("AgACAgUAAxkBAAIBig-large", big)
    fake.add_media("AgACAgUAAxkBAAIBig-small", b"thumbnail")

    say({"text": "/start"})
    say(
        {
            "photo": [
                {
                    "file_id": "AgACAgUAAxkBAAIBig-small",
                    "file_unique_id": "s",
                    "width": 90,
                    "height": 67,
                    "file_size": 9,
                },
                {
                    "file_id": "AgACAgUAAxkBAAIBig-large",
                    "file_unique_id": "l",
                    "width": 8,
                    "height": 6,
                    "file_size": len(big),
                },
            ],
            "caption": "ini fotonya",
        }
    )
    say({"location": {"latitude": -3.4581, "longitude": 114.8107, "horizontal_accuracy": 12.5}})
    say({"text": "Mobil parkir di trotoar setiap sore."})
    say({"text": "2"})
    confirm = update({"text": "ya"})
    assert post(confirm).status_code == 200
    assert post(confirm).status_code == 200  # redelivered: still one report

    complaint = Complaint.objects.get()
    assert (
        complaint.channel,
        complaint.category.code,
        complaint.latitude,
        complaint.longitude,
        complaint.reporter_ref,
        complaint.reporter_name,
        complaint.reporter_phone,
    ) == (Channel.TELEGRAM, "parkir", -3.4581, 114.8107, str(CHAT_ID), "Budi Santoso", "")
    assert list(Follower.objects.values_list("channel", "address")) == [(Channel.TELEGRAM, str(CHAT_ID))]
    assert (complaint.photos.get().width, complaint.photos.get().height) == (8, 6)  # the largest size was kept
    texts = fake.sent_texts()
    assert len(texts) == 7
    assert texts[-1].startswith(f"Thank you, your report has been received. Tracking code: {complaint.tracking_code}.")
    assert f"/aduan/lacak/{complaint.tracking_code}/" in texts[-1]
    paths = [r.path for r in fake.requests]
    assert paths[2:4] == [f"/bot{BOT_TOKEN}/getFile", f"/file/bot{BOT_TOKEN}/photos/AgACAgUAAxkBAAIBig-large"]
    assert {r.body["chat_id"] for r in fake.requests if r.path.endswith("/sendMessage")} == {str(CHAT_ID)}
    assert ChatSession.objects.get(channel=Channel.TELEGRAM).state == "start"


def test_unsupported_message_is_answered_politely(fake: FakePlatforms, categories: list[Category]) -> None:
    say({"sticker": {"file_id": "CAACAgIAAxkBAAE", "width": 512, "height": 512, "is_animated": False}})
    assert fake.sent_texts() == ["Sorry, we cannot read this kind of message. Please send text, a photo or a location."]
    assert ChatSession.objects.get().state == "start"  # the conversation has not moved


def test_cancel_starts_over(fake: FakePlatforms, categories: list[Category]) -> None:
    for body in ("Halo", "lewati", "batal"):
        say({"text": body})
    assert fake.sent_texts()[-1] == (
        'Cancelled. Send any message to start a new report, or "status <code>" to follow one.'
    )
    assert ChatSession.objects.get().state == "start"


def test_send_update_uses_send_message(fake: FakePlatforms) -> None:
    assert senders.send_update(Follower(channel=Channel.TELEGRAM, address=str(CHAT_ID)), "Selesai.") is True
    (request,) = fake.requests
    assert (request.path, request.body) == (
        f"/bot{BOT_TOKEN}/sendMessage",
        {"chat_id": str(CHAT_ID), "text": "Selesai."},
    )

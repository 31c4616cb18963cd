"""Citizen sign-in by one-time code: e-mail, WhatsApp through the configured sender, limits and refusals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from balai.applications import accounts
from balai.applications.choices import ContactChannel
from balai.applications.models import Citizen, OneTimeCode
from balai.complaints.tests.fake_platforms import FakePlatforms

pytestmark = pytest.mark.django_db
SIGN_IN = "/layanan/masuk/"


def code_in(text: object) -> str:
    match = re.search(r"\b(\d{6})\b", str(text))
    assert match is not None, text
    return match.group(1)


@pytest.fixture
def whatsapp() -> Iterator[FakePlatforms]:
    server = FakePlatforms().start()
    conf = {
        "API_BASE": server.base,
        "TOKEN": "test-wa-token",
        "APP_SECRET": "s",
        "VERIFY_TOKEN": "v",
        "PHONE_NUMBER_ID": "106540352242922",
    }
    with override_settings(BALAI_WHATSAPP=conf):
        yield server
    server.stop()


def test_email_sign_in_creates_a_verified_citizen_and_keeps_only_a_hash() -> None:
    address = accounts.citizen_start(channel=ContactChannel.EMAIL, contact=" Siti@Example.com ")
    assert address == "siti@example.com"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["siti@example.com"]
    code = code_in(mail.outbox[0].body)
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    citizen = accounts.citizen_verify(channel=ContactChannel.EMAIL, contact="siti@example.com", code=code)
    assert citizen.is_verified and citizen.address == "siti@example.com"
    # A code works once.
    with pytest.raises(accounts.CodeRefused):
        accounts.citizen_verify(channel=ContactChannel.EMAIL, contact="siti@example.com", code=code)


def test_wrong_code_counts_tries_and_locks_after_five() -> None:
    accounts.citizen_start(channel=ContactChannel.EMAIL, contact="a@example.com")
    code = code_in(mail.outbox[0].body)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(accounts.CodeRefused) as exc:
            accounts.citizen_verify(channel=ContactChannel.EMAIL, contact="a@example.com", code=wrong)
        assert exc.value.message_dict["code"] == [f"Wrong code; {left} tries left."]
    with pytest.raises(accounts.CodeRefused):
        accounts.citizen_verify(channel=ContactChannel.EMAIL, contact="a@example.com", code=wrong)
    with pytest.raises(accounts.CodeRefused) as exc:
        accounts.citizen_verify(channel=ContactChannel.EMAIL, contact="a@example.com", code=code)
    assert exc.value.message_dict["code"] == ["Too many wrong tries. Ask for a new code."]
    assert not Citizen.objects.exists()


def test_expired_code_is_refused() -> None:
    accounts.citizen_start(channel=ContactChannel.EMAIL, contact="a@example.com")
    code = code_in(mail.outbox[0].body)
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(accounts.CodeRefused) as exc:
        accounts.citizen_verify(channel=ContactChannel.EMAIL, contact="a@example.com", code=code)
    assert "expired" in exc.value.message_dict["code"][0]


def test_resend_cooldown_and_hourly_limit() -> None:
    accounts.citizen_start(channel=ContactChannel.EMAIL, contact="a@example.com")
    with pytest.raises(accounts.CodeRefused) as exc:
        accounts.citizen_start(channel=ContactChannel.EMAIL, contact="a@example.com")
    assert "Wait" in exc.value.message_dict["contact"][0]
    for _i in range(accounts.MAX_CODES_PER_HOUR - 1):
        OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
        accounts.citizen_start(channel=ContactChannel.EMAIL, contact="a@example.com")
    OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    with pytest.raises(accounts.CodeRefused) as exc:
        accounts.citizen_start(channel=ContactChannel.EMAIL, contact="a@example.com")
    assert "Too many codes" in exc.value.message_dict["contact"][0]
    assert len(mail.outbox) == accounts.MAX_CODES_PER_HOUR
    # Only the newest code is alive.
    assert OneTimeCode.objects.filter(used_at__isnull=True).count() == 1


def test_phone_sign_up_is_refused_without_whatsapp() -> None:
    with pytest.raises(accounts.CodeRefused) as exc:
        accounts.citizen_start(channel=ContactChannel.PHONE, contact="0812 3456 7890")
    assert exc.value.message_dict["contact"] == [
        "Sign-in by phone is not available here yet. Use your e-mail address instead."
    ]
    assert not OneTimeCode.objects.exists()


def test_phone_code_goes_through_whatsapp(whatsapp: FakePlatforms) -> None:
    address = accounts.citizen_start(channel=ContactChannel.PHONE, contact="0812-3456-7890")
    assert address == "6281234567890"
    [sent] = [r for r in whatsapp.requests if r.path.endswith("/messages")]
    assert sent.body["to"] == "6281234567890"
    assert sent.headers["Authorization"] == "Bearer test-wa-token"
    citizen = accounts.citizen_verify(
        channel=ContactChannel.PHONE, contact="+62 812 3456 7890", code=code_in(whatsapp.sent_texts()[0])
    )
    assert (citizen.channel, citizen.address) == ("phone", "6281234567890")


def test_bad_contacts_are_field_errors() -> None:
    for channel, raw in (("email", "not-an-email"), ("phone", "12345"), ("phone", "+1 555 1234567")):
        with pytest.raises(ValidationError) as exc:
            accounts.citizen_start(channel=channel, contact=raw)
        assert "contact" in exc.value.message_dict
    assert not mail.outbox


def test_sign_in_page_round_trip_returns_to_next(client: Any) -> None:
    target = "/layanan/saya/"
    response = client.post(SIGN_IN, {"step": "send", "contact": "warga@example.com", "next": target})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"w\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2@example.com" in page.content  # the address, masked
    response = client.post(SIGN_IN, {"step": "verify", "code": "999999x", "next": target})
    assert response.status_code == 400
    response = client.post(SIGN_IN, {"step": "verify", "code": code_in(mail.outbox[0].body), "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200
    # An outside next is not followed.
    client.post(reverse("applications:sign_out"))
    client.post(SIGN_IN, {"step": "send", "contact": "b@example.com"})
    response = client.post(
        SIGN_IN, {"step": "verify", "code": code_in(mail.outbox[1].body), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/layanan/saya/"


def test_ended_sessions_are_not_accepted(client: Any) -> None:
    citizen = Citizen.objects.create(channel="email", address="c@example.com", verified_at=timezone.now())
    session = client.session
    session[accounts.SESSION_KEY] = {"id": citizen.pk, "salt": citizen.session_salt}
    session.save()
    assert client.get("/layanan/saya/").status_code == 200
    citizen.session_salt = "rotated"
    citizen.save()
    assert client.get("/layanan/saya/").status_code == 302


def test_a_code_that_cannot_be_sent_is_dead_and_says_so() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: the platform is down
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = {
        "API_BASE": f"http://127.0.0.1:{port}",
        "TOKEN": "t",
        "PHONE_NUMBER_ID": "1",
        "APP_SECRET": "",
        "VERIFY_TOKEN": "",
    }
    with override_settings(BALAI_WHATSAPP=conf), pytest.raises(accounts.CodeRefused) as exc:
        accounts.citizen_start(channel=ContactChannel.PHONE, contact="081234567890")
    assert exc.value.message_dict["contact"] == [
        "The code could not be sent. Check the address or try again in a few minutes."
    ]
    assert OneTimeCode.objects.get().used_at is not None

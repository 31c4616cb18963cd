"""`balai telegram_webhook`: registers the bot's webhook with the secret, against a fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from balai.complaints.channels.senders import ChannelError, telegram_method
from balai.complaints.tests.fake_platforms import FakePlatforms

BOT_TOKEN = "123456:TEST-token"


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    server = FakePlatforms().start()
    yield server
    server.stop()


def conf(fake: FakePlatforms, **kw: str) -> dict[str, str]:
    return {"API_BASE": fake.base, "BOT_TOKEN": BOT_TOKEN, "SECRET_TOKEN": "s3cret-Token_1", **kw}


def run(*args: str) -> str:
    out = StringIO()
    call_command("telegram_webhook", *args, stdout=out)
    return out.getvalue()


def test_set_registers_public_https_url_with_secret(fake: FakePlatforms) -> None:
    with override_settings(BALAI_TELEGRAM=conf(fake), BALAI_PUBLIC_URL="https://balai.banjarbarukota.go.id"):
        assert "https://balai.banjarbarukota.go.id/webhooks/telegram/" in run("--set")
        sent = fake.requests[-1]
        assert sent.path == f"/bot{BOT_TOKEN}/setWebhook"
        assert sent.body == {
            "url": "https://balai.banjarbarukota.go.id/webhooks/telegram/",
            "secret_token": "s3cret-Token_1",
            "allowed_updates": ["message"],
        }
        assert "url: https://balai.banjarbarukota.go.id/webhooks/telegram/" in run()
        assert "removed" in run("--delete")
        assert "url: (none)" in run()


@pytest.mark.parametrize(
    ("public", "overrides", "message"),
    [
        ("http://balai.local", {}, "https://"),
        ("", {}, "https://"),
        ("https://balai.banjarbarukota.go.id", {"SECRET_TOKEN": ""}, "SECRET_TOKEN"),
        ("https://balai.banjarbarukota.go.id", {"BOT_TOKEN": ""}, "BOT_TOKEN"),
    ],
)
def test_set_refuses_what_telegram_would_break_on(
    fake: FakePlatforms, public: str, overrides: dict[str, str], message: str
) -> None:
    with (
        override_settings(BALAI_TELEGRAM=conf(fake, **overrides), BALAI_PUBLIC_URL=public),
        pytest.raises(CommandError, match=message),
    ):
        run("--set")
    assert not any(r.path.endswith("/setWebhook") for r in fake.requests)


def test_unreachable_api_is_a_clear_error_without_the_token(fake: FakePlatforms) -> None:
    dead = conf(fake, API_BASE="http://127.0.0.1:9")  # discard port: nothing listens there
    with override_settings(BALAI_TELEGRAM=dead), pytest.raises(CommandError) as info:
        run()
    assert "Telegram refused" in str(info.value)
    assert BOT_TOKEN not in str(info.value) and "/bot***/" in str(info.value)


def test_token_never_in_channel_errors(fake: FakePlatforms) -> None:
    dead = conf(fake, API_BASE="http://127.0.0.1:9")
    with override_settings(BALAI_TELEGRAM=dead), pytest.raises(ChannelError) as info:
        telegram_method("sendMessage", {"chat_id": "1", "text": "x"})
    assert BOT_TOKEN not in str(info.value)

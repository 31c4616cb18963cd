"""Telegram Bot API webhook: secret-token check, update de-duplication, message parsing."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from balai.complaints.channels.bot import Incoming, IncomingCommon
from balai.complaints.choices import Channel
from balai.complaints.models import InboundMessage

logger = logging.getLogger(__name__)


def secret_valid(header: str) -> bool:
    expected = settings.BALAI_TELEGRAM["SECRET_TOKEN"]
    return bool(expected) and hmac.compare_digest(header.encode(), expected.encode())


def extract(body: Any) -> dict[str, Any] | None:
    """The update's message with its sender, or None for updates the bot does not handle (edits, callbacks).

    Raises ValueError when the update itself is malformed.
    """
    if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
        raise ValueError("update_id")
    message = body.get("message")
    if message is None:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        raise ValueError("message.chat")
    chat_id = message["chat"].get("id")
    if not isinstance(chat_id, int):
        raise ValueError("message.chat.id")
    return {"update_id": body["update_id"], "chat_id": str(chat_id), "message": message}


def to_incoming(inbound: InboundMessage) -> Incoming:
    message: dict[str, Any] = inbound.payload.get("message", {})
    sender: dict[str, Any] = message["from"] if isinstance(message.get("from"), dict) else {}
    name = " ".join(str(sender[k]) for k in ("first_name", "last_name") if sender.get(k))
    common: IncomingCommon = {"channel": Channel.TELEGRAM, "sender": inbound.sender, "profile_name": name}
    if isinstance(message.get("text"), str):
        return Incoming(kind="text", text=message["text"], **common)
    photos = message.get("photo")
    if isinstance(photos, list) and photos and all(isinstance(p, dict) for p in photos):
        # Telegram sends every resolution it made; the largest one is the original.
        largest = max(photos, key=lambda p: (p.get("file_size") or 0, (p.get("width") or 0) * (p.get("height") or 0)))
        if largest.get("file_id"):
            return Incoming(kind="photo", media_ref=str(largest["file_id"]), **common)
    location = message.get("location")
    if isinstance(location, dict):
        try:
            latitude, longitude = float(location["latitude"]), float(location["longitude"])
        except (KeyError, TypeError, ValueError):
            return Incoming(kind="unsupported", **common)
        return Incoming(kind="location", latitude=latitude, longitude=longitude, **common)
    return Incoming(kind="unsupported", **common)


# Telegram cannot carry a CSRF token; the request is authenticated by the secret token that was given to
# setWebhook and comes back in X-Telegram-Bot-Api-Secret-Token.
@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    from balai.complaints.channels.tasks import process_inbound

    if not secret_valid(request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")):
        return HttpResponseForbidden()
    try:
        item = extract(json.loads(request.body))
    except ValueError as exc:
        # 200 all the same: an error status would make Telegram redeliver the same update again and again.
        logger.warning("telegram: malformed update ignored (%s)", exc)
        return HttpResponse(status=200)
    if item is None:
        return HttpResponse(status=200)
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                channel=Channel.TELEGRAM, message_id=str(item["update_id"]), sender=item["chat_id"], payload=item
            )
    except IntegrityError:
        logger.info("telegram: update %s already received", item["update_id"])
        return HttpResponse(status=200)
    process_inbound.enqueue(inbound.pk)
    return HttpResponse(status=200)

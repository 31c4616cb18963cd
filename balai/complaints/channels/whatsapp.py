"""WhatsApp Cloud API webhook: verification handshake, signed event deliveries, message parsing."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from balai.complaints.channels.bot import Incoming, IncomingCommon
from balai.complaints.choices import Channel
from balai.complaints.models import InboundMessage

logger = logging.getLogger(__name__)

SUPPORTED_TYPES = {"text", "image", "location"}


class MalformedPayload(ValueError):
    pass


def signature_valid(body: bytes, header: str) -> bool:
    secret = settings.BALAI_WHATSAPP["APP_SECRET"]
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise MalformedPayload(what)


def extract_messages(body: Any) -> list[dict[str, Any]]:
    """The messages of a delivery, each with its sender's profile; raises MalformedPayload on an odd shape.

    The whole delivery is checked before anything is stored, so a half-understood payload stores nothing.
    ``statuses[]`` (sent/delivered/read receipts of our own replies) carry nothing for the bot.
    """
    _require(isinstance(body, dict) and body.get("object") == "whatsapp_business_account", "object")
    entries = body.get("entry")
    _require(isinstance(entries, list), "entry")
    found: list[dict[str, Any]] = []
    for entry in entries:
        _require(isinstance(entry, dict) and isinstance(entry.get("changes", []), list), "entry[]")
        for change in entry.get("changes", []):
            _require(isinstance(change, dict) and isinstance(change.get("value"), dict), "changes[].value")
            value = change["value"]
            contacts = value.get("contacts", [])
            messages = value.get("messages", [])
            _require(isinstance(contacts, list) and isinstance(messages, list), "contacts/messages")
            names: dict[str, str] = {}
            for contact in contacts:
                _require(isinstance(contact, dict), "contacts[]")
                profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
                names[str(contact.get("wa_id", ""))] = str(profile.get("name", ""))
            for message in messages:
                _require(isinstance(message, dict), "messages[]")
                for key in ("id", "from", "type"):
                    _require(isinstance(message.get(key), str) and bool(message[key]), f"messages[].{key}")
                _require(len(message["id"]) <= 128 and len(message["from"]) <= 64, "messages[] sizes")
                found.append({"message": message, "profile_name": names.get(message["from"], "")})
    return found


def to_incoming(inbound: InboundMessage) -> Incoming:
    message: dict[str, Any] = inbound.payload.get("message", {})
    kind = message.get("type")
    common: IncomingCommon = {
        "channel": Channel.WHATSAPP,
        "sender": inbound.sender,
        "profile_name": str(inbound.payload.get("profile_name", "")),
        "phone": inbound.sender,
    }
    if kind == "text" and isinstance(message.get("text"), dict):
        return Incoming(kind="text", text=str(message["text"].get("body", "")), **common)
    if kind == "image" and isinstance(message.get("image"), dict) and message["image"].get("id"):
        return Incoming(kind="photo", media_ref=str(message["image"]["id"]), **common)
    if kind == "location" and isinstance(message.get("location"), dict):
        location = message["location"]
        try:
            latitude, longitude = float(location["latitude"]), float(location["longitude"])
        except (KeyError, TypeError, ValueError):
            return Incoming(kind="unsupported", **common)
        address = ", ".join(str(location[k]) for k in ("name", "address") if location.get(k))
        return Incoming(kind="location", latitude=latitude, longitude=longitude, address=address, **common)
    return Incoming(kind="unsupported", **common)


def store(found: list[dict[str, Any]]) -> list[int]:
    """Store each new message once; a redelivered id is skipped. Returns the ids to process."""
    stored: list[int] = []
    for item in found:
        message = item["message"]
        try:
            with transaction.atomic():
                inbound = InboundMessage.objects.create(
                    channel=Channel.WHATSAPP, message_id=message["id"], sender=message["from"], payload=item
                )
        except IntegrityError:
            logger.info("whatsapp: message %s already received", message["id"])
            continue
        stored.append(inbound.pk)
    return stored


# The platform cannot carry a CSRF token; each POST is authenticated by its HMAC signature instead,
# and the GET handshake by the verify token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    from balai.complaints.channels.tasks import process_inbound

    if request.method == "GET":
        expected = settings.BALAI_WHATSAPP["VERIFY_TOKEN"]
        given = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and expected
            and hmac.compare_digest(given.encode(), expected.encode())
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden()
    body = request.body
    if not signature_valid(body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponseForbidden()
    try:
        found = extract_messages(json.loads(body))
    except (ValueError, MalformedPayload) as exc:
        # 200 all the same: an error status would make the platform redeliver the same payload for days.
        logger.warning("whatsapp: malformed delivery ignored (%s)", exc)
        return HttpResponse(status=200)
    for inbound_id in store(found):
        process_inbound.enqueue(inbound_id)
    return HttpResponse(status=200)

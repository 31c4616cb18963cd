"""The chat conversation that turns a few messages into a citizen report, whatever the platform.

One :class:`~balai.complaints.models.ChatSession` per (channel, sender) remembers the step:
photo → location → description → category → confirmation → ``complaint_submit``. The channel adapters
(``whatsapp.py``, ``telegram.py``) translate their payloads into :class:`Incoming`; this module only
returns the texts to send back, so it is the same conversation on every platform.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from balai.complaints.geo import territory_at
from balai.complaints.models import Category, ChatSession, Complaint
from balai.complaints.photos import photo_add
from balai.complaints.services import MAX_DESCRIPTION, complaint_submit
from balai.org.selectors import pemda_root

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_CATEGORIES_LISTED = 9  # a short list: one digit to type on a phone keypad
MIN_ADDRESS_LENGTH = 5

# Input keywords: citizens type Indonesian; the English ones are accepted too.
SKIP_WORDS = {"lewati", "skip", "tidak", "tidak ada"}
YES_WORDS = {"ya", "iya", "y", "yes", "kirim", "ok", "oke"}
CANCEL_WORDS = {"batal", "cancel", "batalkan"}
STATUS_RE = re.compile(r"^\s*(?:status|cek|lacak)\s+([A-Za-z0-9-]{4,20})\s*$", re.IGNORECASE)


class State:
    START = "start"
    PHOTO = "photo"
    LOCATION = "location"
    DESCRIPTION = "description"
    CATEGORY = "category"
    CONFIRM = "confirm"


@dataclass
class Incoming:
    """One citizen message, platform-neutral."""

    channel: str
    sender: str  # WhatsApp wa_id or Telegram chat id: where the replies and updates go
    kind: str  # "text", "photo", "location" or "unsupported"
    text: str = ""
    media_ref: str = ""  # WhatsApp media id or Telegram file_id
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    profile_name: str = ""
    phone: str = ""


class IncomingCommon(TypedDict):
    """The fields every message from one sender shares, so adapters can pass them as ``**common``."""

    channel: str
    sender: str
    profile_name: str
    phone: NotRequired[str]


MediaFetcher = Callable[[str, str], bytes]


def tracking_path(code: str) -> str:
    return f"/aduan/lacak/{code}/"


def _categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("sort_order", "code")[:MAX_CATEGORIES_LISTED])


def _ask_photo() -> str:
    return _('Send a photo of the problem, or type "lewati" to skip.')


def _ask_location() -> str:
    return _("Where is it? Share your location, or type the address (street, RT/RW, kelurahan).")


def _ask_description() -> str:
    return _("Describe the problem in a few sentences.")


def _ask_category() -> str:
    lines = [_("Which category fits best? Reply with the number:")]
    lines += [f"{i}. {c.name}" for i, c in enumerate(_categories(), start=1)]
    return "\n".join(lines)


def _summary(data: dict[str, Any]) -> str:
    category_id = data.get("category_id")
    category = Category.objects.filter(pk=category_id).first() if category_id is not None else None
    place = data.get("address") or (
        f"{data['latitude']:.5f}, {data['longitude']:.5f}" if data.get("latitude") is not None else "-"
    )
    return "\n".join(
        [
            _("Your report:"),
            _("Category: %(category)s") % {"category": category.name if category else "-"},
            _("Place: %(place)s") % {"place": place},
            _("Photo: %(photo)s") % {"photo": _("yes") if data.get("photo_b64") else _("no")},
            _("Description: %(text)s") % {"text": data.get("description", "")},
            _('Type "ya" to send it, or "batal" to cancel.'),
        ]
    )


def _status_answer(code: str) -> str:
    complaint = Complaint.objects.filter(tracking_code=code.upper()).first()
    if complaint is None:
        return _("No report has the code %(code)s. Check the code and try again.") % {"code": code.upper()}
    return _("Report %(code)s: %(status)s. Details: %(url)s") % {
        "code": complaint.tracking_code,
        "status": complaint.get_status_display(),
        "url": _public_url(complaint.tracking_code),
    }


def _public_url(code: str) -> str:
    # A site address is optional: without it the path alone still tells the citizen where to look.
    base = getattr(settings, "BALAI_PUBLIC_URL", "") or ""
    return base.rstrip("/") + tracking_path(code)


def unsupported_reply() -> str:
    return _("Sorry, we cannot read this kind of message. Please send text, a photo or a location.")


def rate_limited_reply() -> str:
    return _("You are sending messages very quickly. Please wait a minute, then continue.")


def _reset(session: ChatSession) -> None:
    session.state = State.START
    session.data = {}


def _store_photo(session: ChatSession, incoming: Incoming, fetch_media: MediaFetcher) -> str | None:
    """Download now: WhatsApp media ids expire, and the report is only filed a few messages later."""
    from balai.complaints.channels.senders import ChannelError

    try:
        content = fetch_media(incoming.channel, incoming.media_ref)
    except ChannelError:
        logger.warning("chat %s:%s: photo download failed", incoming.channel, incoming.sender, exc_info=True)
        return _('We could not download this photo. Send it again, or type "lewati" to skip.')
    if len(content) > MAX_PHOTO_BYTES:
        return _('This photo is larger than 10 MB. Send a smaller one, or type "lewati" to skip.')
    session.data["photo_b64"] = base64.b64encode(content).decode()
    return None


def _attach_photo(complaint: Complaint, photo_b64: str) -> bool:
    """Attach the chat photo to the filed report; False when it could not be kept.

    The report is already filed: a photo problem must never undo it, hence the savepoint and the broad
    catch. The reporter is told, so they know to show the photo to the officer instead.
    """
    try:
        with transaction.atomic():
            photo_add(complaint=complaint, content=base64.b64decode(photo_b64))
        return True
    except ValidationError as exc:
        logger.info("complaint %s: chat photo refused: %s", complaint.tracking_code, " ".join(exc.messages))
    except Exception:
        logger.exception("complaint %s: chat photo could not be stored", complaint.tracking_code)
    return False


def _outside(latitude: float, longitude: float) -> str:
    """Why a shared location cannot be taken (outside the Pemda's area), or ""."""
    pemda = pemda_root()
    if pemda is None:
        return ""
    try:
        territory_at(pemda, latitude, longitude)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _submit(session: ChatSession, incoming: Incoming) -> list[str]:
    data = session.data
    category = Category.objects.filter(pk=data.get("category_id"), is_active=True).first()
    pemda = pemda_root()
    if category is None or pemda is None:
        session.state = State.CATEGORY
        return [_("This category is no longer available."), _ask_category()]
    try:
        complaint = complaint_submit(
            channel=incoming.channel,
            category=category,
            description=data.get("description", ""),
            pemda=pemda,
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            address=data.get("address", ""),
            reporter_name=data.get("profile_name", ""),
            reporter_phone=data.get("phone", ""),
            reporter_ref=incoming.sender,
        )
    except ValidationError as exc:
        if "location" in getattr(exc, "error_dict", {}):  # the Pemda's area changed since the location was shared
            session.state = State.LOCATION
            return [" ".join(exc.messages), _ask_location()]
        session.state = State.DESCRIPTION
        return [" ".join(exc.messages), _ask_description()]
    photo_b64 = data.get("photo_b64")
    _reset(session)
    replies = [
        _(
            "Thank you, your report has been received. Tracking code: %(code)s. "
            'Follow it at %(url)s or type "status %(code)s". We will send updates here.'
        )
        % {"code": complaint.tracking_code, "url": _public_url(complaint.tracking_code)}
    ]
    if photo_b64 and not _attach_photo(complaint, photo_b64):
        replies.append(_("Your photo could not be kept with the report; please show it to the officer who follows up."))
    return replies


def handle(session: ChatSession, incoming: Incoming, fetch_media: MediaFetcher) -> list[str]:
    """Advance the conversation by one message; returns the replies. The caller saves the session."""
    text = incoming.text.strip() if incoming.kind == "text" else ""
    word = text.lower()
    if incoming.kind == "unsupported":
        return [unsupported_reply()]
    if status := STATUS_RE.match(text):
        return [_status_answer(status.group(1))]
    if word in CANCEL_WORDS:
        _reset(session)
        return [_('Cancelled. Send any message to start a new report, or "status <code>" to follow one.')]
    # Who reports is taken from the platform, so the citizen is not asked for it.
    if incoming.profile_name:
        session.data["profile_name"] = incoming.profile_name[:120]
    if incoming.phone:
        session.data["phone"] = incoming.phone[:20]

    state = session.state
    if state == State.START:
        greeting = _("Hello! This is the citizen report service of %(pemda)s.") % {
            "pemda": getattr(pemda_root(), "name", "") or "Pemda"
        }
        if incoming.kind == "photo":
            if error := _store_photo(session, incoming, fetch_media):
                session.state = State.PHOTO
                return [greeting, error]
            session.state = State.LOCATION
            return [greeting, _ask_location()]
        session.state = State.PHOTO
        return [greeting, _ask_photo()]
    if state == State.PHOTO:
        if incoming.kind == "photo":
            if error := _store_photo(session, incoming, fetch_media):
                return [error]
        elif word not in SKIP_WORDS:
            return [_ask_photo()]
        session.state = State.LOCATION
        return [_ask_location()]
    if state == State.LOCATION:
        if incoming.kind == "location" and incoming.latitude is not None and incoming.longitude is not None:
            if outside := _outside(incoming.latitude, incoming.longitude):
                return [outside, _ask_location()]
            session.data.update(
                latitude=incoming.latitude, longitude=incoming.longitude, address=incoming.address[:255]
            )
        elif len(text) >= MIN_ADDRESS_LENGTH:
            session.data.update(latitude=None, longitude=None, address=text[:255])
        else:
            return [_ask_location()]
        session.state = State.DESCRIPTION
        return [_ask_description()]
    if state == State.DESCRIPTION:
        if not text:
            return [_ask_description()]
        if len(text) > MAX_DESCRIPTION:
            return [
                _("The description is %(n)d characters long; at most %(max)d are allowed.")
                % {"n": len(text), "max": MAX_DESCRIPTION}
            ]
        session.data["description"] = text
        if not _categories():
            _reset(session)
            return [_("Reports cannot be received by chat at the moment. Please use the web form.")]
        session.state = State.CATEGORY
        return [_ask_category()]
    if state == State.CATEGORY:
        categories = _categories()
        if text.isdigit() and 1 <= int(text) <= len(categories):
            session.data["category_id"] = categories[int(text) - 1].pk
            session.state = State.CONFIRM
            return [_summary(session.data)]
        return [_ask_category()]
    if state == State.CONFIRM:
        if word in YES_WORDS:
            return _submit(session, incoming)
        return [_summary(session.data)]
    _reset(session)  # an unknown state (older version of the bot): start again rather than get stuck
    return handle(session, incoming, fetch_media)

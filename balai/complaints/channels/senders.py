"""Talking back to the chat platforms: text replies, media downloads and report updates.

Plain ``urllib.request`` against ``settings.BALAI_WHATSAPP["API_BASE"]`` / ``settings.BALAI_TELEGRAM["API_BASE"]``:
the tests point both at a local fake server, so nothing here may build absolute platform URLs itself.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

from balai.complaints.choices import Channel

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15
MAX_MEDIA_BYTES = 10 * 1024 * 1024  # same limit as a photo on the web form


class ChannelError(Exception):
    """The platform could not be reached or answered something unusable."""


class MediaTooLarge(ChannelError):
    pass


def _open(url: str, *, data: dict[str, Any] | None = None, token: str = "", limit: int | None = None) -> bytes:
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if not url.startswith(("http://", "https://")):
        raise ChannelError(f"refusing a non-HTTP URL: {url[:80]}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - scheme checked
            if limit is None:
                return response.read()
            content = response.read(limit + 1)
            if len(content) > limit:
                raise MediaTooLarge(f"media larger than {limit} bytes")
            return content
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChannelError(f"{_redacted(url)}: {exc}") from exc


def _redacted(url: str) -> str:
    """The URL for a log line: Telegram puts the bot token in the path, and logs are read by many."""
    return re.sub(r"/bot[^/]+/", "/bot***/", url.split("?")[0])[:120]


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ChannelError("the platform did not answer JSON") from exc
    if not isinstance(data, dict):
        raise ChannelError("the platform did not answer a JSON object")
    return data


# ------------------------------------------------------------------------------------------ WhatsApp
def whatsapp_send_text(to: str, text: str) -> None:
    conf = settings.BALAI_WHATSAPP
    _open(
        f"{conf['API_BASE'].rstrip('/')}/{conf['PHONE_NUMBER_ID']}/messages",
        data={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": False, "body": text[:4096]},
        },
        token=conf["TOKEN"],
    )


def whatsapp_media(media_id: str) -> bytes:
    """Media ids resolve to a short-lived URL that needs the same bearer token."""
    conf = settings.BALAI_WHATSAPP
    meta = _json(_open(f"{conf['API_BASE'].rstrip('/')}/{urllib.parse.quote(media_id)}", token=conf["TOKEN"]))
    if int(meta.get("file_size") or 0) > MAX_MEDIA_BYTES:
        raise MediaTooLarge(f"media {media_id} is {meta['file_size']} bytes")
    url = meta.get("url")
    if not isinstance(url, str):
        raise ChannelError(f"no URL for media {media_id}")
    return _open(url, token=conf["TOKEN"], limit=MAX_MEDIA_BYTES)


# ------------------------------------------------------------------------------------------ Telegram
def telegram_method(method: str, data: dict[str, Any]) -> dict[str, Any]:
    conf = settings.BALAI_TELEGRAM
    answer = _json(_open(f"{conf['API_BASE'].rstrip('/')}/bot{conf['BOT_TOKEN']}/{method}", data=data))
    if not answer.get("ok"):
        raise ChannelError(f"Telegram {method}: {answer.get('description', 'not ok')}")
    return answer


def telegram_send_text(chat_id: str, text: str) -> None:
    telegram_method("sendMessage", {"chat_id": chat_id, "text": text[:4096]})


def telegram_file(file_id: str) -> bytes:
    conf = settings.BALAI_TELEGRAM
    result = telegram_method("getFile", {"file_id": file_id}).get("result") or {}
    if int(result.get("file_size") or 0) > MAX_MEDIA_BYTES:
        raise MediaTooLarge(f"file {file_id} is {result['file_size']} bytes")
    file_path = result.get("file_path")
    if not isinstance(file_path, str) or not file_path:
        raise ChannelError(f"no file_path for {file_id}")
    return _open(
        f"{conf['API_BASE'].rstrip('/')}/file/bot{conf['BOT_TOKEN']}/{urllib.parse.quote(file_path)}",
        limit=MAX_MEDIA_BYTES,
    )


# ------------------------------------------------------------------------------------------ neutral
def send_text(channel: str, to: str, text: str) -> None:
    if channel == Channel.WHATSAPP:
        whatsapp_send_text(to, text)
    elif channel == Channel.TELEGRAM:
        telegram_send_text(to, text)
    else:
        raise ChannelError(f"no chat sender for channel {channel}")


def fetch_media(channel: str, ref: str) -> bytes:
    if channel == Channel.WHATSAPP:
        return whatsapp_media(ref)
    if channel == Channel.TELEGRAM:
        return telegram_file(ref)
    raise ChannelError(f"no media download for channel {channel}")


def send_update(follower: Any, text: str) -> bool:
    """Send a report update to a WhatsApp or Telegram follower; False when the channel is not a chat or fails.

    A failure is logged, not raised: the update stays visible on the tracking page and the other followers
    must still get theirs.
    """
    if follower.channel not in (Channel.WHATSAPP, Channel.TELEGRAM):
        return False
    try:
        send_text(follower.channel, follower.address, text)
    except ChannelError:
        logger.warning("could not send an update to %s:%s", follower.channel, follower.address, exc_info=True)
        return False
    return True

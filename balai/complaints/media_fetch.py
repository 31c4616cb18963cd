"""Fetching a photo an Open311 app linked with ``media_url``, without becoming a proxy into our network.

The URL is chosen by whoever holds an api_key, so it is treated as hostile: only http(s), every address
the host name resolves to must be public (no loopback, private, link-local — e.g. the cloud metadata
service at 169.254.169.254 — or reserved range), the connection goes to the address that was checked
(a DNS answer that changes between check and connect cannot redirect us), each redirect is checked the
same way, and the body is capped. The bytes then go through the same photo checks as an upload.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django_tasks import task

from balai.complaints.photos import MAX_BYTES

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3


class MediaFetchError(Exception):
    """The media could not be fetched; the message says why, for the log and the staff note."""


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if getattr(settings, "BALAI_MEDIA_FETCH_PRIVATE", False):
        return not ip.is_multicast and not ip.is_unspecified
    return ip.is_global


def _resolve(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise MediaFetchError(f"cannot resolve {host}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    refused = [a for a in addresses if not _allowed(a)]
    if not addresses or refused:
        raise MediaFetchError(f"{host} resolves to a non-public address ({', '.join(refused) or 'none'})")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, while the socket goes to the checked address.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_image(url: str) -> bytes:
    """The body at ``url`` (at most the photo size limit), following a few checked redirects."""
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise MediaFetchError("only http and https addresses are fetched")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _resolve(parts.hostname, port)
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = cls(parts.hostname, port, address)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request("GET", path, headers={"User-Agent": "Balai/1 (Open311 media)", "Accept": "image/*"})
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308} and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status != 200:
                raise MediaFetchError(f"the server answered {response.status}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise MediaFetchError(f"the media is {declared} bytes; at most {MAX_BYTES} are accepted")
            content = response.read(MAX_BYTES + 1)
            if len(content) > MAX_BYTES:
                raise MediaFetchError(f"the media is larger than {MAX_BYTES} bytes")
            return content
        except (OSError, http.client.HTTPException) as exc:
            raise MediaFetchError(f"download failed: {exc}") from exc
        finally:
            connection.close()
    raise MediaFetchError(f"more than {MAX_REDIRECTS} redirects")


def attach_open311_media(complaint_id: int) -> str:
    """Fetch the report's ``media_url`` into a photo; the outcome is kept with the report's answers.

    Returns "stored", "failed" or "none". A failure never touches the report itself: it was filed already,
    and the link stays visible to staff.
    """
    from django.core.exceptions import ValidationError

    from balai.complaints.models import Complaint
    from balai.complaints.photos import photo_add

    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None or not complaint.attributes.get("_media_url"):
        return "none"
    if complaint.attributes.get("_media_status") == "stored":
        return "stored"  # a retried task must not add the photo twice
    url = complaint.attributes["_media_url"]
    try:
        content = fetch_image(url)
        with transaction.atomic():
            photo_add(complaint=complaint, content=content)
        outcome, detail = "stored", ""
    except MediaFetchError as exc:
        outcome, detail = "failed", str(exc)
    except ValidationError as exc:
        outcome, detail = "failed", " ".join(exc.messages)
    if outcome == "failed":
        logger.warning("complaint %s: media_url not stored: %s", complaint.tracking_code, detail)
    attributes = {**complaint.attributes, "_media_status": outcome}
    if detail:
        attributes["_media_error"] = detail[:300]
    # Only the answers change; the report's version (the staff's optimistic lock) stays as it is.
    Complaint.objects.filter(pk=complaint.pk).update(attributes=attributes)
    return outcome


@task()
def fetch_open311_media(complaint_id: int) -> str:
    return attach_open311_media(complaint_id)

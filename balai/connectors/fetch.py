"""Fetching an agency app's endpoint with limits: time, size, redirects, and where a connection may go.

An administrator chooses the URL, and agency apps usually live inside the Pemda's own network, so
private addresses are allowed. What is never fetched: link-local addresses (the cloud metadata service
at 169.254.169.254), multicast and unspecified ones, and loopback unless ``BALAI_CONNECTOR_ALLOW_LOOPBACK``
(on outside production, where tests and the demo serve on 127.0.0.1). The connection goes to the address
that was checked, so a DNS answer that changes between check and connect cannot redirect it. A redirect
is followed only on the same scheme, host and port: a credential must never be sent to another host.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_REDIRECTS = 3
READ_CHUNK = 64 * 1024


class FetchError(Exception):
    """The endpoint could not be read; the message says why, for the run history and the alert."""


@dataclass(frozen=True)
class Credentials:
    kind: str = "none"  # none | bearer | basic
    token: str = ""
    username: str = ""
    password: str = ""

    def headers(self) -> dict[str, str]:
        if self.kind == "bearer" and self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.kind == "basic" and (self.username or self.password):
            raw = f"{self.username}:{self.password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        return {}


@dataclass(frozen=True)
class Response:
    body: bytes
    content_type: str
    url: str


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return False
    if ip.is_loopback:
        return bool(getattr(settings, "BALAI_CONNECTOR_ALLOW_LOOPBACK", False))
    return True


def _resolve(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(_("The host %(host)s cannot be found (DNS).") % {"host": host}) from None
    addresses = [str(info[4][0]) for info in infos]
    refused = [a for a in addresses if not address_allowed(a)]
    if not addresses or refused:
        raise FetchError(
            _("The host %(host)s resolves to an address connectors may not reach (%(addr)s).")
            % {"host": host, "addr": ", ".join(refused) or "-"}
        )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, while the socket goes to the checked address.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def fetch(url: str, credentials: Credentials, *, accept: str) -> Response:
    """GET ``url`` within the configured time and size limits; FetchError with the reason otherwise."""
    timeout = float(settings.BALAI_CONNECTOR_TIMEOUT_SECONDS)
    limit = int(settings.BALAI_CONNECTOR_MAX_BYTES)
    deadline = time.monotonic() + timeout
    origin = _origin(url)
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise FetchError(_("Only http and https addresses can be pulled."))
        if _origin(url) != origin:
            raise FetchError(
                _("The app redirected to another host (%(host)s); connectors do not follow it.")
                % {"host": parts.hostname}
            )
        scheme, host, port = origin
        address = _resolve(host, port)
        cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = cls(parts.hostname, port, address, timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": "Balai/1 (connector)", "Accept": accept, **credentials.headers()}
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308} and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if not 200 <= response.status < 300:
                raise FetchError(
                    _("The app answered HTTP %(status)d %(reason)s.")
                    % {"status": response.status, "reason": response.reason}
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(
                    _("The answer is %(size)s bytes; at most %(limit)s are accepted.")
                    % {"size": declared, "limit": limit}
                )
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read(READ_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise FetchError(_("The answer is larger than %(limit)s bytes.") % {"limit": limit})
                chunks.append(chunk)
            return Response(b"".join(chunks), (response.getheader("Content-Type") or "").lower(), url)
        except TimeoutError:
            raise FetchError(
                _("The app did not answer within %(seconds)s seconds.") % {"seconds": int(timeout)}
            ) from None
        except ConnectionRefusedError:
            raise FetchError(_("The app refused the connection (is it running?).")) from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(_("The app cannot be reached: %(error)s") % {"error": exc}) from None
        finally:
            connection.close()
    raise FetchError(_("The app redirected more than %(n)d times.") % {"n": MAX_REDIRECTS})

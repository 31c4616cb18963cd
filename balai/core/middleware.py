from __future__ import annotations

import ipaddress
import secrets
import zoneinfo
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from balai.core.audit import RequestContext, current_request

# No third-party origin anywhere: the app must work on closed government networks, and a CSP that
# names no CDN also means an injected script tag cannot load code from elsewhere.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy() -> str:
    """The policy above, plus the one origin an operator may add: the map tile server they chose.

    Tiles are images only, so the origin joins img-src and nothing else; scripts still come from us alone.
    """
    tile_url = getattr(settings, "BALAI_MAP_TILE_URL", "")
    if not tile_url:
        return CSP
    parts = urlsplit(tile_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CSP.replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {origin}")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as our own reverse proxies saw it, validated.

    X-Forwarded-For is written by the client first and appended to by each proxy, so only the entries
    added by the ``BALAI_TRUSTED_PROXIES`` proxies in front of us can be believed: counting from the right.
    A forged or malformed value must never reach the audit log or break the lockout's bookkeeping.
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.BALAI_TRUSTED_PROXIES
    if hops:
        parts = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(parts) >= hops:
            remote = parts[-hops]
    try:
        return str(ipaddress.ip_address(remote)) if remote else None
    except ValueError:
        return None


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(RequestContext(ip_address=client_ip(request), request_id=secrets.token_hex(8)))
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        return response


class PemdaTimezoneMiddleware:
    """Show times in the Pemda's zone (WIB/WITA/WIT) unless the deployment overrides it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.BALAI_TIME_ZONE:
            from balai.org.selectors import pemda_time_zone

            tz = pemda_time_zone()
            if tz:
                timezone.activate(zoneinfo.ZoneInfo(tz))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from balai.org import access

SESSION_KEY = "balai_second_factor_ok"
OPEN_PREFIXES = ("/static/", "/health/", "/api/", "/i18n/", "/open311/", "/webhooks/")


class SecondFactorMiddleware:
    """Admin roles must pass a TOTP check before any page; integration accounts never use pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path
        if user is not None and user.is_authenticated and not path.startswith(OPEN_PREFIXES):
            if access.is_api_only(user):
                logout(request)
                return redirect(reverse("org:login"))
            allowed = {reverse("org:second_factor"), reverse("org:logout"), reverse("set_language")}
            if access.requires_second_factor(user) and not request.session.get(SESSION_KEY) and path not in allowed:
                return redirect(f"{reverse('org:second_factor')}?next={request.get_full_path()}")
        return self.get_response(request)

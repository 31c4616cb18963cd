"""The JSON API under /api/v1/: token auth (hashed, scoped like the owner), OpenAPI generated."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from balai.org import access
from balai.org.middleware import SESSION_KEY as SECOND_FACTOR_SESSION_KEY
from balai.org.services import token_authenticate


class BearerToken(HttpBearer):
    openapi_description = "Token from Balai (Profil → Token API): `Authorization: Bearer balai_…`"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ApiKeyToken(APIKeyHeader):
    """The same token in an ``X-API-Key`` header, for agency apps that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = token_authenticate(key or "")
        if user is not None:
            request.user = user
        return user


class SessionCookie(SessionAuth):
    """Browser session (with CSRF). Skipped when there is no session cookie, so that a client with a
    missing or revoked token gets 401, not a confusing CSRF failure."""

    def __call__(self, request: HttpRequest) -> Any:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        user = super().__call__(request)
        # The pages' second-factor gate must hold for the API too: a password-only admin session gets 401.
        if user and (
            access.is_api_only(user)
            or (access.requires_second_factor(user) and not request.session.get(SECOND_FACTOR_SESSION_KEY))
        ):
            return None
        return user


api = NinjaAPI(
    title="Balai API",
    version="1",
    description=(
        "Balai's JSON API. Every call is scoped like its token's owner: an object outside the scope "
        "answers 404. Facts are pushed with DHIS2 dataValueSets."
    ),
    auth=[BearerToken(), ApiKeyToken(), SessionCookie()],
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI would otherwise send our schema URL to validator.swagger.io: a third party.
    docs=Swagger(settings={"validatorUrl": None}),
)


def _register() -> None:
    from balai.indicators.api import router as indicators_router
    from balai.org.api import router as org_router

    api.add_router("/", indicators_router)
    api.add_router("/", org_router)
    from balai.publicservices.api import router as catalogue_router

    api.add_router("/", catalogue_router)
    from balai.queues.api import router as queues_router

    api.add_router("/", queues_router)
    from balai.skm.api import router as skm_router

    api.add_router("/", skm_router)
    from balai.applications.api import router as applications_router

    api.add_router("/", applications_router)


_register()

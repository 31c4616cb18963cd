"""The JSON API under /api/v1/: token auth (hashed, scoped like the owner), OpenAPI generated."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, django_auth

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


api = NinjaAPI(
    title="Balai API",
    version="1",
    description=(
        "Balai's JSON API. Every call is scoped like its token's owner: an object outside the scope "
        "answers 404. Facts are pushed with DHIS2 dataValueSets."
    ),
    auth=[BearerToken(), ApiKeyToken(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
)


def _register() -> None:
    from balai.indicators.api import router as indicators_router
    from balai.org.api import router as org_router

    api.add_router("/", indicators_router)
    api.add_router("/", org_router)


_register()

"""Balai's URLs plus the baselines of the server benchmarks: views that do as little as Django allows.

The baselines run in the same gunicorn workers, behind the same middleware, as Balai's pages: what they
cost is the floor that any page of Balai pays, so Balai's figure divided by theirs is what Balai adds.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from balai.urls import urlpatterns as balai_urlpatterns

#: Written by bench/suite.py before the server starts: an Open311 ``GET requests.json`` answer.
BARE_JSON = "BALAI_BENCH_BARE_JSON"


@cache
def _payload() -> Any:
    with open(os.environ[BARE_JSON], encoding="utf-8") as fh:
        return json.load(fh)


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_POST
def bare_post(request: HttpRequest) -> HttpResponse:
    """The report form's POST parsed and CSRF-checked (the middleware does that), then nothing."""
    return HttpResponse(str(len(request.POST)).encode(), content_type="text/plain", status=201)


@require_GET
def bare_json(request: HttpRequest) -> HttpResponse:
    """The same JSON as Open311's answer, serialised per request as Open311 does, without the database."""
    body = json.dumps(_payload(), ensure_ascii=False)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-post/", bare_post),
    path("bench/bare.json", bare_json),
    *balai_urlpatterns,
]

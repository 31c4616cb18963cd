"""The OpenAPI schema: committed as docs/openapi.json, served at /api/v1/openapi.json, browsable offline."""

from __future__ import annotations

import difflib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

COMMITTED = Path(settings.PROJECT_DIR) / "docs" / "openapi.json"


def _generated() -> str:
    out = io.StringIO()
    call_command("export_openapi", stdout=out)
    return out.getvalue()


def test_committed_openapi_matches_the_code() -> None:
    generated = _generated()
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if committed != generated:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    fromfile="docs/openapi.json (committed)",
                    tofile="generated from the code",
                )
            )[:60]
        )
        pytest.fail(
            "docs/openapi.json is out of date with the API code: run `make openapi` and commit the result.\n" + diff,
            pytrace=False,
        )


def test_export_prints_sorted_two_space_json_with_a_trailing_newline() -> None:
    from balai.api import api

    text = _generated()
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    assert text.startswith('{\n  "components": {\n    "')
    schema = json.loads(text)
    assert text == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert schema == json.loads(json.dumps(api.get_openapi_schema()))
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Balai API"


def test_every_api_operation_is_documented() -> None:
    schema = json.loads(_generated())
    assert sorted(schema["paths"]) == [
        "/api/v1/analytics",
        "/api/v1/applications",
        "/api/v1/applications/{tracking_number}",
        "/api/v1/catalogue/services",
        "/api/v1/catalogue/services/{pk}",
        "/api/v1/citizen/applications",
        "/api/v1/citizen/applications/{tracking_number}",
        "/api/v1/dataValueSets",
        "/api/v1/indicators",
        "/api/v1/me",
        "/api/v1/orgUnits",
        "/api/v1/orgUnits/{code}",
        "/api/v1/pegawai/{pk}",
        "/api/v1/queues/counters/{pk}",
        "/api/v1/queues/counters/{pk}/call-next",
        "/api/v1/queues/counters/{pk}/recall",
        "/api/v1/queues/counters/{pk}/serve",
        "/api/v1/queues/counters/{pk}/skip",
        "/api/v1/queues/counters/{pk}/start",
        "/api/v1/queues/counters/{pk}/transfer",
        "/api/v1/queues/counters/{pk}/walk-ins",
        "/api/v1/queues/tickets/{key}",
        "/api/v1/queues/{office}/screen",
        "/api/v1/queues/{office}/tickets",
        "/api/v1/skm/invitations",
        "/api/v1/skm/responses",
        "/api/v1/skm/results",
    ]
    assert set(schema["paths"]["/api/v1/dataValueSets"]) == {"get", "post"}
    post = schema["paths"]["/api/v1/dataValueSets"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert {"200", "400", "409", "413", "415"} <= set(post["responses"])
    assert {"BearerToken", "ApiKeyToken"} <= set(schema["components"]["securitySchemes"])


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_schema_reference_resolves() -> None:
    # BUG (balai/indicators/api.py): the dataValueSets request body is DataValueSetIn.model_json_schema()
    # with ref_template "#/components/schemas/{model}", but DataValueIn lives in that schema's own "$defs",
    # not in components: code generators and Swagger UI fail on "#/components/schemas/DataValueIn".
    schema = json.loads(_generated())
    dangling = []
    for ref in sorted(set(_refs(schema))):
        node: Any = schema
        for part in ref.removeprefix("#/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            dangling.append(ref)
    assert dangling == []


@pytest.mark.django_db
def test_openapi_json_is_served(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(_generated())


@pytest.mark.django_db
def test_swagger_ui_loads_from_our_own_static_files(client: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    # No CDN: the docs page must work on a closed government network.
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    for url in assets:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not among the static files"
    # The page's only inline script is JSON data, which the CSP allows; no inline code.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline)
    assert "style=" not in html
    assert "onclick" not in html.lower()


@pytest.mark.django_db
def test_swagger_ui_calls_no_third_party_validator(client: Any) -> None:
    # BUG (balai/api.py): Swagger UI's default validatorUrl is https://validator.swagger.io, so on a real
    # host name the docs page would send the internal API's URL to a third party (the CSP blocks the image,
    # leaving an error in the console). Fix: NinjaAPI(docs=Swagger(settings={"validatorUrl": None})).
    html = client.get("/api/v1/docs").content.decode()
    found = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)
    assert found is not None
    swagger_settings = json.loads(found.group(1))
    assert swagger_settings["url"] == "/api/v1/openapi.json"
    assert "validatorUrl" in swagger_settings
    assert swagger_settings["validatorUrl"] is None

"""/api/v1/me, /api/v1/orgUnits and /api/v1/pegawai/{id}: token auth, scoped like the caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(client: Any) -> Iterator[None]:
    # Assert the English source strings; Indonesian (the default) is the translators' concern.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def _auth(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_me_lists_the_callers_roles(client: Any, story: Story) -> None:
    response = client.get("/api/v1/me", **_auth(story.token(story.camat)))
    assert response.status_code == 200
    assert response.json() == {
        "username": "camat_utara",
        "full_name": "Camat Utara",
        "is_integration": False,
        "roles": [{"role": "camat", "orgUnit": "63.72.04"}],
    }


def test_me_of_an_integration_account(client: Any, story: Story) -> None:
    body = client.get("/api/v1/me", **_auth(story.token(story.integration))).json()
    assert body == {
        "username": "app_absensi",
        "full_name": "App Absensi",
        "is_integration": True,
        "roles": [{"role": "integration", "orgUnit": "63.72"}],
    }


def test_x_api_key_header_works_like_bearer(client: Any, story: Story) -> None:
    response = client.get("/api/v1/me", HTTP_X_API_KEY=story.token(story.camat))
    assert response.status_code == 200
    assert response.json()["username"] == "camat_utara"


def test_session_sign_in_works_for_reads(client: Any, story: Story) -> None:
    client.force_login(story.camat)
    assert client.get("/api/v1/me").json()["username"] == "camat_utara"


@pytest.mark.parametrize(
    "header",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer balai_x_y"},
        {"HTTP_AUTHORIZATION": "Basic d2FsaWtvdGE6eA=="},
        {"HTTP_X_API_KEY": "nope"},
    ],
)
def test_no_or_unknown_token_is_401(client: Any, story: Story, header: dict[str, str]) -> None:
    assert client.get("/api/v1/me", **header).status_code == 401


def test_revoked_expired_and_deactivated_tokens_are_401(client: Any, story: Story) -> None:
    token, secret = org.token_create(actor=None, user=story.camat, name="revoked")
    org.token_revoke(actor=None, token=token)
    assert client.get("/api/v1/me", **_auth(secret)).status_code == 401

    token, secret = org.token_create(
        actor=None, user=story.camat, name="expired", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert client.get("/api/v1/me", **_auth(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", **_auth(secret)).status_code == 401

    secret = story.token(story.komet_clerk)
    org.user_set_active(actor=None, user=story.komet_clerk, active=False)
    assert client.get("/api/v1/me", **_auth(secret)).status_code == 401


def test_token_use_is_recorded_at_most_once_a_minute(client: Any, story: Story) -> None:
    token, secret = org.token_create(actor=None, user=story.camat, name="t")
    client.get("/api/v1/me", **_auth(secret))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/me", **_auth(secret))
    token.refresh_from_db()
    assert token.last_used_at == first


def test_org_units_of_a_camat_are_paginated_in_tree_order(client: Any, story: Story) -> None:
    body = client.get("/api/v1/orgUnits", **_auth(story.token(story.camat))).json()
    assert body["count"] == 5
    assert [u["code"] for u in body["items"]] == [
        "63.72.04",
        "63.72.04.1001",
        "63.72.04.1002",
        "63.72.04.1003",
        "63.72.04.1004",
    ]
    assert body["items"][2] == {
        "code": "63.72.04.1002",
        "name": "Kelurahan Mentaos",
        "kind": "kelurahan",
        "parent": "63.72.04",
        "depth": 2,
        "kemendagri_code": "63.72.04.1002",
        "is_active": True,
    }


def test_org_units_limit_offset_and_filters(client: Any, story: Story) -> None:
    auth = _auth(story.token(story.head))
    page = client.get("/api/v1/orgUnits?limit=2&offset=1", **auth).json()
    assert page["count"] == 28
    assert [u["code"] for u in page["items"]] == ["63.72.02", "63.72.02.1003"]
    kecamatan = client.get("/api/v1/orgUnits?kind=kecamatan", **auth).json()
    assert [u["code"] for u in kecamatan["items"]] == ["63.72.02", "63.72.03", "63.72.04", "63.72.05", "63.72.06"]
    children = client.get("/api/v1/orgUnits?parent=63.72.04", **auth).json()
    assert [u["code"] for u in children["items"]] == [
        "63.72.04.1001",
        "63.72.04.1002",
        "63.72.04.1003",
        "63.72.04.1004",
    ]
    root = client.get("/api/v1/orgUnits?parent=63.72&kind=perangkat_daerah", **auth).json()
    assert [u["code"] for u in root["items"]] == ["DISKOMINFO", "DINKES"]


def test_org_units_parent_outside_scope_is_404(client: Any, story: Story) -> None:
    auth = _auth(story.token(story.camat))
    assert client.get("/api/v1/orgUnits?parent=63.72.05", **auth).status_code == 404
    assert client.get("/api/v1/orgUnits?parent=NOPE", **auth).status_code == 404


def test_org_units_of_a_citizen_are_empty(client: Any, story: Story) -> None:
    body = client.get("/api/v1/orgUnits", **_auth(story.token(story.citizen))).json()
    assert body == {"items": [], "count": 0}


def test_pegawai_detail(client: Any, story: Story) -> None:
    p = org.pegawai_create(
        actor=None,
        org_unit=story.mentaos,
        nip="198001012005011001",
        name="Budi Santoso",
        position="Lurah",
        rank="III/d",
        nik="6372040101800001",
        phone="081234567890",
    )
    body = client.get(f"/api/v1/pegawai/{p.pk}", **_auth(story.token(story.camat))).json()
    assert body == {
        "id": p.pk,
        "nip": "198001012005011001",
        "name": "Budi Santoso",
        "sex": "L",
        "orgUnit": "63.72.04.1002",
        "position": "Lurah",
        "rank": "III/d",
        "nik": "6372040101800001",
        "phone": "081234567890",
    }

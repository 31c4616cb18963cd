"""The API: the desk's scoped list with masking, and a citizen's own applications by their session."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from balai.applications.choices import ContactChannel
from balai.applications.models import Citizen
from balai.applications.tests.conftest import GOOD_NIK, Desk, submit
from balai.applications.tests.test_views import citizen_login

pytestmark = pytest.mark.django_db


def bearer(desk: Desk, user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {desk.story.token(user)}"}


def test_staff_list_is_scoped_and_masks_nik(client: Any, desk: Desk) -> None:
    app = submit(desk)
    rows = client.get("/api/v1/applications", **bearer(desk, desk.story.mentaos_clerk)).json()
    assert rows["count"] == 1
    item = rows["items"][0]
    assert item["trackingNumber"] == app.tracking_number
    assert (item["service"], item["unit"], item["status"], item["nik"]) == (
        "sk-domisili",
        "63.72.04.1002",
        "submitted",
        GOOD_NIK,
    )
    assert client.get("/api/v1/applications", **bearer(desk, desk.story.komet_clerk)).json()["count"] == 0
    head = client.get("/api/v1/applications", **bearer(desk, desk.story.head)).json()["items"][0]
    assert head["nik"] == "••••••••••••0003"
    detail = client.get(f"/api/v1/applications/{app.tracking_number}", **bearer(desk, desk.story.head)).json()
    assert detail["nik"] == "••••••••••••0003"
    assert [d["code"] for d in detail["documents"]] == ["ktp", "rt-letter"]
    assert detail["steps"][0]["status"] == "submitted" and detail["steps"][0]["byApplicant"] is True


def test_citizen_api_needs_the_citizen_session(client: Any, desk: Desk) -> None:
    app = submit(desk)
    assert client.get("/api/v1/citizen/applications").status_code == 401
    # A staff token is not a citizen.
    assert client.get("/api/v1/citizen/applications", **bearer(desk, desk.story.mentaos_clerk)).status_code == 401
    citizen_login(client, desk.citizen)
    rows = client.get("/api/v1/citizen/applications").json()
    assert [r["trackingNumber"] for r in rows] == [app.tracking_number]
    assert "nik" not in rows[0]
    one = client.get(f"/api/v1/citizen/applications/{app.tracking_number}").json()
    assert one["status"] == "submitted" and one["answers"]["purpose"] == "Bank"
    other = Citizen.objects.create(channel=ContactChannel.EMAIL, address="o@example.com", verified_at=timezone.now())
    citizen_login(client, other)
    assert client.get(f"/api/v1/citizen/applications/{app.tracking_number}").status_code == 404
    assert client.get("/api/v1/citizen/applications").json() == []

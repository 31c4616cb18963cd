"""Audit events: who did what, from where, with before/after of the key fields (ARCHITECTURE §3.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from balai.core.audit import audit_record, changes_between, snapshot
from balai.core.models import AuditEvent
from balai.core.testing import Story


@pytest.fixture(autouse=True)
def in_english(client: Any) -> Iterator[None]:
    # Assert the English source strings; Indonesian (the default) is the translators' concern.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def test_changes_between_keeps_only_what_changed() -> None:
    before = {"name": "A", "code": "X", "is_active": True}
    after = {"name": "B", "code": "X", "is_active": False}
    assert changes_between(before, after) == {
        "name": {"before": "A", "after": "B"},
        "is_active": {"before": True, "after": False},
    }
    assert changes_between({}, {"name": "A"}) == {"name": {"before": None, "after": "A"}}


@pytest.mark.django_db
def test_snapshot_turns_objects_and_dates_into_json_values(story: Story) -> None:
    story.mentaos.created_at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    snap = snapshot(story.mentaos, ["name", "parent", "depth", "created_at", "missing"])
    assert snap == {
        "name": "Kelurahan Mentaos",
        "parent": "Kecamatan Banjarbaru Utara",
        "depth": 2,
        "created_at": "2026-01-02 03:04:05+00:00",
        "missing": None,
    }


@pytest.mark.django_db
def test_system_actor_is_labelled_system(story: Story) -> None:
    event = audit_record(actor=None, action="test.system")
    assert (event.actor, event.actor_label, event.object_type, event.ip_address, event.request_id) == (
        None,
        "system",
        "",
        None,
        "",
    )


@pytest.mark.django_db
def test_events_written_during_a_request_carry_its_ip_and_request_id(client: Any, story: Story) -> None:
    from balai.indicators.models import Indicator

    Indicator.objects.create(code="test.visits", name_id="x", name_en="x", period_type="month")
    secret = story.token(story.integration)
    client.post(
        "/api/v1/dataValueSets",
        data={"dataValues": []},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.get(action="facts.import")
    assert (event.actor, event.actor_label, event.ip_address, event.object_type) == (
        story.integration,
        "app_absensi",
        "10.1.2.3",
        "indicators.importjob",
    )
    assert len(event.request_id) == 16
    # The request context ends with the request: later events are the system's own.
    assert audit_record(actor=None, action="test.after").request_id == ""


@pytest.mark.django_db
def test_forwarded_for_is_ignored_outside_production(client: Any, story: Story) -> None:
    secret = story.token(story.integration)
    client.post(
        "/api/v1/dataValueSets",
        data={"dataValues": []},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert AuditEvent.objects.get(action="facts.import").ip_address == "10.1.2.3"

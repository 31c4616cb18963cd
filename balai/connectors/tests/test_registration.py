"""Registering a connector: a mapping that names an unknown indicator or unit is refused; and the schedule."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from balai.connectors import services
from balai.connectors.models import Connector, ConnectorRun
from balai.connectors.tests.conftest import KOMET, AgencyApp, make_connector, presence_records
from balai.core.models import AuditEvent
from balai.core.testing import Story

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def _errors(story: Story, **values: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        make_connector(story, values.pop("url", "https://absensi.example.go.id/api"), **values)
    assert Connector.objects.count() == 0
    return exc.value.message_dict


def test_unknown_fixed_indicator_cannot_be_saved(story: Story) -> None:
    assert _errors(story, indicator_code="attendance.nope") == {
        "indicator_code": ["Indicator attendance.nope does not exist or is not fed from outside Balai."]
    }


def test_a_module_indicator_cannot_be_fed_by_a_connector(story: Story) -> None:
    assert _errors(story, indicator_code="complaints.received") == {
        "indicator_code": ["Indicator complaints.received does not exist or is not fed from outside Balai."]
    }


def test_unknown_fixed_unit_cannot_be_saved(story: Story) -> None:
    assert _errors(story, unit_field="", unit_code="63.72.99") == {"unit_code": ["Org unit 63.72.99 does not exist."]}


def test_indicator_and_unit_need_exactly_one_source(story: Story) -> None:
    errors = _errors(story, indicator_field="kode", unit_code=KOMET)
    assert errors == {
        "indicator_code": ["Give either a fixed indicator or the field that holds the indicator code."],
        "unit_code": ["Give either a fixed org unit or the field that holds the unit."],
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://absensi.example.go.id/rekap", "Give an http:// or https:// address."),
        ("file:///etc/passwd", "Give an http:// or https:// address."),
        (
            "https://user:pw@absensi.example.go.id/",
            "Put the user name and password in the authentication fields, not in the address.",
        ),
    ],
)
def test_only_http_addresses(story: Story, url: str, message: str) -> None:
    assert _errors(story, url=url) == {"url": [message]}


def test_schedule_and_auth_need_their_details(story: Story) -> None:
    errors = _errors(story, schedule="daily", daily_at=dt.time(6), auth_kind="bearer", alert_after=0)
    assert errors == {"token": ["Give the token."], "alert_after": ["Between 1 and 100 consecutive failures."]}
    errors = _errors(story, auth_kind="basic", format="csv")
    assert errors == {
        "records_path": ["A CSV answer is the list of records itself; leave this empty."],
        "username": ["Give the user name."],
    }


def test_only_an_admin_of_the_owner_registers(story: Story) -> None:
    values = {"name": "x", "owner": story.diskominfo, "url": "https://a.example/"}
    with pytest.raises(PermissionDenied):
        services.connector_create(actor=story.skpd_operator, values=values)


def test_update_keeps_replaces_and_clears_secrets_and_audits_without_them(story: Story) -> None:
    connector = make_connector(story, "https://a.example/api", auth_kind="bearer", token="first-secret")
    services.connector_update(actor=story.admin, connector=connector, values={"name": "Absensi"}, token=None)
    connector.refresh_from_db()
    assert (connector.name, connector.token) == ("Absensi", "first-secret")
    services.connector_update(actor=story.admin, connector=connector, values={}, token="second-secret")
    connector.refresh_from_db()
    assert connector.token == "second-secret"
    with pytest.raises(ValidationError) as exc:
        services.connector_update(actor=story.admin, connector=connector, values={}, token="")
    assert exc.value.message_dict == {"token": ["Give the token."]}
    services.connector_update(actor=story.admin, connector=connector, values={"auth_kind": "none"}, token="")
    connector.refresh_from_db()
    assert (connector.auth_kind, connector.token) == ("none", "")
    for event in AuditEvent.objects.filter(action__startswith="connector."):
        assert "secret" not in str(event.changes)
    update = AuditEvent.objects.filter(action="connector.update").order_by("pk")
    assert update[1].changes == {"token_replaced": True}
    assert update[2].changes == {
        "auth_kind": {"before": "bearer", "after": "none"},
        "token_set": {"before": True, "after": False},
    }


# -------------------------------------------------------------------------------------- schedule
def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=WITA)


def test_due_slot_hourly_daily_manual(story: Story) -> None:
    hourly = Connector(schedule="hourly", is_active=True)
    assert services.due_slot(hourly, _at("2026-03-02 10:42"), WITA) == _at("2026-03-02 10:00")
    hourly.last_attempt_at = _at("2026-03-02 10:01")
    assert services.due_slot(hourly, _at("2026-03-02 10:42"), WITA) is None
    assert services.due_slot(hourly, _at("2026-03-02 11:00"), WITA) == _at("2026-03-02 11:00")

    daily = Connector(schedule="daily", daily_at=dt.time(6, 30), is_active=True)
    daily.last_attempt_at = _at("2026-03-01 06:30")
    assert services.due_slot(daily, _at("2026-03-02 06:29"), WITA) is None
    assert services.due_slot(daily, _at("2026-03-02 06:30"), WITA) == _at("2026-03-02 06:30")
    # A Balai that was down at 06:30 pulls once when it is back, the same day.
    assert services.due_slot(daily, _at("2026-03-02 23:00"), WITA) == _at("2026-03-02 06:30")

    assert services.due_slot(Connector(schedule="manual", is_active=True), _at("2026-03-02 06:30"), WITA) is None
    assert services.due_slot(Connector(schedule="hourly", is_active=False), _at("2026-03-02 06:30"), WITA) is None


def test_the_scheduler_job_pulls_every_due_connector_once(story: Story, agency: AgencyApp) -> None:
    from balai.connectors.tasks import pull_due
    from balai.core.management.commands.scheduler import JOBS

    assert any(j.task == "balai.connectors.tasks.pull_due" and j.every_minutes == 5 for j in JOBS)
    url = agency.json("/api", {"data": {"items": presence_records()}})
    hourly = make_connector(story, url, name="hourly", schedule="hourly")
    make_connector(story, url, name="manual", schedule="manual")
    make_connector(story, url, name="inactive", schedule="hourly", is_active=False)

    # The test task backend runs each enqueued pull at once.
    assert pull_due.call() == 1
    assert list(ConnectorRun.objects.values_list("connector__name", "trigger", "status")) == [
        ("hourly", "schedule", "success")
    ]
    assert pull_due.call() == 0  # this hour's slot is done
    hourly.refresh_from_db()
    assert hourly.last_rows == 3

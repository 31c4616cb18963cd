"""A pull is one import, all or nothing: good payloads land as Facts, every bad one fails and writes nothing."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from balai.connectors import services
from balai.connectors.choices import RunStatus, Trigger
from balai.connectors.models import Connector, ConnectorRun
from balai.connectors.tests.conftest import KOMET, MENTAOS, AgencyApp, make_connector, presence_records
from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.indicators.models import DirtyPeriod, Fact, ImportJob

pytestmark = pytest.mark.django_db


def _facts() -> dict[tuple[str, str], tuple[float, float | None, float | None, str]]:
    return {
        (u, p): (v, n, d, s)
        for u, p, v, n, d, s in Fact.objects.filter(indicator__code="attendance.presence_rate").values_list(
            "org_unit__code", "period", "value", "numerator", "denominator", "source"
        )
    }


def _pull(connector: Connector, **kw: Any) -> ConnectorRun:
    run = services.connector_pull(connector_id=connector.pk, **kw)
    assert run is not None
    run.refresh_from_db()
    return run


def _nothing_written() -> None:
    assert Fact.objects.count() == 0
    assert ImportJob.objects.count() == 0
    assert DirtyPeriod.objects.count() == 0


# ------------------------------------------------------------------------------------------ good
def test_good_json_pull_imports_facts_with_a_dhis2_summary(story: Story, agency: AgencyApp) -> None:
    url = agency.json("/api/rekap", {"status": "ok", "data": {"items": presence_records()}})
    connector = make_connector(story, url)

    run = _pull(connector)

    assert (run.status, run.rows, run.imported, run.updated, run.ignored, run.error) == (
        RunStatus.SUCCESS,
        3,
        3,
        0,
        0,
        "",
    )
    assert run.summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert run.summary["status"] == "SUCCESS"
    assert _facts() == {
        (MENTAOS, "202601"): (96.5, 193.0, 200.0, "connector"),
        (KOMET, "202601"): (94.0, 282.0, 300.0, "connector"),
        (MENTAOS, "202602"): (97.0, 194.0, 200.0, "connector"),
    }
    connector.refresh_from_db()
    assert (connector.last_rows, connector.consecutive_failures, connector.last_error) == (3, 0, "")
    assert connector.last_success_at == run.finished_at
    assert connector.lease_until is None
    assert set(DirtyPeriod.objects.values_list("period", flat=True)) == {"202601", "202602"}
    event = AuditEvent.objects.get(action="connector.pull")
    assert event.changes["imported"] == 3 and event.actor_label == f"connector:{connector.pk}"


def test_second_pull_of_the_same_data_changes_nothing_and_a_changed_value_updates(
    story: Story, agency: AgencyApp
) -> None:
    records = presence_records()
    url = agency.json("/api/rekap", {"data": {"items": records}})
    connector = make_connector(story, url)
    _pull(connector)

    again = _pull(connector)
    assert (again.imported, again.updated, again.ignored) == (0, 0, 3)

    records[1]["persen"], records[1]["hadir"] = 95.0, 285
    agency.json("/api/rekap", {"data": {"items": records}})
    third = _pull(connector)
    assert (third.imported, third.updated, third.ignored) == (0, 1, 2)
    assert _facts()[(KOMET, "202601")] == (95.0, 285.0, 300.0, "connector")


def test_good_csv_with_semicolons_unit_names_dates_and_an_indicator_column(story: Story, agency: AgencyApp) -> None:
    csv = (
        "indikator;kelurahan;tanggal;nilai;catatan\n"
        "attendance.presence_rate;KELURAHAN MENTAOS;2026-01-31;96,5;rekap Januari\n"
        "attendance.presence_rate;kelurahan komet;2026-02-28T23:00:00;94,25;\n"
    )
    url = agency.raw("/rekap.csv", csv, content_type="text/csv; charset=utf-8")
    connector = make_connector(
        story,
        url,
        format="csv",
        records_path="",
        indicator_code="",
        indicator_field="indikator",
        unit_field="kelurahan",
        unit_match="name",
        period_field="tanggal",
        period_format="date",
        value_field="nilai",
        numerator_field="",
        denominator_field="",
        comment_field="catatan",
    )

    run = _pull(connector)

    assert (run.status, run.rows, run.imported) == (RunStatus.SUCCESS, 2, 2), run.error
    # A bare ratio value is stored as value/factor over 1 (see the spine), so it rolls up as the mean.
    assert _facts() == {
        (MENTAOS, "202601"): (96.5, 0.965, 1.0, "connector"),
        (KOMET, "202602"): (94.25, 0.9425, 1.0, "connector"),
    }
    assert Fact.objects.get(org_unit__code=MENTAOS).comment == "rekap Januari"


def test_top_level_list_and_nested_field_names(story: Story, agency: AgencyApp) -> None:
    url = agency.json(
        "/list",
        [{"unit": {"code": MENTAOS}, "periode": "202603", "v": "95.5"}],
    )
    connector = make_connector(
        story,
        url,
        records_path="",
        unit_field="unit.code",
        period_field="periode",
        value_field="v",
        numerator_field="",
        denominator_field="",
    )
    run = _pull(connector)
    assert (run.status, run.imported) == (RunStatus.SUCCESS, 1)
    assert _facts() == {(MENTAOS, "202603"): (95.5, 0.955, 1.0, "connector")}


def test_fixed_unit(story: Story, agency: AgencyApp) -> None:
    url = agency.json("/one", {"data": {"items": [{"bulan": "202601", "persen": 90}]}})
    connector = make_connector(story, url, unit_field="", unit_code=KOMET, numerator_field="", denominator_field="")
    run = _pull(connector)
    assert (run.status, run.imported) == (RunStatus.SUCCESS, 1)
    assert list(_facts()) == [(KOMET, "202601")]


# ------------------------------------------------------------------------------------------- bad
def _failed(connector: Connector) -> ConnectorRun:
    run = _pull(connector)
    assert run.status == RunStatus.FAILED
    _nothing_written()
    connector.refresh_from_db()
    assert connector.consecutive_failures == 1
    assert connector.last_error == run.error
    assert connector.last_success_at is None and connector.lease_until is None
    return run


def test_unreachable_host_fails_with_the_reason(story: Story, closed_port: int) -> None:
    connector = make_connector(story, f"http://127.0.0.1:{closed_port}/api")
    run = _failed(connector)
    assert run.error == "The app refused the connection (is it running?)."


def test_timeout_fails_with_the_reason(story: Story, agency: AgencyApp, settings: Any) -> None:
    settings.BALAI_CONNECTOR_TIMEOUT_SECONDS = 1
    url = agency.json("/slow", {"data": {"items": presence_records()}}, delay=2.5)
    run = _failed(make_connector(story, url))
    assert run.error == "The app did not answer within 1 seconds."


def test_http_500_fails_with_the_status(story: Story, agency: AgencyApp) -> None:
    url = agency.raw("/api", "Internal Server Error", content_type="text/plain", status=500)
    run = _failed(make_connector(story, url))
    assert run.error == "The app answered HTTP 500 Internal Server Error."


def test_html_instead_of_json_fails(story: Story, agency: AgencyApp) -> None:
    url = agency.raw("/api", "<!DOCTYPE html><html><body>Silakan login</body></html>", content_type="text/html")
    run = _failed(make_connector(story, url))
    assert run.error == "The app answered with an HTML page instead of JSON (a login or error page?)."


def test_html_served_as_json_is_still_recognised(story: Story, agency: AgencyApp) -> None:
    url = agency.raw("/api", "\n  <html><body>Maintenance</body></html>", content_type="application/json")
    run = _failed(make_connector(story, url))
    assert run.error.startswith("The app answered with an HTML page")


def test_broken_json_fails_with_the_position(story: Story, agency: AgencyApp) -> None:
    url = agency.raw("/api", '{"data": {"items": [}')
    run = _failed(make_connector(story, url))
    assert run.error == "The answer is not valid JSON (line 1, column 21: Expecting value)."


def test_records_path_not_in_the_answer(story: Story, agency: AgencyApp) -> None:
    url = agency.json("/api", {"result": []})
    run = _failed(make_connector(story, url))
    assert run.error == "The path data.items is not in the answer (nothing at data)."


def test_renamed_field_fails_and_names_the_fields_found(story: Story, agency: AgencyApp) -> None:
    records = [
        {"unit_code": r["kode_unit"], "bulan": r["bulan"], "persen": r["persen"], "hadir": r["hadir"], "hari_kerja": 1}
        for r in presence_records()
    ]
    url = agency.json("/api", {"data": {"items": records}})
    run = _failed(make_connector(story, url))
    assert run.error == (
        "The field kode_unit is not in the data any more (was it renamed?). "
        "Fields found: bulan, hadir, hari_kerja, persen, unit_code."
    )


def test_values_that_are_not_numbers_fail_the_whole_pull(story: Story, agency: AgencyApp) -> None:
    records = presence_records()
    records[1]["persen"] = "sembilan puluh"
    records[2]["hadir"] = None
    url = agency.json("/api", {"data": {"items": records}})
    run = _failed(make_connector(story, url))
    assert run.error == (
        '2 of 3 records cannot be imported, so nothing was written. record 2: value "sembilan puluh" is not a '
        "number; record 3: numerator is empty or not a number (null)."
    )
    assert run.summary == {
        "bad_records": 2,
        "problems": [
            {"record": 2, "problems": ['value "sembilan puluh" is not a number']},
            {"record": 3, "problems": ["numerator is empty or not a number (null)"]},
        ],
    }
    assert run.rows == 3 and (run.imported, run.updated, run.ignored) == (0, 0, 0)


def test_unknown_unit_in_the_data_fails(story: Story, agency: AgencyApp) -> None:
    records = presence_records()
    records[0]["kode_unit"] = "63.72.99.9999"
    url = agency.json("/api", {"data": {"items": records}})
    run = _failed(make_connector(story, url))
    assert run.error == (
        '1 of 3 records cannot be imported, so nothing was written. record 1: org unit "63.72.99.9999" does not exist.'
    )


def test_unknown_or_module_indicator_in_the_data_fails(story: Story, agency: AgencyApp) -> None:
    records = [
        {"ind": "nope.unknown", "kode_unit": MENTAOS, "bulan": "202601", "persen": 1},
        {"ind": "complaints.received", "kode_unit": MENTAOS, "bulan": "20260101", "persen": 1},
    ]
    url = agency.json("/api", {"data": {"items": records}})
    connector = make_connector(
        story, url, indicator_code="", indicator_field="ind", numerator_field="", denominator_field=""
    )
    run = _failed(connector)
    assert [p["problems"] for p in run.summary["problems"]] == [
        ['indicator "nope.unknown" does not exist or is not fed from outside Balai'],
        ['indicator "complaints.received" does not exist or is not fed from outside Balai'],
    ]


def test_wrong_period_type_fails(story: Story, agency: AgencyApp) -> None:
    records = presence_records()
    records[0]["bulan"] = "2026Q1"
    url = agency.json("/api", {"data": {"items": records}})
    run = _failed(make_connector(story, url))
    assert run.summary["problems"] == [
        {
            "record": 1,
            "problems": ['period "2026Q1" is not a month period, as indicator attendance.presence_rate needs'],
        }
    ]


def test_rows_the_import_refuses_roll_the_whole_pull_back(story: Story, agency: AgencyApp) -> None:
    records = presence_records()
    records.append(dict(records[0]))  # the same indicator, unit and period twice: the import refuses the second
    url = agency.json("/api", {"data": {"items": records}})
    run = _failed(make_connector(story, url))
    assert run.error == (
        "The import refused 1 row, so nothing was written: attendance.presence_rate: row 3 duplicates row 0 "
        "(same indicator, org unit and period)"
    )
    assert run.summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 1, "deleted": 0}
    assert run.summary["importJob"] is None


def test_answer_larger_than_the_limit_fails(story: Story, agency: AgencyApp, settings: Any) -> None:
    settings.BALAI_CONNECTOR_MAX_BYTES = 1024
    url = agency.json("/big", {"data": {"items": presence_records() * 40}})
    run = _failed(make_connector(story, url))
    assert run.error.startswith("The answer is ") and run.error.endswith("bytes; at most 1024 are accepted.")


def test_redirect_to_another_host_is_not_followed(story: Story, agency: AgencyApp) -> None:
    agency.raw("/moved", "", status=302, headers={"Location": "http://localhost:9/elsewhere"})
    run = _failed(make_connector(story, agency.url("/moved")))
    assert run.error == "The app redirected to another host (localhost); connectors do not follow it."


def test_redirect_on_the_same_host_is_followed(story: Story, agency: AgencyApp) -> None:
    agency.json("/v2/rekap", {"data": {"items": presence_records()}})
    agency.raw("/rekap", "", status=301, headers={"Location": "/v2/rekap"})
    run = _pull(make_connector(story, agency.url("/rekap")))
    assert (run.status, run.imported) == (RunStatus.SUCCESS, 3)


def test_loopback_is_refused_when_not_allowed(story: Story, agency: AgencyApp, settings: Any) -> None:
    settings.BALAI_CONNECTOR_ALLOW_LOOPBACK = False
    run = _failed(make_connector(story, agency.json("/api", {"data": {"items": []}})))
    assert run.error == "The host 127.0.0.1 resolves to an address connectors may not reach (127.0.0.1)."
    assert agency.requests == []


# ---------------------------------------------------------------------------------- retry, alert
def test_next_pull_after_a_failure_retries_and_succeeds(story: Story, agency: AgencyApp) -> None:
    url = agency.raw("/api", "oops", content_type="text/plain", status=503)
    connector = make_connector(story, url)
    _pull(connector)
    _pull(connector)
    connector.refresh_from_db()
    assert connector.consecutive_failures == 2

    agency.json("/api", {"data": {"items": presence_records()}})
    run = _pull(connector)

    assert (run.status, run.imported) == (RunStatus.SUCCESS, 3)
    connector.refresh_from_db()
    assert (connector.consecutive_failures, connector.last_rows) == (0, 3)
    assert connector.last_error == "The app answered HTTP 503 Service Unavailable."  # kept as the last error seen
    assert list(ConnectorRun.objects.filter(connector=connector).values_list("status", flat=True)) == [
        "success",
        "failed",
        "failed",
    ]


@pytest.mark.parametrize(
    ("ok", "failures", "alert_after", "raised", "expected"),
    [
        (False, 1, 3, False, None),
        (False, 2, 3, False, None),
        (False, 3, 3, False, "raise"),
        (False, 4, 3, True, None),  # once per streak
        (False, 4, 3, False, "raise"),  # threshold lowered below an ongoing streak
        (True, 0, 3, True, "clear"),
        (True, 0, 3, False, None),
        (False, 1, 1, False, "raise"),
    ],
)
def test_alert_decision(ok: bool, failures: int, alert_after: int, raised: bool, expected: str | None) -> None:
    assert services.alert_decision(ok=ok, failures=failures, alert_after=alert_after, alert_raised=raised) == expected


def test_n_consecutive_failures_raise_one_alert_and_a_success_clears_it(
    story: Story, agency: AgencyApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        services, "_failure_alert", lambda c, run: calls.append(("raise", c.consecutive_failures, run.error))
    )
    monkeypatch.setattr(services, "_recovery_alert", lambda c: calls.append(("clear", c.consecutive_failures, "")))
    url = agency.raw("/api", "x", content_type="text/plain", status=500)
    connector = make_connector(story, url, alert_after=2)

    _pull(connector)
    assert calls == []
    _pull(connector)
    assert calls == [("raise", 2, "The app answered HTTP 500 Internal Server Error.")]
    _pull(connector)
    assert len(calls) == 1
    connector.refresh_from_db()
    assert (connector.consecutive_failures, connector.alert_raised, connector.health) == (3, True, "alert")

    agency.json("/api", {"data": {"items": presence_records()}})
    _pull(connector)
    assert calls[1] == ("clear", 0, "")
    connector.refresh_from_db()
    assert (connector.alert_raised, connector.health) == (False, "ok")
    _pull(connector)
    assert len(calls) == 2


def test_a_failure_streak_raises_a_real_alert_for_the_owner_and_a_success_resolves_it(
    story: Story, agency: AgencyApp
) -> None:
    from balai.alerts.choices import AlertStatus, Severity
    from balai.alerts.models import Alert

    url = agency.raw("/api", "x", content_type="text/plain", status=500)
    connector = make_connector(story, url, alert_after=2)
    _pull(connector)
    assert not Alert.objects.exists()
    _pull(connector)
    _pull(connector)  # the same streak: still one alert
    alert = Alert.objects.get()
    assert (alert.key, alert.org_unit_id, alert.severity, alert.status) == (
        f"connector:{connector.pk}",
        connector.owner_id,
        Severity.CRITICAL,
        AlertStatus.OPEN,
    )
    assert alert.title == "Connector Aplikasi absensi BKPSDM failed 2 times in a row"
    assert alert.detail == "The app answered HTTP 500 Internal Server Error."
    assert alert.link == f"/connectors/{connector.pk}/"

    agency.json("/api", {"data": {"items": presence_records()}})
    _pull(connector)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


# ------------------------------------------------------------------------------------ auth, lease
def test_bearer_token_is_sent(story: Story, agency: AgencyApp) -> None:
    url = agency.json("/api", {"data": {"items": presence_records()}})
    _pull(make_connector(story, url, auth_kind="bearer", token="tok-123"))
    assert agency.requests[0][1]["authorization"] == "Bearer tok-123"
    assert agency.requests[0][1]["accept"].startswith("application/json")


def test_basic_auth_is_sent(story: Story, agency: AgencyApp) -> None:
    url = agency.json("/api", {"data": {"items": presence_records()}})
    _pull(make_connector(story, url, auth_kind="basic", username="balai", password="rahasia:1"))
    expected = "Basic " + base64.b64encode(b"balai:rahasia:1").decode()
    assert agency.requests[0][1]["authorization"] == expected


def test_no_auth_sends_no_authorization_header(story: Story, agency: AgencyApp) -> None:
    _pull(make_connector(story, agency.json("/api", {"data": {"items": []}})))
    assert "authorization" not in agency.requests[0][1]


def test_a_connector_held_by_another_pull_is_not_pulled_twice(story: Story, agency: AgencyApp) -> None:
    from django.utils import timezone

    connector = make_connector(story, agency.json("/api", {"data": {"items": presence_records()}}))
    Connector.objects.filter(pk=connector.pk).update(lease_until=timezone.now() + dt.timedelta(minutes=5))
    assert services.connector_pull(connector_id=connector.pk) is None
    assert agency.requests == [] and ConnectorRun.objects.count() == 0
    # A lease left by a crashed worker expires.
    Connector.objects.filter(pk=connector.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert _pull(connector).status == RunStatus.SUCCESS


def test_a_scheduled_slot_is_pulled_once(story: Story, agency: AgencyApp) -> None:
    from django.utils import timezone

    connector = make_connector(story, agency.json("/api", {"data": {"items": presence_records()}}))
    slot = timezone.now() - dt.timedelta(minutes=1)
    assert services.connector_pull(connector_id=connector.pk, trigger=Trigger.SCHEDULE, slot=slot) is not None
    assert services.connector_pull(connector_id=connector.pk, trigger=Trigger.SCHEDULE, slot=slot) is None
    assert ConnectorRun.objects.count() == 1


def test_an_inactive_connector_is_not_pulled_by_the_schedule_but_can_be_by_hand(
    story: Story, agency: AgencyApp
) -> None:
    connector = make_connector(story, agency.json("/api", {"data": {"items": []}}), is_active=False)
    assert services.connector_pull(connector_id=connector.pk, trigger=Trigger.SCHEDULE) is None
    assert _pull(connector, actor=story.admin).status == RunStatus.SUCCESS


def test_pull_by_someone_outside_the_owner_is_refused(story: Story, agency: AgencyApp) -> None:
    from django.core.exceptions import PermissionDenied

    connector = make_connector(story, agency.json("/api", {"data": {"items": []}}))
    with pytest.raises(PermissionDenied):
        services.connector_pull(connector_id=connector.pk, actor=story.komet_clerk)
    assert ConnectorRun.objects.count() == 0


# ------------------------------------------------------------------------------------ pagination
def test_paginated_answer_is_followed_to_the_last_page(story: Story, agency: AgencyApp) -> None:
    first, second, third = presence_records()
    agency.json("/p/1", {"data": {"items": [first, second]}, "links": {"next": "/p/2?after=2"}})
    agency.json("/p/2", {"data": {"items": [third]}, "links": {"next": None}})
    connector = make_connector(story, agency.url("/p/1"), next_page_path="links.next")
    run = _pull(connector)
    assert (run.status, run.rows, run.imported) == (RunStatus.SUCCESS, 3, 3), run.error
    assert [path for path, _headers in agency.requests] == ["/p/1", "/p/2?after=2"]


def test_next_page_on_another_host_fails(story: Story, agency: AgencyApp) -> None:
    agency.json("/p/1", {"data": {"items": presence_records()}, "links": {"next": "http://localhost:9/p/2"}})
    run = _failed(make_connector(story, agency.url("/p/1"), next_page_path="links.next"))
    assert run.error == "The next page is on another host (localhost); connectors do not follow it."


def test_next_page_loop_fails(story: Story, agency: AgencyApp) -> None:
    agency.json("/p/1", {"data": {"items": presence_records()[:1]}, "links": {"next": "/p/2"}})
    agency.json("/p/2", {"data": {"items": presence_records()[1:]}, "links": {"next": "/p/1"}})
    run = _failed(make_connector(story, agency.url("/p/1"), next_page_path="links.next"))
    assert run.error == "The next-page link points back to a page already read."

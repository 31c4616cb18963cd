"""POST /api/v1/dataValueSets: DHIS2 dataValueSets in, an ImportSummary out (ARCHITECTURE §5, DOMAIN §8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.indicators.models import DirtyPeriod, Fact, ImportJob
from balai.indicators.tests.conftest import ApiCaller, SpineIndicators
from balai.org import services as org
from balai.org.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(in_english: None) -> None:
    """English source strings (see conftest)."""


MENTAOS, KOMET = "63.72.04.1002", "63.72.04.1003"


def _row(unit: str, period: str, value: Any, code: str = "test.visits", **extra: Any) -> dict[str, Any]:
    return {"dataElement": code, "period": period, "orgUnit": unit, "value": value, **extra}


HAPPY = {
    "dataSet": "ignored",
    "dataValues": [
        _row(MENTAOS, "202601", "12"),
        _row(KOMET, "202601", 8),
        _row(MENTAOS, "202602", "15", comment="data puskesmas"),
    ],
}


def _counts(response: Any) -> tuple[int, int, int, int]:
    c = response.json()["importCount"]
    return c["imported"], c["updated"], c["ignored"], c["deleted"]


def _facts() -> dict[tuple[str, str, str], float]:
    return {
        (c, u, p): v for c, u, p, v in Fact.objects.values_list("indicator__code", "org_unit__code", "period", "value")
    }


def _stamps() -> dict[int, dt.datetime]:
    return dict(Fact.objects.values_list("pk", "updated_at"))


# ---------------------------------------------------------------------------------- happy path
def test_import_creates_facts_and_answers_a_dhis2_summary(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.integration, HAPPY)
    assert response.status_code == 200
    body = response.json()
    assert body["responseType"] == "ImportSummary"
    assert body["status"] == "SUCCESS"
    assert body["importOptions"] == {"dryRun": False, "importStrategy": "CREATE_AND_UPDATE", "idScheme": "CODE"}
    assert body["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert body["conflicts"] == []
    assert _facts() == {
        ("test.visits", MENTAOS, "202601"): 12.0,
        ("test.visits", KOMET, "202601"): 8.0,
        ("test.visits", MENTAOS, "202602"): 15.0,
    }
    fact = Fact.objects.get(org_unit=story.mentaos, period="202602")
    assert (fact.period_start, fact.source, fact.comment) == (dt.date(2026, 2, 1), "api", "data puskesmas")
    assert set(DirtyPeriod.objects.values_list("indicator__code", "period")) == {
        ("test.visits", "202601"),
        ("test.visits", "202602"),
    }


def test_same_payload_twice_changes_nothing(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    api.post(story.integration, HAPPY)
    stamps = _stamps()
    DirtyPeriod.objects.all().delete()
    response = api.post(story.integration, HAPPY)
    assert response.status_code == 200
    assert _counts(response) == (0, 0, 3, 0)
    assert response.json()["status"] == "SUCCESS"
    assert response.json()["conflicts"] == []
    assert _stamps() == stamps
    assert not DirtyPeriod.objects.exists()


def test_a_changed_value_is_updated_the_rest_ignored(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    api.post(story.integration, HAPPY)
    stamps = _stamps()
    changed = {
        "dataValues": [
            _row(MENTAOS, "202601", 13),
            _row(KOMET, "202601", "8"),
            _row(MENTAOS, "202602", "15", comment="data puskesmas"),
            _row("63.72.04.1004", "202601", 1),
        ]
    }
    response = api.post(story.integration, changed)
    assert _counts(response) == (1, 1, 2, 0)
    assert _facts()[("test.visits", MENTAOS, "202601")] == 13.0
    now = _stamps()
    updated = Fact.objects.get(org_unit=story.mentaos, period="202601").pk
    assert now[updated] > stamps[updated]
    assert all(now[pk] == stamps[pk] for pk in stamps if pk != updated)


def test_a_changed_comment_alone_is_an_update(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    api.post(story.integration, {"dataValues": [_row(MENTAOS, "202601", 5)]})
    response = api.post(story.integration, {"dataValues": [_row(MENTAOS, "202601", 5, comment="revisi")]})
    assert _counts(response) == (0, 1, 0, 0)
    assert Fact.objects.get().comment == "revisi"


def test_dry_run_writes_nothing_but_answers_the_same_counts(
    api: ApiCaller, story: Story, spine: SpineIndicators
) -> None:
    dry = api.post(story.integration, HAPPY, query="dryRun=true")
    assert dry.status_code == 200
    assert dry.json()["importOptions"]["dryRun"] is True
    assert _counts(dry) == (3, 0, 0, 0)
    assert not Fact.objects.exists()
    assert not DirtyPeriod.objects.exists()
    job = ImportJob.objects.get(pk=dry.json()["importJob"])
    assert (job.dry_run, job.status) == (True, "preview")
    assert AuditEvent.objects.filter(action="facts.import_dry_run").count() == 1
    assert _counts(api.post(story.integration, HAPPY)) == (3, 0, 0, 0)


def test_envelope_period_and_org_unit_are_defaults(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    payload = {
        "period": "202603",
        "orgUnit": MENTAOS,
        "completeDate": "2026-04-01",
        "dataValues": [
            {"dataElement": "test.visits", "value": 4},
            {"dataElement": "test.visits", "orgUnit": KOMET, "value": 6},
            {"dataElement": "test.visits", "period": "202604", "value": 7, "categoryOptionCombo": "HllvX50cXC0"},
        ],
    }
    assert _counts(api.post(story.integration, payload)) == (3, 0, 0, 0)
    assert _facts() == {
        ("test.visits", MENTAOS, "202603"): 4.0,
        ("test.visits", KOMET, "202603"): 6.0,
        ("test.visits", MENTAOS, "202604"): 7.0,
    }


def test_charset_and_json_suffix_content_types_are_json(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    one = {"dataValues": [_row(MENTAOS, "202601", 1)]}
    assert api.post(story.integration, one, content_type="application/json; charset=utf-8").status_code == 200
    assert api.post(story.integration, one, content_type="application/vnd.dhis2+json").status_code == 200


# ------------------------------------------------------------------------------ import strategy
def test_strategy_create_only_adds(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    api.post(story.integration, {"dataValues": [_row(MENTAOS, "202601", 1), _row(KOMET, "202601", 2)]})
    payload = {"dataValues": [_row(MENTAOS, "202601", 9), _row(KOMET, "202601", 2), _row(MENTAOS, "202602", 3)]}
    response = api.post(story.integration, payload, query="importStrategy=CREATE")
    assert _counts(response) == (1, 0, 2, 0)
    assert response.json()["conflicts"] == [
        {
            "object": "test.visits",
            "indexes": [0],
            "property": "dataValue",
            "value": "row 0: a value already exists (importStrategy=CREATE)",
        }
    ]
    assert _facts()[("test.visits", MENTAOS, "202601")] == 1.0


def test_strategy_update_only_changes(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    api.post(story.integration, {"dataValues": [_row(MENTAOS, "202601", 1)]})
    payload = {"dataValues": [_row(MENTAOS, "202601", 9), _row(KOMET, "202601", 2)]}
    response = api.post(story.integration, payload, query="importStrategy=UPDATE")
    assert _counts(response) == (0, 1, 1, 0)
    assert response.json()["conflicts"] == [
        {
            "object": "test.visits",
            "indexes": [1],
            "property": "dataValue",
            "value": "row 1: no existing value to update (importStrategy=UPDATE)",
        }
    ]
    assert _facts() == {("test.visits", MENTAOS, "202601"): 9.0}


def test_strategy_delete_removes_and_marks_dirty(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    api.post(story.integration, HAPPY)
    DirtyPeriod.objects.all().delete()
    payload = {
        "dataValues": [
            {"dataElement": "test.visits", "period": "202601", "orgUnit": MENTAOS},
            _row("63.72.04.1004", "202601", 1),
        ]
    }
    response = api.post(story.integration, payload, query="importStrategy=DELETE")
    assert _counts(response) == (0, 0, 1, 1)
    assert set(_facts()) == {("test.visits", KOMET, "202601"), ("test.visits", MENTAOS, "202602")}
    assert list(DirtyPeriod.objects.values_list("period", flat=True)) == ["202601"]


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("NEW_AND_UPDATES", "CREATE_AND_UPDATE"),
        ("new", "CREATE"),
        ("UPDATES", "UPDATE"),
        ("create_and_update", "CREATE_AND_UPDATE"),
    ],
)
def test_old_strategy_spellings_are_accepted(
    api: ApiCaller, story: Story, spine: SpineIndicators, given: str, used: str
) -> None:
    response = api.post(story.integration, {"dataValues": []}, query=f"importStrategy={given}")
    assert response.json()["importOptions"]["importStrategy"] == used


def test_unknown_strategy_is_409(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.integration, HAPPY, query="importStrategy=MERGE")
    assert response.status_code == 409
    assert "MERGE" in response.json()["message"]
    assert not Fact.objects.exists()


# ------------------------------------------------------------------------------------ scope
def test_skpd_operator_cannot_import_for_another_agency(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    payload = {"dataValues": [_row("DISKOMINFO", "202601", 3), _row("DINKES", "202601", 4)]}
    response = api.post(story.skpd_operator, payload)
    assert response.status_code == 200
    assert _counts(response) == (1, 0, 1, 0)
    assert response.json()["status"] == "WARNING"
    assert response.json()["conflicts"] == [
        {
            "object": "DINKES",
            "indexes": [1],
            "property": "orgUnit",
            "value": "row 1: org unit DINKES does not exist or is outside your scope",
        }
    ]
    assert _facts() == {("test.visits", "DISKOMINFO", "202601"): 3.0}


def test_all_rows_outside_scope_is_an_error_summary(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.skpd_operator, {"dataValues": [_row("DINKES", "202601", 4), _row(MENTAOS, "202601", 1)]})
    assert response.json()["status"] == "ERROR"
    assert _counts(response) == (0, 0, 2, 0)
    assert not Fact.objects.exists()


def test_integration_account_at_the_root_imports_anywhere(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    payload = {"dataValues": [_row(u, "202601", 1) for u in ("63.72", "63.72.05", MENTAOS, "DINKES", "DISKOMINFO")]}
    assert _counts(api.post(story.integration, payload)) == (5, 0, 0, 0)


@pytest.mark.parametrize("who", ["mentaos_clerk", "camat", "head", "auditor", "citizen"])
def test_roles_without_the_import_right_get_403(api: ApiCaller, story: Story, spine: SpineIndicators, who: str) -> None:
    response = api.post(getattr(story, who), HAPPY)
    assert response.status_code == 403
    assert response.json()["message"] == "You do not have the right to import data."
    assert not Fact.objects.exists()
    assert not ImportJob.objects.exists()


# ------------------------------------------------------------------------------- bad input
def test_malformed_json_is_400_with_the_parse_error(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.integration, '{"dataValues": [')
    assert response.status_code == 400
    body = response.json()
    assert body["httpStatusCode"] == 400
    assert body["status"] == "ERROR"
    assert body["message"].startswith("The request body is not valid JSON: ")
    assert "line 1 column 17" in body["message"]
    assert not ImportJob.objects.exists()


def test_body_that_is_not_utf8_is_400(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.integration, b'{"dataValues": ["\xff"]}')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]


@pytest.mark.parametrize("body", ["[]", "{}", '{"dataValues": {}}', '"dataValues"', "null", '{"dataValues": null}'])
def test_body_without_a_data_values_list_is_400(
    api: ApiCaller, story: Story, spine: SpineIndicators, body: str
) -> None:
    response = api.post(story.integration, body)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "The body must be a JSON object with a list 'dataValues' (DHIS2 dataValueSets)."
    )


def test_each_bad_row_is_a_conflict_and_the_good_rows_go_in(
    api: ApiCaller, story: Story, spine: SpineIndicators
) -> None:
    rows = [
        _row(MENTAOS, "202601", 12),  # 0 good
        _row(MENTAOS, "202601", 1, code="nope.x"),  # 1
        _row("63.72.99", "202601", 1),  # 2
        _row(MENTAOS, "2026-01", 1),  # 3
        _row(MENTAOS, "2026Q1", 1),  # 4
        _row(KOMET, "202601", "dua belas"),  # 5
        _row(KOMET, "202601", 1.5),  # 6
        _row(KOMET, "202601", "NaN"),  # 7
        _row(MENTAOS, "202601", 12),  # 8 duplicate of 0
        _row(KOMET, "202602", "7"),  # 9 good
        "not an object",  # 10
        _row(KOMET, "202603", ""),  # 11
        _row(KOMET, "202604", "Infinity"),  # 12
        _row(KOMET, "202605", True),  # 13
        _row(KOMET, "202613", 1),  # 14
    ]
    response = api.post(story.integration, {"dataValues": rows})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "WARNING"
    assert body["importCount"] == {"imported": 2, "updated": 0, "ignored": 13, "deleted": 0}
    conflicts = {c["indexes"][0]: (c["object"], c["property"], c["value"]) for c in body["conflicts"]}
    assert conflicts == {
        1: ("nope.x", "dataElement", "row 1: indicator (dataElement) nope.x does not exist"),
        2: ("63.72.99", "orgUnit", "row 2: org unit 63.72.99 does not exist or is outside your scope"),
        3: (
            "2026-01",
            "period",
            "row 3: Period 2026-01 is not a DHIS2 period id (examples: 20260102, 2026W01, "
            "202601, 2026Q1, 2026S1, 2026)",
        ),
        4: ("2026Q1", "period", "row 4: period 2026Q1 is quarter but indicator test.visits is reported per month"),
        5: ("dua belas", "value", "row 5: value dua belas is not a number"),
        6: ("1.5", "value", "row 6: value 1.5 must be a whole number for indicator test.visits"),
        7: ("NaN", "value", "row 7: value NaN is not a finite number"),
        8: ("test.visits", "dataValue", "row 8 duplicates row 0 (same indicator, org unit and period)"),
        10: ("not an object", "dataValue", "row 10 is not an object"),
        11: ("", "value", "row 11: value is empty"),
        12: ("Infinity", "value", "row 12: value Infinity is not a finite number"),
        13: ("True", "value", "row 13: value True is not a number"),
        14: ("202613", "period", "row 14: Period 202613 does not exist (month must be in 1..12)"),
    }
    assert _facts() == {("test.visits", MENTAOS, "202601"): 12.0, ("test.visits", KOMET, "202602"): 7.0}


def test_json_nan_literal_is_a_conflict(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    body = '{"dataValues": [{"dataElement": "test.satisfaction", "period": "202601", "orgUnit": "%s", "value": NaN}]}'
    response = api.post(story.integration, body % MENTAOS)
    assert response.status_code == 200
    assert response.json()["conflicts"][0]["value"] == "row 0: value nan is not a finite number"
    assert not Fact.objects.exists()


def test_value_types(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    rows = [
        _row(MENTAOS, "202601", "3.75", code="test.satisfaction"),
        _row(MENTAOS, "202601", "ya", code="test.flag"),
        _row(KOMET, "202601", False, code="test.flag"),
        _row("63.72.04.1004", "202601", "maybe", code="test.flag"),
        _row(MENTAOS, "202601", "1200", code="test.coverage"),
        _row(KOMET, "202601", "12.0", code="test.visits"),
    ]
    body = api.post(story.integration, {"dataValues": rows}).json()
    assert body["importCount"]["imported"] == 4
    assert [c["value"] for c in body["conflicts"]] == [
        "row 3: value maybe is not true/false",
        "row 4: value 1200 is not a plausible percentage",
    ]
    assert _facts() == {
        ("test.satisfaction", MENTAOS, "202601"): 3.75,
        ("test.flag", MENTAOS, "202601"): 1.0,
        ("test.flag", KOMET, "202601"): 0.0,
        ("test.visits", KOMET, "202601"): 12.0,
    }


def test_ratio_rows_need_both_numerator_and_denominator(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    rows = [
        _row(MENTAOS, "202601", 90, code="test.coverage", numerator=45, denominator=50),
        _row(KOMET, "202601", 20, code="test.coverage", numerator=10),
        _row("63.72.04.1004", "202601", 20, code="test.coverage", numerator=0, denominator=0),
        _row("63.72.04.1001", "202601", 80, code="test.coverage"),
    ]
    body = api.post(story.integration, {"dataValues": rows}).json()
    assert [c["value"] for c in body["conflicts"]] == [
        "row 1: give both numerator and denominator, or neither",
        "row 2: denominator is zero",
    ]
    assert set(Fact.objects.values_list("org_unit__code", "value", "numerator", "denominator")) == {
        (MENTAOS, 90.0, 45.0, 50.0),
        ("63.72.04.1001", 80.0, 0.8, 1.0),
    }


@override_settings(BALAI_IMPORT_MAX_BYTES=100)
def test_payload_above_the_limit_is_413(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.integration, HAPPY)
    assert response.status_code == 413
    body = response.json()
    assert body["httpStatus"] == "Payload Too Large"
    assert "the limit is 100 bytes (BALAI_IMPORT_MAX_BYTES)" in body["message"]
    assert not Fact.objects.exists()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("query", ["idScheme=UID", "idScheme=name", "dataElementIdScheme=UID", "orgUnitIdScheme=NAME"])
def test_unsupported_id_scheme_is_409(api: ApiCaller, story: Story, spine: SpineIndicators, query: str) -> None:
    response = api.post(story.integration, HAPPY, query=query)
    assert response.status_code == 409
    assert response.json()["message"].startswith("Only idScheme=CODE is supported")
    assert not Fact.objects.exists()


def test_id_scheme_code_is_accepted(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.integration, HAPPY, query="idScheme=code&orgUnitIdScheme=CODE")
    assert _counts(response) == (3, 0, 0, 0)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_415(api: ApiCaller, story: Story, spine: SpineIndicators, content_type: str) -> None:
    response = api.post(story.integration, "dataValues", content_type=content_type)
    assert response.status_code == 415
    assert response.json()["message"] == f"Send application/json (dataValueSets) or text/csv; got {content_type}"


# --------------------------------------------------------------------------------------- auth
# The API client below is a real one: it holds no CSRF cookie. DHIS2 clients answer 401 with a
# re-authentication, so a missing or dead token must say 401, not 403 "CSRF check Failed".
def test_no_token_is_401(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(None, HAPPY)
    assert response.status_code == 401
    assert not Fact.objects.exists()


def test_revoked_token_is_401(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    token, secret = org.token_create(actor=None, user=story.integration, name="old")
    org.token_revoke(actor=None, token=token)
    assert api.post(None, HAPPY, secret=secret).status_code == 401
    assert not Fact.objects.exists()


def test_expired_token_is_401(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    token, secret = org.token_create(
        actor=None, user=story.integration, name="old", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert api.post(None, HAPPY, secret=secret).status_code == 401
    assert not Fact.objects.exists()


def test_x_api_key_header_imports(story: Story, spine: SpineIndicators) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/dataValueSets",
        data=HAPPY,
        content_type="application/json",
        HTTP_X_API_KEY=story.token(story.integration),
    )
    assert response.status_code == 200
    assert _counts(response) == (3, 0, 0, 0)


# ------------------------------------------------------------------------------ job and audit
def test_every_import_stores_a_job_and_an_audit_event(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    first = api.post(story.integration, HAPPY).json()
    second = api.post(story.skpd_operator, {"dataValues": [_row("DINKES", "202601", 4)]}).json()
    jobs = list(ImportJob.objects.order_by("id"))
    assert [j.pk for j in jobs] == [first["importJob"], second["importJob"]]
    job = jobs[0]
    assert (job.channel, job.created_by, job.strategy, job.dry_run, job.status, job.row_count) == (
        "api",
        story.integration,
        "CREATE_AND_UPDATE",
        False,
        "applied",
        3,
    )
    assert job.summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert jobs[1].summary["conflicts"] == second["conflicts"]
    events = list(AuditEvent.objects.filter(action="facts.import").order_by("id"))
    assert [(e.actor, e.object_id) for e in events] == [
        (story.integration, str(job.pk)),
        (story.skpd_operator, str(jobs[1].pk)),
    ]
    assert events[0].changes == {
        "channel": "api",
        "rows": 3,
        "imported": 3,
        "updated": 0,
        "ignored": 0,
        "deleted": 0,
        "conflicts": 0,
    }
    assert events[1].changes["conflicts"] == 1
    assert set(ImportJob.objects.visible_to(story.integration)) == {job}


def test_large_payload_of_50000_rows(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    from balai.org.models import OrgUnit

    units = list(OrgUnit.objects.order_by("path").values_list("code", flat=True))
    assert len(units) == 28
    start = dt.date(2021, 1, 1)
    rows: list[dict[str, str]] = []
    day = 0
    while len(rows) < 50_000:
        period = (start + dt.timedelta(days=day)).strftime("%Y%m%d")
        rows.extend(
            {"dataElement": "test.daily_queue", "period": period, "orgUnit": u, "value": str(day % 50)} for u in units
        )
        day += 1
    rows = rows[:50_000]
    response = api.post(story.integration, {"dataValues": rows})
    assert response.status_code == 200
    assert _counts(response) == (50_000, 0, 0, 0)
    assert Fact.objects.count() == 50_000
    assert DirtyPeriod.objects.count() == day
    assert ImportJob.objects.get().row_count == 50_000

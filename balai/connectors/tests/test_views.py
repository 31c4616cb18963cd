"""Connector pages: who sees what (404 outside scope), the form, secrets never shown, preview, pull now."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from balai.connectors.models import Connector, ConnectorRun
from balai.connectors.tests.conftest import MENTAOS, AgencyApp, make_connector, presence_records
from balai.core.testing import Story, sign_in
from balai.indicators.models import DirtyPeriod, Fact, ImportJob

pytestmark = pytest.mark.django_db
SECRET = "tok-RAHASIA-9f8e7d"  # a test value whose absence from pages is asserted


@pytest.fixture
def admin_client(client: Client, story: Story) -> Client:
    sign_in(client, story.admin)
    return client


def _form(story: Story, url: str, **over: Any) -> dict[str, Any]:
    data = {
        "name": "Aplikasi absensi BKPSDM",
        "owner": story.diskominfo.pk,
        "url": url,
        "format": "json",
        "records_path": "data.items",
        "auth_kind": "bearer",
        "token": SECRET,
        "username": "",
        "password": "",
        "indicator_code": "attendance.presence_rate",
        "indicator_field": "",
        "unit_code": "",
        "unit_field": "kode_unit",
        "unit_match": "code",
        "period_field": "bulan",
        "period_format": "period",
        "value_field": "persen",
        "numerator_field": "hadir",
        "denominator_field": "hari_kerja",
        "comment_field": "",
        "schedule": "daily",
        "daily_at": "06:30",
        "alert_after": "3",
        "is_active": "on",
    }
    data.update(over)
    return data


def test_admin_registers_a_connector_and_the_token_is_never_shown(
    admin_client: Client, story: Story, agency: AgencyApp
) -> None:
    url = agency.json("/api", {"data": {"items": presence_records()}})
    response = admin_client.post(reverse("connectors:new"), _form(story, url))
    connector = Connector.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("connectors:detail", args=[connector.pk])
    assert (connector.token, connector.daily_at, connector.alert_after) == (SECRET, dt.time(6, 30), 3)

    for page in (
        reverse("connectors:detail", args=[connector.pk]),
        reverse("connectors:edit", args=[connector.pk]),
        reverse("connectors:list"),
    ):
        html = admin_client.get(page).content.decode()
        assert SECRET not in html, page
    detail = admin_client.get(reverse("connectors:detail", args=[connector.pk])).content.decode()
    assert "token set" in detail
    edit = admin_client.get(reverse("connectors:edit", args=[connector.pk])).content.decode()
    assert "A token is set. Type a new one to replace it." in edit
    assert re.search(r'<input type="password" name="token"[^>]*>', edit) is not None
    assert 'name="token" value' not in edit


def test_saving_the_form_with_an_empty_token_keeps_it_and_clear_removes_it(admin_client: Client, story: Story) -> None:
    connector = make_connector(story, "https://a.example/api", auth_kind="bearer", token=SECRET)
    edit = reverse("connectors:edit", args=[connector.pk])
    assert admin_client.post(edit, _form(story, "https://a.example/api", token="", name="Baru")).status_code == 302
    connector.refresh_from_db()
    assert (connector.name, connector.token) == ("Baru", SECRET)
    response = admin_client.post(
        edit, _form(story, "https://a.example/api", token="", token_clear="on", auth_kind="none")
    )
    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.token == ""


def test_a_mapping_with_an_unknown_indicator_or_unit_is_refused_on_the_form(admin_client: Client, story: Story) -> None:
    response = admin_client.post(
        reverse("connectors:new"),
        _form(story, "https://a.example/api", indicator_code="tidak.ada", unit_field="", unit_code="XX.99"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indicator tidak.ada does not exist or is not fed from outside Balai." in html
    assert "Org unit XX.99 does not exist." in html
    assert Connector.objects.count() == 0
    assert SECRET not in html  # a refused form does not echo the secret back either


def test_preview_shows_raw_and_mapped_records_with_problems_and_writes_nothing(
    admin_client: Client, story: Story, agency: AgencyApp
) -> None:
    records = presence_records() * 8  # 24 records: the preview shows 20
    records[1] = {**records[1], "kode_unit": "63.72.99.9999"}
    url = agency.json("/api", {"data": {"items": records}})
    connector = make_connector(story, url)
    response = admin_client.post(reverse("connectors:preview", args=[connector.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "24 records in the answer; the first 20 are shown." in html
    assert html.count('data-testid="preview-row"') == 20
    assert html.count('data-testid="row-problem"') == 1
    assert "org unit &quot;63.72.99.9999&quot; does not exist" in html
    assert "1 of them has a problem: a pull would fail and write nothing." in html
    assert "bulan, hadir, hari_kerja, kode_unit, persen" in html
    assert MENTAOS in html and "202601" in html
    assert (Fact.objects.count(), ImportJob.objects.count(), ConnectorRun.objects.count()) == (0, 0, 0)
    assert DirtyPeriod.objects.count() == 0


def test_preview_of_an_unreachable_app_says_why(admin_client: Client, story: Story, closed_port: int) -> None:
    connector = make_connector(story, f"http://127.0.0.1:{closed_port}/")
    html = admin_client.post(reverse("connectors:preview", args=[connector.pk])).content.decode()
    assert "The app refused the connection (is it running?)." in html


def test_pull_now_runs_one_import_and_the_page_shows_the_history_and_sparkline(
    admin_client: Client, story: Story, agency: AgencyApp
) -> None:
    url = agency.json("/api", {"data": {"items": presence_records()}})
    connector = make_connector(story, url)
    pull = reverse("connectors:pull", args=[connector.pk])
    assert admin_client.post(pull).status_code == 302
    agency.raw("/api", "down", content_type="text/plain", status=502)
    admin_client.post(pull)

    runs = list(ConnectorRun.objects.order_by("pk").values_list("status", "rows", "imported", "trigger"))
    assert runs == [("success", 3, 3, "manual"), ("failed", 0, 0, "manual")]
    assert ConnectorRun.objects.filter(triggered_by=story.admin).count() == 2
    html = admin_client.get(reverse("connectors:detail", args=[connector.pk])).content.decode()
    assert html.count('data-testid="run-row"') == 2
    assert "The app answered HTTP 502 Bad Gateway." in html
    found = re.search(r'<script id="connector-spark" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    spark = json.loads(found[1])
    assert spark["kind"] == "spark" and spark["series"][0]["data"] == [3, 0]
    assert '<script src="/static/balai/dashboard.js"></script>' in html
    assert "<script>" not in html  # no inline script under the CSP


def test_pull_now_needs_a_csrf_token(story: Story, agency: AgencyApp) -> None:
    connector = make_connector(story, agency.json("/api", {"data": {"items": []}}))
    client = Client(enforce_csrf_checks=True)
    sign_in(client, story.admin)
    assert client.post(reverse("connectors:pull", args=[connector.pk])).status_code == 403
    assert ConnectorRun.objects.count() == 0
    assert client.get(reverse("connectors:pull", args=[connector.pk])).status_code == 405


def test_list_shows_health(admin_client: Client, story: Story, agency: AgencyApp) -> None:
    ok = make_connector(story, agency.json("/ok", {"data": {"items": presence_records()}}), name="A ok")
    bad = make_connector(story, agency.raw("/bad", "x", content_type="text/plain", status=500), name="B bad")
    make_connector(story, "https://a.example/", name="C new")
    from balai.connectors.services import connector_pull

    connector_pull(connector_id=ok.pk)
    connector_pull(connector_id=bad.pk)
    html = admin_client.get(reverse("connectors:list")).content.decode()
    assert html.count('data-testid="connector-row"') == 3
    assert 'data-testid="health-ok"' in html
    assert "1 failure" in html
    assert 'data-testid="health-never"' in html


# ----------------------------------------------------------------------------------------- scope
def test_skpd_operator_of_the_owner_sees_and_pulls_but_does_not_edit(
    client: Client, story: Story, agency: AgencyApp
) -> None:
    connector = make_connector(story, agency.json("/api", {"data": {"items": presence_records()}}))
    client.force_login(story.skpd_operator)
    assert client.get(reverse("connectors:list")).status_code == 200
    html = client.get(reverse("connectors:detail", args=[connector.pk])).content.decode()
    assert 'data-testid="pull-now"' in html and 'data-testid="edit"' not in html
    assert client.post(reverse("connectors:pull", args=[connector.pk])).status_code == 302
    assert ConnectorRun.objects.get().status == "success"
    assert client.get(reverse("connectors:edit", args=[connector.pk])).status_code == 404
    assert client.post(reverse("connectors:preview", args=[connector.pk])).status_code == 404
    assert client.get(reverse("connectors:new")).status_code == 404


def test_connector_of_another_agency_is_404_for_the_skpd_operator(client: Client, story: Story) -> None:
    other = make_connector(story, "https://a.example/", owner=story.dinkes)
    client.force_login(story.skpd_operator)
    for name, method in (("detail", "get"), ("pull", "post"), ("edit", "get"), ("preview", "post")):
        assert getattr(client, method)(reverse(f"connectors:{name}", args=[other.pk])).status_code == 404, name
    assert "https://a.example/" not in client.get(reverse("connectors:list")).content.decode()
    assert ConnectorRun.objects.count() == 0


@pytest.mark.parametrize("who", ["komet_clerk", "mentaos_clerk", "head", "auditor", "citizen"])
def test_people_without_import_rights_get_404_everywhere(client: Client, story: Story, who: str) -> None:
    connector = make_connector(story, "https://a.example/")
    client.force_login(getattr(story, who))
    assert client.get(reverse("connectors:list")).status_code == 404
    assert client.get(reverse("connectors:new")).status_code == 404
    assert client.get(reverse("connectors:detail", args=[connector.pk])).status_code == 404
    assert client.post(reverse("connectors:pull", args=[connector.pk])).status_code == 404
    assert client.get(reverse("connectors:edit", args=[connector.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("connectors:list"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_nav_shows_connectors_to_importers_only(client: Client, story: Story) -> None:
    client.force_login(story.skpd_operator)
    assert 'data-testid="nav-connectors"' in client.get(reverse("connectors:list")).content.decode()
    client.force_login(story.head)
    assert 'data-testid="nav-connectors"' not in client.get(reverse("dashboard:home")).content.decode()


def test_list_and_detail_query_counts_do_not_grow_with_connectors_or_runs(
    client: Client, story: Story, agency: AgencyApp
) -> None:
    from balai.connectors.services import connector_pull

    url = agency.json("/api", {"data": {"items": presence_records()}})
    connectors = [make_connector(story, url, name=f"App {i}") for i in range(3)]
    for connector in connectors:
        connector_pull(connector_id=connector.pk)
        connector_pull(connector_id=connector.pk, actor=story.skpd_operator)
    client.force_login(story.skpd_operator)
    client.get(reverse("connectors:list"))  # warm the session and the Pemda zone cache

    def count(path: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    list_queries = count(reverse("connectors:list"))
    detail_queries = count(reverse("connectors:detail", args=[connectors[0].pk]))
    for i in range(3, 6):
        extra = make_connector(story, url, name=f"App {i}")
        connector_pull(connector_id=extra.pk, actor=story.skpd_operator)
    for _ in range(3):
        connector_pull(connector_id=connectors[0].pk, actor=story.skpd_operator)
    assert count(reverse("connectors:list")) == list_queries
    assert count(reverse("connectors:detail", args=[connectors[0].pk])) == detail_queries
    assert (list_queries, detail_queries) == (4, 5)


def test_secret_looking_query_parameters_are_masked_on_the_page(admin_client: Client, story: Story) -> None:
    connector = make_connector(story, "https://a.example/api?api_key=K3Y-SECRET&tahun=2026")
    html = admin_client.get(reverse("connectors:detail", args=[connector.pk])).content.decode()
    assert "K3Y-SECRET" not in html
    assert "https://a.example/api?api_key=•••&amp;tahun=2026" in html

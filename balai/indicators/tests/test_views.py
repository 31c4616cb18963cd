"""The indicator catalogue, targets, and the CSV import of Facts (upload → preview → confirm)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from balai.core.periods import Period
from balai.core.testing import Story, sign_in
from balai.indicators import services
from balai.indicators.models import Fact, ImportJob, Indicator, Target

pytestmark = pytest.mark.django_db

MENTAOS = "63.72.04.1002"
KOMET = "63.72.04.1003"


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def visits(db: None) -> Indicator:
    return Indicator.objects.create(
        code="test.visits",
        name_id="Kunjungan",
        name_en="Visits",
        period_type="month",
        aggregation="sum",
        value_type="number",
        unit="orang",
        source="external",
        description_en="Visitors served at the counter.",
        description_id="Pengunjung yang dilayani di loket.",
    )


def upload(client: Client, content: bytes, name: str = "data.csv"):
    return client.post(reverse("indicators:import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def follow_preview(client: Client, response):
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    return client.get(response["Location"])


# ------------------------------------------------------------------------------------ catalogue
def test_catalogue_lists_indicators_in_the_active_language(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.mentaos_clerk)
    response = client.get(reverse("indicators:list"))
    assert response.status_code == 200
    assert "test.visits" in [i.code for i in response.context["indicators"]]
    html = response.content.decode()
    assert "Visits" in html and "Monthly" in html and "Sum" in html and "Higher is better" in html

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"
    assert "Kunjungan" in client.get(reverse("indicators:list")).content.decode()


def test_detail_shows_rollups_of_the_home_unit_with_targets(
    client: Client, story: Story, visits: Indicator, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the roll-up task runs on commit
        services.facts_import(
            actor=None,
            rows=[
                {"dataElement": "test.visits", "period": "202601", "orgUnit": MENTAOS, "value": "40"},
                {"dataElement": "test.visits", "period": "202602", "orgUnit": MENTAOS, "value": "50"},
                {"dataElement": "test.visits", "period": "202602", "orgUnit": KOMET, "value": "7"},
            ],
        )
    services.target_set(actor=None, indicator=visits, org_unit=story.mentaos, period="202602", value=100)
    sign_in(client, story.mentaos_clerk)
    response = client.get(reverse("indicators:detail", args=["test.visits"]))
    assert response.status_code == 200
    assert response.context["unit"].code == MENTAOS
    assert [(r["period"], r["value"], r["target"], r["achieved"]) for r in response.context["rows"]] == [
        ("202602", 50.0, 100.0, 50.0),
        ("202601", 40.0, None, None),
    ]
    assert "Visitors served at the counter." in response.content.decode()
    assert [(t.org_unit.code, t.period, t.value) for t in response.context["targets"]] == [(MENTAOS, "202602", 100.0)]

    sign_in(client, story.camat)
    camat = client.get(reverse("indicators:detail", args=["test.visits"]))
    assert [(r["period"], r["value"]) for r in camat.context["rows"]] == [("202602", 57.0), ("202601", 40.0)]


def test_detail_of_another_kelurahan_is_404(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.komet_clerk)
    assert client.get(reverse("indicators:detail", args=["test.visits"]), {"unit": MENTAOS}).status_code == 404


def test_admin_sets_and_clears_a_target(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.admin)
    url = reverse("indicators:target_edit", args=["test.visits"])
    assert client.get(url, {"unit": MENTAOS}).status_code == 200
    saved = client.post(url, {"org_unit": MENTAOS, "period": "2026", "value": "1200", "action": "save"})
    assert saved.status_code == 302
    assert list(Target.objects.values_list("org_unit__code", "period", "value")) == [(MENTAOS, "2026", 1200.0)]
    cleared = client.post(url, {"org_unit": MENTAOS, "period": "2026", "value": "", "action": "clear"})
    assert cleared.status_code == 302
    assert not Target.objects.exists()


def test_target_with_a_finer_period_than_the_indicator_is_refused(
    client: Client, story: Story, visits: Indicator
) -> None:
    sign_in(client, story.admin)
    response = client.post(
        reverse("indicators:target_edit", args=["test.visits"]),
        {"org_unit": MENTAOS, "period": "20260105", "value": "3", "action": "save"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period"] == ["A target needs a period of the indicator's type or coarser."]
    assert not Target.objects.exists()


def test_target_page_is_404_without_the_import_right(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.mentaos_clerk)
    assert client.get(reverse("indicators:target_edit", args=["test.visits"])).status_code == 404


def test_target_for_a_unit_outside_the_import_scope_is_refused(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.skpd_operator)  # imports for Diskominfo only
    response = client.post(
        reverse("indicators:target_edit", args=["test.visits"]),
        {"org_unit": MENTAOS, "period": "2026", "value": "5", "action": "save"},
    )
    assert response.status_code == 200
    assert "org_unit" in response.context["form"].errors
    assert not Target.objects.exists()


# ------------------------------------------------------------------------------------ CSV import
MIXED_CSV = (
    "dataElement,period,orgUnit,value,comment\n"
    f"test.visits,202601,{MENTAOS},10,\n"
    f"test.visits,202602,{MENTAOS},11,\n"
    f"test.nope,202601,{MENTAOS},5,\n"
    f"test.visits,202601,{KOMET},12,\n"
    f"test.visits,2026Q1,{MENTAOS},9,\n"
).encode()


def test_preview_shows_three_to_import_and_two_conflicts_then_confirm_imports_three(
    client: Client, story: Story, visits: Indicator
) -> None:
    sign_in(client, story.admin)
    preview = follow_preview(client, upload(client, MIXED_CSV, "mixed.csv"))
    assert preview.status_code == 200
    ctx = preview.context
    assert (ctx["imported"], ctx["updated"], ctx["unchanged"], ctx["conflict_count"]) == (3, 0, 0, 2)
    assert [(c["line"], c["property"]) for c in ctx["conflicts"]] == [(4, "dataElement"), (6, "period")]
    # Only the CSV line number is shown; the service's 0-based "row N:" prefix is dropped.
    assert [c["reason"] for c in ctx["conflicts"]] == [
        "indicator (dataElement) test.nope does not exist",
        "period 2026Q1 is quarter but indicator test.visits is reported per month",
    ]
    assert ctx["can_confirm"] is True
    assert not Fact.objects.exists()  # a preview writes nothing
    job = ctx["job"]
    assert (job.channel, job.status, job.filename, job.row_count) == ("csv", "preview", "mixed.csv", 5)

    done = client.post(reverse("indicators:import_confirm", args=[job.pk]))
    assert done.status_code == 302
    assert Fact.objects.count() == 3
    assert sorted(Fact.objects.values_list("org_unit__code", "period", "value", "source")) == [
        (MENTAOS, "202601", 10.0, "csv"),
        (MENTAOS, "202602", 11.0, "csv"),
        (KOMET, "202601", 12.0, "csv"),
    ]
    result = client.get(done["Location"])
    assert result.context["is_preview"] is False
    assert (result.context["imported"], result.context["conflict_count"]) == (3, 2)

    # A double click: the second confirm of the same preview imports nothing and says so.
    again = client.post(reverse("indicators:import_confirm", args=[job.pk]), follow=True)
    assert "This file was already imported." in again.content.decode()
    assert Fact.objects.count() == 3
    assert ImportJob.objects.filter(status="applied").count() == 1
    assert (
        client.get(reverse("indicators:import_preview", args=[job.pk])).context["done_job"] == result.context["job"].pk
    )


def test_semicolon_file_with_decimal_commas_imports_12_5(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.admin)
    content = f"indikator;periode;kode_unit;nilai\ntest.visits;202601;{MENTAOS};12,5\n".encode()
    preview = follow_preview(client, upload(client, content))
    assert preview.context["imported"] == 1
    client.post(reverse("indicators:import_confirm", args=[preview.context["job"].pk]))
    assert list(Fact.objects.values_list("value", flat=True)) == [12.5]


def test_wrong_headers_show_the_expected_headers(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.admin)
    response = upload(client, b"kode,bulan,unit_kerja,angka\ntest.visits,202601,x,1\n")
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "Expected headers: dataElement, period, orgUnit, value, [comment], [numerator], [denominator]" in message
    assert "Expected headers: dataElement, period, orgUnit, value" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_windows_1252_file_with_an_accented_comment_imports(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.admin)
    content = f"dataElement;period;orgUnit;value;comment\ntest.visits;202601;{MENTAOS};7;Kelurahan Lokta\xe9bat\n"
    preview = follow_preview(client, upload(client, content.encode("cp1252")))
    assert preview.context["imported"] == 1
    client.post(reverse("indicators:import_confirm", args=[preview.context["job"].pk]))
    assert list(Fact.objects.values_list("value", "comment")) == [(7.0, "Kelurahan Lokta\xe9bat")]


def test_preview_job_of_another_user_is_404(client: Client, story: Story, visits: Indicator) -> None:
    summary = services.facts_import(
        actor=story.admin,
        dry_run=True,
        channel="csv",
        rows=[{"dataElement": "test.visits", "period": "202601", "orgUnit": MENTAOS, "value": "1"}],
    )
    sign_in(client, story.skpd_operator)
    assert client.get(reverse("indicators:import_preview", args=[summary.job_id])).status_code == 404
    assert client.post(reverse("indicators:import_confirm", args=[summary.job_id])).status_code == 404
    assert not Fact.objects.exists()


def test_import_pages_are_404_without_the_import_right(client: Client, story: Story) -> None:
    sign_in(client, story.mentaos_clerk)
    assert client.get(reverse("indicators:import")).status_code == 404
    assert upload(client, MIXED_CSV).status_code == 404


def test_rows_outside_the_importer_scope_are_conflicts(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.skpd_operator)
    content = f"dataElement,period,orgUnit,value\ntest.visits,202601,{MENTAOS},3\n".encode()
    preview = follow_preview(client, upload(client, content))
    assert (preview.context["imported"], preview.context["conflict_count"]) == (0, 1)
    assert preview.context["can_confirm"] is False
    assert f"org unit {MENTAOS} does not exist or is outside your scope" in preview.context["conflicts"][0]["reason"]


def test_template_csv_has_the_import_headers(client: Client, story: Story, visits: Indicator) -> None:
    sign_in(client, story.admin)
    response = client.get(reverse("indicators:import"), {"template": "1"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "dataElement,period,orgUnit,value,comment"
    code, period, unit, value, comment = lines[1].split(",")
    indicator = Indicator.objects.get(code=code)
    assert (indicator.source, unit, value, comment) == ("external", "63.72.02.1003", "12", "")
    assert indicator.aggregation != "ratio"
    assert Period.parse(period).type.value == indicator.period_type
    assert len(lines) == 3

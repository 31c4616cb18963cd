"""Targets an administrator needs: impossible values refused, many units at once, CSV with a per-line report."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from balai.core.audit import AuditEvent
from balai.core.testing import Story, sign_in
from balai.indicators.models import Indicator, Target
from balai.indicators.services import target_set, target_value_check, targets_import_csv

pytestmark = pytest.mark.django_db

UTARA, LOKTABAT_UTARA, MENTAOS, KOMET = "63.72.04", "63.72.04.1001", "63.72.04.1002", "63.72.04.1003"


@pytest.fixture(autouse=True)
def english(client: Client, in_english: None) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def rate(story: Story) -> Indicator:
    return Indicator.objects.create(
        code="test.on_time", name_id="Tepat waktu", name_en="On time", period_type="month",
        aggregation="ratio", value_type="percentage", ratio_factor=100.0,
    )  # fmt: skip


@pytest.fixture
def visits(story: Story) -> Indicator:
    return Indicator.objects.create(
        code="test.visits", name_id="Kunjungan", name_en="Visits", period_type="month",
        aggregation="sum", value_type="integer",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (101.0, "a percentage target must be between 0 and 100"),
        (-0.5, "a percentage target must be between 0 and 100"),
        (float("nan"), "the target nan is not a number"),
    ],
)
def test_impossible_percentage_targets(rate: Indicator, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        target_value_check(rate, value)


def test_negative_count_target_is_refused_and_nothing_saved(story: Story, visits: Indicator) -> None:
    with pytest.raises(ValidationError) as exc:
        target_set(actor=story.admin, indicator=visits, org_unit=story.mentaos, period="2026", value=-3)
    assert exc.value.message_dict == {"value": ["a target for Visits cannot be negative"]}
    assert not Target.objects.exists()
    target_set(actor=story.admin, indicator=visits, org_unit=story.mentaos, period="2026", value=0)
    assert Target.objects.get().value == 0


# ------------------------------------------------------------------------------------------- bulk
def test_targets_for_all_kelurahan_of_a_year_at_once(client: Client, story: Story, rate: Indicator) -> None:
    sign_in(client, story.admin)
    url = reverse("indicators:targets_bulk", args=["test.on_time"])
    page = client.get(url, {"kind": "kelurahan", "period": "2026"})
    assert page.status_code == 200
    listed = [row["unit"].code for row in page.context["rows"]]
    assert len(listed) == 20 and MENTAOS in listed and "63.72.04" not in listed  # Banjarbaru's 20 kelurahan
    data = {"kind": "kelurahan", "period": "2026", f"u-{MENTAOS}": "90", f"u-{KOMET}": "87,5"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(Target.objects.values_list("org_unit__code", "period", "value")) == [
        (MENTAOS, "2026", 90.0),
        (KOMET, "2026", 87.5),
    ]
    # Emptying a box clears that target, the other one changes: one audit event for the page.
    response = client.post(url, {**data, f"u-{MENTAOS}": "", f"u-{KOMET}": "88"})
    assert response.status_code == 302
    assert list(Target.objects.values_list("org_unit__code", "value")) == [(KOMET, 88.0)]
    assert AuditEvent.objects.filter(action="target.set_bulk").count() == 2


def test_bulk_with_impossible_values_saves_nothing_and_marks_the_rows(
    client: Client, story: Story, rate: Indicator
) -> None:
    sign_in(client, story.admin)
    url = reverse("indicators:targets_bulk", args=["test.on_time"])
    response = client.post(
        url,
        {
            "kind": "kelurahan",
            "period": "2026",
            f"u-{MENTAOS}": "120",
            f"u-{KOMET}": "abc",
            f"u-{LOKTABAT_UTARA}": "80",
        },
    )
    assert response.status_code == 400
    errors = {row["unit"].code: row["error"] for row in response.context["rows"] if row["error"]}
    assert errors == {
        MENTAOS: "a percentage target must be between 0 and 100",
        KOMET: "the target abc is not a number",
    }
    assert not Target.objects.exists()
    response = client.post(url, {"kind": "kelurahan", "period": "2026", f"u-{MENTAOS}": "120", f"u-{KOMET}": "80"})
    errors = {row["unit"].code: row["error"] for row in response.context["rows"] if row["error"]}
    assert errors == {MENTAOS: "a percentage target must be between 0 and 100"}
    assert not Target.objects.exists()


def test_bulk_with_a_finer_period_is_refused(client: Client, story: Story, rate: Indicator) -> None:
    sign_in(client, story.admin)
    url = reverse("indicators:targets_bulk", args=["test.on_time"])
    response = client.post(url, {"kind": "kelurahan", "period": "20260105", f"u-{MENTAOS}": "90"})
    assert response.context["picker"].errors["period"] == [
        "period 20260105 is finer than the indicator's (Monthly): a target needs its type or coarser"
    ]
    assert not Target.objects.exists()


def test_bulk_lists_only_units_in_the_import_scope(client: Client, story: Story, rate: Indicator) -> None:
    sign_in(client, story.skpd_operator)  # imports for Diskominfo only
    page = client.get(reverse("indicators:targets_bulk", args=["test.on_time"]))
    assert [k for k, _label in page.context["picker"].fields["kind"].choices] == ["perangkat_daerah"]
    assert [row["unit"].code for row in page.context["rows"]] == ["DISKOMINFO"]
    sign_in(client, story.camat)  # no import right
    assert client.get(reverse("indicators:targets_bulk", args=["test.on_time"])).status_code == 404


# -------------------------------------------------------------------------------------------- CSV
BAD_CSV = (
    "indicator,orgUnit,period,value\n"
    f"test.on_time,{MENTAOS},2026,90\n"  # line 2: fine
    f"test.on_time,{KOMET},2026,101\n"  # 3: over 100 %
    f"test.visits,{KOMET},2026,-5\n"  # 4: negative count
    f"test.visits,{KOMET},2026,banyak\n"  # 5: not a number
    f"test.visits,{KOMET},20260105,5\n"  # 6: daily period for a monthly indicator
    "test.visits,99.99,2026,5\n"  # 7: unknown unit
    f"test.nothing,{KOMET},2026,5\n"  # 8: unknown indicator
    f"test.on_time,{MENTAOS},2026,91\n"  # 9: same target as line 2
    f"test.visits,{KOMET},2026Q1,300\n"  # 10: fine
)


def test_csv_reports_each_bad_line_and_saves_nothing(story: Story, rate: Indicator, visits: Indicator) -> None:
    report = targets_import_csv(actor=story.admin, content=BAD_CSV, dry_run=False)
    assert [(r.row, r.status, r.message) for r in report.rows] == [
        (2, "created", "test.on_time 2026"),
        (3, "error", "a percentage target must be between 0 and 100"),
        (4, "error", "a target for Visits cannot be negative"),
        (5, "error", "the target banyak is not a number"),
        (6, "error", "period 20260105 is finer than the indicator's (Monthly): a target needs its type or coarser"),
        (7, "error", "org unit 99.99 does not exist or is outside your scope"),
        (8, "error", "indicator test.nothing does not exist or is not active"),
        (9, "error", "the same target as line 2"),
        (10, "created", "test.visits 2026Q1"),
    ]
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action="target.import").exists()


def test_csv_outside_the_scope_is_reported_like_an_unknown_unit(
    story: Story, rate: Indicator, visits: Indicator
) -> None:
    report = targets_import_csv(
        actor=story.skpd_operator,
        content=f"indicator,orgUnit,period,value\ntest.visits,{MENTAOS},2026,5\ntest.visits,DISKOMINFO,2026,7\n",
    )
    assert [(r.row, r.status, r.message) for r in report.rows] == [
        (2, "error", f"org unit {MENTAOS} does not exist or is outside your scope"),
        (3, "created", "test.visits 2026"),
    ]
    assert not Target.objects.exists()


def test_csv_preview_then_confirm_then_clear(client: Client, story: Story, rate: Indicator, visits: Indicator) -> None:
    target_set(actor=None, indicator=visits, org_unit=story.komet, period="2026", value=100)
    sign_in(client, story.admin)
    url = reverse("indicators:targets_import")
    content = (
        "indikator;kode_unit;periode;target\n"  # Indonesian headers, an Indonesian Excel's separator and comma
        f"test.on_time;{MENTAOS};2026;92,5\n"
        f"test.visits;{KOMET};2026;120\n"
        f"test.visits;{MENTAOS};2026;\n"
    ).encode()
    preview = client.post(url, {"file": SimpleUploadedFile("targets.csv", content, "text/csv")})
    assert preview.status_code == 200
    assert [(r.row, r.status) for r in preview.context["report"].rows] == [
        (2, "created"),
        (3, "updated"),
        (4, "ignored"),
    ]
    assert Target.objects.count() == 1  # a preview writes nothing
    token = preview.context["confirm"]["token"].value()
    assert client.post(url, {"token": token}).status_code == 302
    assert sorted(Target.objects.values_list("indicator__code", "org_unit__code", "value")) == [
        ("test.on_time", MENTAOS, 92.5),
        ("test.visits", KOMET, 120.0),
    ]
    cleared = targets_import_csv(
        actor=story.admin, content=f"indicator,orgUnit,period,value\ntest.visits,{KOMET},2026,\n"
    )
    assert [(r.status, r.message) for r in cleared.rows] == [("updated", "target cleared")]
    assert list(Target.objects.values_list("indicator__code", flat=True)) == ["test.on_time"]


def test_targets_import_page_is_404_without_the_import_right(client: Client, story: Story) -> None:
    sign_in(client, story.mentaos_clerk)
    assert client.get(reverse("indicators:targets_import")).status_code == 404
    sign_in(client, story.admin)
    template = client.get(reverse("indicators:targets_import"), {"template": "1"})
    assert template.content.decode().splitlines()[0] == "indicator,orgUnit,period,value"

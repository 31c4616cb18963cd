"""The leadership views of Satu Dasbor: tiles per role, traffic lights, the map, comparisons, the public page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from balai.core.models import AuditEvent
from balai.core.periods import Period
from balai.core.testing import Story, sign_in
from balai.dashboard import compare, maps, selectors
from balai.dashboard.choices import MapLevel, TileChart, TilePeriodType
from balai.dashboard.layout import layout_for
from balai.dashboard.models import OverviewTile, UnitBoundary
from balai.dashboard.services import LayoutError, TileSpec, overview_layout_set
from balai.dashboard.tests.test_dashboard import KOMET, MENTAOS, UTARA, by_testid, load, make_indicator
from balai.indicators.models import Indicator, Target
from balai.org import access
from balai.org import services as org
from balai.org.roles import Role

NOV, OCT = Period.parse("202611"), Period.parse("202610")
SELATAN_KEL = "63.72.05.1001"


@pytest.fixture
def city(story: Story) -> dict[str, Indicator]:
    """Visits (public, target 16,000 for Utara) and a private backlog (lower is better), Oct–Nov 2026."""
    visits = make_indicator("test.visits", name_en="Service visits", name_id="Kunjungan layanan", is_public=True)
    backlog = make_indicator("test.backlog", polarity=-1, sort_order=2, unit="berkas")
    load(
        [
            ("test.visits", "202611", MENTAOS, 9000),
            ("test.visits", "202611", KOMET, 5000),
            ("test.visits", "202610", MENTAOS, 8000),
            ("test.visits", "202610", KOMET, 4500),
            ("test.visits", "202611", SELATAN_KEL, 3000),
            ("test.backlog", "202611", MENTAOS, 12),
            ("test.backlog", "202610", MENTAOS, 20),
        ]
    )
    Target.objects.create(indicator=visits, org_unit=story.kec_utara, period="202611", value=16000)
    Target.objects.create(indicator=visits, org_unit=story.mentaos, period="202611", value=8000)
    Target.objects.create(indicator=backlog, org_unit=story.mentaos, period="202611", value=15)
    return {"visits": visits, "backlog": backlog}


def _locate(story: Story) -> None:
    """Mentaos and Komet on the map; their kecamatan (Utara) has no point of its own."""
    org.orgunit_update(actor=None, unit=story.mentaos, latitude=-3.44, longitude=114.835)
    org.orgunit_update(actor=None, unit=story.komet, latitude=-3.45, longitude=114.845)


def _tiles(response: Any) -> list[str]:
    return [c["attrs"]["data-indicator"] for c in by_testid(response, "kpi-card")]


# ------------------------------------------------------------------------------------ traffic lights
@pytest.mark.parametrize(
    ("pct", "status"),
    [(None, "grey"), (100.0, "green"), (140.0, "green"), (99.9, "amber"), (90.0, "amber"), (89.99, "red")],
)
def test_traffic_light_default_thresholds(pct: float | None, status: str) -> None:
    assert selectors.traffic_light(pct) == status


@override_settings(BALAI_DASHBOARD_GREEN_PCT=110.0, BALAI_DASHBOARD_AMBER_PCT=95.0)
def test_traffic_light_thresholds_are_settings() -> None:
    assert [selectors.traffic_light(p) for p in (110.0, 109.0, 95.0, 94.0)] == ["green", "amber", "amber", "red"]


def test_lower_is_better_below_target_is_green(story: Story, city: dict[str, Indicator]) -> None:
    card = selectors.cards_for(story.head, story.mentaos, NOV, [city["backlog"]])[0]
    assert (card.value, card.target, card.achievement, card.status) == (12.0, 15.0, 125.0, "green")
    utara = selectors.cards_for(story.head, story.kec_utara, NOV, [city["visits"]])[0]
    assert (utara.value, utara.achievement, utara.status) == (14000.0, 87.5, "red")


def test_a_count_over_a_running_month_is_in_progress_and_its_drop_is_not_coloured(
    story: Story, city: dict[str, Indicator]
) -> None:
    import datetime as dt

    # Made-up 22 November: counts of the month so far are partial, so no colour on their change; a level
    # (aggregated as "last") is read as it is.
    stock = make_indicator("test.stock", aggregation="last", sort_order=3)
    load([("test.stock", "202611", MENTAOS, 7), ("test.stock", "202610", MENTAOS, 9)])
    running = selectors.cards_for(
        story.head, story.mentaos, NOV, [city["visits"], city["backlog"], stock], today=dt.date(2026, 11, 22)
    )
    assert [(c.in_progress, c.days_elapsed, c.days_total, c.direction, c.tone) for c in running] == [
        (True, 22, 30, "up", "neutral"),
        (True, 22, 30, "down", "neutral"),
        (False, None, None, "down", "bad"),
    ]
    ended = selectors.cards_for(story.head, story.kec_utara, NOV, [city["visits"]], today=dt.date(2026, 12, 1))[0]
    assert (ended.in_progress, ended.direction, ended.tone) == (False, "up", "good")


def test_the_card_of_a_running_month_says_how_far_it_is(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    import datetime as dt
    from unittest import mock

    sign_in(client, story.head)
    with mock.patch("balai.dashboard.views.today", return_value=dt.date(2026, 11, 22)):
        response = client.get(reverse("dashboard:unit", args=[UTARA]) + "?period=202611", HTTP_ACCEPT_LANGUAGE="en")
    notes = [n["text"] for n in by_testid(response, "kpi-in-progress")]
    assert notes == ["In progress: day 22 of 30"] * 2  # visits and the backlog, both counts


# -------------------------------------------------------------------------------------------- layout
def test_layout_set_keeps_order_and_period_type(story: Story, city: dict[str, Indicator]) -> None:
    overview_layout_set(
        actor=story.admin,
        role=Role.HEAD_OF_REGION,
        tiles=[TileSpec("test.backlog"), TileSpec("test.visits", TilePeriodType.QUARTER, TileChart.TREND)],
    )
    layout = layout_for(story.head)
    assert layout.role == Role.HEAD_OF_REGION
    assert [i.code for i in layout.indicators] == ["test.backlog", "test.visits"]
    assert layout.period_types == {city["visits"].pk: "quarter"}
    assert layout.charts == {city["backlog"].pk: "spark", city["visits"].pk: "trend"}
    event = AuditEvent.objects.get(action="dashboard.layout_set")
    assert event.changes == {"role": "head_of_region", "before": [], "after": ["test.backlog", "test.visits"]}
    # The tile asks for the quarter: 2026Q4 so far is October + November.
    card = selectors.cards_for(story.head, story.kec_utara, NOV, layout.indicators, layout.period_types)[1]
    assert (card.period, card.value) == ("2026Q4", 26500.0)


def test_user_without_layout_gets_the_default(story: Story, city: dict[str, Indicator]) -> None:
    overview_layout_set(actor=None, role=Role.HEAD_OF_REGION, tiles=[TileSpec("test.visits")])
    assert layout_for(story.camat).is_configured is False
    assert layout_for(story.head).is_configured is True


@pytest.mark.parametrize(
    ("tiles", "message"),
    [
        ([TileSpec("test.nothing")], "Tile 1: unknown indicator test.nothing."),
        (
            [TileSpec("test.visits"), TileSpec("test.visits")],
            "Tile 2: indicator test.visits is already on this layout.",
        ),
        ([TileSpec("test.old")], "Tile 1: indicator test.old is inactive."),
        ([TileSpec("test.visits", chart="pie")], "Tile 1: unknown chart pie."),
        ([TileSpec("test.visits", period_type="week")], "Tile 1: unknown period type week."),
    ],
)
def test_bad_layout_is_refused_and_changes_nothing(
    story: Story, city: dict[str, Indicator], tiles: list[TileSpec], message: str
) -> None:
    make_indicator("test.old", is_active=False)
    overview_layout_set(actor=None, role=Role.CAMAT, tiles=[TileSpec("test.backlog")])
    with translation.override("en"), pytest.raises(LayoutError) as exc:
        overview_layout_set(actor=None, role=Role.CAMAT, tiles=tiles)
    assert exc.value.errors == [message]
    assert list(OverviewTile.objects.values_list("role", "indicator__code")) == [("camat", "test.backlog")]


def test_unknown_role_is_refused(story: Story, city: dict[str, Indicator]) -> None:
    with translation.override("en"), pytest.raises(LayoutError) as exc:
        overview_layout_set(actor=None, role="walikota", tiles=[])
    assert exc.value.errors == ["Unknown role: walikota."]


def test_overview_shows_the_role_tiles_in_order_and_all_on_request(
    client: Any, story: Story, city: dict[str, Indicator]
) -> None:
    make_indicator("test.third", sort_order=0)
    load([("test.third", "202611", MENTAOS, 1)])
    overview_layout_set(actor=None, role=Role.HEAD_OF_REGION, tiles=[TileSpec("test.backlog"), TileSpec("test.visits")])
    client.force_login(story.head)
    response = client.get(f"{reverse('dashboard:unit', args=[UTARA])}?period=202611")
    assert _tiles(response) == ["test.backlog", "test.visits"]
    statuses = {c["attrs"]["data-indicator"]: c["attrs"]["data-status"] for c in by_testid(response, "kpi-card")}
    assert statuses == {"test.backlog": "grey", "test.visits": "red"}
    response = client.get(f"{reverse('dashboard:unit', args=[UTARA])}?period=202611&all=1")
    assert _tiles(response) == ["test.third", "test.visits", "test.backlog"]  # sort_order 0, 1, 2


def test_layout_page_is_for_pemda_admins_only(client: Any, story: Story) -> None:
    for user in (story.head, story.camat, story.skpd_operator):
        client.force_login(user)
        assert client.get(reverse("dashboard:layout")).status_code == 404
        assert by_testid(client.get(reverse("dashboard:home")), "link-layout") == []
    sign_in(client, story.admin)
    assert by_testid(client.get(reverse("dashboard:home")), "link-layout")[0]["attrs"]["href"] == "/dasbor-tata-letak/"
    response = client.get(reverse("dashboard:layout") + "?role=camat")
    assert response.status_code == 200
    assert len(by_testid(response, "layout-row")) == 5  # no tile yet: five blank rows


def _post_layout(client: Any, role: str, rows: list[tuple[str, int, str]]) -> Any:
    data: dict[str, Any] = {"role": role, "form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": 0}
    for n, (code, position, chart) in enumerate(rows):
        data.update({f"form-{n}-indicator": code, f"form-{n}-position": position, f"form-{n}-chart": chart})
    return client.post(reverse("dashboard:layout"), data, HTTP_ACCEPT_LANGUAGE="en")


def test_layout_page_saves_in_position_order(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    sign_in(client, story.admin)
    response = _post_layout(client, "camat", [("test.visits", 2, "trend"), ("test.backlog", 1, "spark"), ("", 3, "")])
    assert response.status_code == 302
    rows = list(OverviewTile.objects.filter(role="camat").values_list("position", "indicator__code", "chart"))
    assert rows == [(1, "test.backlog", "spark"), (2, "test.visits", "trend")]


def test_layout_page_refuses_duplicates_with_the_reason(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    sign_in(client, story.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the request's language, not the test thread's
    response = _post_layout(client, "camat", [("test.visits", 1, "spark"), ("test.visits", 2, "spark")])
    assert response.status_code == 400
    assert by_testid(response, "layout-errors")[0]["text"] == "Tile 2: indicator test.visits is already on this layout."
    assert OverviewTile.objects.count() == 0


# ------------------------------------------------------------------------------------------ the map
def test_classes_are_equal_intervals_best_values_green() -> None:
    legend, bounds = maps.classify([10.0, 20.0, 30.0, 40.0, 50.0], polarity=1)
    assert bounds == [18.0, 26.0, 34.0, 42.0, 50.0]
    assert [c.tone for c in legend] == ["q0", "q1", "q2", "q3", "q4"]
    assert [maps.tone_of(v, legend, bounds) for v in (10.0, 26.0, 26.5, 50.0, None)] == ["q0", "q1", "q2", "q4", "none"]
    lower, _ = maps.classify([10.0, 20.0, 30.0, 40.0, 50.0], polarity=-1)
    assert [c.tone for c in lower] == ["q4", "q3", "q2", "q1", "q0"]
    two, _ = maps.classify([5.0, 9.0], polarity=0)
    assert [c.tone for c in two] == ["n0", "n4"]
    assert maps.classify([], polarity=1) == ([], [])


def test_map_of_the_city_places_a_kecamatan_amid_its_kelurahan(
    story: Story, city: dict[str, Indicator], django_assert_num_queries: Any
) -> None:
    _locate(story)
    access.scope_paths(story.head, "view")  # the user's roles, read once per request in a view
    with django_assert_num_queries(3):  # units, roll-ups, the kelurahan points of kecamatan without one
        layer = maps.map_layer(
            user=story.head, unit=story.root, selected=NOV, indicator=city["visits"], level=MapLevel.KECAMATAN
        )
    by_code = {u.code: u for u in layer.units}
    assert len(by_code) == 5
    utara = by_code[UTARA]
    assert (utara.value, round(utara.lat or 0, 3), round(utara.lon or 0, 3)) == (14000.0, -3.445, 114.84)
    assert by_code["63.72.05"].value == 3000.0
    assert (by_code["63.72.05"].lat, by_code["63.72.02"].tone) == (None, "none")
    assert layer.drawn == 1
    assert [(c.tone, c.low, c.high) for c in layer.legend] == [("q0", 3000.0, 8500.0), ("q4", 8500.0, 14000.0)]


def test_map_costs_two_queries_when_units_are_located(
    story: Story, city: dict[str, Indicator], django_assert_num_queries: Any
) -> None:
    _locate(story)
    UnitBoundary.objects.create(
        org_unit=story.kec_utara,
        geometry={"type": "Polygon", "coordinates": [[[114.8, -3.4], [114.9, -3.4], [114.9, -3.5], [114.8, -3.4]]]},
    )
    access.scope_paths(story.camat, "view")
    access.scope_paths(story.head, "view")
    with django_assert_num_queries(2):
        layer = maps.map_layer(
            user=story.camat, unit=story.kec_utara, selected=NOV, indicator=city["visits"], level=MapLevel.KELURAHAN
        )
    assert [(u.code, u.value, u.tone) for u in layer.units] == [
        ("63.72.04.1003", 5000.0, "q0"),  # Komet
        ("63.72.04.1001", None, "none"),  # Loktabat Utara
        (MENTAOS, 9000.0, "q4"),
        ("63.72.04.1004", None, "none"),  # Sungai Ulin
    ]
    with django_assert_num_queries(3):  # the other four kecamatan have no point: their kelurahan are read
        city_layer = maps.map_layer(
            user=story.head, unit=story.root, selected=NOV, indicator=city["visits"], level=MapLevel.KECAMATAN
        )
    utara = next(u for u in city_layer.units if u.code == UTARA)
    assert utara.geometry is not None and utara.lat is None


def test_map_data_on_the_page_links_each_unit_to_its_dashboard(
    client: Any, story: Story, city: dict[str, Indicator]
) -> None:
    _locate(story)
    client.force_login(story.camat)
    response = client.get(f"{reverse('dashboard:unit', args=[UTARA])}?period=202611&map=test.visits")
    html = response.content.decode()
    data = json.loads(html.split('id="map-data" type="application/json">')[1].split("</script>")[0])
    assert data["tile_url"] == ""
    assert [(u["code"], u["label"], u["url"]) for u in data["units"]] == [
        ("63.72.04.1003", "5.000 orang", "/dasbor/63.72.04.1003/?period=202611"),
        (MENTAOS, "9.000 orang", "/dasbor/63.72.04.1002/?period=202611"),
    ]
    assert 'id="map-data"' in response.content.decode()
    assert len(by_testid(response, "overview-map")) == 1


def test_overview_with_40_tiles_costs_a_fixed_number_of_queries(
    client: Any, story: Story, django_assert_num_queries: Any
) -> None:
    _locate(story)
    rows = []
    for i in range(40):
        make_indicator(f"test.t{i:02d}", sort_order=i)
        rows += [(f"test.t{i:02d}", "202611", MENTAOS, i + 1), (f"test.t{i:02d}", "202610", KOMET, i + 2)]
    load(rows)
    client.force_login(story.head)
    client.get(reverse("dashboard:home"))  # the per-process caches (Pemda time zone)

    def home_with(tiles: int) -> None:
        overview_layout_set(
            actor=None, role=Role.HEAD_OF_REGION, tiles=[TileSpec(f"test.t{i:02d}") for i in range(tiles)]
        )
        client.get(reverse("dashboard:home"))
        # session, user, roles, layout, scope (home units, options), cards (2), sub-units (3), map (2), …
        with django_assert_num_queries(HOME_QUERIES):
            response = client.get(reverse("dashboard:home") + "?period=202611&level=kelurahan")
        assert len(by_testid(response, "kpi-card")) == tiles
        assert len(response.context["map_data"]["units"]) == 2

    home_with(40)
    home_with(5)


HOME_QUERIES = 13


# -------------------------------------------------------------------------------------- drill-down
def test_root_lists_territories_and_agencies_apart(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    client.force_login(story.head)
    response = client.get(reverse("dashboard:home") + "?period=202611")
    html = response.content.decode()
    territories = html.split('data-testid="children-territories"')[1].split('data-testid="children-agencies"')[0]
    agencies = html.split('data-testid="children-agencies"')[1]
    assert territories.count('data-testid="drilldown-row"') == 5
    assert 'data-unit="DISKOMINFO"' in agencies and 'data-unit="DINKES"' in agencies
    assert 'data-unit="DISKOMINFO"' not in territories


def test_compare_two_periods_exact(story: Story, city: dict[str, Indicator]) -> None:
    rows = compare.compare_periods(story.head, story.kec_utara, OCT, NOV, [city["visits"]])
    row = rows[0]
    assert (row.previous, row.value, row.delta, row.delta_pct, row.tone) == (12500.0, 14000.0, 1500.0, 12.0, "good")
    assert (row.target, row.status) == (16000.0, "red")
    backlog = compare.compare_periods(story.mentaos_clerk, story.mentaos, OCT, NOV, [city["backlog"]])[0]
    assert (backlog.delta, backlog.delta_pct, backlog.tone, backlog.status) == (-8.0, -40.0, "good", "green")


def test_compare_periods_page(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    client.force_login(story.camat)
    url = reverse("dashboard:compare_periods", args=[UTARA])
    response = client.get(url + "?a=202610&b=202611")
    row = next(r for r in by_testid(response, "compare-row") if r["attrs"]["data-indicator"] == "test.visits")
    assert "12.500" in row["text"] and "14.000" in row["text"] and "▲ 1.500 (12,0%)" in row["text"]
    with translation.override("en"):
        bad = client.get(url + "?a=2026Q3&b=202611", HTTP_ACCEPT_LANGUAGE="en")
    assert by_testid(bad, "compare-errors")[0]["text"] == (
        "Both periods must be of the same type (two months, two quarters…)."
    )
    assert bad.context["a"] == Period.parse("202610")  # the defaults are shown instead


def test_compare_units_side_by_side(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    units = compare.units_get(story.camat, [MENTAOS, KOMET])
    rows = compare.compare_units(story.camat, units, NOV, [city["visits"]])
    cells = rows[0].cells
    assert [(c.value, c.target, c.status) for c in cells] == [(9000.0, 8000.0, "green"), (5000.0, None, "grey")]
    client.force_login(story.camat)
    response = client.get(reverse("dashboard:compare_units") + f"?u={MENTAOS}&u={KOMET}&period=202611")
    assert response.status_code == 200
    assert [h["text"] for h in by_testid(response, "compare-unit-head")] == ["Mentaos", "Komet"]
    with translation.override("en"):
        one = client.get(reverse("dashboard:compare_units") + f"?u={MENTAOS}", HTTP_ACCEPT_LANGUAGE="en")
    assert one.status_code == 200  # where the overview's link starts: pick the others
    assert by_testid(one, "compare-errors")[0]["text"] == "Choose between 2 and 4 different units to compare."
    assert by_testid(one, "compare-units") == []
    five = "".join(f"&u={c}" for c in [MENTAOS, KOMET, "63.72.04.1001", "63.72.04.1004", UTARA])
    assert client.get(reverse("dashboard:compare_units") + "?" + five[1:]).status_code == 400


def test_komet_clerk_gets_404_on_mentaos_everywhere(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    client.force_login(story.komet_clerk)
    for url in [
        reverse("dashboard:compare_periods", args=[MENTAOS]),
        reverse("dashboard:compare_units") + f"?u={MENTAOS}&u={KOMET}",
        reverse("dashboard:unit", args=[MENTAOS]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("dashboard:compare_periods", args=[KOMET])).status_code == 200


def test_skpd_operator_sees_only_their_agency(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    client.force_login(story.skpd_operator)
    home = client.get(reverse("dashboard:home"))
    assert home.context["unit"] == story.diskominfo
    assert home.context["map"] is None  # an agency has no territory to map
    assert client.get(reverse("dashboard:compare_units") + "?u=DISKOMINFO&u=DINKES").status_code == 404
    for code in ("DINKES", "63.72", UTARA):
        assert client.get(reverse("dashboard:unit", args=[code])).status_code == 404, code
        assert client.get(reverse("dashboard:compare_periods", args=[code])).status_code == 404, code


# --------------------------------------------------------------------------------- public dashboard
def test_public_dashboard_shows_only_public_indicators(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    load([("test.backlog", "202611", SELATAN_KEL, 3)])  # private, with data at the city level too
    response = client.get(reverse("dashboard:public_home") + "?period=202611")
    assert response.status_code == 200
    assert _tiles(response) == ["test.visits"]
    assert "17.000" in by_testid(response, "kpi-value")[0]["text"]
    assert "test.backlog" not in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=300"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    rows = [r["attrs"]["data-unit"] for r in by_testid(response, "drilldown-row")]
    assert rows == ["63.72.05", "63.72.04", "63.72.03", "63.72.02", "63.72.06"]  # territories only, no agency


def test_public_drill_down_stays_in_the_territories(client: Any, story: Story, city: dict[str, Indicator]) -> None:
    _locate(story)
    response = client.get(reverse("dashboard:public_unit", args=[UTARA]) + "?period=202611")
    assert response.status_code == 200
    assert [u["url"] for u in response.context["map_data"]["units"]] == [
        "/transparansi/63.72.04.1003/?period=202611",
        "/transparansi/63.72.04.1002/?period=202611",
    ]
    assert client.get(reverse("dashboard:public_unit", args=[MENTAOS])).status_code == 200
    for code in ("DISKOMINFO", "63.72.99", "DINKES"):
        assert client.get(reverse("dashboard:public_unit", args=[code])).status_code == 404, code


def test_public_pages_link_to_the_transparency_dashboard(client: Any, story: Story) -> None:
    response = client.get(reverse("complaints_public:new"))
    assert by_testid(response, "nav-transparency")[0]["attrs"]["href"] == "/transparansi/"


# ------------------------------------------------------------------------------------- boundaries
def _feature(code: str | None, ring: list[list[float]]) -> dict[str, Any]:
    props = {} if code is None else {"kode": code}
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


SQUARE = [[114.8, -3.4], [114.9, -3.4], [114.9, -3.5], [114.8, -3.5], [114.8, -3.4]]


def test_boundaries_load_reports_per_feature(story: Story, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "kecamatan.geojson"
    features = [
        _feature("637204", SQUARE),  # Banjarbaru Utara, the code without dots
        _feature("63.72.99", SQUARE),
        _feature("63.72.05", SQUARE[:-1]),
        _feature(None, SQUARE),
        _feature("63.72.04", SQUARE),
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with translation.override("en"):
        call_command("dashboard_boundaries_load", str(path), "--code-property", "kode", "--dry-run")
        assert capsys.readouterr().out.splitlines()[-1] == (
            "dry run, nothing written: 1 loaded, 0 updated, 0 unchanged, 4 refused"
        )
        assert UnitBoundary.objects.count() == 0
        call_command("dashboard_boundaries_load", str(path), "--code-property", "kode")
        assert capsys.readouterr().out.splitlines() == [
            "feature 2: refused: 63.72.99: no unit has this code",
            "feature 3: refused: 63.72.05: a ring is not closed (first and last positions differ)",
            "feature 4: refused: no kode property",
            "feature 5: refused: 63.72.04: the same unit as feature 1",
            "1 loaded, 0 updated, 0 unchanged, 4 refused",
        ]
        assert UnitBoundary.objects.get().org_unit == story.kec_utara
        call_command("dashboard_boundaries_load", str(path), "--code-property", "kode")
        assert capsys.readouterr().out.splitlines()[-1] == "0 loaded, 0 updated, 1 unchanged, 4 refused"


def test_boundaries_file_that_is_not_a_feature_collection_is_refused(story: Story, tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "Feature"}))
    with translation.override("en"), pytest.raises(CommandError, match="not a GeoJSON FeatureCollection"):
        call_command("dashboard_boundaries_load", str(path))
    path.write_text("<html>")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("dashboard_boundaries_load", str(path))


def test_indicator_page_drills_territories_and_agencies_apart(
    client: Any, story: Story, city: dict[str, Indicator]
) -> None:
    client.force_login(story.head)
    response = client.get(reverse("dashboard:indicator", args=[story.root.code, "test.visits"]) + "?period=202611")
    html = response.content.decode()
    groups = html.split('data-testid="drilldown-group"')[1:]
    assert len(groups) == 2
    assert groups[0].count('data-testid="drilldown-row"') == 5 and "DISKOMINFO" not in groups[0]
    assert groups[1].count('data-testid="drilldown-row"') == 2 and 'data-unit="DINKES"' in groups[1]

"""Satu Dasbor: exact figures, scoping (404 outside the scope), drill-down and a pinned query count."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from balai.core.testing import Story
from balai.dashboard import views
from balai.indicators.models import Indicator, Target
from balai.indicators.services import dirty_drain, facts_import

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TestIdParser(HTMLParser):
    """Collects the text and attributes of every element carrying a data-testid."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any] | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        attr = dict(attrs)
        item = {"testid": attr["data-testid"], "attrs": attr, "text": ""} if "data-testid" in attr else None
        if item:
            self.found.append(item)
        self.stack.append(item)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for item in self.stack:
            if item is not None:
                item["text"] += data


def by_testid(response: Any, testid: str) -> list[dict[str, Any]]:
    parser = _TestIdParser()
    parser.feed(response.content.decode())
    out = [f for f in parser.found if f["testid"] == testid]
    for f in out:
        f["text"] = re.sub(r"\s+", " ", f["text"]).strip()
    return out


def card(response: Any, code: str) -> dict[str, Any]:
    cards = [c for c in by_testid(response, "kpi-card") if c["attrs"].get("data-indicator") == code]
    assert len(cards) == 1, [c["attrs"].get("data-indicator") for c in by_testid(response, "kpi-card")]
    return cards[0]


def make_indicator(code: str, **kw: Any) -> Indicator:
    values = {
        "name_id": f"Indikator {code}",
        "name_en": f"Indicator {code}",
        "period_type": "month",
        "aggregation": "sum",
        "unit": "orang",
        "sort_order": 1,
    }
    values.update(kw)
    return Indicator.objects.create(code=code, **values)


def load(rows: Sequence[tuple[str, str, str, float]]) -> None:
    summary = facts_import(
        actor=None, rows=[{"dataElement": c, "period": p, "orgUnit": u, "value": v} for c, p, u, v in rows]
    )
    assert summary.conflicts == [], summary.conflicts
    dirty_drain()  # the roll-ups: tests must not depend on on_commit hooks having run


MENTAOS, KOMET, UTARA = "63.72.04.1002", "63.72.04.1003", "63.72.04"


@pytest.fixture
def visits(story: Story) -> Indicator:
    """Monthly visits: Banjarbaru Utara has 14,000 in November 2026 (12,500 in October), target 16,000."""
    ind = make_indicator("test.visits", name_en="Service visits", name_id="Kunjungan layanan")
    load(
        [
            ("test.visits", "202611", MENTAOS, 9000),
            ("test.visits", "202611", KOMET, 5000),
            ("test.visits", "202610", MENTAOS, 8000),
            ("test.visits", "202610", KOMET, 4500),
        ]
    )
    Target.objects.create(indicator=ind, org_unit=story.kec_utara, period="202611", value=16000)
    Target.objects.create(indicator=ind, org_unit=story.mentaos, period="202611", value=8000)
    return ind


def unit_url(code: str, period: str = "202611") -> str:
    return f"{reverse('dashboard:unit', args=[code])}?period={period}"


def indicator_url(code: str, indicator: str, period: str = "202611") -> str:
    return f"{reverse('dashboard:indicator', args=[code, indicator])}?period={period}"


# ------------------------------------------------------------------------------------------ cards
@pytest.fixture
def december(monkeypatch: pytest.MonkeyPatch) -> None:
    """A day after November 2026 ended: its counts are whole, so their changes are coloured."""
    monkeypatch.setattr("balai.dashboard.views.today", lambda: dt.date(2026, 12, 10))


@pytest.mark.usefixtures("december")
def test_card_shows_value_delta_target_and_achievement(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.head)
    response = client.get(unit_url(UTARA))
    assert response.status_code == 200
    c = card(response, "test.visits")
    assert "14.000 orang" in c["text"]
    delta = by_testid(response, "kpi-delta")[0]
    assert "▲ 12,0%" in delta["text"]
    assert 'class="delta delta-good"' in response.content.decode()
    assert by_testid(response, "kpi-achievement")[0]["text"].startswith("87,5%")
    assert "16.000" in by_testid(response, "kpi-target")[0]["text"]


@pytest.mark.usefixtures("december")
def test_lower_is_better_rise_is_coloured_bad(client: Any, story: Story) -> None:
    make_indicator("test.backlog", polarity=-1)
    load([("test.backlog", "202610", MENTAOS, 40), ("test.backlog", "202611", MENTAOS, 50)])
    client.force_login(story.mentaos_clerk)
    response = client.get(unit_url(MENTAOS))
    assert "▲ 25,0%" in by_testid(response, "kpi-delta")[0]["text"]
    assert 'class="delta delta-bad"' in response.content.decode()


def test_period_without_data_shows_dash_not_zero(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.head)
    response = client.get(unit_url(UTARA, "202612"))
    assert by_testid(response, "kpi-value")[0]["text"] == "–"
    assert len(by_testid(response, "kpi-nodata")) == 1
    assert by_testid(response, "kpi-delta") == []  # no value, no change to show


def test_indicator_without_any_rollup_for_the_unit_has_no_card(client: Any, story: Story, visits: Indicator) -> None:
    make_indicator("test.elsewhere")
    load([("test.elsewhere", "202611", "63.72.05.1001", 3)])
    client.force_login(story.head)
    response = client.get(unit_url(UTARA))
    assert [c["attrs"]["data-indicator"] for c in by_testid(response, "kpi-card")] == ["test.visits"]


def test_yearly_indicator_in_monthly_view_shows_the_year_with_a_note(client: Any, story: Story) -> None:
    make_indicator("test.budget", period_type="year", unit="Rp", decimals=1)
    load([("test.budget", "2025", MENTAOS, 1000), ("test.budget", "2026", MENTAOS, 1250.5)])
    client.force_login(story.head)
    response = client.get(unit_url(MENTAOS, "202611"))
    c = card(response, "test.budget")
    assert "1.250,5 Rp" in c["text"]
    assert "2026" in by_testid(response, "kpi-note")[0]["text"]
    assert "▲ 25,1%" in by_testid(response, "kpi-delta")[0]["text"]


def test_quarter_view_sums_the_months(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.head)
    response = client.get(f"{reverse('dashboard:unit', args=[UTARA])}?period=202611&ptype=quarter")
    assert "26.500 orang" in card(response, "test.visits")["text"]
    assert 'value="2026Q4" selected' in response.content.decode()


def test_english_uses_english_grouping(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.head)
    client.cookies["django_language"] = "en"
    response = client.get(unit_url(UTARA))
    assert "14,000 orang" in card(response, "test.visits")["text"]
    assert "Service visits" in card(response, "test.visits")["text"]


# ------------------------------------------------------------------------------------ filter bar
def test_home_defaults_to_current_month_in_pemda_time(
    client: Any, story: Story, visits: Indicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 3))
    client.force_login(story.camat)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert response.context["unit"] == story.kec_utara
    assert response.context["period"].id == "202611"
    assert "14.000 orang" in card(response, "test.visits")["text"]
    html = response.content.decode()
    assert 'href="?period=202610"' in html
    assert 'rel="next"' not in html  # no link into the future


def test_invalid_period_says_so_and_shows_the_current_month(
    client: Any, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 3))
    client.force_login(story.camat)
    response = client.get(f"{reverse('dashboard:home')}?period=2026-13")
    assert response.status_code == 200
    assert response.context["period"].id == "202611"
    assert "2026-13" in by_testid(response, "filter-errors")[0]["text"]


@pytest.mark.parametrize(
    ("query", "shown"), [("period=1900", "202611"), ("period=1905&ptype=year", "2026"), ("ptype=week", "202611")]
)
def test_unusable_period_is_refused_with_a_message(
    client: Any, story: Story, query: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 3))
    client.force_login(story.camat)
    response = client.get(f"{reverse('dashboard:home')}?{query}")
    assert response.status_code == 200
    assert response.context["period"].id == shown
    assert len(by_testid(response, "filter-errors")) == 1


def test_last_period_of_the_calendar_opens(client: Any, story: Story) -> None:
    client.force_login(story.camat)
    response = client.get(f"{reverse('dashboard:home')}?period=2200")
    assert response.status_code == 200
    assert response.context["next_period"] is None


def test_unit_picked_in_filter_bar_moves_to_its_page(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.camat)
    response = client.get(f"{reverse('dashboard:unit', args=[UTARA])}?unit={KOMET}&period=202611")
    assert response.status_code == 302
    assert response.url == f"/dasbor/{KOMET}/?period=202611"
    response = client.get(f"{reverse('dashboard:indicator', args=[UTARA, 'test.visits'])}?unit={KOMET}&period=2026Q4")
    assert response.url == f"/dasbor/{KOMET}/test.visits/?period=2026Q4"


def test_malformed_unit_in_filter_bar_gets_404(client: Any, story: Story) -> None:
    client.force_login(story.camat)
    assert client.get(f"{reverse('dashboard:home')}?unit=63.72/04").status_code == 404


def test_unit_select_lists_scope_down_to_kelurahan(client: Any, story: Story) -> None:
    client.force_login(story.camat)
    response = client.get(reverse("dashboard:home"))
    codes = [o.code for o in response.context["scope"].options]
    assert codes == [UTARA, "63.72.04.1001", MENTAOS, KOMET, "63.72.04.1004"]
    assert [o.level for o in response.context["scope"].options] == [0, 1, 1, 1, 1]


# ----------------------------------------------------------------------------------------- scope
def test_anonymous_is_sent_to_login(client: Any, story: Story) -> None:
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("org:login"))


def test_user_without_scope_sees_friendly_empty_page(client: Any, story: Story) -> None:
    client.force_login(story.citizen)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert len(by_testid(response, "dashboard-empty")) == 1


def test_superuser_starts_at_the_pemda_root(client: Any, story: Story, django_user_model: Any) -> None:
    from balai.core.testing import sign_in

    sign_in(client, django_user_model.objects.create_superuser("root", password="x"))
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert response.context["unit"] == story.root


def test_every_chart_has_its_data(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.head)
    for url in (unit_url(UTARA), indicator_url(UTARA, "test.visits")):
        html = client.get(url).content.decode()
        chart_ids = re.findall(r'data-chart="([^"]+)"', html)
        assert chart_ids
        for chart_id in chart_ids:
            assert f'<script id="{chart_id}" type="application/json">' in html
        assert "/static/balai/dashboard.js" in html and "/static/vendor/echarts/echarts.min.js" in html
        assert "<script>" not in html and "style=" not in html  # the CSP allows neither


def test_other_kelurahan_gets_404(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.komet_clerk)
    assert client.get(unit_url(MENTAOS)).status_code == 404
    assert client.get(indicator_url(MENTAOS, "test.visits")).status_code == 404
    assert client.get(unit_url(KOMET)).status_code == 200
    assert client.get(indicator_url(KOMET, "test.visits")).status_code == 200


def test_unknown_indicator_gets_404(client: Any, story: Story) -> None:
    client.force_login(story.head)
    assert client.get(indicator_url(UTARA, "no.such")).status_code == 404


def test_breadcrumb_never_links_outside_the_scope(client: Any, story: Story) -> None:
    client.force_login(story.camat)
    response = client.get(unit_url(MENTAOS))
    crumbs = by_testid(response, "breadcrumb")[0]["text"]
    assert crumbs == "Kecamatan Banjarbaru Utara Kelurahan Mentaos"
    assert reverse("dashboard:unit", args=["63.72"]) not in response.content.decode()
    client.force_login(story.head)
    crumbs = by_testid(client.get(unit_url(MENTAOS)), "breadcrumb")[0]["text"]
    assert crumbs == "Pemerintah Kota Banjarbaru Kecamatan Banjarbaru Utara Kelurahan Mentaos"


# ------------------------------------------------------------------------------------ drill-down
def test_indicator_page_drills_into_the_four_kelurahan(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.camat)
    response = client.get(indicator_url(UTARA, "test.visits"))
    assert response.status_code == 200
    rows = by_testid(response, "drilldown-row")
    assert [r["attrs"]["data-unit"] for r in rows] == ["63.72.04.1003", "63.72.04.1001", MENTAOS, "63.72.04.1004"]
    by_unit = {r["attrs"]["data-unit"]: r["text"] for r in rows}
    assert by_unit[MENTAOS].startswith("Kelurahan Mentaos 9.000 8.000 112,5%")
    assert by_unit[KOMET].startswith("Kelurahan Komet 5.000 – –")
    assert by_unit["63.72.04.1001"].startswith("Kelurahan Loktabat Utara – – –")
    assert f'href="/dasbor/{MENTAOS}/?period=202611"' in response.content.decode()
    assert len(by_testid(response, "trend-chart")) == 1


def test_trend_chart_has_twelve_periods_and_the_target_line(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.head)
    chart = client.get(indicator_url(UTARA, "test.visits")).context["chart"]
    assert chart["kind"] == "bar"
    assert chart["labels"][0] == "Desember 2025" and chart["labels"][-1] == "November 2026"
    values, targets = chart["series"]
    assert values["data"][-2:] == [12500.0, 14000.0]
    assert values["data"][0] is None
    assert targets["role"] == "target" and targets["data"][-1] == 16000.0


def test_head_of_region_sees_all_five_kecamatan_at_the_root(client: Any, story: Story, visits: Indicator) -> None:
    client.force_login(story.head)
    response = client.get(reverse("dashboard:home") + "?period=202611")
    assert response.context["unit"] == story.root
    units = [r["attrs"]["data-unit"] for r in by_testid(response, "drilldown-row")]
    assert [u for u in units if u.startswith("63.72.")] == [
        "63.72.05",
        "63.72.04",
        "63.72.03",
        "63.72.02",
        "63.72.06",
    ]  # by name: Banjarbaru Selatan, Utara, ...
    assert set(units) - {u for u in units if u.startswith("63.72.")} == {"DISKOMINFO", "DINKES"}
    utara = next(r for r in by_testid(response, "drilldown-row") if r["attrs"]["data-unit"] == UTARA)
    assert utara["text"] == "Kecamatan Banjarbaru Utara 14.000"
    assert "14.000 orang" in card(response, "test.visits")["text"]


# ------------------------------------------------------------------------------------ query count
# 11 for the cards and sub-units, 1 for the role's layout, 3 for the map (units, roll-ups, children's points).
HOME_MAX_QUERIES = 15


def _add_indicators(story: Story, first: int, count: int) -> None:
    rows = []
    for i in range(first, first + count):
        ind = make_indicator(f"test.q{i}", sort_order=i)
        Target.objects.create(indicator=ind, org_unit=story.root, period="202611", value=100)
        for unit in (MENTAOS, KOMET, "63.72.05.1001", "63.72.03.1002"):
            rows += [(f"test.q{i}", "202611", unit, 10 + i), (f"test.q{i}", "202610", unit, 5 + i)]
    load(rows)


def _home_queries(client: Any, django_assert_max_num_queries: Any, cards: int, children: int) -> int:
    client.get(reverse("dashboard:home"))  # warm the per-process cache of the Pemda's time zone
    with django_assert_max_num_queries(HOME_MAX_QUERIES), CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboard:home") + "?period=202611")
    assert response.status_code == 200
    assert len(by_testid(response, "kpi-card")) == cards
    assert len(by_testid(response, "drilldown-row")) == children
    return len(ctx.captured_queries)


def test_home_query_count_does_not_grow_with_indicators_or_children(
    client: Any, story: Story, django_assert_max_num_queries: Any
) -> None:
    from balai.org import services as org
    from balai.org.choices import UnitKind

    client.force_login(story.head)
    _add_indicators(story, 0, 2)
    with_two = _home_queries(client, django_assert_max_num_queries, cards=2, children=7)
    _add_indicators(story, 2, 4)
    for n in range(3):
        org.orgunit_create(
            actor=None, parent=story.root, name=f"Badan {n}", kind=UnitKind.PERANGKAT_DAERAH, code=f"BADAN{n}"
        )
    with_six = _home_queries(client, django_assert_max_num_queries, cards=6, children=10)
    assert with_six == with_two

"""Satu Dasbor smoke test: every new page opened as the head of region and as a kelurahan clerk, in Chromium.

Fails on a server error, a console error or a Content-Security-Policy violation on any of them, and on
a page of another kelurahan that the clerk can open (it must be 404).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser


@pytest.fixture
def satu_dasbor(alive_city: Any) -> dict[str, Any]:
    """The living city with tiles, the map, a public indicator, a scorecard, and an alert for Komet and Mentaos."""
    from django.utils import timezone

    from balai.alerts.choices import CheckedPeriod, RuleKind
    from balai.alerts.models import Alert
    from balai.alerts.services import alert_rule_create, alerts_evaluate
    from balai.core.periods import Period, PeriodType
    from balai.dashboard.demo import kecamatan_load
    from balai.dashboard.services import TileSpec, overview_layout_set
    from balai.indicators.models import FactRollup, Indicator
    from balai.indicators.services import dirty_drain, facts_import
    from balai.org.roles import Role
    from balai.org.selectors import pemda_zone
    from balai.scorecards.services import scorecard_save
    from balai.scorecards.tests.conftest import make_indicators, pd_items

    story = alive_city
    kecamatan_load(story.root)
    with_data = FactRollup.objects.filter(org_unit=story.root).values("indicator_id")
    chosen = Indicator.objects.filter(pk__in=with_data, is_active=True).order_by("code")
    codes = list(chosen.values_list("code", flat=True))
    for role in (Role.HEAD_OF_REGION, Role.KELURAHAN_OPERATOR):
        overview_layout_set(actor=None, role=role, tiles=[TileSpec(c) for c in codes[:4]])
    Indicator.objects.filter(code__in=codes[:2]).update(is_public=True)

    make_indicators()
    card = scorecard_save(
        actor=None, name="Kinerja perangkat daerah", unit_kind="perangkat_daerah", period_type="month", items=pd_items()
    )

    overdue = Indicator.objects.create(
        code="test.overdue_open",
        name_id="Aduan terbuka lewat tenggat",
        name_en="Open reports past their deadline",
        period_type="month",
        aggregation="last",
        value_type="integer",
        polarity=-1,
        unit="aduan",
    )
    month = Period.containing(timezone.now().astimezone(pemda_zone()).date(), PeriodType.MONTH)
    facts_import(
        actor=None,
        rows=[
            {"dataElement": overdue.code, "period": month.id, "orgUnit": unit, "value": "14"}
            for unit in ("63.72.04.1002", "63.72.04.1003")
        ],
    )
    dirty_drain()
    alert_rule_create(
        actor=None,
        name="Aduan lewat tenggat lebih dari 10",
        indicator=overdue,
        kind=RuleKind.ABOVE_THRESHOLD,
        threshold=10,
        scope_unit=story.kec_utara,
        checked_kinds=["kelurahan"],
        period_type="month",
        checked_period=CheckedPeriod.CURRENT,
        severity="critical",
        owner_roles=["kelurahan_operator", "camat"],
    )
    assert alerts_evaluate().opened == 2
    alerts = {a.org_unit.code: a.pk for a in Alert.objects.select_related("org_unit")}
    return {"story": story, "scorecard": card.pk, "alerts": alerts}


def _visit(session: BrowserSession, paths: list[str], expected: int = 200) -> list[str]:
    problems = []
    for path in paths:
        session.errors.clear()
        response = session.goto(path)
        session.page.wait_for_load_state("load")
        if response is None or response.status != expected:
            problems.append(f"{path}: HTTP {response.status if response else 'none'} (expected {expected})")
        if expected == 200:
            problems += [f"{path}: {error}" for error in session.errors]
    return problems


def test_head_of_region_opens_every_satu_dasbor_page(desktop: BrowserSession, satu_dasbor: Any) -> None:
    card, alert = satu_dasbor["scorecard"], satu_dasbor["alerts"]["63.72.04.1002"]
    desktop.login("walikota")
    problems = _visit(
        desktop,
        [
            "/",
            "/dasbor/63.72.04/",
            "/dasbor/63.72.04.1002/",
            "/dasbor/63.72/banding-periode/",
            "/dasbor-banding-unit/?u=63.72.04&u=63.72.04.1002",
            "/peringatan/",
            f"/peringatan/{alert}/",
            "/skor/",
            f"/skor/{card}/",
            f"/skor/{card}/DISKOMINFO/",
            "/rakor/",
            "/data/",
            "/transparansi/",
        ],
    )
    assert problems == []


def test_kelurahan_clerk_opens_its_pages_and_not_the_neighbours(desktop: BrowserSession, satu_dasbor: Any) -> None:
    alerts = satu_dasbor["alerts"]
    desktop.login("clerk_komet")
    problems = _visit(
        desktop, ["/", "/dasbor/63.72.04.1003/", "/peringatan/", f"/peringatan/{alerts['63.72.04.1003']}/", "/skor/"]
    )
    problems += _visit(
        desktop,
        [
            "/dasbor/63.72.04.1002/",
            "/dasbor/63.72.04.1002/banding-periode/",
            f"/peringatan/{alerts['63.72.04.1002']}/",
            f"/skor/{satu_dasbor['scorecard']}/DISKOMINFO/",
            "/rakor/",
            "/dasbor-tata-letak/",
        ],
        expected=404,
    )
    assert problems == []


def test_citizen_opens_the_public_pages(phone: BrowserSession, satu_dasbor: Any) -> None:
    assert _visit(phone, ["/transparansi/", "/transparansi/63.72.04/", "/data/"]) == []


# Each visible select whose selected option's text is wider than the select shows: [name, text, pixels missing].
CLIPPED_PICKERS = """() => Array.from(document.querySelectorAll('select'))
  .filter((s) => s.offsetParent !== null).map((select) => {
  const style = getComputedStyle(select);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const text = select.options[select.selectedIndex].text;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [select.name, text.trim(), Math.ceil(context.measureText(text).width - room)];
}).filter((picker) => picker[2] > 0)"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_pickers_show_whole_names(device: str, request: Any, transactional_db: None) -> None:
    """Unit, period and filter pickers are read whole (they all read "Kecamatan" or "Semua ting" before)."""
    from balai.core.testing import build_story

    build_story()
    session: BrowserSession = request.getfixturevalue(device)
    session.login("walikota")
    clipped = {}
    for path in [
        "/dasbor-banding-unit/?u=63.72.04&u=63.72.04.1002&u=63.72.04.1003&u=DISKOMINFO",
        "/dasbor/63.72.04/banding-periode/?a=202510&b=202511",  # the longest month names
        "/peringatan/",
        "/rakor/",
    ]:
        session.goto(path)
        assert session.page.locator("select").count() >= 1, path
        clipped[path] = session.page.evaluate(CLIPPED_PICKERS)
    assert {path: pickers for path, pickers in clipped.items() if pickers} == {}

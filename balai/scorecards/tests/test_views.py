"""Scorecard pages: ranking, a unit's scorecard, scoping (404 out of scope), the administrator's form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balai.core.testing import Story, sign_in
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.scorecards.models import Scorecard
from balai.scorecards.tests.conftest import MONTH, load_facts

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'data-testid="ranking-row" data-unit="([^"]+)".*?data-testid="ranking-score">([^<]+)<', html, re.S
    )


def test_head_of_region_sees_the_ranking_with_ranks(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.head)
    html = client.get(f"/skor/{scored.pk}/?period={MONTH}").content.decode()
    assert _rows(html) == [("DISKOMINFO", "97.0"), ("DINKES", "70.0")]
    assert re.findall(r'data-testid="ranking-rank">(\d+)<', html) == ["1", "2"]
    assert "Realisation (no data)" in html


def test_default_period_is_the_last_complete_one(
    client: Any, story: Story, scored: Scorecard, monkeypatch: Any
) -> None:
    import datetime as dt

    from balai.scorecards import views

    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 11, 20))
    client.force_login(story.head)
    html = client.get(f"/skor/{scored.pk}/").content.decode()
    assert _rows(html) == [("DISKOMINFO", "97.0"), ("DINKES", "70.0")]
    assert '<option value="202610" selected>' in html
    html = client.get(f"/skor/{scored.pk}/?period=202701").content.decode()
    assert "Period 202701 has not started yet." in html


def test_unit_page_shows_items_and_highlights_the_pull_down(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.head)
    html = client.get(f"/skor/{scored.pk}/DINKES/?period={MONTH}").content.decode()
    assert re.search(r'data-testid="unit-score">70\.0<', html)
    assert re.search(r'data-testid="unit-rank">2 of 2<', html)
    pulled = re.findall(r'data-indicator="([^"]+)" class="table-danger" data-pulls-down="true"', html)
    assert pulled == ["t.backlog", "t.realisation"]
    assert 'data-testid="no-data"' in html


def test_skpd_operator_sees_own_scorecard_not_others(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.skpd_operator)
    html = client.get(f"/skor/{scored.pk}/?period={MONTH}").content.decode()
    assert _rows(html) == [("DISKOMINFO", "97.0")]
    assert "DINKES" not in html and 'data-testid="ranking-rank"' not in html
    assert 'data-testid="ranking-scoped"' in html
    assert client.get(f"/skor/{scored.pk}/DISKOMINFO/?period={MONTH}").status_code == 200
    assert client.get(f"/skor/{scored.pk}/DINKES/?period={MONTH}").status_code == 404


def test_kelurahan_clerk_gets_404_on_an_agency_scorecard(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.komet_clerk)
    assert client.get(f"/skor/{scored.pk}/DISKOMINFO/").status_code == 404
    assert client.get(f"/skor/{scored.pk}/{story.mentaos.code}/").status_code == 404  # not an agency
    html = client.get(f"/skor/{scored.pk}/").content.decode()
    assert _rows(html) == [] and 'data-testid="ranking-empty"' in html


def test_inactive_or_unknown_scorecard_is_404(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.head)
    Scorecard.objects.filter(pk=scored.pk).update(is_active=False)
    assert client.get(f"/skor/{scored.pk}/").status_code == 404
    assert client.get("/skor/9999/").status_code == 404


def test_ranking_page_query_count_is_fixed(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.head)
    url = f"/skor/{scored.pk}/?period={MONTH}"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(15):
        org.orgunit_create(
            actor=None,
            parent=story.root,
            name=f"Badan {n}",
            short_name=f"B{n}",
            kind=UnitKind.PERANGKAT_DAERAH,
            code=f"BADAN{n}",
        )
    load_facts([("t.backlog", f"BADAN{n}", MONTH, n) for n in range(15)])
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert len(_rows(response.content.decode())) == 17
    assert len(big) == len(small)


def test_admin_defines_a_scorecard(client: Any, story: Story, indicators: Any) -> None:
    sign_in(client, story.admin)
    assert client.get("/skor/kelola/").status_code == 200
    assert 'name="items-11-indicator"' in client.get("/skor/kelola/baru/").content.decode()
    data = {
        "name": "Kinerja kelurahan",
        "unit_kind": "kelurahan",
        "period_type": "month",
        "is_active": "on",
        "items-TOTAL_FORMS": "12",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "12",
        "items-MAX_NUM_FORMS": "12",
        "items-0-indicator": "t.on_time",
        "items-0-weight": "60",
        "items-0-default_target": "85",
        "items-0-cap": "120",
        "items-1-indicator": "t.backlog",
        "items-1-weight": "40",
        "items-1-default_target": "5",
        "items-1-cap": "",
    }
    response = client.post("/skor/kelola/baru/", data)
    card = Scorecard.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/skor/{card.pk}/"
    assert list(card.items.values_list("indicator__code", "weight", "cap")) == [
        ("t.on_time", 60.0, 120.0),
        ("t.backlog", 40.0, 120.0),
    ]
    html = client.get(f"/skor/kelola/{card.pk}/").content.decode()
    assert 'name="items-1-indicator" value="t.backlog"' in html and 'name="items-1-weight" value="40.0"' in html
    data["items-1-weight"] = "30"
    html = client.post(f"/skor/kelola/{card.pk}/", data).content.decode()
    assert "The weights add up to 90; they must add up to 100." in html
    assert card.items.get(indicator__code="t.backlog").weight == 40.0


def test_admin_pages_are_404_for_other_roles(client: Any, story: Story, scored: Scorecard) -> None:
    for user in (story.head, story.skpd_operator, story.mentaos_clerk):
        client.force_login(user)
        assert client.get("/skor/kelola/").status_code == 404
        assert client.get(f"/skor/kelola/{scored.pk}/").status_code == 404
        assert client.post("/skor/kelola/baru/", {"name": "x"}).status_code == 404


def test_admin_saves_the_edit_page_unchanged_in_indonesian(client: Any, story: Story, indicators: Any) -> None:
    """The page prints "60,0" in Indonesian; saving it untouched must not answer "Enter a number"."""
    from django.conf import settings

    sign_in(client, story.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    data = {
        "name": "Kinerja kelurahan",
        "unit_kind": "kelurahan",
        "period_type": "month",
        "is_active": "on",
        "items-TOTAL_FORMS": "12",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "12",
        "items-MAX_NUM_FORMS": "12",
        "items-0-indicator": "t.on_time",
        "items-0-weight": "62,5",
        "items-0-default_target": "85",
        "items-0-cap": "120",
        "items-1-indicator": "t.backlog",
        "items-1-weight": "37.5",
        "items-1-default_target": "5",
    }
    assert client.post("/skor/kelola/baru/", data).status_code == 302
    card = Scorecard.objects.get()
    assert list(card.items.values_list("weight", flat=True)) == [62.5, 37.5]
    html = client.get(f"/skor/kelola/{card.pk}/").content.decode()
    assert 'name="items-0-weight" value="62,5"' in html
    echoed = dict(re.findall(r'name="(items-\d+-[a-z_]+)" value="([^"]*)"', html))
    assert echoed["items-1-weight"] == "37,5" and echoed["items-0-cap"] == "120,0"
    response = client.post(f"/skor/kelola/{card.pk}/", {**data, **echoed, "name": "Kinerja kelurahan 2"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.name == "Kinerja kelurahan 2"
    assert list(card.items.values_list("weight", "default_target", "cap")) == [(62.5, 85.0, 120.0), (37.5, 5.0, 120.0)]

"""Definitions that cannot be scored are refused with the reason, and nothing is saved."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.scorecards.models import Scorecard, ScorecardItem
from balai.scorecards.services import ItemSpec, scorecard_save
from balai.scorecards.tests.conftest import pd_items

pytestmark = pytest.mark.django_db


def _save(items: list[ItemSpec], **kw: Any) -> Scorecard:
    values = {"name": "PD", "unit_kind": "perangkat_daerah", "period_type": "month", **kw}
    return scorecard_save(actor=None, items=items, **values)


def _refused(items: list[ItemSpec], **kw: Any) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        _save(items, **kw)
    assert Scorecard.objects.count() == 0 and ScorecardItem.objects.count() == 0
    return exc.value.messages


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            [ItemSpec("t.on_time", 50, 90), ItemSpec("t.backlog", 30, 10)],
            "The weights add up to 80; they must add up to 100.",
        ),
        ([ItemSpec("t.on_time", 110, 90), ItemSpec("t.backlog", -10, 10)], "t.backlog: the weight must be above 0."),
        ([ItemSpec("t.on_time", 100, 0)], "t.on_time: a target of 0 cannot measure achievement."),
        ([ItemSpec("t.on_time", 100, 101)], "t.on_time: a percentage target must be between 0 and 100."),
        ([ItemSpec("t.on_time", 100, -5)], "t.on_time: a percentage target must be between 0 and 100."),
        ([ItemSpec("t.backlog", 100, -1)], "t.backlog: a count cannot have a negative target."),
        ([ItemSpec("t.on_time", 100, math.nan)], "t.on_time: the target must be a number."),
        ([ItemSpec("t.on_time", math.nan, 90)], "t.on_time: the weight must be above 0."),
        ([ItemSpec("t.on_time", 100, 90, cap=90)], "t.on_time: the cap must be between 100 and 200 %."),
        ([ItemSpec("t.nope", 100, 90)], "t.nope: no such indicator."),
        ([ItemSpec("t.on_time", 50, 90), ItemSpec("t.on_time", 50, 80)], "t.on_time appears more than once."),
        (
            [ItemSpec("t.visits", 100, 300)],
            "t.visits is neutral (neither higher nor lower is better): it cannot be scored.",
        ),
        (
            [ItemSpec("t.quarterly", 100, 3)],
            "t.quarterly has a period type of Quarterly, coarser than the scorecard's (Monthly).",
        ),
        ([], "A scorecard needs at least one indicator."),
    ],
)
def test_impossible_definitions_are_refused(indicators: Any, items: list[ItemSpec], message: str) -> None:
    assert message in _refused(items)


def test_inactive_indicator_is_refused(indicators: Any) -> None:
    indicators["t.backlog"].is_active = False
    indicators["t.backlog"].save()
    assert "t.backlog: the indicator is inactive." in _refused(pd_items())


def test_ikm_target_must_be_between_25_and_100(indicators: Any) -> None:
    from balai.indicators.models import Indicator

    if not Indicator.objects.filter(code="skm.ikm").exists():
        pytest.skip("the SKM module declares skm.ikm")
    messages = _refused([ItemSpec("skm.ikm", 100, 20)], period_type="quarter")
    assert "skm.ikm: an IKM target must be between 25 and 100." in messages
    assert _save([ItemSpec("skm.ikm", 100, 82)], period_type="quarter").items.count() == 1


def test_every_reason_is_given_at_once(indicators: Any) -> None:
    messages = _refused([ItemSpec("t.on_time", 60, 150), ItemSpec("t.nope", 30, 1)], name=" ")
    assert messages == [
        "A scorecard needs a name.",
        "t.on_time: a percentage target must be between 0 and 100.",
        "t.nope: no such indicator.",
        "The weights add up to 90; they must add up to 100.",
    ]


def test_update_refused_keeps_the_old_definition(story: Story, indicators: Any) -> None:
    card = _save(pd_items())
    with pytest.raises(ValidationError):
        scorecard_save(
            actor=None,
            scorecard=card,
            name="Renamed",
            unit_kind="perangkat_daerah",
            period_type="month",
            items=[ItemSpec("t.on_time", 100, 120)],
        )
    card.refresh_from_db()
    assert card.name == "PD"
    assert list(card.items.values_list("indicator__code", "weight")) == [
        ("t.on_time", 50.0),
        ("t.backlog", 30.0),
        ("t.realisation", 20.0),
    ]


def test_save_replaces_items_and_is_audited(story: Story, indicators: Any) -> None:
    card = scorecard_save(
        actor=story.admin, name="PD", unit_kind="perangkat_daerah", period_type="month", items=pd_items()
    )
    scorecard_save(
        actor=story.admin,
        scorecard=card,
        name="PD",
        unit_kind="perangkat_daerah",
        period_type="quarter",
        items=[ItemSpec("t.on_time", 70, 95, cap=110), ItemSpec("t.quarterly", 30, 4)],
    )
    assert list(card.items.values_list("indicator__code", "weight", "default_target", "cap")) == [
        ("t.on_time", 70.0, 95.0, 110.0),
        ("t.quarterly", 30.0, 4.0, 120.0),
    ]
    events = list(AuditEvent.objects.filter(object_type="scorecards.scorecard").order_by("id"))
    assert [e.action for e in events] == ["scorecard.create", "scorecard.update"]
    assert events[1].changes["period_type"] == {"before": "month", "after": "quarter"}


def test_only_a_city_administrator_defines(story: Story, indicators: Any) -> None:
    for user in (story.head, story.skpd_operator, story.camat):
        with pytest.raises(PermissionDenied):
            scorecard_save(actor=user, name="PD", unit_kind="perangkat_daerah", period_type="month", items=pd_items())
    assert Scorecard.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "weights", "total"),
    [("en", (60, 2.5), "62.5"), ("id", (60, 2.5), "62,5"), ("en", (1e9, 30), "1000000030")],
)
def test_the_weights_total_is_written_the_readers_way(
    indicators: Any, language: str, weights: tuple[float, float], total: str
) -> None:
    from django.utils import translation

    items = [ItemSpec("t.on_time", weights[0], 90), ItemSpec("t.backlog", weights[1], 10)]
    with translation.override(language):
        messages = _refused(items)
    expected = {
        "en": "The weights add up to {}; they must add up to 100.",
        "id": "Jumlah bobot {}; jumlahnya harus 100.",
    }
    assert messages == [expected[language].format(total)]

"""Scores, ranks and shortfalls computed from FactRollup and Target."""

from __future__ import annotations

from typing import Any

import pytest

from balai.core.periods import Period
from balai.core.testing import Story
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.scorecards import selectors
from balai.scorecards.models import Scorecard
from balai.scorecards.tests.conftest import MONTH, load_facts

pytestmark = pytest.mark.django_db


def test_scores_are_weighted_capped_and_polarity_aware(story: Story, scored: Scorecard) -> None:
    board = selectors.ranking(story.head, scored, Period.parse(MONTH))
    assert [(r.code, r.rank, round(r.score, 6)) for r in board.rows] == [("DISKOMINFO", 1, 97.0), ("DINKES", 2, 70.0)]
    assert board.total == 2 and board.whole_city
    kominfo = {i.code: i for i in board.rows[0].items}
    assert round(kominfo["t.on_time"].achievement or 0, 6) == 90.0 and round(kominfo["t.on_time"].points, 6) == 45.0
    # Lower is better: target 10 / value 5 = 200 %, capped at 120 %.
    assert kominfo["t.backlog"].achievement == 200.0 and round(kominfo["t.backlog"].points, 6) == 36.0
    assert kominfo["t.backlog"].capped
    # The unit's own target (50) wins over the scorecard's default (80).
    assert kominfo["t.realisation"].target == 50.0 and not kominfo["t.realisation"].target_is_default
    assert round(kominfo["t.realisation"].points, 6) == 16.0
    assert kominfo["t.on_time"].target_is_default


def test_missing_value_scores_zero_and_is_flagged(story: Story, scored: Scorecard) -> None:
    board = selectors.ranking(story.head, scored, Period.parse(MONTH))
    dinkes = board.rows[1]
    assert [i.code for i in dinkes.no_data] == ["t.realisation"]
    items = {i.code: i for i in dinkes.items}
    assert items["t.realisation"].points == 0.0 and items["t.realisation"].shortfall == 20.0
    # Pulling down: the largest weighted shortfalls first (20 lost on realisation, 15 on backlog 20 vs 10).
    assert [i.code for i in dinkes.pulling_down] == ["t.realisation", "t.backlog"]
    assert round(items["t.backlog"].shortfall, 6) == 15.0
    assert [i.code for i in board.rows[0].pulling_down] == ["t.on_time", "t.realisation"]


def test_equal_scores_share_a_rank(story: Story, scored: Scorecard) -> None:
    load_facts([("t.on_time", "DINKES", "202611", 90), ("t.on_time", "DISKOMINFO", "202611", 90)])
    board = selectors.ranking(story.head, scored, Period.parse("202611"))
    assert [(r.code, r.rank) for r in board.rows] == [("DINKES", 1), ("DISKOMINFO", 1)]
    assert [round(r.score, 6) for r in board.rows] == [50.0, 50.0]


def test_zero_backlog_earns_the_cap(story: Story, scored: Scorecard) -> None:
    load_facts([("t.backlog", "DINKES", "202611", 0)])
    board = selectors.ranking(story.head, scored, Period.parse("202611"))
    dinkes = next(r for r in board.rows if r.code == "DINKES")
    assert round(dinkes.score, 6) == 36.0  # 30 % weight × 120 % cap


def test_skpd_operator_sees_only_their_own_unit_and_no_rank(story: Story, scored: Scorecard) -> None:
    board = selectors.ranking(story.skpd_operator, scored, Period.parse(MONTH))
    assert [(r.code, r.rank, round(r.score, 6)) for r in board.rows] == [("DISKOMINFO", 0, 97.0)]
    assert not board.whole_city and board.total == 0


def test_ranking_query_count_does_not_grow_with_units(
    story: Story, scored: Scorecard, django_assert_num_queries: Any
) -> None:
    period = Period.parse(MONTH)
    selectors.sees_whole_city(story.head)  # the user's assignments, cached for the request
    with django_assert_num_queries(4):
        small = selectors.ranking(story.head, scored, period)
    for n in range(12):
        org.orgunit_create(
            actor=None,
            parent=story.root,
            name=f"Badan {n}",
            short_name=f"B{n}",
            kind=UnitKind.PERANGKAT_DAERAH,
            code=f"BADAN{n}",
        )
    load_facts([("t.on_time", f"BADAN{n}", MONTH, 50 + n) for n in range(12)])
    with django_assert_num_queries(4):
        big = selectors.ranking(story.head, scored, period)
    assert len(small.rows) == 2 and len(big.rows) == 14


def test_kelurahan_scorecard_ranks_kelurahan(story: Story, indicators: Any) -> None:
    from balai.scorecards.services import ItemSpec, scorecard_save

    card = scorecard_save(
        actor=None,
        name="Kelurahan",
        unit_kind="kelurahan",
        period_type="quarter",
        items=[ItemSpec("t.on_time", 60, 80), ItemSpec("t.quarterly", 40, 4)],
    )
    load_facts(
        [
            ("t.on_time", story.mentaos.code, "202610", 80),
            ("t.on_time", story.mentaos.code, "202611", 100),
            ("t.quarterly", story.mentaos.code, "2026Q4", 2),
        ]
    )
    board = selectors.ranking(story.camat, card, Period.parse("2026Q4"))
    mentaos = next(r for r in board.rows if r.code == story.mentaos.code)
    # Quarter average of 80 and 100 = 90 → 112.5 % × 60 %, plus 2 / 4 = 50 % × 40 %.
    assert round(mentaos.score, 6) == 87.5
    assert {r.code for r in board.rows} == {u.code for u in story.kec_utara.children.filter(kind="kelurahan")}
    assert all(r.rank == 0 for r in board.rows)  # a camat does not view the whole city

"""The IKM exactly as Permenpan-RB 14/2017: hand-computed cases, grade boundaries, Krejcie–Morgan."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balai.core.periods import Period
from balai.skm import ikm, selectors
from balai.skm.choices import Grade
from balai.skm.models import SkmResponse
from balai.skm.tests.conftest import ALL_FOUR


# ------------------------------------------------------------------------------------- pure functions
@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("100.00", Grade.A),
        ("88.31", Grade.A),
        ("88.30", Grade.B),
        ("76.61", Grade.B),
        ("76.60", Grade.C),
        ("65.00", Grade.C),
        ("64.99", Grade.D),
        ("25.00", Grade.D),
    ],
)
def test_grade_boundaries(value: str, grade: Grade) -> None:
    assert ikm.grade_of(Decimal(value)) == grade


@pytest.mark.parametrize(
    ("population", "minimum"),
    [(0, 0), (1, 1), (10, 10), (50, 45), (100, 80), (200, 132), (500, 218), (1000, 278), (10000, 370), (1000000, 384)],
)
def test_krejcie_morgan_known_values(population: int, minimum: int) -> None:
    assert ikm.krejcie_morgan(population) == minimum


def test_krejcie_morgan_is_the_formula_rounded_up() -> None:
    # N = 100: 3.841·100·0.25 / (0.0025·99 + 3.841·0.25) = 96.025 / 1.20775 = 79.507… → 80
    assert Fraction("96.025") / Fraction("1.20775") < 80
    for n in (7, 123, 4567):
        exact = Fraction("3.841") * n * Fraction("0.25") / (Fraction("0.0025") * (n - 1) + Fraction("3.841") / 4)
        assert ikm.krejcie_morgan(n) - 1 < exact <= ikm.krejcie_morgan(n)


def test_exact_one_ninth_not_0_111() -> None:
    # All NRR 3.5324 would be 88.31 with 1/9 but 88.22 with the rounded weight 0.111: the grade depends on it.
    nrrs = [Fraction("3.5324")] * 9
    index = ikm.index_of(nrrs)
    assert index == Fraction("3.5324")
    assert ikm.converted(index) == Decimal("88.31")
    assert ikm.round_half_up(sum((n * Fraction("0.111") for n in nrrs), Fraction(0)) * 25) == Decimal("88.22")


def test_rounding_is_half_up_at_the_end_only() -> None:
    assert ikm.round_half_up(Fraction(88305, 1000)) == Decimal("88.31")
    assert ikm.round_half_up(Fraction(88304999, 1000000)) == Decimal("88.30")
    assert ikm.converted(Fraction(4)) == Decimal("100.00")


def test_missing_element_makes_the_index_undefined() -> None:
    assert ikm.index_of([Fraction(3)] * 8 + [None]) is None
    assert ikm.index_of([Fraction(3)] * 8) is None


# --------------------------------------------------------------------------------- end to end (SQL)
def _answer_sets(respondents: int, total: int) -> list[dict[str, int]]:
    """``respondents`` full answer sets whose answers add up to ``total``."""
    answers = [1] * (9 * respondents)
    extra = total - 9 * respondents
    i = 0
    while extra:
        step = min(3, extra)
        answers[i] += step
        extra -= step
        i += 1
    return [{f"u{e + 1}": answers[r * 9 + e] for e in range(9)} for r in range(respondents)]


def _result(unit: Any, period: str = "") -> ikm.IkmResult:
    p = Period.parse(period) if period else Period.parse(_year())
    return selectors.result(selectors.Selection(unit=unit, service=None, period=p))


@pytest.mark.django_db
def test_all_answers_four_is_100_grade_a(story: Any, mentaos_service: Any, respond: Callable[..., Any]) -> None:
    for _i in range(3):
        respond(mentaos_service, ALL_FOUR)
    result = _result(story.mentaos)
    assert result.respondents == 3
    assert [s.nrr for s in result.elements] == [Fraction(4)] * 9
    assert result.ikm == Decimal("100.00")
    assert result.grade == Grade.A


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("respondents", "total", "expected", "grade"),
    [
        (24, 763, "88.31", Grade.A),  # 25·763/(9·24) = 88.3101…
        (19, 604, "88.30", Grade.B),  # 88.3040…
        (19, 524, "76.61", Grade.B),  # 76.6081…
        (26, 717, "76.60", Grade.C),  # 76.6025…
        (5, 117, "65.00", Grade.C),  # 65 exactly
        (38, 889, "64.99", Grade.D),  # 64.9853…
    ],
)
def test_boundary_response_sets_land_in_the_right_grade(
    story: Any,
    mentaos_service: Any,
    respond: Callable[..., Any],
    respondents: int,
    total: int,
    expected: str,
    grade: Grade,
) -> None:
    for answers in _answer_sets(respondents, total):
        respond(mentaos_service, answers)
    result = _result(story.mentaos)
    assert result.respondents == respondents
    assert result.ikm == Decimal(expected)
    assert result.grade == grade


@pytest.mark.django_db
def test_elements_skipped_by_some_respondents(story: Any, mentaos_service: Any, respond: Callable[..., Any]) -> None:
    rows: list[list[int | None]] = [
        [4, 3, 2, 4, 3, 4, 4, 3, 2],
        [3, None, 3, 4, None, 3, 4, 2, None],
        [2, 4, None, 3, 3, 4, 3, 3, 1],
    ]
    for row in rows:
        respond(mentaos_service, {f"u{i + 1}": v for i, v in enumerate(row)})
    result = _result(story.mentaos)
    # By hand: NRR = 9/3, 7/2, 5/2, 11/3, 6/2, 11/3, 11/3, 8/3, 3/2; Σ = 163/6; IKM = 163/54 × 25 = 75.4629…
    assert [s.nrr for s in result.elements] == [
        Fraction(3),
        Fraction(7, 2),
        Fraction(5, 2),
        Fraction(11, 3),
        Fraction(3),
        Fraction(11, 3),
        Fraction(11, 3),
        Fraction(8, 3),
        Fraction(3, 2),
    ]
    assert [s.answered for s in result.elements] == [3, 2, 2, 3, 2, 3, 3, 3, 2]
    assert result.index == Fraction(163, 54)
    assert result.index_display == Decimal("3.019")
    assert result.ikm == Decimal("75.46")
    assert result.grade == Grade.C
    # (The mean of all 23 answers, 71/23 × 25 = 77.17, would say B: skipped elements must not be pooled so.)


@pytest.mark.django_db
def test_element_nobody_answered_is_not_enough_data(
    story: Any, mentaos_service: Any, respond: Callable[..., Any]
) -> None:
    respond(mentaos_service, {**ALL_FOUR, "u9": None})
    result = _result(story.mentaos)
    assert result.respondents == 1
    assert [e.code for e in result.missing_elements] == ["u9"]
    assert result.ikm is None and result.grade is None and not result.is_defined


@pytest.mark.django_db
def test_no_responses_is_not_enough_data(story: Any) -> None:
    result = _result(story.mentaos)
    assert result.respondents == 0
    assert result.ikm is None


@pytest.mark.django_db
def test_kecamatan_pools_responses_not_unit_ikms(
    story: Any, mentaos_service: Any, komet_service: Any, respond: Callable[..., Any]
) -> None:
    # Mentaos: one respondent, all 4 (100.00). Komet: three respondents, all 1 (25.00).
    respond(mentaos_service, ALL_FOUR)
    for _i in range(3):
        respond(komet_service, {f"u{i}": 1 for i in range(1, 10)})
    kecamatan = _result(story.kec_utara)
    assert kecamatan.respondents == 4
    # Pooled: every NRR = (4 + 3) / 4 = 7/4 → 43.75; the mean of the two unit IKMs would be 62.50.
    assert kecamatan.ikm == Decimal("43.75")
    assert _result(story.mentaos).ikm == Decimal("100.00")
    assert _result(story.komet).ikm == Decimal("25.00")


@pytest.mark.django_db
def test_population_and_minimum_sample(story: Any, mentaos_service: Any, respond: Callable[..., Any]) -> None:
    from balai.skm.tests.conftest import serve

    respond(mentaos_service, ALL_FOUR)
    for _i in range(3):
        serve(mentaos_service)  # served, never answered
    result = _result(story.mentaos)
    assert result.population == 4
    assert result.minimum_sample == 4  # Krejcie–Morgan of a tiny population is the population
    assert result.sample_met is False


@pytest.mark.django_db
def test_one_sql_aggregation(story: Any, mentaos_service: Any, respond: Callable[..., Any]) -> None:
    for _i in range(5):
        respond(mentaos_service, ALL_FOUR, sex="P", age_band="30_39", education="sma", occupation="swasta")
    qs = SkmResponse.objects.filter(unit=story.mentaos)
    with CaptureQueriesContext(connection) as queries:
        result = ikm.compute(qs)
    assert len(queries) == 1
    assert result.respondents == 5
    assert result.profile["sex"] == {"L": 0, "P": 5, "": 0}
    assert result.profile["age_band"]["30_39"] == 5
    assert result.profile["occupation"]["swasta"] == 5


@pytest.mark.django_db
def test_breakdown_by_unit_is_one_group_by(
    story: Any, mentaos_service: Any, komet_service: Any, respond: Callable[..., Any]
) -> None:
    respond(mentaos_service, ALL_FOUR)
    respond(komet_service, {f"u{i}": 3 for i in range(1, 10)})
    selection = selectors.Selection(unit=story.kec_utara, service=None, period=Period.parse(_year()))
    rows = selectors.breakdown_by_unit(selection)
    assert [(r.label, r.result.ikm) for r in rows] == [
        ("Kelurahan Komet", Decimal("75.00")),
        ("Kelurahan Mentaos", Decimal("100.00")),
    ]


def _year() -> str:
    from django.utils import timezone

    from balai.org.selectors import pemda_zone

    return str(timezone.localdate(timezone=pemda_zone()).year)

"""Numbers and periods the Indonesian way ("14.000", "Selasa, 2 Januari 2024")."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from balai.core.formatting import format_number, format_period


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (14000, 0, "14.000"),
        (285546, 0, "285.546"),
        (1234567.891, 2, "1.234.567,89"),
        (12.5, 1, "12,5"),
        (-4500, 0, "-4.500"),
        (0, 0, "0"),
        ("14000", 0, "14.000"),
        (None, 0, "–"),
        ("", 0, "–"),
        ("n/a", 0, "n/a"),
    ],
)
def test_format_number_indonesian(value: object, decimals: int, expected: str) -> None:
    assert format_number(value, decimals, lang="id") == expected


def test_format_number_english() -> None:
    assert format_number(1234567.891, 2, lang="en") == "1,234,567.89"


def test_format_number_follows_the_active_language() -> None:
    with translation.override("id"):
        assert format_number(14000.5, 1) == "14.000,5"
    with translation.override("en"):
        assert format_number(14000.5, 1) == "14,000.5"


def test_format_period() -> None:
    assert format_period("20240102", lang="id") == "Selasa, 2 Januari 2024"
    assert format_period("202601", lang="id") == "Januari 2026"
    assert format_period("not-a-period", lang="id") == "not-a-period"


def test_template_builtins_need_no_load() -> None:
    with translation.override("id"):
        html = Template("{{ n|num }} {{ r|num:1 }} {{ p|period_label }}").render(
            Context({"n": 14000, "r": 12.5, "p": "202601"})
        )
    assert html == "14.000 12,5 Januari 2026"

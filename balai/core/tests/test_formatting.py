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


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("zone", ["Asia/Makassar", "Asia/Jakarta", "UTC"])
def test_when_is_the_date_filter_of_the_lists(language: str, zone: str) -> None:
    """``|when`` renders what ``|date:"j M Y H:i"`` renders, month names translated, in the active time zone."""
    import datetime as dt

    from django.utils import timezone

    template = Template('{{ v|date:"j M Y H:i" }}|{{ v|when }}')
    with translation.override(language), timezone.override(zone):
        for month in range(1, 13):
            for moment in (
                dt.datetime(2026, month, 1, 16, 5, tzinfo=dt.UTC),
                dt.datetime(2026, month, 28, 0, 0, tzinfo=dt.UTC),
            ):
                django_way, ours = template.render(Context({"v": moment})).split("|")
                assert ours == django_way
    assert Template("{{ v|when }}").render(Context({"v": None})) == ""


@pytest.mark.django_db
def test_label_is_get_display_of_the_choice() -> None:
    from balai.complaints.choices import Status
    from balai.complaints.models import Complaint

    report = Complaint(status=Status.IN_PROGRESS, channel="web")
    template = Template('{{ c|label:"status" }}|{{ c|label:"channel" }}')
    for language in ("id", "en"):
        with translation.override(language):
            expected = f"{report.get_status_display()}|{report.get_channel_display()}"
            assert template.render(Context({"c": report})) == expected
    report.status = "gone"  # a value no longer among the choices shows as itself, like get_FOO_display
    assert Template('{{ c|label:"status" }}').render(Context({"c": report})) == "gone"

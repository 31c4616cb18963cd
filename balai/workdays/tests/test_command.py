"""``balai holidays --load YEAR [--pemda CODE]``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from balai.core.testing import Story
from balai.workdays.models import Holiday
from balai.workdays.tests.conftest import other_pemda

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("holidays", *args, stdout=out)
    return out.getvalue()


def test_load_prints_the_counts_and_is_safe_to_run_again(story: Story) -> None:
    assert "loaded 25, updated 0, unchanged 0, removed 0, kept (set by hand) 0" in _run(
        "--load", "2026", "--pemda", "63.72"
    )
    assert "loaded 0, updated 0, unchanged 25" in _run("--load", "2026", "--pemda", "63.72")
    assert Holiday.objects.filter(pemda=story.root).count() == 25


def test_the_only_pemda_is_the_default(story: Story) -> None:
    out = _run("--load", "2027")
    assert "Kota Banjarbaru" in out
    assert "2027 is provisional" in out


def test_unknown_year_names_the_years_available(story: Story) -> None:
    with pytest.raises(
        CommandError, match=r"no national holiday list for 2030\. Available years: 2024, 2025, 2026, 2027"
    ):
        _run("--load", "2030")
    assert not Holiday.objects.exists()


def test_unknown_pemda_code(story: Story) -> None:
    with pytest.raises(CommandError, match=r"No Pemda with code 99\.99"):
        _run("--load", "2026", "--pemda", "99.99")


def test_several_pemda_need_a_code(story: Story) -> None:
    other_pemda("31.71", "Asia/Jakarta")
    with pytest.raises(CommandError, match="Several Pemda: pass --pemda"):
        _run("--load", "2026")

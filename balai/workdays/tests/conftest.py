from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from balai.core.testing import Story
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.workdays.services import holidays_load_national


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    # Assert the English source strings; Indonesian (the default) is the translators' concern.
    with translation.override("en"):
        yield


@pytest.fixture
def banjarbaru(story: Story) -> OrgUnit:
    """Kota Banjarbaru (WITA) with the 2026 national holidays and cuti bersama loaded."""
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    return story.root


def other_pemda(code: str, time_zone: str) -> OrgUnit:
    return org.orgunit_create(
        actor=None, parent=None, name=f"Pemda {code}", kind=UnitKind.PEMDA, code=code, time_zone=time_zone
    )

"""The public-services tests assert the English source strings; the default language (Indonesian) translates them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from balai.core.testing import Story
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.publicservices import services
from balai.publicservices.models import Service


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """The public list is cached per catalogue version; ids and timestamps may repeat across tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def english(settings: Any, client: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def make_service(unit: OrgUnit, code: str, **kw: Any) -> Service:
    values: dict[str, Any] = {
        "code": code,
        "name_id": f"Surat {code}",
        "requirements": "Fotokopi KTP\nFotokopi KK",
        "procedure": "Datang ke kantor\nIsi formulir\nSurat ditandatangani lurah",
        "time_limit_days": 1,
        "product": "Surat keterangan",
    }
    values.update(kw)
    return services.service_create(actor=None, unit=unit, **values)


@pytest.fixture
def mpp(story: Story) -> OrgUnit:
    return org.orgunit_create(
        actor=None,
        parent=story.diskominfo,
        name="Mal Pelayanan Publik Kota Banjarbaru",
        short_name="MPP",
        kind=UnitKind.UPTD,
        code="MPP",
    )

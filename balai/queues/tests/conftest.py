"""Queue tests: Kelurahan Mentaos with two services and two counters; English source strings asserted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import User
from balai.org.roles import Role
from balai.publicservices.models import Counter, Service


@pytest.fixture(autouse=True)
def english(settings: Any, client: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@dataclass
class Office:
    domicile: Service  # served at counters 1 and 2
    letter: Service  # served at counter 2 only
    loket1: Counter
    loket2: Counter
    clerk2: User  # a second Mentaos clerk
    komet_service: Service
    komet_counter: Counter


def make_service(unit: Any, code: str, name: str, order: int = 100, **kw: Any) -> Service:
    return Service.objects.create(
        unit=unit, code=code, name_id=name, name_en=name, requirements="KTP", procedure="Datang", sort_order=order, **kw
    )


def make_counter(unit: Any, name: str, *services: Service, **kw: Any) -> Counter:
    counter = Counter.objects.create(unit=unit, name=name, **kw)
    counter.services.set(services)
    return counter


@pytest.fixture
def office(story: Story) -> Office:
    domicile = make_service(story.mentaos, "sk-domisili", "Surat keterangan domisili", 10)
    letter = make_service(story.mentaos, "sk-usaha", "Surat keterangan usaha", 20)
    clerk2 = org.user_create(actor=None, username="clerk2_mentaos", password="Balai-Test-2026!")
    org.role_assign(actor=None, user=clerk2, role=Role.KELURAHAN_OPERATOR, org_unit=story.mentaos)
    komet_service = make_service(story.komet, "sk-domisili", "Surat keterangan domisili")
    return Office(
        domicile=domicile,
        letter=letter,
        loket1=make_counter(story.mentaos, "Loket 1", domicile),
        loket2=make_counter(story.mentaos, "Loket 2", domicile, letter),
        clerk2=clerk2,
        komet_service=komet_service,
        komet_counter=make_counter(story.komet, "Loket 1", komet_service),
    )

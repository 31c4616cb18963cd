"""SKM test helpers: a served citizen is a ServiceEvent; the tests assert the English source strings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from balai.core.testing import Story
from balai.publicservices.choices import EventKind
from balai.publicservices.models import Service, ServiceEvent
from balai.publicservices.services import service_event_record
from balai.skm import services


@pytest.fixture(autouse=True)
def english(settings: Any, client: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def make_service(unit: Any, code: str = "sk-domisili", name: str = "Surat Keterangan Domisili") -> Service:
    return Service.objects.create(
        unit=unit, code=code, name_id=name, name_en=name, requirements="KTP", procedure="Datang ke loket"
    )


def serve(service: Service, unit: Any = None, when: dt.datetime | None = None) -> ServiceEvent:
    return service_event_record(
        kind=EventKind.WALK_IN,
        service=service,
        unit=unit or service.unit,
        occurred_at=when or timezone.now() - dt.timedelta(minutes=5),
    )


ALL_FOUR = {f"u{i}": 4 for i in range(1, 10)}


@pytest.fixture
def mentaos_service(story: Story) -> Service:
    return make_service(story.mentaos)


@pytest.fixture
def komet_service(story: Story) -> Service:
    return make_service(story.komet, code="sk-usaha", name="Surat Keterangan Usaha")


@pytest.fixture
def respond() -> Callable[..., Any]:
    """Serve a citizen and have them answer: respond(service, {"u1": 4, ...}, profile={...})."""

    def _respond(service: Service, answers: dict[str, Any], unit: Any = None, when: Any = None, **profile: str) -> Any:
        event = serve(service, unit, when)
        token = services.invitation_create(event=event)
        return services.response_submit(token=token, answers=answers, profile=profile)

    return _respond

"""The demo answers: a share of the service events, valid answers, a defined IKM."""

from __future__ import annotations

from typing import Any

import pytest

from balai.skm.demo import seed_responses
from balai.skm.models import SkmResponse
from balai.skm.tests.conftest import serve

pytestmark = pytest.mark.django_db


def test_demo_answers_a_share_of_the_events_once(story: Any, mentaos_service: Any) -> None:
    for _i in range(60):
        serve(mentaos_service)
    first = seed_responses(story.root, seed=1)["responses"]
    assert 5 < first < 45
    assert SkmResponse.objects.count() == first
    assert not SkmResponse.objects.exclude(u1__gte=1, u1__lte=4).exists()
    seed_responses(story.root, seed=1, share=1.0)  # a second run only answers the events still unanswered
    assert SkmResponse.objects.count() == 60

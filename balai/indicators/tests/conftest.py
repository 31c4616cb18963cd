"""Indicators of every aggregation and period type, for the spine's tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from balai.core.testing import Story
from balai.indicators.models import Indicator


@dataclass
class SpineIndicators:
    visits: Indicator  # sum, monthly, integer
    satisfaction: Indicator  # average, monthly, number
    coverage: Indicator  # ratio x100, monthly, percentage
    stock: Indicator  # last, monthly, number
    weekly_cases: Indicator  # sum, weekly
    daily_queue: Indicator  # sum, daily
    flag: Indicator  # boolean, monthly


def _indicator(code: str, **kw: Any) -> Indicator:
    kw.setdefault("period_type", "month")
    return Indicator.objects.create(code=code, name_id=f"{code} (id)", name_en=f"{code} (en)", **kw)


@pytest.fixture
def spine(story: Story) -> SpineIndicators:
    return SpineIndicators(
        visits=_indicator("test.visits", aggregation="sum", value_type="integer", sort_order=1),
        satisfaction=_indicator("test.satisfaction", aggregation="average", value_type="number", sort_order=2),
        coverage=_indicator(
            "test.coverage", aggregation="ratio", value_type="percentage", ratio_factor=100.0, sort_order=3
        ),
        stock=_indicator("test.stock", aggregation="last", value_type="number", sort_order=4),
        weekly_cases=_indicator(
            "test.weekly_cases", aggregation="sum", value_type="integer", period_type="week", sort_order=5
        ),
        daily_queue=_indicator(
            "test.daily_queue", aggregation="sum", value_type="integer", period_type="day", sort_order=6
        ),
        flag=_indicator("test.flag", aggregation="sum", value_type="boolean", sort_order=7),
    )


class ApiCaller:
    """Posts like a real API client: no CSRF token, a bearer token, raw bodies."""

    def __init__(self, story: Story, language: str = "en") -> None:
        self.story = story
        self.client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)

    def post(
        self,
        user: Any,
        body: Any,
        *,
        content_type: str = "application/json",
        query: str = "",
        secret: str | None = None,
    ) -> Any:
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        headers: dict[str, Any] = {}
        if user is not None or secret is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret or self.story.token(user)}"
        url = "/api/v1/dataValueSets" + (f"?{query}" if query else "")
        return self.client.post(url, data=body, content_type=content_type, **headers)

    def get(self, user: Any, url: str) -> Any:
        return self.client.get(url, HTTP_AUTHORIZATION=f"Bearer {self.story.token(user)}")


@pytest.fixture
def api(story: Story) -> ApiCaller:
    return ApiCaller(story)


@pytest.fixture
def in_english() -> Iterator[None]:
    """Assert the English source strings; Indonesian (the default) is the translators' concern."""
    with translation.override("en"):
        yield

"""A queue ticket from a phone to the counter, with the call screen updating by itself (issue 4).

A citizen takes a number on the kiosk page on a phone, the call screen is open on the hall's TV, the clerk
calls and serves the ticket from the counter console: the TV shows the number at the counter without a reload,
announces the call, and the citizen's page says where to go. No console error, no CSP violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession, _open_session

pytestmark = pytest.mark.browser


@dataclass
class Hall:
    story: Any
    counter: Any


@pytest.fixture
def hall(transactional_db: None) -> Hall:
    from balai.core.testing import build_story
    from balai.queues.tests.conftest import make_counter, make_service

    story = build_story()
    domicile = make_service(story.mentaos, "sk-domisili", "Surat keterangan domisili", 10)
    letter = make_service(story.mentaos, "sk-usaha", "Surat keterangan usaha", 20)
    counter = make_counter(story.mentaos, "Loket 1", domicile, letter)
    make_counter(story.mentaos, "Loket 2", letter)
    return Hall(story, counter)


@pytest.fixture
def tv(chromium: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[BrowserSession]:
    """The TV in the hall: a big landscape screen showing the call screen, nobody signed in."""
    yield from _open_session(chromium, request, live_server.url, viewport={"width": 1920, "height": 1080})


def _no_errors(*sessions: BrowserSession) -> None:
    errors = [f"{s.name}: {e}" for s in sessions for e in s.errors]
    assert errors == [], "console errors or CSP violations:\n" + "\n".join(errors)


def _fits_the_phone(session: BrowserSession) -> None:
    overflow = session.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{session.page.url} is {overflow}px wider than the phone screen"


def test_clerk_calls_and_serves_while_the_call_screen_updates(
    hall: Hall, phone: BrowserSession, desktop: BrowserSession, tv: BrowserSession
) -> None:
    office = hall.story.mentaos.code
    tv.goto(f"/antrian/{office}/layar/")
    latest = tv.page.get_by_test_id("screen-latest")
    expect(latest).to_contain_text("–")
    loket1 = tv.page.locator("[data-testid=screen-counter][data-counter='Loket 1']")
    expect(loket1.get_by_test_id("screen-counter-code")).to_have_text("–")

    # The citizen takes a number on their phone.
    phone.goto(f"/antrian/{office}/")
    _fits_the_phone(phone)
    phone.page.get_by_test_id("take-sk-domisili").click()
    expect(phone.page.get_by_test_id("ticket-code")).to_have_text("A-001")
    expect(phone.page.get_by_test_id("ticket-status")).to_have_attribute("data-state", "waiting")
    _fits_the_phone(phone)
    # The TV counts who is waiting, without a reload.
    expect(tv.page.get_by_test_id("screen-waiting")).to_contain_text("1")

    # The clerk calls the next number at Loket 1.
    desktop.login(hall.story.mentaos_clerk.username)
    desktop.goto(f"/antrian/loket/{hall.counter.pk}/")
    desktop.page.get_by_test_id("action-next").click()
    expect(desktop.page.get_by_test_id("console-current")).to_have_text("A-001")

    # The call screen shows it at the counter and announces it; the page was never reloaded.
    tv.page.evaluate("window.__sameScreen = true")
    expect(tv.page.get_by_test_id("screen-latest-code")).to_have_text("A-001")
    expect(tv.page.get_by_test_id("screen-latest-counter")).to_have_text("Loket 1")
    expect(loket1.get_by_test_id("screen-counter-code")).to_have_text("A-001")
    expect(tv.page.locator("body")).to_have_attribute("data-announced", hall_call_key(hall))
    assert tv.page.evaluate("window.__sameScreen") is True

    # The citizen's page says where to go, at its next poll (a phone polls slower than the TV).
    from balai.queues.views import TICKET_POLL_SECONDS

    expect(phone.page.get_by_test_id("ticket-status")).to_have_attribute(
        "data-state", "called", timeout=(TICKET_POLL_SECONDS + 5) * 1000
    )
    expect(phone.page.get_by_test_id("ticket-called")).to_contain_text("Loket 1")

    # Served: start, finish; the visit is counted and the counter is free on the TV.
    desktop.page.get_by_test_id("action-start").click()
    desktop.page.get_by_test_id("action-finish").click()
    expect(desktop.page.get_by_test_id("console-served")).to_have_text("1")
    expect(desktop.page.get_by_test_id("action-next")).to_be_visible()
    expect(loket1.get_by_test_id("screen-counter-code")).to_have_text("–")
    expect(tv.page.get_by_test_id("screen-latest-code")).to_have_text("A-001")
    assert tv.page.evaluate("window.__sameScreen") is True

    from balai.publicservices.models import ServiceEvent

    event = ServiceEvent.objects.get()
    assert (event.kind, event.counter_id, event.clerk_id) == ("queue", hall.counter.pk, hall.story.mentaos_clerk.pk)
    assert event.wait_seconds is not None and event.service_seconds is not None
    _no_errors(phone, desktop, tv)


def hall_call_key(hall: Hall) -> str:
    from balai.queues.models import Ticket
    from balai.queues.selectors import screen_state

    ticket = Ticket.objects.get()
    assert ticket.counter_id == hall.counter.pk
    return screen_state(hall.story.mentaos).call_key

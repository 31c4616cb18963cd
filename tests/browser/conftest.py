"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

We never download Playwright's own browser builds: government CI machines and closed networks have
Debian's ``chromium`` package, and a browser fetched at test time would make the suite depend on a
third-party host. Without Chromium the tests skip, unless ``BALAI_REQUIRE_BROWSER=1`` (CI), where a
missing browser must fail the run instead of silently testing nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("BALAI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # no traffic but to the live server
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
TIMEOUT_MS = 15_000

# Logged by our init script and by Chromium itself when the Content-Security-Policy blocks something.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
                ' at ' + (e.sourceFile || '') + ':' + (e.lineNumber || 0));
});
"""


def _require_browser() -> bool:
    return os.environ.get("BALAI_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        if _require_browser():
            pytest.fail(f"BALAI_REQUIRE_BROWSER is set but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM calls
    # from a thread with a running loop. Our ORM calls are plain synchronous test set-up, so allow
    # them, but only while the browser runs: the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class BrowserSession:
    """One browser context (cookies, viewport) with its page and what the page logged."""

    page: Any
    base_url: str
    name: str
    errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def goto(self, path: str) -> Any:
        return self.page.goto(self.url(path))

    def login(self, username: str, password: str | None = None) -> None:
        from balai.core.testing import PASSWORD

        self.goto("/org/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password or PASSWORD)
        with self.page.expect_navigation():
            self.page.press("input[name=password]", "Enter")

    def screenshot(self, suffix: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name + (f"-{suffix}" if suffix else ""))
        path = SCREENSHOTS / f"{stem}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _open_session(
    browser: Any, request: pytest.FixtureRequest, base_url: str, **context_options: Any
) -> Iterator[BrowserSession]:
    # Indonesian is what a Pemda officer's browser asks for; the app's default language is too.
    options = {"locale": "id-ID", "viewport": {"width": 1280, "height": 900}, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    session = BrowserSession(page=page, base_url=base_url, name=request.node.name)

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            # "Failed to load resource" names no URL in its text; the location carries it.
            where = (msg.location or {}).get("url", "")
            session.errors.append(f"{msg.text} [{where}]" if where else msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: session.errors.append(f"uncaught: {exc}"))
    try:
        yield session
    finally:
        context.close()


@pytest.fixture
def desktop(chromium: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[BrowserSession]:
    yield from _open_session(chromium, request, live_server.url)


@pytest.fixture
def phone(chromium: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[BrowserSession]:
    yield from _open_session(
        chromium,
        request,
        live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def _recent_periods(period_type: str, count: int) -> list[str]:
    from balai.core.periods import Period, PeriodType

    period = Period.containing(dt.date.today(), PeriodType(period_type))
    ids = []
    for _ in range(count):
        ids.append(period.id)
        period = period.previous()
    return ids


def _demo_indicators() -> list[Any]:
    """The indicators the modules declare, or two stand-ins while no module declares enough of them."""
    from balai.indicators.models import Indicator
    from balai.indicators.services import indicators_sync

    indicators_sync(actor=None)
    declared = list(Indicator.objects.filter(is_active=True).exclude(value_type="boolean").order_by("sort_order"))
    if len(declared) >= 3:
        return declared[:8]
    stand_ins = [
        {
            "code": "test.complaints_received",
            "name_id": "Pengaduan diterima",
            "name_en": "Complaints received",
            "period_type": "month",
            "aggregation": "sum",
            "value_type": "integer",
            "unit": "laporan",
        },
        {
            "code": "test.services_on_time",
            "name_id": "Layanan tepat waktu",
            "name_en": "Services on time",
            "period_type": "month",
            "aggregation": "average",
            "value_type": "percentage",
            "unit": "%",
        },
    ]
    for spec in stand_ins:
        Indicator.objects.get_or_create(code=spec["code"], defaults=spec)
    return list(Indicator.objects.filter(is_active=True).exclude(value_type="boolean").order_by("sort_order"))[:8]


def _value(indicator: Any, unit_index: int, period_index: int) -> float:
    if indicator.value_type == "percentage":
        return float(60 + (unit_index * 7 + period_index * 3) % 40)
    return float(10 + (unit_index * 13 + period_index * 5) % 90)


@pytest.fixture
def alive_city(transactional_db: None) -> Any:
    """The shared story plus a year of Facts for every kelurahan, so the dashboard has numbers and trends."""
    from balai.core.testing import build_story
    from balai.indicators.services import dirty_drain, facts_import
    from balai.org.models import OrgUnit

    story = build_story()
    leaves = list(OrgUnit.objects.filter(kind__in=["kelurahan", "desa"]).order_by("code"))
    rows = []
    for indicator in _demo_indicators():
        periods = _recent_periods(indicator.period_type, 12 if indicator.period_type != "day" else 60)
        for u, unit in enumerate(leaves):
            for p, period in enumerate(periods):
                row: dict[str, Any] = {
                    "dataElement": indicator.code,
                    "orgUnit": unit.code,
                    "period": period,
                    "value": str(_value(indicator, u, p)),
                }
                if indicator.aggregation == "ratio":
                    row.update(numerator=str(_value(indicator, u, p)), denominator="100")
                rows.append(row)
    summary = facts_import(actor=None, rows=rows)
    assert not summary.conflicts, summary.as_dict()["conflicts"][:5]
    dirty_drain()
    return story

"""Scoped reads of citizen reports: the queue tabs and the duplicate suggestions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from balai.complaints import selectors, services
from balai.complaints.choices import Channel, Classification
from balai.complaints.models import Category, Complaint
from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import User
from balai.org.roles import Role

pytestmark = pytest.mark.django_db

LAT, LON = -3.4420, 114.8310
# 1e-4° of latitude ≈ 11.1 m
NEAR_LAT = LAT + 0.0004  # ≈ 44.5 m north
FAR_LAT = LAT + 0.0005  # ≈ 55.6 m north


def _report(story: Story, category: Category, lat: float | None = LAT, lon: float | None = LON, **kw) -> Complaint:
    return services.complaint_submit(
        channel=Channel.WEB,
        category=category,
        description="Lampu jalan mati",
        pemda=story.root,
        territory=kw.pop("territory", story.mentaos),
        latitude=lat,
        longitude=lon,
        **kw,
    )


def _desk(story: Story) -> User:
    user = org.user_create(actor=None, username="desk", password="x-Long-Pass-2026")
    org.role_assign(actor=None, user=user, role=Role.SKPD_OPERATOR, org_unit=story.root)
    return user


@pytest.fixture
def lamp(story: Story) -> Category:
    return Category.objects.create(code="lampu", name_id="Lampu jalan", name_en="Street light")


def test_haversine_of_one_thousandth_degree_latitude() -> None:
    assert round(selectors.haversine_m(LAT, LON, LAT + 0.001, LON), 1) == 111.2


def test_duplicates_within_50_m_same_category_open_last_30_days(story: Story, lamp: Category) -> None:
    other = Category.objects.create(code="jalan", name_id="Jalan", name_en="Road")
    base = _report(story, lamp)
    near = _report(story, lamp, NEAR_LAT, LON)
    _report(story, lamp, FAR_LAT, LON)  # too far
    _report(story, other, NEAR_LAT, LON)  # another category
    _report(story, lamp, NEAR_LAT, LON, received_at=timezone.now() - dt.timedelta(days=31))  # too old
    closed = _report(story, lamp, LAT, LON)
    desk = _desk(story)
    services.complaint_archive(actor=desk, complaint=closed, version=closed.version, reason="Spam")
    found = selectors.duplicate_suggestions(story.mentaos_clerk, base)
    assert [(c.pk, round(d, 1)) for c, d in found] == [(near.pk, 44.5)]


def test_duplicates_need_a_location(story: Story, lamp: Category) -> None:
    base = _report(story, lamp, None, None)
    _report(story, lamp)
    assert selectors.duplicate_suggestions(story.mentaos_clerk, base) == []


def test_duplicates_are_scoped(story: Story, lamp: Category) -> None:
    base = _report(story, lamp, territory=story.komet)
    _report(story, lamp, NEAR_LAT, LON)  # Mentaos: the Komet clerk must not learn about it
    assert selectors.duplicate_suggestions(story.komet_clerk, base) == []


def test_queue_tabs(story: Story, lamp: Category) -> None:
    desk = _desk(story)
    incoming = _report(story, lamp)
    verified = _report(story, lamp)
    services.complaint_verify(
        actor=desk,
        complaint=verified,
        version=verified.version,
        title="Lampu mati",
        classification=Classification.PENGADUAN,
        category=lamp,
        unit=story.diskominfo,
    )
    verified.refresh_from_db()
    services.complaint_assign(actor=desk, complaint=verified, version=verified.version, assignee=story.skpd_operator)

    def codes(user: User, tab: str, **filters: object) -> set[str]:
        qs = selectors.queue(user, tab=tab, filters=selectors.QueueFilters(**filters))  # type: ignore[arg-type]
        return set(qs.values_list("tracking_code", flat=True))

    assert codes(desk, selectors.Tab.INCOMING) == {incoming.tracking_code}
    assert codes(desk, selectors.Tab.ALL) == {incoming.tracking_code, verified.tracking_code}
    assert codes(story.skpd_operator, selectors.Tab.MINE) == {verified.tracking_code}
    assert codes(story.skpd_operator, selectors.Tab.UNIT) == {verified.tracking_code}
    assert codes(story.skpd_operator, selectors.Tab.ALL) == {verified.tracking_code}
    assert codes(story.mentaos_clerk, selectors.Tab.UNIT) == set()  # territory, not the responsible unit
    assert codes(story.komet_clerk, selectors.Tab.ALL) == set()
    assert codes(desk, selectors.Tab.ALL, status="verified") == {verified.tracking_code}
    assert codes(desk, selectors.Tab.ALL, kelurahan=story.komet.code) == set()
    assert codes(desk, selectors.Tab.ALL, category="lampu", channel="web") == {
        incoming.tracking_code,
        verified.tracking_code,
    }


def test_assignable_people_have_edit_on_the_unit(story: Story, lamp: Category) -> None:
    c = _report(story, lamp)
    c.unit = story.diskominfo  # in memory only: what the selector reads
    people = set(selectors.assignable_people(c).values_list("username", flat=True))
    assert people == {"operator_kominfo", "admin"}

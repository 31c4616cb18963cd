"""What keeps the lists fast at a million reports (bench/run.py measures the speed; these pin the behaviour).

Bounded counting, scope filters by unit id, filters by id instead of by code through a join, the capped
map, and one INSERT for a new report's followers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from balai.complaints import models, selectors, views_public, views_staff
from balai.complaints.choices import Channel, Status
from balai.complaints.models import Category, Complaint, Follower
from balai.complaints.services import complaint_submit
from balai.core import pagination
from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import User
from balai.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp(story: Story) -> Category:
    return Category.objects.create(code="lampu", name_id="Lampu jalan mati", name_en="Street light out")


def _report(story: Story, category: Category, **kw: object) -> Complaint:
    return complaint_submit(
        channel=kw.pop("channel", Channel.WEB),  # type: ignore[arg-type]
        category=category,
        description="Lampu jalan mati sejak kemarin",
        pemda=story.root,
        territory=kw.pop("territory", story.mentaos),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def _desk(story: Story) -> User:
    user = org.user_create(actor=None, username="meja_aduan", password="Balai-Test-2026!")
    org.role_assign(actor=None, user=user, role=Role.SKPD_OPERATOR, org_unit=story.root)
    return user


def test_bounded_paginator_counts_up_to_its_bound(story: Story, lamp: Category) -> None:
    for _i in range(5):
        _report(story, lamp)
    reports = Complaint.objects.order_by("-received_at", "-id")
    bounded = pagination.BoundedPaginator(reports, 2, bound=3)
    assert (bounded.count, bounded.more, bounded.num_pages, bounded.pages_label) == (3, True, 2, "2+")
    # A page past the bound is the last one offered: the database never skips more than the bound.
    assert bounded.get_page(99).number == 2
    exact = pagination.BoundedPaginator(reports, 2, bound=10)
    assert (exact.count, exact.more, exact.num_pages, exact.pages_label) == (5, False, 3, "3")
    assert pagination.BoundedPaginator(reports, 2, bound=5).pages_label == "3"  # exactly the bound: no "+"


def test_queue_says_there_are_more_pages_than_it_counted(
    client: Client, story: Story, lamp: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _i in range(5):
        _report(story, lamp)
    monkeypatch.setattr(pagination, "PAGINATION_BOUND", 3)
    monkeypatch.setattr(views_staff, "PAGE_SIZE", 2)
    client.force_login(_desk(story))
    html = client.get(reverse("complaints_staff:queue"), {"tab": "all"}).content.decode()
    assert html.count('data-testid="queue-row"') == 2
    assert "Page 1 of 2+" in html


def test_public_list_says_there_are_more_pages_than_it_counted(
    client: Client, story: Story, lamp: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _i in range(5):
        Complaint.objects.filter(pk=_report(story, lamp).pk).update(status=Status.VERIFIED)
    monkeypatch.setattr(pagination, "PAGINATION_BOUND", 3)
    monkeypatch.setattr(views_public, "PAGE_SIZE", 2)
    html = client.get(reverse("complaints_public:map")).content.decode()
    assert "Page 1 of 2+" in html


@pytest.mark.parametrize("listed", [True, False], ids=["unit ids listed", "unit ids as a subquery"])
def test_scope_by_unit_ids_sees_what_the_paths_say(
    story: Story, lamp: Category, listed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not listed:  # a whole Pemda's units: the ids stay a subquery
        monkeypatch.setattr(models, "SCOPE_ID_LIST", 0)
    in_mentaos = _report(story, lamp)
    in_komet = _report(story, lamp, territory=story.komet)
    to_kominfo = _report(story, lamp, territory=story.komet)
    Complaint.objects.filter(pk=to_kominfo.pk).update(unit=story.diskominfo)
    nowhere = _report(story, lamp, territory=None, latitude=-3.44, longitude=114.83)

    def seen(user: User) -> set[int]:
        return set(Complaint.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(story.mentaos_clerk) == {in_mentaos.pk}
    assert seen(story.komet_clerk) == {in_komet.pk, to_kominfo.pk}
    assert seen(story.skpd_operator) == {to_kominfo.pk}  # disposed to Diskominfo
    assert seen(story.camat) == {in_mentaos.pk, in_komet.pk, to_kominfo.pk}
    # Neither a territory nor a unit (no centroids to place it by): only the desk, which sees every report.
    assert seen(_desk(story)) == {in_mentaos.pk, in_komet.pk, to_kominfo.pk, nowhere.pk}
    assert nowhere.pk not in seen(story.camat) | seen(story.komet_clerk) | seen(story.skpd_operator)
    assert seen(story.citizen) == set()


def test_queue_filters_by_codes(story: Story, lamp: Category) -> None:
    road = Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Broken road")
    light = _report(story, lamp)
    _report(story, road)
    in_komet = _report(story, lamp, territory=story.komet)
    desk = _desk(story)

    def codes(category: str = "", kelurahan: str = "") -> list[str]:
        filters = selectors.QueueFilters(category=category, kelurahan=kelurahan)
        qs = selectors.queue(desk, tab=selectors.Tab.ALL, filters=filters)
        return sorted(qs.values_list("tracking_code", flat=True))

    assert codes(category="lampu", kelurahan=story.mentaos.code) == [light.tracking_code]
    assert codes(category="lampu") == sorted([light.tracking_code, in_komet.tracking_code])
    assert codes(category="nope") == []
    assert codes(kelurahan="63.99.99.9999") == []


def test_map_json_is_capped_newest_first_and_says_so(
    client: Client, story: Story, lamp: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = _report(story, lamp, latitude=-3.4412, longitude=114.8356)
    newer = _report(story, lamp, latitude=-3.4420, longitude=114.8360, is_anonymous=True)
    Complaint.objects.filter(pk__in=[older.pk, newer.pk]).update(status=Status.VERIFIED)
    url = reverse("complaints_public:map_json")
    both = client.get(url).json()
    assert (both["count"], both["truncated"]) == (2, False)
    point = both["points"][0]
    assert dt.date.fromisoformat(point.pop("date")) - newer.received_at.date() in (dt.timedelta(0), dt.timedelta(1))
    assert point == {
        "lat": -3.442,  # anonymous: to about 100 m
        "lon": 114.836,
        "category": "Street light out",
        "status": "verified",
        "status_label": "Verified",
        "territory": story.mentaos.short_name or story.mentaos.name,
        "text": "Lampu jalan mati sejak kemarin",
    }
    monkeypatch.setattr(views_public, "MAP_LIMIT", 1)
    capped = client.get(url).json()
    assert (capped["count"], capped["limit"], capped["truncated"]) == (1, 1, True)
    assert capped["points"][0]["lat"] == -3.442  # the newest


def test_new_report_gets_each_follower_once(story: Story, lamp: Category) -> None:
    web = _report(story, lamp, reporter_phone="081234567890", reporter_email="warga@example.org")
    assert sorted(Follower.objects.filter(complaint=web).values_list("channel", "address")) == [
        ("web", "081234567890"),
        ("web", "warga@example.org"),
    ]
    # A WhatsApp reporter's chat id is their phone number: one follower, not two.
    chat = _report(story, lamp, channel=Channel.WHATSAPP, reporter_ref="6281234567890", reporter_phone="6281234567890")
    assert list(Follower.objects.filter(complaint=chat).values_list("channel", "address")) == [
        ("whatsapp", "6281234567890")
    ]

"""pemda_root(): kept per process, checked at every call, never stale and never shared."""

from __future__ import annotations

from typing import Any

import pytest

from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_root

pytestmark = pytest.mark.django_db


def test_no_pemda_yet_is_none_even_after_another_test_read_one() -> None:
    # Earlier tests of this process read their own Pemda; its rows were rolled back since.
    assert pemda_root() is None


def test_once_read_the_pemda_costs_one_small_query(story: Story, django_assert_num_queries: Any) -> None:
    assert pemda_root() == story.root
    with django_assert_num_queries(1):
        root = pemda_root()
    assert root is not None
    assert (root.pk, root.path, root.name, root.time_zone) == (
        story.root.pk,
        story.root.path,
        story.root.name,
        story.root.time_zone,
    )


def test_an_edit_of_the_pemda_shows_at_once(story: Story) -> None:
    assert pemda_root().name == story.root.name  # type: ignore[union-attr]
    org.orgunit_update(actor=None, unit=story.root, name="Pemerintah Kota Banjarbaru", short_name="Banjarbaru")
    root = pemda_root()
    assert root is not None
    assert (root.name, root.short_name) == ("Pemerintah Kota Banjarbaru", "Banjarbaru")
    OrgUnit.objects.filter(pk=story.root.pk).update(time_zone="Asia/Jayapura")  # as another process would, via save
    story.root.refresh_from_db()
    story.root.save()
    assert pemda_root().time_zone == "Asia/Jayapura"  # type: ignore[union-attr]


def test_each_caller_gets_its_own_copy(story: Story) -> None:
    first = pemda_root()
    assert first is not None
    first.name = "changed by a caller, not saved"
    second = pemda_root()
    assert second is not None and second is not first
    assert second.name == story.root.name


def test_the_first_root_is_the_pemda(story: Story) -> None:
    org.orgunit_create(actor=None, parent=None, name="Pemda lain", kind=story.root.kind, code="99.99")
    assert pemda_root() == story.root

"""The demo names the publisher of each public indicator it has an obvious one for (checked on the story's
Pemda, which has Diskominfo and Dinkes: a full demo load takes a minute and runs in balai/demo/tests)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.indicators.models import Indicator
from balai.opendata.demo import seed_publishers
from balai.opendata.services import dataset_publisher_set
from balai.org.models import OrgUnit


def test_demo_publishers_own_their_datasets_and_the_rest_stay_the_pemdas(story: Story) -> None:
    public = set(
        Indicator.objects.filter(is_public=True, is_active=True, source="complaints").values_list("code", flat=True)
    )
    assert "complaints.received" in public
    count = seed_publishers(story.root)
    assert count == len(public)  # only Diskominfo exists here: the complaint indicators are the ones it owns
    client = Client()

    def owner(name: str) -> str:
        return str(client.get("/api/action/package_show", {"id": name}).json()["result"]["organization"]["name"])

    assert owner("complaints-received") == "diskominfo"
    assert owner("population-residents") == "63-72"  # Disdukcapil is not in the story: the Pemda's own
    assert AuditEvent.objects.filter(action="indicator.publisher_set").count() == count
    assert seed_publishers(story.root) == 0  # a second run changes nothing


def test_publisher_set_refuses_an_inactive_unit_and_none_gives_it_back_to_the_pemda(story: Story) -> None:
    ind = Indicator.objects.get(code="complaints.received")
    dinkes = OrgUnit.objects.get(code="DINKES")
    OrgUnit.objects.filter(pk=dinkes.pk).update(is_active=False)
    dinkes.refresh_from_db()
    with pytest.raises(ValidationError):
        dataset_publisher_set(actor=story.admin, indicator=ind, owner=dinkes)
    ind.refresh_from_db()
    assert ind.owner_id is None
    dataset_publisher_set(actor=story.admin, indicator=ind, owner=OrgUnit.objects.get(code="DISKOMINFO"))
    dataset_publisher_set(actor=story.admin, indicator=ind, owner=None)
    ind.refresh_from_db()
    assert ind.owner_id is None
    events = AuditEvent.objects.filter(action="indicator.publisher_set").order_by("id")
    assert [e.changes["owner"] for e in events] == [[None, "DISKOMINFO"], ["DISKOMINFO", None]]

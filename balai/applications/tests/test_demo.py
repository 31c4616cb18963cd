"""The demo data: every online service gets its form, and the seeded applications are valid ones."""

from __future__ import annotations

import pytest

from balai.applications.choices import Status
from balai.applications.demo import seed_applications
from balai.applications.models import Application, ResultDocument
from balai.core.testing import Story
from balai.publicservices.demo import seed_catalogue
from balai.publicservices.models import Service, ServiceEvent

pytestmark = pytest.mark.django_db


def test_demo_seeds_forms_and_applications(story: Story) -> None:
    seed_catalogue(story.root)
    online = Service.objects.filter(is_online=True, is_active=True).count()
    assert online > 0
    counts = seed_applications(story.root, seed=1, per_service=2)
    assert counts == {"forms": online, "applications": 2 * online}
    assert not Service.objects.filter(is_online=True, form_fields__isnull=True).exists()
    completed = Application.objects.filter(status=Status.COMPLETED).count()
    assert completed == ResultDocument.objects.count() == ServiceEvent.objects.filter(kind="online").count()
    assert 0 < completed < Application.objects.count()
    # Seeding again adds nothing.
    assert seed_applications(story.root, seed=1) == {"forms": 0, "applications": 0}

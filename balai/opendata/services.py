"""The one write of open data: who publishes a dataset.

The organization of a dataset is the unit that owns its indicator (the Pemda when none does). A data
manager names it; everything else about a dataset follows from the indicator and its Facts.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from balai.core.audit import audit_record
from balai.indicators.models import Indicator
from balai.org.models import OrgUnit


def dataset_publisher_set(*, actor: Any, indicator: Indicator, owner: OrgUnit | None) -> Indicator:
    """Make ``owner`` the publisher (owning unit) of the indicator; None publishes it as the Pemda's."""
    if owner is not None and not owner.is_active:
        raise ValidationError(_("%(unit)s is no longer active and cannot publish data.") % {"unit": owner.name})
    with transaction.atomic():
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        before = locked.owner.code if locked.owner_id and locked.owner else None
        if locked.owner_id == (owner.pk if owner else None):
            return locked
        locked.owner = owner
        locked.save(update_fields=["owner"])
        audit_record(
            actor=actor,
            action="indicator.publisher_set",
            obj=locked,
            org_unit=owner,
            changes={"owner": [before, owner.code if owner else None]},
        )
    indicator.owner = owner
    return locked

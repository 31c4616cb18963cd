"""Reads of the public transparency dashboard (selectors): public indicators of the Pemda's territories only.

No user: what is shown is decided by ``Indicator.is_public`` (an administrator's choice) and limited to the
Pemda, its kecamatan and kelurahan/desa; Facts hold no personal data, and nothing here reads anything else.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404

from balai.core.scoping import subtree_q
from balai.dashboard.selectors import PUBLIC_KINDS
from balai.indicators.models import FactRollup, Indicator
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_root


def public_unit(code: str | None) -> OrgUnit:
    """The Pemda (no code) or one of its territories down to the kelurahan; anything else answers 404."""
    root = pemda_root()
    if root is None:
        raise Http404
    if not code or code == root.code:
        return root
    try:
        return OrgUnit.objects.filter(subtree_q(root.path)).get(code=code, kind__in=PUBLIC_KINDS, is_active=True)
    except OrgUnit.DoesNotExist as exc:
        raise Http404 from exc


def public_indicators(unit: OrgUnit) -> list[Indicator]:
    """Active public indicators with a roll-up for the unit (one query)."""
    has_rollup = FactRollup.objects.filter(indicator=OuterRef("pk"), org_unit=unit)
    return list(
        Indicator.objects.filter(is_active=True, is_public=True)
        .filter(Exists(has_rollup))
        .order_by("sort_order", "code")
    )

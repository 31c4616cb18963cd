"""Reads of the overview layout: which tiles a user sees, in which order (selectors of the layout)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from balai.dashboard.models import OverviewTile
from balai.indicators.models import Indicator
from balai.org import access
from balai.org.roles import Role

#: When a user holds several roles, the layout of the first of these that has one is theirs: the widest view
#: wins (a camat who is also an auditor sees the camat's tiles).
ROLE_PRIORITY = (
    Role.HEAD_OF_REGION,
    Role.ADMIN,
    Role.SKPD_HEAD,
    Role.SKPD_OPERATOR,
    Role.CAMAT,
    Role.KELURAHAN_OPERATOR,
    Role.AUDITOR,
)
#: The roles an administrator can give a layout (integration accounts have no pages).
LAYOUT_ROLES = ROLE_PRIORITY


@dataclass(frozen=True)
class Layout:
    role: str  # "" when no layout applies: the page shows every indicator with data (the default)
    indicators: list[Indicator]
    period_types: dict[int, str]  # indicator pk -> the tile's period type, when it asks for a coarser one
    charts: dict[int, str]  # indicator pk -> TileChart

    @property
    def is_configured(self) -> bool:
        return bool(self.role)


def user_roles(user: Any) -> list[str]:
    if getattr(user, "is_superuser", False):
        return [Role.ADMIN]
    held = access.roles_of(user)
    return [r for r in ROLE_PRIORITY if r in held]


def layout_for(user: Any) -> Layout:
    """The tiles of the user's layout (one query), active indicators only, in the administrator's order."""
    roles = user_roles(user)
    if not roles:
        return Layout("", [], {}, {})
    tiles = list(
        OverviewTile.objects.filter(role__in=roles, indicator__is_active=True)
        .select_related("indicator")
        .order_by("position")
    )
    for role in roles:
        mine = [t for t in tiles if t.role == role]
        if mine:
            return Layout(
                role,
                [t.indicator for t in mine],
                {t.indicator_id: t.period_type for t in mine if t.period_type},
                {t.indicator_id: t.chart for t in mine},
            )
    return Layout("", [], {}, {})


def tiles_of(role: str) -> list[OverviewTile]:
    """A role's tiles for the layout admin page, inactive indicators included (so they can be removed)."""
    return list(OverviewTile.objects.filter(role=role).select_related("indicator").order_by("position"))


def layout_roles_summary() -> dict[str, int]:
    """How many tiles each role has (the admin page's role list)."""
    counts: dict[str, int] = {}
    for role in OverviewTile.objects.values_list("role", flat=True):
        counts[role] = counts.get(role, 0) + 1
    return counts

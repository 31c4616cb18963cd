from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def sees_rakor_packs(user: Any) -> bool:
    """The nav shows the rakor archive to roles that view the whole city (head of region, admin, auditor)."""
    from balai.rakor.selectors import sees_packs

    return sees_packs(user)

from __future__ import annotations

from typing import Any

from django import template

from balai.org import access
from balai.org.roles import Action

register = template.Library()


@register.filter
def works_at_counters(user: Any) -> bool:
    """Show the counters link to staff who record work (no query: the user's roles are cached per request)."""
    return access.can(user, Action.EDIT)

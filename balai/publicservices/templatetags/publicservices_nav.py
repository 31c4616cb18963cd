"""Whether the navigation shows the catalogue admin link (no query beyond the user's cached roles)."""

from __future__ import annotations

from typing import Any

from django import template

from balai.org import access
from balai.org.roles import Action

register = template.Library()


@register.filter
def manages_catalogue(user: Any) -> bool:
    return access.can(user, Action.EDIT)

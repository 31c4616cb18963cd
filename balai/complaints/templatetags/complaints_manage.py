"""``{% load complaints_manage %}{% if user|manages_complaints %}``: the menu link to the report settings."""

from __future__ import annotations

from typing import Any

from django import template

from balai.complaints.catalogue import can_manage

register = template.Library()


@register.filter
def manages_complaints(user: Any) -> bool:
    # Read from the role assignments already cached on the user: no query per page.
    return can_manage(user)

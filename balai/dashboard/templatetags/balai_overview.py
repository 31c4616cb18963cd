from __future__ import annotations

from django import template

from balai.dashboard.selectors import STATUS_LABELS

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    """The words of a traffic light (green → "On target"), for its title and screen readers."""
    return str(STATUS_LABELS.get(status, STATUS_LABELS["grey"]))

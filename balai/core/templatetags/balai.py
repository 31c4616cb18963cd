"""Numbers and dates the Indonesian way ("14.000", "12,5 %", "Selasa, 2 Januari 2024")."""

from __future__ import annotations

from typing import Any

from django import template

from balai.core.formatting import format_number, format_period

register = template.Library()


@register.filter
def num(value: Any, decimals: int = 0) -> str:
    return format_number(value, decimals)


@register.filter
def period_label(value: str) -> str:
    return format_period(value)

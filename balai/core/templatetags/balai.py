"""Numbers and dates the Indonesian way ("14.000", "12,5 %", "Selasa, 2 Januari 2024")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3

from balai.core.formatting import format_number, format_period

register = template.Library()


@register.filter
def num(value: Any, decimals: int = 0) -> str:
    return format_number(value, decimals)


@register.filter
def period_label(value: str) -> str:
    return format_period(value)


# Long lists render a date and a status label on every row. Django's ``date`` filter and ``get_FOO_display``
# cost ~0.2 ms each per call (format and choice tables rebuilt, lazy translations resolved each time): on a
# list of 25 reports that was a quarter of the page (bench/). These two resolve their tables once per language.
_MONTHS: dict[str, list[str]] = {}
_LABELS: dict[tuple[str, str, str], dict[Any, str]] = {}


@register.filter
def when(value: Any) -> str:
    """A moment as the lists show it, in the current time zone: "2 Des 2026 14:05" (``date:"j M Y H:i"``)."""
    if not isinstance(value, dt.datetime):
        return "" if value is None else str(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    months = _MONTHS.get(translation.get_language() or "")
    if months is None:
        months = _MONTHS[translation.get_language() or ""] = ["", *(str(MONTHS_3[m]).title() for m in range(1, 13))]
    return f"{local.day} {months[local.month]} {local.year} {local.hour:02d}:{local.minute:02d}"


@register.filter
def label(obj: Any, field_name: str) -> str:
    """``obj.get_<field>_display()`` from a table of the field's choices built once per model and language."""
    key = (obj._meta.label, field_name, translation.get_language() or "")
    table = _LABELS.get(key)
    if table is None:
        field = obj._meta.get_field(field_name)
        table = _LABELS[key] = {value: str(text) for value, text in field.flatchoices}
    value = getattr(obj, field_name)
    return table.get(value, "" if value is None else str(value))

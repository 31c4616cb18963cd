from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from balai.core.periods import InvalidPeriod, Period


def format_number(value: Any, decimals: int = 0, lang: str | None = None) -> str:
    """Group thousands and use the decimal mark of the active language (id: 14.000,5; en: 14,000.5)."""
    if value is None or value == "":
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{int(decimals)}f}"
    if (lang or get_language() or "id").startswith("id"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_period(value: str, lang: str | None = None) -> str:
    try:
        return Period.parse(value).label(lang or get_language() or "id")
    except InvalidPeriod:
        return value

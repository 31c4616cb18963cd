"""``field__literal_in=[...]``: an IN whose values are written into the SQL instead of bound.

For the condition of a partial index. SQLite uses a partial index only when the query states its condition,
and it cannot see through bound parameters: ``status IN (?, ?)`` never matches an index ``WHERE status IN
('received', 'postponed')``, so a unit's "overdue only" list at a million reports read 7,500 rows one by
one (230 ms) instead of its index range (1 ms; bench/). PostgreSQL is indifferent: Django's client-side
binding writes the values in anyway.

Only choice values qualify (lowercase words), so nothing from a request can reach the SQL this way; keep the
list in the order of the index's condition, which SQLite compares term by term.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import CharField
from django.db.models.lookups import In

_WORD = re.compile(r"[a-z0-9_]+")


@CharField.register_lookup
class LiteralIn(In):
    lookup_name = "literal_in"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        values = list(self.rhs)
        if not values or not all(isinstance(v, str) and _WORD.fullmatch(v) for v in values):
            raise ValueError(f"literal_in takes choice values (lowercase words), got {values!r}")
        return "(" + ", ".join(f"'{v}'" for v in values) + ")", ()

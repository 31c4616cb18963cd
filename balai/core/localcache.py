"""Small tables a web process keeps in memory, re-validated against the database at most every few seconds.

Every citizen report reads the Pemda root, the kelurahan centroids, the holiday calendar and its category.
Reading them afresh each time cost a report about a fifth of its CPU, and checking a stamp of each (count,
newest id, last change) at every use still cost three round trips (bench/intake_profile.py). So a process
trusts what it validated for ``BALAI_LOCAL_CACHE_SECONDS`` (1 s by default; 0 in tests: every use checks);
after that, the next use reads the stamp again and reloads only when it moved.

What that means for people: an administrator's edit of one of these tables is seen by every other web
process within that many seconds; the process that made the edit sees it at once: a ``post_save`` or
``post_delete`` of the models a cache names makes its next use check the stamp.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

V = TypeVar("V")
_clock = time.monotonic  # tests move it


def table_stamp(model: type[Model], where: str = "", params: Sequence[Any] = ()) -> tuple[Any, ...]:
    """How many rows, the newest one and when one last changed (``updated_at``): one small read that moves at
    every insert, delete and save() of the rows ``where`` selects (SQL on the model's own columns)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX(id), MAX(updated_at) FROM {table}" + (f" WHERE {where}" if where else ""),  # noqa: S608
            params,
        )
        return tuple(cursor.fetchone())


def trust_seconds() -> float:
    return float(getattr(settings, "BALAI_LOCAL_CACHE_SECONDS", 0))


@dataclass
class _Entry(Generic[V]):
    stamp: Any
    value: V
    checked: float


class StampedCache(Generic[V]):
    """Values per key, each kept with the stamp it was loaded at.

    ``stamp(key)`` must be one cheap read that moves whenever ``load(key)`` would give something else;
    a ``None`` stamp means "nothing there": the value is not kept and ``load`` is not called.
    """

    def __init__(
        self,
        name: str,
        stamp: Callable[[Hashable], Any],
        load: Callable[[Hashable], V],
        *,
        models: tuple[type[Model], ...] = (),
    ) -> None:
        self.name = name
        self._stamp = stamp
        self._load = load
        self._entries: dict[Hashable, _Entry[V]] = {}
        for model in models:  # this process's own writes show at once, whatever the trust window
            for signal in (post_save, post_delete):
                signal.connect(self._written, sender=model, weak=False, dispatch_uid=f"localcache:{name}:{model}")

    def _written(self, **_kwargs: Any) -> None:
        # Check the stamp at the next use, whatever the window: it reloads only if the write moved it (a new
        # kelurahan does not move the Pemda root's stamp).
        for entry in self._entries.values():
            entry.checked = float("-inf")

    def get(self, key: Hashable, default: V) -> V:
        now = _clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry.checked < trust_seconds():
            return entry.value
        stamp = self._stamp(key)
        if stamp is None:
            self._entries.pop(key, None)
            return default
        if entry is None or entry.stamp != stamp:
            # Keyed by the stamp read before the load: a change in between only makes the next check reload.
            entry = self._entries[key] = _Entry(stamp, self._load(key), now)
        else:
            entry.checked = now
        return entry.value


class Throttle:
    """At most one check every ``trust_seconds()`` per key: the last outcome is trusted in between."""

    def __init__(self) -> None:
        self._last: dict[Hashable, float] = {}

    def due(self, key: Hashable) -> bool:
        last = self._last.get(key)
        return last is None or _clock() - last >= trust_seconds()

    def done(self, key: Hashable) -> None:
        self._last[key] = _clock()

    def reset(self) -> None:
        self._last.clear()

"""Background work of the spine: rebuild roll-ups of dirty periods; the nightly safety net."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def recompute_dirty() -> int:
    from balai.indicators.services import dirty_drain

    return dirty_drain()


@task()
def recompute_recent(days: int = 35) -> int:
    """Nightly: recompute module Facts for recent periods, then their roll-ups.

    Service functions already mark what they change; this catches whatever slipped past (a row
    edited in the database by hand, a module bug fixed since), so numbers heal within a day.
    """
    from balai.indicators.services import dirty_drain, module_facts_recompute
    from balai.org.selectors import pemda_zone

    # Workers run outside a request, where no Pemda zone is active: "today" must still be the Pemda's.
    today = timezone.localdate(timezone=pemda_zone())
    changed = module_facts_recompute(start=today - dt.timedelta(days=days), end=today)
    dirty_drain()
    return changed

"""Background pulls: the scheduler enqueues ``pull_due`` every 5 minutes; it enqueues one pull per due connector."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def pull_due() -> int:
    from balai.connectors.services import connectors_due

    due = connectors_due()
    for connector_id, slot in due:
        # One task per connector: a slow agency app does not hold up the others.
        pull_connector.enqueue(connector_id=connector_id, slot=slot.isoformat())
    return len(due)


@task()
def pull_connector(connector_id: int, slot: str | None = None, actor_id: int | None = None) -> int | None:
    """One pull; the lease and the slot guard make a duplicate task a no-op. Returns the run id."""
    from balai.connectors.choices import Trigger
    from balai.connectors.services import connector_pull
    from balai.org.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    run = connector_pull(
        connector_id=connector_id,
        actor=actor,
        trigger=Trigger.MANUAL if actor_id else Trigger.SCHEDULE,
        slot=dt.datetime.fromisoformat(slot) if slot else None,
    )
    return run.pk if run else None

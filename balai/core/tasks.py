from __future__ import annotations

from django_tasks import task


@task()
def heartbeat() -> str:
    """Enqueued by the scheduler every minute; its results show /health/ that a worker is alive."""
    return "ok"

"""Background work of alerts, enqueued by ``balai scheduler``."""

from __future__ import annotations

from django_tasks import task


@task()
def alerts_evaluate_task() -> dict[str, int]:
    """Every 15 minutes: open, refresh and resolve alerts from the latest roll-ups (idempotent)."""
    from balai.alerts.services import alerts_evaluate

    summary = alerts_evaluate()
    return {
        "rules": summary.rules,
        "opened": summary.opened,
        "reopened": summary.reopened,
        "resolved": summary.resolved,
    }


@task()
def alerts_digest_task() -> int:
    """At 07:00 Pemda time on working days: each responsible person's open alerts by e-mail."""
    from balai.alerts.digest import daily_digest

    return daily_digest()

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer: 200 when the database answers, with the task queue's state."""
    status = 200
    body: dict[str, object] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # the point of a health check is to report any failure, not to raise
        body["status"] = "error"
        body["database"] = {"status": "error", "error": exc.__class__.__name__}
        return JsonResponse(body, status=503)
    body["tasks"] = _task_queue_status()
    return JsonResponse(body, status=status)


def _task_queue_status() -> dict[str, object]:
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    backend = settings.TASKS["default"]["BACKEND"]
    if "django_tasks_db" not in backend:
        return {"status": "ok", "backend": backend.rsplit(".", 1)[-1]}
    now = timezone.now()
    ready = DBTaskResult.objects.filter(status="READY").count()
    oldest = (
        DBTaskResult.objects.filter(status="READY")
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    last_done = (
        DBTaskResult.objects.filter(status="SUCCESSFUL")
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    failed = DBTaskResult.objects.filter(status="FAILED", finished_at__gte=now - dt.timedelta(hours=1)).count()
    lag = (now - oldest).total_seconds() if oldest else 0.0
    # A queue whose oldest task waited over 10 minutes has no live worker; say so, but the web
    # process itself is healthy, so a load balancer should keep sending traffic (still 200).
    state = "ok" if lag < 600 else "stalled"
    return {
        "status": state,
        "backend": "database",
        "ready": ready,
        "oldest_ready_seconds": round(lag, 1),
        "failed_last_hour": failed,
        "last_finished_at": last_done.isoformat() if last_done else None,
    }

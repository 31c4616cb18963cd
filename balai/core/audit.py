"""Audit events: every service function records who did what (ARCHITECTURE §3.6)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from django.db import models

from balai.core.models import AuditEvent


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    request_id: str


# Set by the middleware so service functions need not thread the request through every call.
current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("balai_request", default=None)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name, None)
        plain = isinstance(value, (str, int, float, bool, list, dict))
        if isinstance(value, models.Model) or (value is not None and not plain):
            value = str(value)
        out[name] = value
    return out


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: {"before": before.get(k), "after": after.get(k)} for k in after if before.get(k) != after.get(k)}


def audit_event_new(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    org_unit: Any = None,
    changes: dict[str, Any] | None = None,
    object_repr: str = "",
) -> AuditEvent:
    """The event :func:`audit_record` writes, not saved: for a write path that inserts it with its other rows
    (balai.core.inserts). Its ``object_id`` is empty while ``obj`` has no primary key yet."""
    ctx = current_request.get()
    actor_obj = actor if getattr(actor, "pk", None) else None
    label = getattr(actor, "username", "") if actor_obj else (str(actor) if actor else "system")
    return AuditEvent(
        actor=actor_obj,
        actor_label=label[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:255],
        org_unit=org_unit,
        changes=changes or {},
        ip_address=ctx.ip_address if ctx else None,
        request_id=ctx.request_id if ctx else "",
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    org_unit: Any = None,
    changes: dict[str, Any] | None = None,
    object_repr: str = "",
) -> AuditEvent:
    event = audit_event_new(
        actor=actor, action=action, obj=obj, org_unit=org_unit, changes=changes, object_repr=object_repr
    )
    event.save(force_insert=True)
    return event

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.core.scoping import ScopedQuerySet


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    scope_field = "org_unit"
    # Events without a unit (sign-ins, system jobs) are visible only to roles scoped at a Pemda root.
    scope_allow_null_for_root = True


class AuditEvent(models.Model):
    """Who did what, when, to which object, with before/after of the key fields (ARCHITECTURE §3.6)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    org_unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Per-address limits count one action from one address lately (public intake at every report,
            # queue tickets): an index range of a few rows, not every recent event of that action.
            models.Index(fields=["action", "ip_address", "created_at"], name="audit_action_ip_created"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class SchedulerState(models.Model):
    """Last time the scheduler enqueued each job, so two scheduler processes never double-enqueue."""

    job = models.CharField(max_length=80, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.job

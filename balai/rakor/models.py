"""A monthly rakor pack: the PDF and XLSX of one month for the coordination meeting, one row per version.

Scoped to the Pemda's root unit: only roles that view the whole city see packs (they carry every
perangkat daerah's numbers). Regenerating a month adds a version; earlier versions stay in the archive.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.core.scoping import ScopedQuerySet
from balai.rakor.choices import FINISHED, PackStatus


class RakorPackQuerySet(ScopedQuerySet["RakorPack"]):
    scope_field = "org_unit"


def _upload_to(pack: RakorPack, filename: str) -> str:
    return f"rakor/{pack.period}/{filename}"


class RakorPack(models.Model):
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("month"), max_length=10)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(_("reason of the failure"), blank=True)
    units = models.PositiveIntegerField(_("perangkat daerah"), default=0)
    pdf = models.FileField(upload_to=_upload_to, blank=True)
    xlsx = models.FileField(upload_to=_upload_to, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RakorPackQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-version"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "period", "version"], name="uniq_rakor_version")]

    def __str__(self) -> str:
        return f"rakor {self.period} v{self.version}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == PackStatus.DONE:
            return 100
        return min(99, self.progress * 100 // self.total) if self.total else 0

    def filename(self, ext: str) -> str:
        return f"rakor-{self.period}-v{self.version}.{ext}"

"""The public-service catalogue and the service events every other part of the module hangs on.

A ``Service`` is one item of a unit's standar pelayanan (UU 25/2009). A ``ServiceEvent`` is one citizen
served once — from the queue, logged at the counter as a walk-in, or an online application completed — so
the e-kelurahan visit count, wait and service times and the SKM survey (one response per event) all read
the same rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from balai.core.scoping import ScopedQuerySet
from balai.publicservices.choices import EventKind


class ServiceQuerySet(ScopedQuerySet["Service"]):
    scope_field = "unit"


class Service(models.Model):
    """One service a unit (perangkat daerah, kecamatan, kelurahan or the MPP) gives, with its standard."""

    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="services", verbose_name=_("unit"))
    code = models.SlugField(_("code"), max_length=60)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Standar pelayanan components shown to citizens (UU 25/2009 art. 21), in plain Indonesian.
    requirements = models.TextField(_("requirements (persyaratan)"), blank=True, help_text=_("One per line."))
    procedure = models.TextField(_("procedure (prosedur)"), blank=True, help_text=_("One step per line."))
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), default=1)
    cost = models.DecimalField(_("cost (Rp)"), max_digits=12, decimal_places=0, default=0)
    cost_note = models.CharField(_("cost basis"), max_length=255, blank=True)
    #: A levy computed per application (retribusi PBG from the floor area...): the page shows the basis, not a sum.
    cost_varies = models.BooleanField(_("cost depends on the application"), default=False)
    product = models.CharField(_("product (produk layanan)"), max_length=255, blank=True)
    complaint_channel = models.CharField(_("complaints handling"), max_length=255, blank=True)
    is_online = models.BooleanField(_("can be applied for online"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(default=100)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="service_unit_code")]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "id").startswith("en") and self.name_en:
            return self.name_en
        return self.name_id

    @property
    def is_free(self) -> bool:
        return self.cost == 0 and not self.cost_varies


class CounterQuerySet(ScopedQuerySet["Counter"]):
    scope_field = "unit"


class Counter(models.Model):
    """A service desk (loket) of an office, serving some of its services."""

    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="counters")
    name = models.CharField(_("name"), max_length=60)
    services = models.ManyToManyField(Service, related_name="counters", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CounterQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="counter_unit_name")]
        verbose_name = _("counter (loket)")
        verbose_name_plural = _("counters (loket)")

    def __str__(self) -> str:
        return self.name


class ServiceEventQuerySet(ScopedQuerySet["ServiceEvent"]):
    scope_field = "unit"


class ServiceEvent(models.Model):
    """One citizen served once: the unit of the visit count, of wait/service time and of the SKM."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="events", verbose_name=_("service"))
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(_("served at"), db_index=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    service_seconds = models.PositiveIntegerField(null=True, blank=True)
    #: Free text of the clerk's logbook (walk-ins): what the citizen came for. No NIK here.
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = ServiceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["unit", "occurred_at"], name="svcevent_unit_at")]
        verbose_name = _("service event")
        verbose_name_plural = _("service events")

    def __str__(self) -> str:
        return f"{self.service_id}@{self.occurred_at:%Y-%m-%d %H:%M}"

"""Queue tickets at an office (kelurahan, kecamatan, the MPP) and the clerks at its counters.

A ticket belongs to the office that prints it (``unit``), not to the unit whose service it is: at the MPP a
Disdukcapil service is queued and served at the MPP's counters. Numbers run per office per local day
(A-001, B-002, A-003: the letter names the service, the number is the office's sequence of the day), so a
number called out loud is never ambiguous in the hall.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from balai.core.scoping import ScopedQuerySet
from balai.queues.choices import TicketChannel, TicketState


class TicketQuerySet(ScopedQuerySet["Ticket"]):
    scope_field = "unit"


class Ticket(models.Model):
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    service = models.ForeignKey(
        "publicservices.Service", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("service")
    )
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    prefix = models.CharField(_("letter"), max_length=2)
    state = models.CharField(_("state"), max_length=12, choices=TicketState.choices, default=TicketState.WAITING)
    channel = models.CharField(_("channel"), max_length=10, choices=TicketChannel.choices)
    #: The secret part of the citizen's status page URL: nothing personal is asked or stored.
    key = models.CharField(max_length=32, unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    #: First call: the wait ends when the office is first ready, whether or not the citizen answers.
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    #: Latest call or recall: what the call screen announces.
    last_called_at = models.DateTimeField(null=True, blank=True)
    serve_started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    served_at = models.DateTimeField(_("served at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    counter = models.ForeignKey(
        "publicservices.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    #: Set by a transfer to one counter: only that counter calls the ticket.
    target_counter = models.ForeignKey(
        "publicservices.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recall_count = models.PositiveSmallIntegerField(default=0)
    transfer_count = models.PositiveSmallIntegerField(default=0)
    event = models.OneToOneField(
        "publicservices.ServiceEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket"
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["day", "number"]
        constraints = [models.UniqueConstraint(fields=["unit", "day", "number"], name="ticket_unit_day_number")]
        indexes = [
            # call_next: the oldest waiting ticket of an office today.
            models.Index(
                fields=["unit", "day", "taken_at"], name="ticket_waiting", condition=Q(state=TicketState.WAITING)
            ),
            models.Index(fields=["counter", "state"], name="ticket_counter_state"),
        ]
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.prefix}-{self.number:03d}"


class TicketSequence(models.Model):
    """The last number given by an office on a day: the row that serialises ticket numbering."""

    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="ticketseq_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.day}: {self.last_number}"


class CounterShiftQuerySet(ScopedQuerySet["CounterShift"]):
    scope_field = "counter__unit"


class CounterShift(models.Model):
    """Which clerk sits at which counter now. A shift still open from an earlier day counts as ended."""

    counter = models.ForeignKey("publicservices.Counter", on_delete=models.CASCADE, related_name="shifts")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = CounterShiftQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["counter"], condition=Q(ended_at__isnull=True), name="shift_one_per_counter"
            ),
            models.UniqueConstraint(fields=["clerk"], condition=Q(ended_at__isnull=True), name="shift_one_per_clerk"),
        ]
        verbose_name = _("counter shift")
        verbose_name_plural = _("counter shifts")

    def __str__(self) -> str:
        return f"{self.counter_id}:{self.clerk_id}@{self.started_at:%Y-%m-%d %H:%M}"

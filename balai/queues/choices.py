from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketState(models.TextChoices):
    """Where a ticket is. A transfer puts the ticket back to ``waiting`` at the other counter or service: the
    citizen keeps the number on their paper, so there is no separate "transferred" state."""

    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    SERVED = "served", _("Served")
    SKIPPED = "skipped", _("Skipped (not present)")
    CANCELLED = "cancelled", _("Cancelled")


#: A counter holds at most one of these at a time.
AT_COUNTER = (TicketState.CALLED, TicketState.SERVING)


class TicketChannel(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk at the office")
    PHONE = "phone", _("Phone")
    API = "api", _("App (API)")

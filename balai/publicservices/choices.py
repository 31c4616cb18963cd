from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """How a citizen was served: each kind is one row of the e-kelurahan count."""

    QUEUE = "queue", _("Served from the queue")
    WALK_IN = "walk_in", _("Walk-in (logbook)")
    ONLINE = "online", _("Online application completed")

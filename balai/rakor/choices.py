from django.db import models
from django.utils.translation import gettext_lazy as _


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


FINISHED = (PackStatus.DONE, PackStatus.FAILED)
#: Seconds between two polls of the progress bar.
POLL_SECONDS = 1

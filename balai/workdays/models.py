from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 200


class HolidayKind(models.TextChoices):
    NATIONAL = "national", _("National holiday")
    CUTI_BERSAMA = "cuti_bersama", _("Joint leave day (cuti bersama)")
    REGIONAL = "regional", _("Regional holiday")


class Holiday(models.Model):
    """A day the Pemda's offices are closed. Weekends are not stored: the working week is Mon–Fri.

    Kept per Pemda because a Pemda adds its own regional days (an anniversary of the city) on top of
    the national list, and because deadlines must be reproducible from the calendar in force.
    """

    pemda = models.ForeignKey(
        "org.OrgUnit", on_delete=models.CASCADE, related_name="holidays", verbose_name=_("regional government")
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=HolidayKind.choices)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the day comes from: the SKB 3 Menteri of the year, a regional decree, or manual."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        # The unique index (pemda, date) also serves the one range query per deadline computation.
        constraints = [models.UniqueConstraint(fields=["pemda", "date"], name="holiday_unique_pemda_date")]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

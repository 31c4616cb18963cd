"""Survey invitations and SKM responses (Permenpan-RB 14/2017).

One invitation and at most one response per ServiceEvent: each citizen served once may answer once. The
invitation keeps only the SHA-256 of its token (the link carries the token itself), so a database dump cannot be
turned into working survey links. A response is anonymous: it names the service event it rates (for the
one-survey-per-service rule) and copies the event's unit, service and local date so results aggregate without
joins; it holds no account, no address, no contact, and submissions are not written to the audit log (which
records the client's IP address).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from balai.core.scoping import ScopedQuerySet
from balai.skm.choices import AgeBand, Education, Occupation, Sex
from balai.skm.questions import CODES


class SurveyInvitation(models.Model):
    event = models.OneToOneField("publicservices.ServiceEvent", on_delete=models.CASCADE, related_name="skm_invitation")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"SKM invitation for event {self.event_id}"


class SkmResponseQuerySet(ScopedQuerySet["SkmResponse"]):
    scope_field = "unit"


def _answer_field(number: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(f"U{number}", null=True, blank=True)


def _answer_checks() -> list[models.BaseConstraint]:
    checks: list[models.BaseConstraint] = [
        models.CheckConstraint(
            condition=Q(**{f"{code}__isnull": True}) | Q(**{f"{code}__gte": 1, f"{code}__lte": 4}),
            name=f"skm_{code}_1_to_4",
        )
        for code in CODES
    ]
    answered = Q()
    for code in CODES:
        answered |= Q(**{f"{code}__isnull": False})
    checks.append(models.CheckConstraint(condition=answered, name="skm_some_element_answered"))
    return checks


class SkmResponse(models.Model):
    event = models.OneToOneField("publicservices.ServiceEvent", on_delete=models.PROTECT, related_name="skm_response")
    # Copied from the event: results group by these without touching the (much larger) event table.
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    service = models.ForeignKey(
        "publicservices.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    #: The local (Pemda time zone) date the citizen was served: the survey period is the service's period.
    served_on = models.DateField(_("served on"))
    u1 = _answer_field(1)
    u2 = _answer_field(2)
    u3 = _answer_field(3)
    u4 = _answer_field(4)
    u5 = _answer_field(5)
    u6 = _answer_field(6)
    u7 = _answer_field(7)
    u8 = _answer_field(8)
    u9 = _answer_field(9)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=6, choices=AgeBand.choices, blank=True)
    education = models.CharField(_("education"), max_length=6, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=10, choices=Occupation.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = SkmResponseQuerySet.as_manager()

    class Meta:
        constraints = _answer_checks()
        indexes = [
            models.Index(fields=["unit", "served_on"], name="skm_unit_served"),
            models.Index(fields=["service", "served_on"], name="skm_service_served"),
            models.Index(fields=["served_on"], name="skm_served"),
        ]
        verbose_name = _("SKM response")
        verbose_name_plural = _("SKM responses")

    def __str__(self) -> str:
        return f"SKM response {self.pk} ({self.unit_id}, {self.served_on})"

    def answers(self) -> dict[str, int | None]:
        return {code: getattr(self, code) for code in CODES}

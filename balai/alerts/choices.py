from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.org.choices import UnitKind
from balai.org.roles import Role


class RuleKind(models.TextChoices):
    BELOW_TARGET = "below_target", _("Below target")
    WORSE_THAN_PREVIOUS = "worse_than_previous", _("Worse than the previous period")
    NO_DATA = "no_data", _("No data reported")
    ABOVE_THRESHOLD = "above_threshold", _("Above a threshold")
    BELOW_THRESHOLD = "below_threshold", _("Below a threshold")


#: Kinds judged through the indicator's polarity: they mean nothing for a neutral indicator.
POLAR_KINDS = {RuleKind.BELOW_TARGET, RuleKind.WORSE_THAN_PREVIOUS}
#: Kinds whose parameter is a percentage (0-1000 for achievement, 0-100 for a decline).
THRESHOLD_KINDS = {RuleKind.ABOVE_THRESHOLD, RuleKind.BELOW_THRESHOLD}


class CheckedPeriod(models.TextChoices):
    # A live count (open reports past their deadline) is judged now; a rate or a report is judged once the
    # period is over, else every month would start "below target" on its first day.
    CURRENT = "current", _("The current period (so far)")
    LAST_COMPLETE = "last_complete", _("The last complete period")


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK: dict[str, int] = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Awaiting action")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    REOPENED = "reopened", _("Reopened")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    AUTO_RESOLVED = "auto_resolved", _("Resolved by the system")


#: "The unit itself" is offered next to the kinds of units below it.
SELF = "self"
CHECKED_KINDS = [
    (SELF, _("The scope unit itself")),
    (UnitKind.PERANGKAT_DAERAH.value, _("Every perangkat daerah")),
    (UnitKind.UPTD.value, _("Every UPTD")),
    (UnitKind.KECAMATAN.value, _("Every kecamatan")),
    (UnitKind.KELURAHAN.value, _("Every kelurahan")),
    (UnitKind.DESA.value, _("Every desa")),
]

#: Roles that can be made responsible for a rule's alerts (they work in the unit; see docs/users/alerts.md).
OWNER_ROLES = [
    (Role.SKPD_HEAD.value, Role.SKPD_HEAD.label),
    (Role.SKPD_OPERATOR.value, Role.SKPD_OPERATOR.label),
    (Role.CAMAT.value, Role.CAMAT.label),
    (Role.KELURAHAN_OPERATOR.value, Role.KELURAHAN_OPERATOR.label),
    (Role.ADMIN.value, Role.ADMIN.label),
]
#: Who owns a system alert (a connector failing): whoever does the work in the unit.
SYSTEM_OWNER_ROLES = [Role.SKPD_HEAD.value, Role.SKPD_OPERATOR.value, Role.CAMAT.value, Role.ADMIN.value]

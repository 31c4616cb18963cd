from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.core.periods import PeriodType


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    RATIO = "ratio", _("Ratio of sums")
    LAST = "last", _("Last value (summed across units)")
    # Cumulative rates (budget realised since January): the latest month, ratio of sums across units.
    LAST_RATIO = "last_ratio", _("Last value (ratio of sums across units)")
    # Typical durations (days to resolve a report): each Fact carries a histogram so roll-ups stay exact.
    MEDIAN = "median", _("Median (of all cases below)")
    # Indices that are a mean of pooled ratios (the SKM's IKM: nine NRRs): each Fact carries its parts (parts.py).
    MEAN_OF_RATIOS = "mean_of_ratios", _("Mean of ratios (each pooled over all units below)")
    # Defined by an administrator as factor x numerator / denominator of other indicators' roll-ups (as DHIS2
    # indicators): it has no Facts of its own (computed.py).
    COMPUTED = "computed", _("Computed (factor × numerator ÷ denominator)")


class TermRole(models.TextChoices):
    NUMERATOR = "numerator", _("Numerator")
    DENOMINATOR = "denominator", _("Denominator")


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    NUMBER = "number", _("Number")
    PERCENTAGE = "percentage", _("Percentage")
    BOOLEAN = "boolean", _("Yes/no")


class Polarity(models.IntegerChoices):
    HIGHER_IS_BETTER = 1, _("Higher is better")
    NEUTRAL = 0, _("Neutral")
    LOWER_IS_BETTER = -1, _("Lower is better")


class PeriodTypeChoice(models.TextChoices):
    DAY = PeriodType.DAY.value, _("Daily")
    WEEK = PeriodType.WEEK.value, _("Weekly")
    MONTH = PeriodType.MONTH.value, _("Monthly")
    QUARTER = PeriodType.QUARTER.value, _("Quarterly")
    SEMESTER = PeriodType.SEMESTER.value, _("Per semester")
    YEAR = PeriodType.YEAR.value, _("Yearly")


class ImportStrategy(models.TextChoices):
    CREATE = "CREATE", "CREATE"
    UPDATE = "UPDATE", "UPDATE"
    CREATE_AND_UPDATE = "CREATE_AND_UPDATE", "CREATE_AND_UPDATE"
    DELETE = "DELETE", "DELETE"


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")

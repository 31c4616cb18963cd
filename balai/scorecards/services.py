"""The write path of scorecards: define (or redefine) a scorecard and its items, all checked first.

Nothing is saved unless every item is valid: weights above zero that sum to 100, a target an
indicator can take, a cap between 100 % and 200 %, each indicator active, once, and reported at
least as often as the scorecard is read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from balai.core.audit import audit_record
from balai.core.periods import PeriodType, is_coarser_or_equal
from balai.indicators.choices import Aggregation, Polarity, ValueType
from balai.indicators.models import Indicator
from balai.org import access
from balai.org.roles import Action
from balai.org.selectors import pemda_root
from balai.scorecards.choices import CAP_RANGE, DEFAULT_CAP, IKM_CODE, IKM_RANGE, ScoredKind, ScorePeriod
from balai.scorecards.models import Scorecard, ScorecardItem

#: The most indicators one scorecard holds (the rows of the definition form).
MAX_ITEMS = 12
#: Weights are percentages; a sum within this of 100 is 100 (0.1 + 0.2 + … in floating point).
WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ItemSpec:
    indicator_code: str
    weight: float
    default_target: float
    cap: float = DEFAULT_CAP


def can_define(user: Any) -> bool:
    """Scorecards rank every unit of the city: only an administrator of the whole Pemda defines them."""
    root = pemda_root()
    return root is not None and access.can(user, Action.ADMIN, root)


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def target_error(indicator: Indicator, target: float) -> str | None:
    """Why ``target`` is impossible for ``indicator``, or None."""
    name = indicator.code
    if not _finite(target):
        return _("%(indicator)s: the target must be a number.") % {"indicator": name}
    if indicator.code == IKM_CODE and not IKM_RANGE[0] <= target <= IKM_RANGE[1]:
        return _("%(indicator)s: an IKM target must be between 25 and 100.") % {"indicator": name}
    if indicator.value_type == ValueType.PERCENTAGE and not 0 <= target <= 100:
        return _("%(indicator)s: a percentage target must be between 0 and 100.") % {"indicator": name}
    counts = indicator.value_type == ValueType.INTEGER or indicator.aggregation in (Aggregation.SUM, Aggregation.LAST)
    if counts and target < 0:
        return _("%(indicator)s: a count cannot have a negative target.") % {"indicator": name}
    if target == 0:
        # higher is better: value / 0; lower is better: 0 / value, zero whatever the unit does.
        return _("%(indicator)s: a target of 0 cannot measure achievement.") % {"indicator": name}
    if target < 0:
        return _("%(indicator)s: the target cannot be negative.") % {"indicator": name}
    return None


def validate(*, name: str, unit_kind: str, period_type: str, items: list[ItemSpec]) -> list[str]:
    """Every reason the definition cannot be saved (empty when it can). One read of the indicators."""
    errors: list[str] = []
    if not name.strip():
        errors.append(_("A scorecard needs a name."))
    if unit_kind not in ScoredKind.values:
        errors.append(_("Units scored must be perangkat daerah, kecamatan or kelurahan."))
    if period_type not in ScorePeriod.values:
        errors.append(_("The period type must be monthly, quarterly or yearly."))
    if not items:
        errors.append(_("A scorecard needs at least one indicator."))
        return errors
    if len(items) > MAX_ITEMS:
        errors.append(_("A scorecard holds at most %(count)d indicators.") % {"count": MAX_ITEMS})
    codes = [i.indicator_code for i in items]
    known = {ind.code: ind for ind in Indicator.objects.filter(code__in=codes)}
    seen: set[str] = set()
    for item in items:
        code = item.indicator_code
        if code in seen:
            errors.append(_("%(indicator)s appears more than once.") % {"indicator": code})
            continue
        seen.add(code)
        indicator = known.get(code)
        if indicator is None:
            errors.append(_("%(indicator)s: no such indicator.") % {"indicator": code})
            continue
        if not indicator.is_active:
            errors.append(_("%(indicator)s: the indicator is inactive.") % {"indicator": code})
        if indicator.polarity == Polarity.NEUTRAL:
            errors.append(
                _("%(indicator)s is neutral (neither higher nor lower is better): it cannot be scored.")
                % {"indicator": code}
            )
        if period_type in ScorePeriod.values and not is_coarser_or_equal(
            PeriodType(period_type), PeriodType(indicator.period_type)
        ):
            errors.append(
                _("%(indicator)s has a period type of %(indicator_period)s, coarser than the scorecard's (%(period)s).")
                % {
                    "indicator": code,
                    "indicator_period": indicator.get_period_type_display(),
                    "period": ScorePeriod(period_type).label,
                }
            )
        if not _finite(item.weight) or item.weight <= 0:
            errors.append(_("%(indicator)s: the weight must be above 0.") % {"indicator": code})
        problem = target_error(indicator, item.default_target)
        if problem:
            errors.append(problem)
        if not _finite(item.cap) or not CAP_RANGE[0] <= item.cap <= CAP_RANGE[1]:
            errors.append(_("%(indicator)s: the cap must be between 100 and 200 %%.") % {"indicator": code})
    weights = [i.weight for i in items]
    if all(_finite(w) for w in weights) and abs(math.fsum(weights) - 100) > WEIGHT_TOLERANCE:
        total = round(math.fsum(weights), 6)
        errors.append(
            _("The weights add up to %(total)s; they must add up to 100.")
            % {"total": formats.number_format(int(total) if total.is_integer() else total)}
        )
    return errors


def scorecard_save(
    *,
    actor: Any,
    scorecard: Scorecard | None = None,
    name: str,
    unit_kind: str,
    period_type: str,
    items: list[ItemSpec],
    description: str = "",
    is_active: bool = True,
) -> Scorecard:
    """Create a scorecard, or replace the definition of ``scorecard``; ValidationError lists every reason."""
    if actor is not None and not can_define(actor):
        raise PermissionDenied(_("Only an administrator of the whole Pemda defines scorecards."))
    errors = validate(name=name, unit_kind=unit_kind, period_type=period_type, items=items)
    if errors:
        raise ValidationError(errors)
    indicators = {ind.code: ind for ind in Indicator.objects.filter(code__in=[i.indicator_code for i in items])}
    with transaction.atomic():
        before: dict[str, Any] = {}
        if scorecard is None:
            scorecard = Scorecard()
        else:
            scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
            before = _snapshot(scorecard)
        scorecard.name = name.strip()
        scorecard.unit_kind = unit_kind
        scorecard.period_type = period_type
        scorecard.description = description.strip()
        scorecard.is_active = is_active
        created = scorecard.pk is None
        scorecard.save()
        scorecard.items.all().delete()
        ScorecardItem.objects.bulk_create(
            [
                ScorecardItem(
                    scorecard=scorecard,
                    indicator=indicators[item.indicator_code],
                    weight=float(item.weight),
                    default_target=float(item.default_target),
                    cap=float(item.cap),
                    sort_order=index,
                )
                for index, item in enumerate(items)
            ]
        )
        after = _snapshot(scorecard)
        audit_record(
            actor=actor,
            action="scorecard.create" if created else "scorecard.update",
            obj=scorecard,
            org_unit=pemda_root(),
            changes={k: {"before": before.get(k), "after": v} for k, v in after.items() if before.get(k) != v},
        )
    return scorecard


def _snapshot(scorecard: Scorecard) -> dict[str, Any]:
    return {
        "name": scorecard.name,
        "unit_kind": scorecard.unit_kind,
        "period_type": scorecard.period_type,
        "is_active": scorecard.is_active,
        "items": [
            [code, weight, target, cap]
            for code, weight, target, cap in scorecard.items.order_by("sort_order").values_list(
                "indicator__code", "weight", "default_target", "cap"
            )
        ],
    }

"""Modules declare their indicators in ``<app>/indicators.py``; this registry collects them.

A module's ``indicators.py`` defines ``INDICATORS`` (a list of :class:`IndicatorSpec`) and, when the
module computes them from its own tables, ``compute(codes, periods)`` yielding :class:`FactValue`
in a few grouped queries. External indicators (fed by agency apps through the import API) are
declared the same way with ``source="external"`` and no compute function.

Some indicators follow data (one per report category, categories being added by administrators): a module
passes ``dynamic``, a function returning those specs from its tables. It is called whenever the registry is
mirrored to rows (:func:`balai.indicators.services.indicators_sync`) and by the nightly recompute, so a new
category gets its indicator at the latest the next night, or at once if the module re-syncs when it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

from balai.core.periods import Period


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name_id: str
    name_en: str
    period_type: str
    aggregation: str = "sum"
    value_type: str = "number"
    unit: str = ""
    polarity: int = 1
    decimals: int = 0
    ratio_factor: float = 1.0
    category: str = ""
    description_id: str = ""
    description_en: str = ""
    sort_order: int = 100
    #: Whether the indicator starts public (transparency dashboard, open data); administrators decide afterwards.
    public: bool = False


@dataclass(frozen=True)
class FactValue:
    code: str
    org_unit_id: int
    period: str
    value: float
    numerator: float | None = None
    denominator: float | None = None
    #: Median indicators: {value: number of cases}; the engine buckets it and takes value = its median.
    #: Mean-of-ratios indicators: {part: [numerator, denominator]}; the value is computed from it (parts.py).
    distribution: Mapping[Any, Any] | None = None


ComputeFn = Callable[[list[str], list[Period]], Iterable[FactValue]]
SpecsFn = Callable[[], Iterable[IndicatorSpec]]


@dataclass
class ModuleIndicators:
    source: str
    specs: list[IndicatorSpec]
    compute: ComputeFn | None = None
    codes: set[str] = field(default_factory=set)
    dynamic: list[SpecsFn] = field(default_factory=list)

    def all_specs(self) -> list[IndicatorSpec]:
        """The static specs, then those the dynamic functions return now (a static code wins a clash)."""
        out = list(self.specs)
        seen = set(self.codes)
        for specs_fn in self.dynamic:
            for spec in specs_fn():
                if spec.code not in seen:
                    seen.add(spec.code)
                    out.append(spec)
        return out


_modules: dict[str, ModuleIndicators] = {}


def register(
    source: str,
    specs: list[IndicatorSpec],
    compute: ComputeFn | None = None,
    *,
    dynamic: SpecsFn | None = None,
) -> None:
    """Add a module's indicators. Several modules may register under one source (e.g. "external"):
    their specs are merged; a source has at most one compute function.

    ``dynamic`` returns specs that depend on data; it runs against the database, so it must cope with its
    tables not existing yet (a partial migrate) by returning nothing.
    """
    current = _modules.get(source)
    if current is None:
        _modules[source] = ModuleIndicators(
            source, list(specs), compute, {s.code for s in specs}, [dynamic] if dynamic else []
        )
        return
    if compute is not None and current.compute is not None and current.compute is not compute:
        raise ValueError(f"indicator source {source!r} already has a compute function")
    known = {s.code for s in current.specs}
    current.specs.extend(s for s in specs if s.code not in known)
    current.codes |= {s.code for s in specs}
    current.compute = current.compute or compute
    if dynamic is not None and dynamic not in current.dynamic:
        current.dynamic.append(dynamic)


def modules() -> list[ModuleIndicators]:
    return list(_modules.values())


def autodiscover() -> None:
    """Import every installed app's ``indicators`` module; each calls :func:`register`."""
    autodiscover_modules("indicators")

"""Who publishes which open dataset in the demo Kota Banjarbaru.

A demo decision, not a rule of the code: a real Pemda's data manager names each publisher (the
owning unit) in the indicator admin. Indicators left out here are published as the Pemda's own.
"""

from __future__ import annotations

from balai.indicators.models import Indicator
from balai.opendata.services import dataset_publisher_set
from balai.org.models import OrgUnit

#: By the module that computes the indicator.
BY_SOURCE = {
    "complaints": "DISKOMINFO",  # the city's complaint desk (SP4N-LAPOR! liaison) sits at Diskominfo
    "applications": "DPMPTSP",  # online permits and licences
    "queues": "DPMPTSP",  # the counters of the Mal Pelayanan Publik
    "skm": "SETDA",  # the Bagian Organisasi of the Setda runs the satisfaction survey
}
#: By indicator code, before the source.
BY_CODE = {
    "population.residents": "DISDUKCAPIL",
    "budget.realisation_rate": "BPKPAD",
    "attendance.presence_rate": "BKPSDM",
}


def seed_publishers(root: OrgUnit) -> int:
    """Name the publisher of every public indicator that has an obvious one; return how many were set."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={*BY_SOURCE.values(), *BY_CODE.values()})}
    count = 0
    for ind in Indicator.objects.filter(is_public=True, owner__isnull=True).order_by("code"):
        code = BY_CODE.get(ind.code) or BY_SOURCE.get(ind.source)
        unit = units.get(code or "")
        if unit is not None and unit.path.startswith(root.path):
            dataset_publisher_set(actor=None, indicator=ind, owner=unit)
            count += 1
    return count

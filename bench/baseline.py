"""The baseline every Fact-import benchmark is compared with: a bare ``executemany`` of ready-made rows.

One definition, so the DHIS2 import (bench/suite.py ``import``) and the connector pull (bench/connectors_bench.py)
are held to the same database's best insert rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable


def fact_executemany(rows: list[dict[str, str]]) -> Callable[[], None]:
    """A function inserting ``rows`` (dataValueSets-shaped) into the Fact table in one transaction.

    The rows are turned into tuples here, before timing: the baseline stands for the insert alone.
    """
    from django.db import connection, transaction

    from balai.core.periods import Period
    from balai.indicators.models import Indicator
    from balai.org.models import OrgUnit

    indicators = {i.code: i.pk for i in Indicator.objects.all()}
    units = dict(OrgUnit.objects.values_list("code", "id"))
    now = dt.datetime.now(dt.UTC)
    raw = [
        (
            indicators[r["dataElement"]],
            units[r["orgUnit"]],
            r["period"],
            Period.parse(r["period"]).start,
            float(r["value"]),
            None,
            None,
            "bench",
            "",
            now,
        )
        for r in rows
    ]
    insert = (
        "INSERT INTO indicators_fact (indicator_id, org_unit_id, period, period_start, value, numerator, "
        "denominator, source, comment, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )

    def executemany() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, raw)

    return executemany

"""Demo SKM answers: about one citizen in three answers the survey after being served.

Called by the demo loader after the visits and applications exist (they are the service events the answers hang
on). Each office gets its own level of service, so the demo shows every grade from A to C; a few respondents
skip U9 (complaints handling), as real ones do. Rows are bulk-inserted: the demo is data, not citizens' actions,
so it skips the invitation step (no links, no audit rows).
"""

from __future__ import annotations

import random
from typing import Any

from balai.core.scoping import subtree_q
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_zone
from balai.publicservices.models import ServiceEvent
from balai.skm.choices import AgeBand, Education, Occupation, Sex
from balai.skm.models import SkmResponse
from balai.skm.questions import CODES

SHARE = 0.35
BATCH = 2000


def _answer(rng: random.Random, quality: float) -> int:
    """1–4, centred on the office's quality (2.6 … 3.8)."""
    return max(1, min(4, round(rng.gauss(quality, 0.6))))


def seed_responses(root: OrgUnit, *, seed: int = 2026, share: float = SHARE) -> dict[str, Any]:
    rng = random.Random(f"{seed}:skm")
    zone = pemda_zone()
    units = OrgUnit.objects.filter(subtree_q(root.path)).values_list("id", flat=True)
    quality = {uid: rng.uniform(2.6, 3.8) for uid in units}
    events = (
        ServiceEvent.objects.filter(unit_id__in=list(quality), skm_response__isnull=True)
        .order_by("pk")
        .values_list("pk", "unit_id", "service_id", "occurred_at")
    )
    rows: list[SkmResponse] = []
    created = 0
    for pk, unit_id, service_id, occurred_at in events.iterator(chunk_size=BATCH):
        if rng.random() >= share:
            continue
        level = quality[unit_id]
        answers: dict[str, int | None] = {code: _answer(rng, level) for code in CODES}
        if rng.random() < 0.08:
            answers["u9"] = None  # "I never complained": skipped
        rows.append(
            SkmResponse(
                event_id=pk,
                unit_id=unit_id,
                service_id=service_id,
                served_on=occurred_at.astimezone(zone).date(),
                submitted_at=occurred_at,
                sex=rng.choice(Sex.values),
                age_band=rng.choice(AgeBand.values),
                education=rng.choice(Education.values),
                occupation=rng.choice(Occupation.values) if rng.random() > 0.05 else "",
                **answers,
            )
        )
        if len(rows) >= BATCH:
            SkmResponse.objects.bulk_create(rows)
            created += len(rows)
            rows = []
    SkmResponse.objects.bulk_create(rows)
    created += len(rows)
    return {"responses": created}

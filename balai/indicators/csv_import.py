"""CSV of data values: the same columns as dataValueSets, from any spreadsheet."""

from __future__ import annotations

import re
from typing import Any

from balai.core.csvio import read_csv

EXPECTED = ["dataElement", "period", "orgUnit", "value"]
OPTIONAL = ["comment", "numerator", "denominator"]
# Clerks may write the Indonesian column names; both spellings mean the same.
ALIASES = {
    "data_element": "dataelement",
    "indikator": "dataelement",
    "kode_indikator": "dataelement",
    "periode": "period",
    "org_unit": "orgunit",
    "unit": "orgunit",
    "kode_unit": "orgunit",
    "nilai": "value",
    "keterangan": "comment",
    "pembilang": "numerator",
    "penyebut": "denominator",
}


def rows_from_csv(content: bytes | str) -> list[dict[str, Any]]:
    table = read_csv(content, EXPECTED, OPTIONAL, ALIASES)
    out = []
    for row in table.rows:
        value = row.get("value", "")
        num, den = row.get("numerator", ""), row.get("denominator", "")
        if table.decimal_comma:
            # "12,5" from an Indonesian-locale Excel; thousands dots ("1.234,5") go too.
            value, num, den = (decimal_comma(v) for v in (value, num, den))
        out.append(
            {
                "dataElement": row["dataElement"],
                "period": row["period"],
                "orgUnit": row["orgUnit"],
                "value": value,
                "comment": row.get("comment", ""),
                "numerator": num or None,
                "denominator": den or None,
            }
        )
    return out


# "1.234" or "1.234.567" in a decimal-comma file: dots that group thousands, as Indonesian Excel writes them.
_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")


def decimal_comma(text: str) -> str:
    if "," in text or _THOUSANDS.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    return text

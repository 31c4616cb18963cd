"""Reading CSV uploaded by clerks: whatever encoding and separator their spreadsheet chose.

Excel in an Indonesian locale saves "CSV" with ``;`` separators and decimal commas, often in
Windows-1252; LibreOffice saves UTF-8, sometimes with a BOM. We accept all of these and explain
anything else in words a clerk understands.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass
class CsvTable:
    headers: list[str]
    rows: list[dict[str, str]]
    delimiter: str
    encoding: str

    @property
    def decimal_comma(self) -> bool:
        return self.delimiter == ";"


def decode(content: bytes | str) -> tuple[str, str]:
    if isinstance(content, str):
        return content, "utf-8"
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ValidationError(_("This UTF-16 file is damaged; save it again as 'CSV UTF-8'.")) from exc
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in content[:4096]:
        raise ValidationError(
            _(
                "This file is not a CSV text file (it looks like a spreadsheet or binary file). "
                "Save it from your spreadsheet as 'CSV UTF-8 (comma delimited)'."
            )
        )
    # Windows-1252 decodes any byte; it is what Excel on Windows writes for "CSV".
    return content.decode("cp1252", errors="replace"), "cp1252"


def read_csv(
    content: bytes | str, expected: list[str], optional: list[str] | None = None, aliases: dict[str, str] | None = None
) -> CsvTable:
    text, encoding = decode(content)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ValidationError(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _read_rows(reader, expected, optional, aliases, delimiter, encoding)
    except csv.Error as exc:
        # e.g. a field over the csv module's size limit, or a NUL byte: name the line instead of failing.
        raise ValidationError(
            _("Line %(line)s of the file cannot be read: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc


def _read_rows(
    reader: Any,
    expected: list[str],
    optional: list[str] | None,
    aliases: dict[str, str] | None,
    delimiter: str,
    encoding: str,
) -> CsvTable:
    raw_headers = next(reader)
    # Match case-insensitively but report and key rows by the canonical spelling (dataElement, orgUnit).
    canonical = {name.lower(): name for name in expected + (optional or [])}
    alias_map = {k.lower(): v.lower() for k, v in (aliases or {}).items()}
    headers = []
    for h in raw_headers:
        key = alias_map.get(h.strip().lower(), h.strip().lower())
        headers.append(canonical.get(key, key))
    missing = [h for h in expected if h not in headers]
    if missing:
        raise ValidationError(
            _("Wrong or missing column headers: %(missing)s. Expected headers: %(expected)s (found: %(found)s).")
            % {
                "missing": ", ".join(missing),
                "expected": ", ".join(expected + [f"[{o}]" for o in (optional or [])]),
                "found": ", ".join(h for h in raw_headers if h) or "-",
            }
        )
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append({h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(headers)})
    return CsvTable(headers, rows, delimiter, encoding)

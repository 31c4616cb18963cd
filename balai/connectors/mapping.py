"""From an agency app's answer to DHIS2-style data values: parse the payload, then map each record.

Everything here is pure reading (a few lookups of indicators and units, no writes), so the preview and
the pull share it: the preview shows what the pull would send to ``facts_import``, and the pull refuses
to write anything when one record cannot be mapped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from balai.connectors.choices import Format, PeriodFormat, UnitMatch
from balai.core.csvio import decode
from balai.core.periods import InvalidPeriod, Period, PeriodType
from balai.indicators.choices import ValueType
from balai.indicators.csv_import import decimal_comma
from balai.indicators.models import Indicator
from balai.org.models import OrgUnit

if TYPE_CHECKING:
    from balai.connectors.models import Connector

MISSING = object()
CHUNK = 500


class PayloadError(Exception):
    """The answer is not the data the connector expects (HTML, broken JSON, no list of records)."""


# ------------------------------------------------------------------------------------------- parse
def records_from(
    body: bytes, content_type: str, *, fmt: str, records_path: str = "", next_path: str = ""
) -> list[dict[str, Any]]:
    """The list of records in the answer, or PayloadError saying what came instead."""
    return page_from(body, content_type, fmt=fmt, records_path=records_path, next_path=next_path)[0]


def page_from(
    body: bytes, content_type: str, *, fmt: str, records_path: str = "", next_path: str = ""
) -> tuple[list[dict[str, Any]], str]:
    """(records, link to the next page or "") of one answer; PayloadError saying what came instead."""
    head = body.lstrip()[:200].lower()
    if "html" in content_type or head.startswith((b"<!doctype", b"<html", b"<head", b"<body")):
        raise PayloadError(
            _("The app answered with an HTML page instead of %(fmt)s (a login or error page?).") % {"fmt": fmt.upper()}
        )
    if fmt == Format.CSV:
        return _csv_records(body), ""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadError(_("The answer is not UTF-8 text, as JSON must be.")) from None
    if not text.strip():
        raise PayloadError(_("The app answered with an empty body."))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(
            _("The answer is not valid JSON (line %(line)d, column %(col)d: %(msg)s).")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from None
    node: Any = document
    walked: list[str] = []
    for key in [k for k in records_path.split(".") if k]:
        walked.append(key)
        if not isinstance(node, dict) or key not in node:
            raise PayloadError(
                _("The path %(path)s is not in the answer (nothing at %(at)s).")
                % {"path": records_path, "at": ".".join(walked)}
            )
        node = node[key]
    if not isinstance(node, list):
        where = records_path or _("the top level")
        raise PayloadError(_("There is no list of records at %(path)s.") % {"path": where})
    for index, item in enumerate(node, start=1):
        if not isinstance(item, dict):
            raise PayloadError(_("Record %(n)d is not an object with fields.") % {"n": index})
    link = get_field(document, next_path) if next_path and isinstance(document, dict) else None
    if link is not None and link is not MISSING and not isinstance(link, str):
        raise PayloadError(_("The next-page link at %(path)s is not an address.") % {"path": next_path})
    return node, link if isinstance(link, str) else ""


def _csv_records(body: bytes) -> list[dict[str, Any]]:
    try:
        text, _encoding = decode(body)
    except ValidationError as exc:
        raise PayloadError(" ".join(exc.messages)) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise PayloadError(_("The app answered with an empty body."))
    header = text.split("\n", 1)[0]
    # Excel in an Indonesian locale writes ";" and decimal commas.
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[dict[str, Any]] = []
    for row in reader:
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(clean.values()):
            continue
        if delimiter == ";":
            clean = {k: decimal_comma(v) if v else v for k, v in clean.items()}
        rows.append(clean)
    return rows


def get_field(record: dict[str, Any], name: str) -> Any:
    """The field's value; a dotted name reaches into nested objects (``unit.code``). MISSING if absent."""
    if name in record:
        return record[name]
    node: Any = record
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


# --------------------------------------------------------------------------------------------- map
@dataclass
class Mapped:
    """One record and what it maps to; ``problems`` empty means it is ready for the import."""

    number: int  # 1-based, as an administrator counts records
    raw: dict[str, Any]
    indicator: str = ""
    unit: str = ""
    unit_name: str = ""
    period: str = ""
    value: Any = None
    numerator: Any = None
    denominator: Any = None
    comment: str = ""
    problems: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        return {
            "dataElement": self.indicator,
            "orgUnit": self.unit,
            "period": self.period,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "comment": self.comment,
        }


def mapped_fields(connector: Connector) -> list[str]:
    """Every field name the mapping reads from a record."""
    names = [connector.indicator_field, connector.unit_field, connector.period_field, connector.value_field]
    names += [connector.numerator_field, connector.denominator_field, connector.comment_field]
    return [n for n in names if n]


def missing_everywhere(connector: Connector, records: list[dict[str, Any]]) -> list[str]:
    """Mapped fields no record has: the app renamed or dropped them."""
    if not records:
        return []
    return [name for name in mapped_fields(connector) if all(get_field(r, name) is MISSING for r in records)]


def importable_indicators(codes: Iterable[str]) -> dict[str, Indicator]:
    """Active indicators fed from outside Balai; module indicators are recomputed from Balai's own records."""
    out: dict[str, Indicator] = {}
    wanted = sorted({c for c in codes if c})
    for i in range(0, len(wanted), CHUNK):
        out.update(
            {
                ind.code: ind
                for ind in Indicator.objects.filter(code__in=wanted[i : i + CHUNK], is_active=True, source="external")
            }
        )
    return out


def _units(match: str, values: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Lookup key -> [(code, name)] of active units: by code exactly, or by lower-cased name."""
    wanted = sorted({v for v in values if v})
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        if match == UnitMatch.CODE:
            for code, name in OrgUnit.objects.filter(code__in=chunk, is_active=True).values_list("code", "name"):
                found[code].append((code, name))
        else:
            qs = OrgUnit.objects.annotate(lname=Lower("name")).filter(lname__in=chunk, is_active=True)
            for code, name in qs.values_list("code", "name"):
                found[name.lower()].append((code, name))
    return found


def _text(value: Any) -> str:
    if value is None or value is MISSING:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any, label: str) -> tuple[Any, str | None]:
    """(the value as sent, None) when it is a number; (None, problem) otherwise."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        return None, _("%(what)s is empty or not a number (%(v)s)") % {"what": label, "v": json.dumps(value)}
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, _("%(what)s %(v)s is not a number") % {"what": label, "v": json.dumps(value)}
    if math.isnan(number) or math.isinf(number):
        return None, _("%(what)s %(v)s is not a finite number") % {"what": label, "v": json.dumps(value)}
    return number, None


def map_records(connector: Connector, records: list[dict[str, Any]]) -> list[Mapped]:
    """Map each record; every problem is named with the record number, nothing is looked up per row."""
    fixed = connector.indicator_code
    codes = {fixed} if fixed else {_text(get_field(r, connector.indicator_field)) for r in records}
    indicators = importable_indicators(codes)
    fixed_unit = connector.unit_code
    by_name = connector.unit_match == UnitMatch.NAME and not fixed_unit
    keys = [fixed_unit] * len(records) if fixed_unit else [_text(get_field(r, connector.unit_field)) for r in records]
    if by_name:
        keys = [k.lower() for k in keys]
    units = _units(UnitMatch.NAME if by_name else UnitMatch.CODE, keys)
    # Translated once: a pull maps 100,000 records, and gettext per record would cost more than the mapping.
    labels = {"value": _("value"), "numerator": _("numerator"), "denominator": _("denominator")}
    fields = mapped_fields(connector)
    out: list[Mapped] = []
    for number, (record, unit_key) in enumerate(zip(records, keys, strict=True), start=1):
        m = Mapped(number=number, raw=record)
        problems = m.problems
        for name in fields:
            if get_field(record, name) is MISSING:
                problems.append(_("field %(f)s is missing") % {"f": json.dumps(name)})
        code = fixed or _text(get_field(record, connector.indicator_field))
        indicator = indicators.get(code)
        m.indicator = code
        if not code and (fixed or get_field(record, connector.indicator_field) is not MISSING):
            problems.append(_("the indicator is empty"))
        elif indicator is None and code:
            problems.append(
                _("indicator %(c)s does not exist or is not fed from outside Balai") % {"c": json.dumps(code)}
            )
        raw_unit = fixed_unit or _text(get_field(record, connector.unit_field))
        candidates = units.get(unit_key, [])
        if len(candidates) == 1:
            m.unit, m.unit_name = candidates[0]
        elif raw_unit and len(candidates) > 1:
            problems.append(
                _("unit name %(u)s matches %(n)d units; match by code instead")
                % {"u": json.dumps(raw_unit), "n": len(candidates)}
            )
        elif raw_unit:
            problems.append(_("org unit %(u)s does not exist") % {"u": json.dumps(raw_unit)})
        elif get_field(record, connector.unit_field) is not MISSING:
            problems.append(_("the org unit is empty"))
        raw_period = get_field(record, connector.period_field)
        if raw_period is not MISSING and indicator is not None:
            period, problem = _period(connector.period_format, _text(raw_period), indicator)
            if problem:
                problems.append(problem)
            else:
                m.period = period
        raw_value = get_field(record, connector.value_field)
        if raw_value is not MISSING:
            if indicator is not None and indicator.value_type == ValueType.BOOLEAN:
                m.value = raw_value  # the import reads ya/tidak, true/false, 1/0
            else:
                m.value, problem = _number(raw_value, labels["value"])
                if problem:
                    problems.append(problem)
        for attr, name in (("numerator", connector.numerator_field), ("denominator", connector.denominator_field)):
            raw = get_field(record, name) if name else MISSING
            if raw is not MISSING:
                number, problem = _number(raw, labels[attr])
                setattr(m, attr, number)
                if problem:
                    problems.append(problem)
        if connector.comment_field:
            m.comment = _text(get_field(record, connector.comment_field))[:255]
        out.append(m)
    return out


def _period(fmt: str, raw: str, indicator: Indicator) -> tuple[str, str | None]:
    ptype = PeriodType(indicator.period_type)
    if fmt == PeriodFormat.DATE:
        try:
            day = dt.date.fromisoformat(raw[:10]) if len(raw) >= 10 else None
        except ValueError:
            day = None
        if day is None or (len(raw) > 10 and raw[10] not in "T "):
            return "", _("date %(d)s is not YYYY-MM-DD") % {"d": json.dumps(raw)}
        return Period.containing(day, ptype).id, None
    try:
        period = Period.parse(raw)
    except InvalidPeriod:
        return "", _("period %(p)s is not a period id such as 202601") % {"p": json.dumps(raw)}
    if period.type is not ptype:
        return "", _("period %(p)s is not a %(t)s period, as indicator %(c)s needs") % {
            "p": json.dumps(raw),
            "t": ptype.value,
            "c": indicator.code,
        }
    return period.id, None


def import_rows(connector: Connector, records: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The data values for ``facts_import``, or None when any record has a problem (``map_records`` says which).

    The pull's fast path: a pull maps up to the size limit's worth of records (100,000 and more), so this
    loop does dict lookups only: indicators, units and periods are resolved once per distinct value. It
    accepts exactly what ``map_records`` accepts (the tests pull both good and bad payloads through it).
    """
    fields = mapped_fields(connector)
    if any("." in name for name in fields):
        # Nested field names: the general path (get_field) is fast enough for what such apps send.
        mapped = map_records(connector, records)
        return None if any(m.problems for m in mapped) else [m.as_row() for m in mapped]
    fixed_code, ind_field = connector.indicator_code, connector.indicator_field
    fixed_unit, unit_field = connector.unit_code, connector.unit_field
    by_name = connector.unit_match == UnitMatch.NAME and not fixed_unit
    period_field, date_format = connector.period_field, connector.period_format == PeriodFormat.DATE
    value_field, comment_field = connector.value_field, connector.comment_field
    extra = [
        (k, f) for k, f in (("numerator", connector.numerator_field), ("denominator", connector.denominator_field)) if f
    ]
    try:
        codes = {fixed_code} if fixed_code else {_text(r[ind_field]) for r in records}
        unit_keys = {fixed_unit} if fixed_unit else {_text(r[unit_field]) for r in records}
    except KeyError:
        return None
    indicators = importable_indicators(codes)
    if len(indicators) < len(codes):
        return None
    found = _units(
        UnitMatch.NAME if by_name else UnitMatch.CODE, {k.lower() for k in unit_keys} if by_name else unit_keys
    )
    units: dict[str, str] = {}
    for key in unit_keys:
        candidates = found.get(key.lower() if by_name else key, [])
        if len(candidates) != 1:
            return None
        units[key] = candidates[0][0]
    periods: dict[tuple[str, Any], str | None] = {}
    booleans = {c for c, ind in indicators.items() if ind.value_type == ValueType.BOOLEAN}
    out: list[dict[str, Any]] = []
    append = out.append
    for record in records:
        try:
            code = fixed_code or _text(record[ind_field])
            unit = units[fixed_unit or _text(record[unit_field])]
            raw_period = record[period_field]
            value = record[value_field]
            row = {"dataElement": code, "orgUnit": unit, "value": value}
            for key, name in extra:
                number = record[name]
                if type(number) is not float and type(number) is not int:
                    number, problem = _number(number, key)
                    if problem:
                        return None
                row[key] = number
            if comment_field:
                row["comment"] = _text(record[comment_field])[:255]
            period = periods.get((code, raw_period), MISSING)
            if period is MISSING:
                text, problem = _period("date" if date_format else "period", _text(raw_period), indicators[code])
                period = periods[(code, raw_period)] = None if problem else text
        except (KeyError, TypeError):  # a missing field, or an unhashable period (a list, an object)
            return None
        if period is None:
            return None
        row["period"] = period
        if type(value) is not float and type(value) is not int and code not in booleans:
            number, problem = _number(value, "value")
            if problem:
                return None
            row["value"] = number
        elif type(value) is float and not math.isfinite(value):
            return None
        append(row)
    return out

"""What the complaints module is configured with: categories, routing rules and Open311 client apps.

The write path of the "Report settings" pages (and of anything else that changes them): every function
checks who acts, validates, writes in one transaction and records an audit event. Bad input raises a
``ValidationError`` naming the field, in words a clerk understands, and changes nothing.

Who may: the Pemda's administrators (ADMIN on the Pemda root) and the head of the complaint desk
(APPROVE on the Pemda root, the same root scope that makes the desk a desk in ``services.is_desk``).
Open311 api_keys let an outside app write reports for the whole Pemda, so only administrators hand them
out and take them back (the rule of ``open311_keys``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from balai.complaints.choices import OPEN_STATUSES, Classification
from balai.complaints.indicators import sync_category_indicators
from balai.complaints.models import Category, Complaint, Open311Client, RoutingRule
from balai.core.audit import audit_record, changes_between, snapshot
from balai.core.scoping import PATH_SEGMENT
from balai.org import access
from balai.org.choices import OFFICE_KINDS, UnitKind
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import pemda_root
from balai.org.services import ImportReport, RowResult

# A code is part of Open311 URLs (/services/<code>.json) and of the apps' configuration: keep it plain.
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CODE_MAX = 40
# An attribute code is sent back as attribute[CODE]: no brackets, no spaces.
ATTRIBUTE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
ATTRIBUTE_CODE_MAX = 40
# The longest step of the LAPOR! ladder (a case needing field inspection).
MAX_DAYS = 60
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = {"singlevaluelist", "multivaluelist"}
# Where a routing rule applies. suggested_unit() walks up from the report's kelurahan, so a kecamatan rule
# covers all its kelurahan ("roads in Landasan Ulin go to DPUPR") and a kelurahan rule overrides it.
ROUTABLE_KINDS = (UnitKind.KELURAHAN, UnitKind.DESA, UnitKind.KECAMATAN)
ROUTING_CSV_HEADERS = ["category_code", "kelurahan_code", "unit_code"]
CATEGORY_AUDIT_FIELDS = [
    "code",
    "name_id",
    "name_en",
    "description_id",
    "description_en",
    "classification",
    "first_response_days",
    "resolution_days",
    "default_unit",
    "attributes",
    "keywords",
    "is_active",
    "sort_order",
]
EDITABLE_FIELDS = set(CATEGORY_AUDIT_FIELDS) - {"code", "is_active"}


# ------------------------------------------------------------------------------------------ who may
def _at_root(user: Any, action: str) -> bool:
    return any(len(path) == PATH_SEGMENT for path in access.scope_paths(user, action))


def can_manage_categories(user: Any) -> bool:
    """Categories and routing rules: the Pemda's administrators and the head of the complaint desk."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or _at_root(user, Action.ADMIN) or _at_root(user, Action.APPROVE)


def can_manage_open311(user: Any) -> bool:
    """Open311 client apps: the Pemda's administrators only."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or _at_root(user, Action.ADMIN)


def can_manage(user: Any) -> bool:
    """May the user open the report settings at all (the link in the menu)?"""
    return can_manage_categories(user) or can_manage_open311(user)


def _require_categories(actor: Any) -> None:
    if actor is not None and not can_manage_categories(actor):  # None: the system (CLI, demo loader)
        raise PermissionDenied(_("Only the Pemda's administrators and the head of the complaint desk can do this."))


def _require_open311(actor: Any) -> None:
    if actor is not None and not can_manage_open311(actor):
        raise PermissionDenied(_("Only the Pemda's administrators can manage Open311 apps."))


# ------------------------------------------------------------------------------------------ units
def _in_pemda(unit: OrgUnit) -> bool:
    root = pemda_root()
    return root is not None and unit.path.startswith(root.path)


def check_office(unit: OrgUnit, field: str) -> None:
    """A unit reports can be disposed to: an active office of the Pemda's tree."""
    if not (unit.is_active and unit.kind in OFFICE_KINDS and _in_pemda(unit)):
        raise ValidationError(
            {
                field: _(
                    "%(name)s cannot handle reports: choose an active office of the Pemda "
                    "(an agency, UPTD, division, kecamatan or kelurahan)."
                )
                % {"name": unit.name}
            }
        )


def check_territory(unit: OrgUnit, field: str = "territory") -> None:
    if unit.kind not in ROUTABLE_KINDS or not unit.is_active or not _in_pemda(unit):
        raise ValidationError(
            {
                field: _("%(name)s is a %(kind)s: a routing rule is for one kecamatan, kelurahan or desa of the Pemda.")
                % {"name": unit.name, "kind": unit.get_kind_display()}
            }
        )


# ------------------------------------------------------------------------------------------ attributes
def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _localized_pair(value: Any) -> tuple[str, str]:
    """(Indonesian, English) of a text stored either as a string or as {"id": ..., "en": ...}."""
    if isinstance(value, Mapping):
        return _text(value.get("id")), _text(value.get("en"))
    return _text(value), ""


def _localized_value(text_id: str, text_en: str) -> str | dict[str, str]:
    # A plain string when there is no English text: what Open311 clients and older data expect.
    return {"id": text_id, "en": text_en} if text_en else text_id


def parse_values(text: str) -> list[dict[str, Any]]:
    """The choices of a list attribute, one a line: ``key=Indonesian name`` or ``key=Indonesian | English``.

    A line without ``=`` is both the key and the name.
    """
    values: list[dict[str, Any]] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, name = line.partition("=")
        key = key.strip()
        name = name.strip() if sep else key
        if not key:
            raise ValidationError(_("Line %(n)s: write the key before the “=”, for example “s=Kecil”.") % {"n": number})
        name_id, _bar, name_en = (part.strip() for part in name.partition("|"))
        values.append({"key": key, "name": _localized_value(name_id or key, name_en)})
    return values


def values_text(values: Iterable[Any]) -> str:
    """The inverse of :func:`parse_values`, to show stored choices in the form."""
    lines = []
    for value in values or []:
        if isinstance(value, Mapping):
            key = _text(value.get("key"))
            name_id, name_en = _localized_pair(value.get("name"))
            name = f"{name_id} | {name_en}" if name_en else name_id
            lines.append(key if name in ("", key) else f"{key}={name}")
        else:
            lines.append(_text(value))
    return "\n".join(lines)


def attribute_form_initial(spec: Mapping[str, Any], position: int) -> dict[str, Any]:
    """One stored attribute as the fields of a row of the attributes form."""
    description_id, description_en = _localized_pair(spec.get("description"))
    hint_id, _hint_en = _localized_pair(spec.get("datatype_description"))
    order = spec.get("order")
    return {
        "code": _text(spec.get("code")),
        "datatype": spec.get("datatype") if spec.get("datatype") in DATATYPES else "string",
        "required": bool(spec.get("required")),
        "order": order if isinstance(order, int) else position,
        "description_id": description_id,
        "description_en": description_en,
        "datatype_description": hint_id,
        "values": values_text(spec.get("values") or []),
    }


def clean_attribute(spec: Mapping[str, Any]) -> dict[str, Any]:
    """One Open311 attribute (an extra question of a category), checked; errors keyed by field."""
    errors: dict[str, list[str]] = {}
    code = _text(spec.get("code"))
    if not code:
        errors.setdefault("code", []).append(_("Give the question a code, such as size or lanes."))
    elif len(code) > ATTRIBUTE_CODE_MAX or not ATTRIBUTE_CODE_RE.match(code):
        errors.setdefault("code", []).append(
            _("Use at most %(max)s letters, digits, “-” or “_” for the code, with no spaces (for example size).")
            % {"max": ATTRIBUTE_CODE_MAX}
        )
    datatype = _text(spec.get("datatype"))
    if datatype not in DATATYPES:
        errors.setdefault("datatype", []).append(
            _("The answer type must be one of: %(types)s.") % {"types": ", ".join(DATATYPES)}
        )
    description_id, description_en = _localized_pair(spec.get("description"))
    if not description_id:
        errors.setdefault("description_id", []).append(
            _("Write the question as the citizen will read it (in Indonesian).")
        )
    order = spec.get("order")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool) or order < 0):
        errors.setdefault("order", []).append(_("The order is a whole number, 0 or more."))
    values: list[dict[str, Any]] = []
    for value in spec.get("values") or []:
        if isinstance(value, Mapping):
            name_id, name_en = _localized_pair(value.get("name"))
            key = _text(value.get("key"))
            values.append({"key": key, "name": _localized_value(name_id or key, name_en)})
        else:
            values.append({"key": _text(value), "name": _text(value)})
    if datatype in LIST_DATATYPES:
        if not values:
            errors.setdefault("values", []).append(
                _("A list question needs its choices: one a line, as key=name (for example s=Kecil).")
            )
        keys = [v["key"] for v in values]
        if any(not k for k in keys):
            errors.setdefault("values", []).append(_("Every choice needs a key."))
        repeated = sorted({k for k in keys if k and keys.count(k) > 1})
        if repeated:
            errors.setdefault("values", []).append(
                _("Each choice needs its own key; repeated: %(keys)s.") % {"keys": ", ".join(repeated)}
            )
    elif values and datatype in DATATYPES:
        errors.setdefault("values", []).append(
            _("Only list questions have choices: clear them, or choose a single or multiple choice list.")
        )
    if errors:
        raise ValidationError(errors)
    cleaned: dict[str, Any] = {
        "code": code,
        "datatype": datatype,
        "required": bool(spec.get("required")),
        "order": order,
        "description": _localized_value(description_id, description_en),
        "values": values,
    }
    hint_id, hint_en = _localized_pair(spec.get("datatype_description"))
    if hint_id:
        cleaned["datatype_description"] = _localized_value(hint_id, hint_en)
    return cleaned


def repeated_codes(codes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for code in codes:
        if code in seen and code not in repeated:
            repeated.append(code)
        seen.add(code)
    return repeated


def clean_attributes(specs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A category's questions, each checked, codes unique, sorted by their order (numbered from 1)."""
    cleaned: list[dict[str, Any]] = []
    messages: list[str] = []
    for position, spec in enumerate(specs or [], start=1):
        if not isinstance(spec, Mapping):
            messages.append(_("Question %(n)s is not a question.") % {"n": position})
            continue
        try:
            row = clean_attribute(spec)
        except ValidationError as exc:
            for error in exc.messages:
                messages.append(_("Question %(n)s: %(error)s") % {"n": position, "error": error})
            continue
        if row["order"] is None:
            row["order"] = position
        cleaned.append(row)
    repeated = repeated_codes(row["code"] for row in cleaned)
    if repeated:
        messages.append(_("Each question needs its own code; repeated: %(codes)s.") % {"codes": ", ".join(repeated)})
    if messages:
        raise ValidationError({"attributes": messages})
    cleaned.sort(key=lambda row: row["order"])
    for number, row in enumerate(cleaned, start=1):
        row["order"] = number  # what the Open311 service definition reports
    return cleaned


# ------------------------------------------------------------------------------------------ categories
def check_category(fields: dict[str, Any], *, current: Category | None = None) -> dict[str, Any]:
    """The rules every category obeys; ``fields`` are only the ones being set."""
    errors: dict[str, list[str]] = {}
    for name in ("name_id", "name_en", "description_id", "description_en", "keywords"):
        if name in fields:
            fields[name] = _text(fields[name])
    for name, label in (("name_id", _("Indonesian")), ("name_en", _("English"))):
        if name in fields and not fields[name]:
            errors.setdefault(name, []).append(_("The %(language)s name is required.") % {"language": label})
    if "classification" in fields and fields["classification"] not in Classification.values:
        errors.setdefault("classification", []).append(
            _("Choose aspirasi, pengaduan or permintaan informasi as the classification.")
        )
    first = fields.get("first_response_days", current.first_response_days if current else None)
    resolution = fields.get("resolution_days", current.resolution_days if current else None)
    if "first_response_days" in fields and not (isinstance(first, int) and 1 <= first <= MAX_DAYS):
        errors.setdefault("first_response_days", []).append(
            _("The first response is due within 1 to %(max)s working days (LAPOR!: 3).") % {"max": MAX_DAYS}
        )
    if "resolution_days" in fields or "first_response_days" in fields:
        if not isinstance(resolution, int) or resolution > MAX_DAYS or resolution < 1:
            errors.setdefault("resolution_days", []).append(
                _("The resolution is due within at most %(max)s working days (LAPOR!: 5, 14 or 60).")
                % {"max": MAX_DAYS}
            )
        elif isinstance(first, int) and resolution < first:
            errors.setdefault("resolution_days", []).append(
                _("The resolution cannot be due before the first response (%(first)s working days).") % {"first": first}
            )
    if "sort_order" in fields and not (isinstance(fields["sort_order"], int) and fields["sort_order"] >= 0):
        errors.setdefault("sort_order", []).append(_("The order is a whole number, 0 or more."))
    if fields.get("default_unit") is not None:
        try:
            check_office(fields["default_unit"], "default_unit")
        except ValidationError as exc:
            errors.setdefault("default_unit", []).extend(exc.messages)
    if "attributes" in fields:
        try:
            fields["attributes"] = clean_attributes(fields["attributes"] or [])
        except ValidationError as exc:
            errors.setdefault("attributes", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return fields


def _code_taken(code: str) -> ValidationError:
    return ValidationError(
        {"code": _("The code %(code)s is already used by another category.") % {"code": code}}, code="unique"
    )


def check_code(code: str) -> str:
    """A new category's code: plain, and not used by another category."""
    code = _text(code)
    if not code:
        raise ValidationError({"code": _("The code is required, for example lampu-jalan.")})
    if len(code) > CODE_MAX or not CODE_RE.match(code):
        raise ValidationError(
            {
                "code": _(
                    "Use at most %(max)s lower-case letters, digits, “-” or “_” for the code, starting with a letter "
                    "or digit and with no spaces (for example lampu-jalan)."
                )
                % {"max": CODE_MAX}
            }
        )
    if Category.objects.filter(code=code).exists():
        raise _code_taken(code)
    return code


def category_create(
    *,
    actor: Any,
    code: str,
    name_id: str,
    name_en: str,
    description_id: str = "",
    description_en: str = "",
    classification: str = Classification.PENGADUAN,
    first_response_days: int = 3,
    resolution_days: int = 5,
    default_unit: OrgUnit | None = None,
    attributes: list[dict[str, Any]] | None = None,
    keywords: str = "",
    sort_order: int = 100,
) -> Category:
    """A new category, which is also a new Open311 service (its code is the service_code)."""
    _require_categories(actor)
    code = check_code(code)
    fields = check_category(
        {
            "name_id": name_id,
            "name_en": name_en,
            "description_id": description_id,
            "description_en": description_en,
            "classification": classification,
            "first_response_days": first_response_days,
            "resolution_days": resolution_days,
            "default_unit": default_unit,
            "attributes": attributes or [],
            "keywords": keywords,
            "sort_order": sort_order,
        }
    )
    try:
        with transaction.atomic():
            category = Category.objects.create(code=code, **fields)
            audit_record(
                actor=actor,
                action="category.create",
                obj=category,
                changes=snapshot(category, CATEGORY_AUDIT_FIELDS),
            )
    except IntegrityError:  # created by someone else between the check and the insert
        raise _code_taken(code) from None
    # Its "received" indicator exists from now on, so the dashboard counts the category from its first report.
    sync_category_indicators(actor=actor)
    return category


def category_update(*, actor: Any, category: Category, **fields: Any) -> Category:
    """Change a category; its code stays, since Open311 apps and exports know the category by it."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _require_categories(actor)
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        fields = check_category(dict(fields), current=category)
        before = snapshot(category, CATEGORY_AUDIT_FIELDS)
        for name, value in fields.items():
            setattr(category, name, value)
        category.save()
        changes = changes_between(before, snapshot(category, CATEGORY_AUDIT_FIELDS))
        if changes:
            audit_record(actor=actor, action="category.update", obj=category, changes=changes)
    if {"name_id", "name_en"} & set(changes):
        sync_category_indicators(actor=actor)  # the indicator's name follows the category's
    return category


def category_set_active(*, actor: Any, category: Category, active: bool) -> Category:
    """Deactivate (or bring back) a category: an inactive one is not offered to citizens nor Open311 apps;
    its reports keep it."""
    _require_categories(actor)
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        if category.is_active != active:
            category.is_active = active
            category.save(update_fields=["is_active", "updated_at"])  # updated_at: the stamp web processes check
            audit_record(
                actor=actor,
                action="category.activate" if active else "category.deactivate",
                obj=category,
                changes={"is_active": {"before": not active, "after": active}},
            )
    return category


def category_delete(*, actor: Any, category: Category) -> None:
    """Only a category nobody has reported under yet (a typo) can go; any other is deactivated instead."""
    _require_categories(actor)
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        reports = Complaint.objects.filter(category=category).count()
        if reports:
            raise ValidationError(
                _(
                    "%(name)s has %(n)s reports, so it cannot be deleted: deactivate it instead. "
                    "Its reports keep it, and nobody can choose it any more."
                )
                % {"name": category.name, "n": reports},
                code="has_reports",
            )
        audit_record(
            actor=actor,
            action="category.delete",
            obj=category,
            changes=snapshot(category, CATEGORY_AUDIT_FIELDS),
        )
        category.delete()


@dataclass
class CategoryRow:
    category: Category
    open_reports: int
    reports: int
    rules: int


def category_rows() -> list[CategoryRow]:
    """Every category with its report and routing rule counts, in three grouped queries."""
    categories = list(Category.objects.select_related("default_unit"))
    counts: dict[int, tuple[int, int]] = {
        category: (total, open_)
        for category, total, open_ in Complaint.objects.order_by()
        .values("category")
        .annotate(total=Count("id"), open=Count("id", filter=Q(status__in=list(OPEN_STATUSES))))
        .values_list("category", "total", "open")
    }
    rules: dict[int, int] = dict(
        RoutingRule.objects.order_by().values("category").annotate(n=Count("id")).values_list("category", "n")
    )
    return [
        CategoryRow(
            category=c,
            open_reports=counts.get(c.pk, (0, 0))[1],
            reports=counts.get(c.pk, (0, 0))[0],
            rules=rules.get(c.pk, 0),
        )
        for c in categories
    ]


# ------------------------------------------------------------------------------------------ routing rules
def _rule_exists_error(rule: RoutingRule) -> ValidationError:
    return ValidationError(
        {
            "territory": _(
                "%(category)s in %(territory)s already goes to %(unit)s. Delete that rule first to send it elsewhere."
            )
            % {"category": rule.category.name, "territory": rule.territory.name, "unit": rule.unit.name}
        },
        code="unique",
    )


def routing_rule_add(*, actor: Any, category: Category, territory: OrgUnit, unit: OrgUnit) -> RoutingRule:
    """Reports of ``category`` in the kelurahan ``territory`` are suggested to ``unit`` at verification."""
    _require_categories(actor)
    check_territory(territory)
    check_office(unit, "unit")
    existing = RoutingRule.objects.filter(category=category, territory=territory).select_related(
        "category", "territory", "unit"
    )
    if existing.exists():
        raise _rule_exists_error(existing.get())
    try:
        with transaction.atomic():
            rule = RoutingRule.objects.create(category=category, territory=territory, unit=unit)
            audit_record(
                actor=actor,
                action="routing_rule.create",
                obj=rule,
                org_unit=territory,
                changes={"category": category.code, "territory": territory.code, "unit": unit.code},
                object_repr=f"{category.code} @ {territory.code} → {unit.code}",
            )
    except IntegrityError:  # the same rule added at the same moment by someone else
        raise _rule_exists_error(existing.get()) from None
    return rule


def routing_rule_delete(*, actor: Any, rule: RoutingRule) -> None:
    _require_categories(actor)
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update().select_related("category", "territory", "unit").get(pk=rule.pk)
        audit_record(
            actor=actor,
            action="routing_rule.delete",
            obj=rule,
            org_unit=rule.territory,
            changes={"category": rule.category.code, "territory": rule.territory.code, "unit": rule.unit.code},
            object_repr=f"{rule.category.code} @ {rule.territory.code} → {rule.unit.code}",
        )
        rule.delete()


def routing_rules(*, category: Category | None = None, area: OrgUnit | None = None) -> QuerySet[RoutingRule]:
    """The rules, optionally of one category and within one kecamatan or kelurahan."""
    qs = RoutingRule.objects.select_related("category", "territory", "territory__parent", "unit")
    if category is not None:
        qs = qs.filter(category=category)
    if area is not None:
        qs = qs.filter(territory__path__startswith=area.path)
    return qs.order_by("category__sort_order", "category__code", "territory__path")


def routing_rules_import_csv(*, actor: Any, content: bytes | str, dry_run: bool = False) -> ImportReport:
    """Rules from CSV ``category_code,kelurahan_code,unit_code``; a kelurahan already routed gets the new unit.

    All or nothing: a file with any bad row changes nothing, and the report says which rows and why.
    """
    from balai.core.csvio import read_csv

    _require_categories(actor)
    table = read_csv(content, ROUTING_CSV_HEADERS)
    if not table.rows:
        raise ValidationError(_("The file has a header but no rules."))
    categories = {c.code: c for c in Category.objects.filter(code__in={r["category_code"] for r in table.rows})}
    unit_codes = {r["kelurahan_code"] for r in table.rows} | {r["unit_code"] for r in table.rows}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=unit_codes)}
    existing = {
        (r.category_id, r.territory_id): r
        for r in RoutingRule.objects.filter(category__in=categories.values()).select_related("unit")
    }
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}
    changed: list[str] = []
    with transaction.atomic():
        for line, row in enumerate(table.rows, start=2):
            try:
                category = categories.get(row["category_code"])
                if category is None:
                    raise ValidationError(
                        _("no category has the code %(code)s") % {"code": row["category_code"] or "-"}
                    )
                territory = units.get(row["kelurahan_code"])
                if territory is None:
                    raise ValidationError(
                        _("no kelurahan has the code %(code)s") % {"code": row["kelurahan_code"] or "-"}
                    )
                check_territory(territory)
                unit = units.get(row["unit_code"])
                if unit is None:
                    raise ValidationError(_("no unit has the code %(code)s") % {"code": row["unit_code"] or "-"})
                check_office(unit, "unit")
                key = (category.code, territory.code)
                if key in seen:
                    raise ValidationError(
                        _("line %(line)s already routes %(category)s in %(territory)s")
                        % {"line": seen[key], "category": category.code, "territory": territory.code}
                    )
                seen[key] = line
                rule = existing.get((category.pk, territory.pk))
                if rule is not None and rule.unit_id == unit.pk:
                    report.rows.append(RowResult(line, "ignored", _("unchanged")))
                    continue
                if rule is not None:
                    report.rows.append(
                        RowResult(line, "updated", _("%(old)s → %(new)s") % {"old": rule.unit.name, "new": unit.name})
                    )
                    RoutingRule.objects.filter(pk=rule.pk).update(unit=unit)
                else:
                    report.rows.append(RowResult(line, "created", f"{category.name} · {territory.name} → {unit.name}"))
                    RoutingRule.objects.create(category=category, territory=territory, unit=unit)
                changed.append(f"{category.code}@{territory.code}={unit.code}")
            except ValidationError as exc:
                report.rows.append(RowResult(line, "error", "; ".join(exc.messages)))
        if dry_run or report.has_errors:
            transaction.set_rollback(True)
        else:
            audit_record(
                actor=actor,
                action="routing_rule.import",
                changes={
                    "created": report.count("created"),
                    "updated": report.count("updated"),
                    "rules": changed,
                },
            )
    return report


# ------------------------------------------------------------------------------------------ Open311 apps
def open311_client_revoke(*, actor: Any, client: Open311Client) -> Open311Client:
    """The app's key stops working at once (its requests get 403); the app stays listed, as a record."""
    _require_open311(actor)
    with transaction.atomic():
        client = Open311Client.objects.select_for_update().get(pk=client.pk)
        if client.is_active:
            client.is_active = False
            client.save(update_fields=["is_active"])
            audit_record(
                actor=actor,
                action="open311_client.revoke",
                obj=client,
                changes={"name": client.name, "key_prefix": client.key_prefix},
            )
    return client


def open311_clients() -> QuerySet[Open311Client]:
    return Open311Client.objects.order_by("-is_active", "name", "pk")

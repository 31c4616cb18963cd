"""A new row and the rows that hang off it (its first history entry, its audit event...), in one round trip.

A citizen report is five INSERTs: the report, its first timeline entry, its followers, its audit event and
the dirty marks of its indicators. Through the ORM that is seven round trips with BEGIN and COMMIT, and the
save machinery of five model instances: about half of a report's CPU in the web worker (bench/
intake_profile.py). On PostgreSQL :func:`insert_family` sends them as one statement, data-modifying CTEs
whose children take the parent's new key, so the statement is its own transaction: nothing to BEGIN or
COMMIT, all or nothing. SQLite has no data-modifying CTEs: there the same rows go through ``save()`` in one
transaction. Both give the same rows (tested on PostgreSQL with both).

Only plain INSERTs of the instances' own field values: no signals are sent (none of these models has a
receiver), no expressions are resolved, and the children are not given their new primary keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from django.db import connections, router, transaction
from django.db.models import Field, Model

#: How a child refers to its parent: the parent's key as it is, or as text (an audit event's object_id).
Link = Literal["key", "key_text"]


@dataclass
class Child:
    obj: Model
    links: dict[str, Link]  # attname -> how the parent's new key goes there


@dataclass
class Family:
    parent: Model
    children: list[Child] = field(default_factory=list)
    #: Statements that need no key of the parent (e.g. the dirty marks of indicators): (sql, params).
    extra: list[tuple[str, Sequence[Any]]] = field(default_factory=list)


@cache
def _columns(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """The columns an INSERT of ``model`` writes: every local concrete field but an automatic primary key."""
    fields = tuple(
        f
        for f in model._meta.local_concrete_fields
        if not f.db_returning and not f.generated  # the automatic key comes back, a generated column is computed
    )
    odd = [f.name for f in fields if hasattr(f, "get_placeholder")]
    if odd:  # their values need SQL of their own around the placeholder (binary, arrays, geometry)
        raise TypeError(f"insert_family cannot write {model.__name__}.{', '.join(odd)}")
    return fields


def _values(obj: Model, connection: Any) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in _columns(type(obj))]


def insert_family(family: Family, *, one_statement: bool | None = None) -> None:
    """INSERT the parent, then its children with the parent's new key, then the extra statements.

    Sets the parent's primary key. ``one_statement``: None chooses by database (PostgreSQL: yes); tests
    force either. A unique violation (IntegrityError) leaves nothing written; inside a caller's transaction
    wrap the call in a savepoint to go on after one.
    """
    parent = family.parent
    alias = router.db_for_write(type(parent))
    connection = connections[alias]
    if one_statement is None:
        one_statement = connection.vendor == "postgresql"
    if one_statement:
        parent.pk = _one_statement(family, connection)
    else:
        with transaction.atomic(using=alias):
            parent.save(force_insert=True, using=alias)
            for child in family.children:
                for attname, link in child.links.items():
                    setattr(child.obj, attname, parent.pk if link == "key" else str(parent.pk))
                child.obj.save(force_insert=True, using=alias)
            with connection.cursor() as cursor:
                for sql, params in family.extra:
                    cursor.execute(sql, params)
    parent._state.adding = False
    parent._state.db = alias


# The SQL below is built from the models' own table and column names, quoted; every value is a parameter.
# ruff: noqa: S608


def _one_statement(family: Family, connection: Any) -> Any:
    qn = connection.ops.quote_name
    parent = family.parent
    opts = parent._meta
    columns = _columns(type(parent))
    ctes = [
        f"p AS (INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {qn(opts.pk.column)})"
    ]
    params: list[Any] = _values(parent, connection)
    key = f"(SELECT {qn(opts.pk.column)} FROM p)"
    key_sql: dict[Link, str] = {"key": key, "key_text": f"CAST({key} AS text)"}
    by_table: dict[type[Model], list[Child]] = {}
    for child in family.children:
        by_table.setdefault(type(child.obj), []).append(child)
    for n, (model, children) in enumerate(by_table.items()):
        columns = _columns(model)
        rows = []
        for child in children:
            placeholders = []
            for f, value in zip(columns, _values(child.obj, connection), strict=True):
                link = child.links.get(f.attname)
                if link is None:
                    placeholders.append("%s")
                    params.append(value)
                else:
                    placeholders.append(key_sql[link])
            rows.append(f"({', '.join(placeholders)})")
        ctes.append(
            f"c{n} AS (INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in columns)}) "
            f"VALUES {', '.join(rows)})"
        )
    for n, (sql, extra_params) in enumerate(family.extra):
        ctes.append(f"x{n} AS ({sql})")
        params.extend(extra_params)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT {qn(opts.pk.column)} FROM p", params)
        return cursor.fetchone()[0]

"""Many citizen reports fast, for the benchmarks at 1 M: COPY on PostgreSQL, one executemany on SQLite.

The org tree, the categories and the routing rules come from the demo loader (``balai demo``); this adds
N reports spread over two years the way the demo's own reports are (categories by weight, channels, every
kelurahan of the city, points around the kelurahan's centroid) and walks them through the LAPOR! workflow
by their age: most old reports are resolved or closed, a few are stuck, the newest are still incoming.
Each report gets the timeline the services would have written (received, disposition, responses, closing).

Rows are written directly, not through ``complaint_submit``: a million service calls would take hours.
Like the demo's bulk rows, each batch leaves one audit event that says where the rows came from. The
complaint indicators (Facts) are not rebuilt: no benchmark here reads them.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from balai.complaints.choices import Channel, Status, UpdateKind
from balai.complaints.demo import CATEGORIES, CHANNEL_WEIGHTS, seed_categories
from balai.complaints.models import Category, Complaint, ComplaintUpdate
from balai.complaints.services import CODE_ALPHABET, suggested_unit
from balai.core.audit import audit_record
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, User
from balai.org.roles import Role
from balai.org.selectors import pemda_root
from balai.workdays.selectors import PERPRES_21_2023, working_days_add

BATCH = 50_000
DAYS = 730
PASSWORD = "Bench-Balai-2026!"  # noqa: S105 - throwaway bench database users
DESK_USER = "bench.desk"
#: One operator per agency that receives reports; the unit-operator measurement signs in as DISHUB's.
UNIT_USER = "bench.op.{code}"
UNIT_MEASURED = "DISHUB"

# Share of reports with each fate, for a report old enough to have reached it (the rest are resolved).
ARCHIVED, NOT_AUTHORITY, DUPLICATE = 0.04, 0.02, 0.03
STUCK = 0.01  # never handled: still received or postponed, however old (the desk's backlog)
LOCATED = 0.9  # reports with a map point (web pin, shared location, photo GPS)
ANONYMOUS, CONFIDENTIAL, HIDDEN = 0.10, 0.05, 0.005
ASSIGNED = 0.4  # verified reports given to a named officer of the unit

COMPLAINT_COLUMNS = [str(f.column) for f in Complaint._meta.concrete_fields]
UPDATE_COLUMNS = [str(f.column) for f in ComplaintUpdate._meta.concrete_fields]
STREETS = ["A. Yani", "Panglima Batur", "Trikora", "Karang Anyar", "Mistar Cokrokusumo", "Sukamara", "Golf"]
NAMES = ["Rahmat", "Siti", "Ahmad", "Nur", "Gusti", "Fitri", "Budi", "Dewi", "Hendra", "Rina"]
LANDMARKS = ["dekat masjid", "depan sekolah", "samping pasar", "di gang buntu", "dekat puskesmas", "di perempatan"]


def _code(n: int) -> str:
    """The n-th code of a fixed shuffle of all 25^6 codes: unique without a set of a million strings."""
    space = len(CODE_ALPHABET) ** 6
    x = (n * 48_271 + 12_345) % space  # 48271 is prime to 25^6, so this permutes the code space
    chars = []
    for _ in range(6):
        x, r = divmod(x, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


class Deadlines:
    """working_days_add per (intake day, before closing time?, days): a few thousand calls, not millions."""

    def __init__(self, pemda: OrgUnit, zone: dt.tzinfo) -> None:
        self.pemda, self.zone = pemda, zone
        self.cache: dict[tuple[dt.date, bool, int], dt.datetime] = {}

    def __call__(self, at: dt.datetime, days: int) -> dt.datetime:
        local = at.astimezone(self.zone)
        day = local.date()
        # Only whether it came before closing time matters (weekends: never a working day anyway).
        key = (day, day.weekday() < 5 and local.time() < PERPRES_21_2023.closing(day), days)
        due = self.cache.get(key)
        if due is None:
            due = self.cache[key] = working_days_add(self.pemda, at, days)
        return due


def bench_users(root: OrgUnit) -> dict[str, User]:
    """The complaint desk and one operator per agency that handles reports (idempotent)."""
    users: dict[str, User] = {}
    wanted = [(DESK_USER, root)] + [
        (UNIT_USER.format(code=u.code.lower()), u)
        for u in OrgUnit.objects.filter(code__in=sorted({c[3] for c in CATEGORIES}))
    ]
    for username, unit in wanted:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = org.user_create(actor=None, username=username, full_name=username, password=PASSWORD)
            org.role_assign(actor=None, user=user, role=Role.SKPD_OPERATOR, org_unit=unit)
        users[username] = user
    return users


def generate(n: int, *, seed: int = 2026, days: int = DAYS, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Add ``n`` reports (and their timelines) to a database that holds the demo city; returns what it did."""
    root = pemda_root()
    if root is None:
        raise SystemExit("load the demo first (balai demo): the reports need its kelurahan and agencies")
    started = time.perf_counter()
    categories = seed_categories(root)
    users = bench_users(root)
    zone = zoneinfo.ZoneInfo(root.time_zone or "Asia/Makassar")
    kelurahan = list(
        OrgUnit.objects.filter(path__startswith=root.path, kind__in=[UnitKind.KELURAHAN, UnitKind.DESA]).order_by(
            "code"
        )
    )
    if not kelurahan:
        raise SystemExit("the demo city has no kelurahan")
    routes = {
        (spec[0], kel.pk): suggested_unit(category=categories[spec[0]], territory=kel)
        for spec in CATEGORIES
        for kel in kelurahan
    }
    officers = {user.role_assignments.get().org_unit_id: user.pk for name, user in users.items() if name != DESK_USER}
    rows = _Rows(
        rng=random.Random(f"{seed}-bench-complaints"),
        categories=categories,
        kelurahan=kelurahan,
        routes={k: (u.pk, u.name) if u else None for k, u in routes.items()},
        officers=officers,
        deadlines=Deadlines(root, zone),
        now=timezone.now(),
        days=days,
        complaint_id=(Complaint.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
        update_id=(ComplaintUpdate.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
        code_offset=Complaint.objects.count() + seed,
    )
    existing = set(Complaint.objects.values_list("tracking_code", flat=True))
    made = updates = 0
    write = _writer()
    tables = [Complaint._meta.db_table, ComplaintUpdate._meta.db_table]
    dropped = _drop_indexes(tables)
    try:
        while made < n:
            size = min(BATCH, n - made)
            complaints, timeline = rows.batch(size, existing)
            with transaction.atomic():
                write(Complaint._meta.db_table, COMPLAINT_COLUMNS, complaints)
                write(ComplaintUpdate._meta.db_table, UPDATE_COLUMNS, timeline)
                audit_record(
                    actor=None,
                    action="complaint.bulk_create",
                    org_unit=root,
                    object_repr="Citizen reports (bench)",
                    changes={"count": len(complaints), "updates": len(timeline), "channel": "bench"},
                )
            made += len(complaints)
            updates += len(timeline)
            if log:
                log(f"    {made:,} reports, {updates:,} updates, {time.perf_counter() - started:.0f} s")
    finally:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in dropped:
                cursor.execute(sql)
        index_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Complaint, ComplaintUpdate]):
            cursor.execute(sql)
    load_s = time.perf_counter() - started
    analyze_s = 0.0
    # A live server has planner statistics (autovacuum); a table filled a second ago has none. VACUUM also
    # marks the pages all-visible, as autovacuum would, but cannot run inside a transaction (tests).
    start = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE complaints_complaint")
            cursor.execute("VACUUM ANALYZE complaints_complaintupdate")
        else:
            cursor.execute("ANALYZE")
    analyze_s = time.perf_counter() - start
    return {
        "reports": made,
        "updates": updates,
        "load_s": load_s,
        "index_s": index_s,
        "analyze_s": analyze_s,
        "indexes_rebuilt": len(dropped),  # and foreign keys on PostgreSQL
    }


def _drop_indexes(tables: list[str]) -> list[str]:
    """Drop the plain indexes of ``tables`` (and PostgreSQL's foreign keys), return the SQL that restores them.

    PostgreSQL's advice for populating a database: building an index once over a million rows, and checking
    a foreign key in one pass, is several times faster than keeping them up to date row by row. Re-adding the
    foreign keys checks every generated row. Primary keys and unique constraints stay throughout.
    """
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
                [tables],
            )
            for table, name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})",
                tables,
            )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f'DROP INDEX "{name}"')
    # Indexes first: the foreign-key checks then find the referenced rows by index.
    return [sql for _name, sql in found] + restore


def _writer() -> Callable[[str, list[str], list[tuple[Any, ...]]], None]:
    if connection.vendor == "postgresql":

        def copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
            connection.ensure_connection()
            raw = connection.connection
            assert raw is not None
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
                for row in rows:
                    out.write_row(row)

        return copy

    def executemany(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        with connection.cursor() as cursor:
            cursor.executemany(sql, [tuple(_sqlite(v) for v in row) for row in rows])

    return executemany


def _sqlite(value: Any) -> Any:
    """What Django's SQLite backend stores: naive UTC text for datetimes."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return value


class _Rows:
    def __init__(
        self,
        *,
        rng: random.Random,
        categories: dict[str, Category],
        kelurahan: Sequence[OrgUnit],
        routes: dict[tuple[str, int], tuple[int, str] | None],
        officers: dict[int, int],
        deadlines: Deadlines,
        now: dt.datetime,
        days: int,
        complaint_id: int,
        update_id: int,
        code_offset: int,
    ) -> None:
        self.rng = rng
        self.specs = CATEGORIES
        self.weights = [c[5] for c in CATEGORIES]
        self.categories = categories
        self.kelurahan = kelurahan
        self.routes = routes
        self.officers = officers
        self.deadlines = deadlines
        self.now = now
        self.first = now - dt.timedelta(days=days)
        self.span_s = days * 86_400
        self.channels = [c for c, _w in CHANNEL_WEIGHTS]
        self.channel_weights = [w for _c, w in CHANNEL_WEIGHTS]
        self.complaint_id = complaint_id
        self.update_id = update_id
        self.code_n = code_offset
        self.recent_ids: list[tuple[int, str]] = []  # (id, code) of earlier reports, for duplicates

    def _code(self, received: dt.datetime, existing: set[str]) -> str:
        while True:
            self.code_n += 1
            code = f"AD{received:%y}-{_code(self.code_n)}"
            if code not in existing:
                return code

    def batch(self, size: int, existing: set[str]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rng = self.rng
        # Received times sorted within the batch, so ids grow with time as they do in production.
        offsets = sorted(rng.random() * self.span_s for _ in range(size))
        specs = rng.choices(self.specs, weights=self.weights, k=size)
        channels = rng.choices(self.channels, weights=self.channel_weights, k=size)
        complaints: list[tuple[Any, ...]] = []
        timeline: list[tuple[Any, ...]] = []
        for offset, spec, channel in zip(offsets, specs, channels, strict=True):
            received = self.first + dt.timedelta(seconds=offset)
            complaint, steps = self._one(received, spec, channel, existing)
            complaints.append(complaint)
            timeline.extend(steps)
        return complaints, timeline

    def _update(
        self,
        complaint_id: int,
        kind: str,
        at: dt.datetime,
        text: str,
        *,
        status_from: str = "",
        status_to: str = "",
        unit_id: int | None = None,
        author_id: int | None = None,
        is_public: bool = True,
    ) -> tuple[Any, ...]:
        row = (self.update_id, complaint_id, kind, author_id, status_from, status_to, unit_id, text, is_public, at)
        self.update_id += 1
        return row

    def _one(
        self, received: dt.datetime, spec: tuple[Any, ...], channel: str, existing: set[str]
    ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        rng, now = self.rng, self.now
        pk = self.complaint_id
        self.complaint_id += 1
        code = self._code(received, existing)
        category = self.categories[spec[0]]
        kel = rng.choice(self.kelurahan)
        lat = lon = None
        if rng.random() < LOCATED and kel.latitude is not None and kel.longitude is not None:
            lat = round(kel.latitude + rng.gauss(0, 0.006), 6)
            lon = round(kel.longitude + rng.gauss(0, 0.006), 6)
        first_due = self.deadlines(received, category.first_response_days)
        resolution_due = self.deadlines(received, category.resolution_days)
        status: str = Status.RECEIVED
        title, unit_id, assignee_id, duplicate_of, authority = "", None, None, None, ""
        verified_at = first_response_at = resolved_at = closed_at = None
        rating = None
        updated = received
        steps = [self._update(pk, UpdateKind.STATUS, received, "Report received.", status_to=Status.RECEIVED)]

        def status_step(at: dt.datetime, to: str, text: str, kind: str = UpdateKind.STATUS) -> None:
            nonlocal status, updated
            steps.append(self._update(pk, kind, at, text, status_from=status, status_to=to, unit_id=unit_id))
            status, updated = to, at

        fate = rng.random()
        decided = received + dt.timedelta(hours=rng.randint(1, 60))
        if fate < STUCK or decided > now:
            if rng.random() < 0.15 and decided <= now:
                first_response_at = decided
                status_step(decided, Status.POSTPONED, "Foto kurang jelas, mohon kirim ulang.")
        elif fate < STUCK + ARCHIVED:
            first_response_at = closed_at = decided
            status_step(decided, Status.ARCHIVED, "Bukan laporan (spam).")
        elif fate < STUCK + ARCHIVED + NOT_AUTHORITY:
            first_response_at = closed_at = decided
            authority = "PLN UP3 Banjarbaru"
            status_step(decided, Status.NOT_AUTHORITY, f"Not the authority of the Pemda; handled by {authority}.")
        elif fate < STUCK + ARCHIVED + NOT_AUTHORITY + DUPLICATE and self.recent_ids:
            first_response_at = closed_at = decided
            duplicate_of, original_code = rng.choice(self.recent_ids)
            status_step(decided, Status.DUPLICATE, f"Same problem as report {original_code}: follow that report.")
        else:
            route = self.routes[(spec[0], kel.pk)]
            if route is not None:
                unit_id, unit_name = route
                title = category.name_id
                verified_at = first_response_at = decided
                status_step(
                    decided, Status.VERIFIED, f"Verified and forwarded to {unit_name}.", kind=UpdateKind.DISPOSITION
                )
                if rng.random() < ASSIGNED:
                    assignee_id = self.officers.get(unit_id)
                started = decided + dt.timedelta(hours=rng.randint(2, 48))
                if started <= now:
                    status_step(
                        started, Status.IN_PROGRESS, "Sedang ditindaklanjuti oleh petugas.", kind=UpdateKind.RESPONSE
                    )
                    # Roads take weeks (60 working days allowed); street lights and parking take days.
                    hours = rng.randint(4, 24 * (40 if spec[4] >= 60 else 12))
                    resolved = started + dt.timedelta(hours=hours)
                    if rng.random() < 0.1 and resolved <= now:
                        status_step(
                            started + dt.timedelta(hours=hours // 2),
                            Status.WAITING,
                            "Menunggu tindak lanjut dari unit lain.",
                            kind=UpdateKind.RESPONSE,
                        )
                    if resolved <= now and rng.random() < 0.97:
                        resolved_at = resolved
                        status_step(
                            resolved, Status.RESOLVED, "Sudah ditangani. Terima kasih.", kind=UpdateKind.RESPONSE
                        )
                        if rng.random() < 0.3:
                            rating = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 4])[0]
                        close = resolved + dt.timedelta(days=15)
                        if close <= now and rng.random() < 0.7:
                            closed_at = close
                            status_step(close, Status.CLOSED, "Closed.")
        if len(self.recent_ids) < 500:
            self.recent_ids.append((pk, code))
        else:
            self.recent_ids[rng.randrange(500)] = (pk, code)
        anonymous = rng.random() < ANONYMOUS
        ref = f"62{rng.randint(8_110_000_000, 8_139_999_999)}" if channel in (Channel.WHATSAPP,) else ""
        if channel == Channel.TELEGRAM:
            ref = str(rng.randint(10_000_000, 999_999_999))
        text = f"{rng.choice(spec[6])} Lokasi {rng.choice(LANDMARKS)}, Jl. {rng.choice(STREETS)}."
        row = (
            pk,
            code,
            channel,
            category.pk,
            category.classification,
            title,
            text,
            "",  # public_description
            "[]",  # tags
            status,
            kel.pk,
            unit_id,
            assignee_id,
            lat,
            lon,
            f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 200)}",
            rng.choice(NAMES),
            f"08{rng.randint(1_100_000_000, 1_399_999_999)}",
            "",  # reporter_email
            ref,
            anonymous,
            rng.random() < CONFIDENTIAL,
            rng.random() < HIDDEN,
            duplicate_of,
            authority,
            "{}",  # attributes
            received,
            first_due,
            resolution_due,
            verified_at,
            first_response_at,
            resolved_at,
            closed_at,
            None,  # first_response_escalated_at
            None,  # resolution_escalated_at
            0,  # reopen_count
            rating,
            updated,
            len(steps),  # version: one per write
        )
        return row, steps


def check_columns() -> Iterator[str]:
    """The generator's tuples follow the model's column order; a new field must be added above."""
    expected = [
        "id",
        "tracking_code",
        "channel",
        "category_id",
        "classification",
        "title",
        "description",
        "public_description",
        "tags",
        "status",
        "territory_id",
        "unit_id",
        "assignee_id",
        "latitude",
        "longitude",
        "address",
        "reporter_name",
        "reporter_phone",
        "reporter_email",
        "reporter_ref",
        "is_anonymous",
        "is_confidential",
        "is_hidden",
        "duplicate_of_id",
        "not_authority_of",
        "attributes",
        "received_at",
        "first_response_due",
        "resolution_due",
        "verified_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "first_response_escalated_at",
        "resolution_escalated_at",
        "reopen_count",
        "rating",
        "updated_at",
        "version",
    ]
    if expected != COMPLAINT_COLUMNS:
        yield f"complaints_complaint columns changed: {COMPLAINT_COLUMNS}"
    updates = ["id", "complaint_id", "kind", "author_id", "status_from", "status_to", "unit_id", "text"]
    if [*updates, "is_public", "created_at"] != UPDATE_COLUMNS:
        yield f"complaints_complaintupdate columns changed: {UPDATE_COLUMNS}"

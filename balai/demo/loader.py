"""Load the demo Pemda, Kota Banjarbaru: real kecamatan and kelurahan, synthetic people and numbers.

Deterministic: the same seed, scale and day give the same units, ASN register and Facts. Writes go
through the service functions; only the bulk rows (RW/RT units and the ASN register) are written
with ``bulk_create``, because one service call per row would take minutes at ``--scale 10``. Each
bulk batch still leaves one audit event, so the audit log tells where those rows came from.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from balai.core.audit import audit_record
from balai.core.models import AuditEvent
from balai.core.scoping import PATH_SEGMENT
from balai.demo import facts as demo_facts
from balai.demo.accounts import ACCOUNTS, ADMIN_TOTP_SECRET, PASSWORD, ROOT
from balai.demo.agencies import AGENCIES, KECAMATAN_WEIGHT, KELURAHAN_WEIGHT
from balai.demo.people import Office, PeopleFactory, Person
from balai.indicators import services as indicators
from balai.indicators.models import Fact, FactRollup, Indicator, Target
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, Pegawai, User

ASN_PER_SCALE = 5000
MARKER = "demo.load"
BATCH = 1000


class DemoError(Exception):
    pass


@dataclass
class LoadReport:
    seed: int
    scale: int
    asn: int
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    token: str = ""


def loaded() -> dict[str, int] | None:
    """The options of the demo already in the database (seed, scale, asn), or None."""
    event = AuditEvent.objects.filter(action=MARKER).order_by("-id").first()
    if event is None or not User.objects.filter(username="admin").exists():
        return None
    return {k: int(event.changes.get(k, 0)) for k in ("seed", "scale", "asn")}


def load(
    *, seed: int = 2026, scale: int = 1, asn: int | None = None, log: Callable[[str], None] | None = None
) -> LoadReport:
    if scale < 1:
        raise DemoError("--scale must be 1 or more.")
    total_asn = ASN_PER_SCALE * scale if asn is None else asn
    if total_asn < 1:
        raise DemoError("--asn must be 1 or more.")
    other = OrgUnit.objects.roots().exclude(code=ROOT).first()
    if other is not None:
        raise DemoError(
            f"This database already holds {other.name} ({other.code}); the demo needs an empty "
            "database (use --reset to wipe it)."
        )
    report = LoadReport(seed=seed, scale=scale, asn=total_asn)
    started = time.perf_counter()
    clock = [started]

    def step(name: str) -> None:
        now = time.perf_counter()
        report.steps[name] = round(now - clock[0], 2)
        clock[0] = now
        if log:
            log(f"  {name:<28} {report.steps[name]:6.2f} s")

    # One transaction: a failure halfway leaves nothing behind, and SQLite writes far faster.
    with transaction.atomic():
        indicators.indicators_sync(actor=None)
        root = org.pemda_init(actor=None, wilayah_code=ROOT).root
        from balai.complaints.geo import centroids_load

        centroids_load(root)  # approximate kelurahan centroids: locate citizen reports, draw the public map
        tz = zoneinfo.ZoneInfo(root.time_zone or "Asia/Makassar")
        window = demo_facts.Window.ending(timezone.localdate(timezone=tz))
        # The holiday calendar that deadlines count working days on (national list of each year shown).
        from balai.workdays.master import available_years
        from balai.workdays.services import holidays_load_national

        for year in sorted({m.start.year for m in window.months} & set(available_years())):
            holidays_load_national(actor=None, pemda=root, year=year)
        step("kecamatan and kelurahan")
        agency_units = _agencies(root)
        step("perangkat daerah and UPTD")
        units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=root.path)}
        kelurahan = sorted(
            (u for u in units.values() if u.kind in (UnitKind.KELURAHAN, UnitKind.DESA)), key=lambda u: u.code
        )
        rw, rt = _neighbourhoods(random.Random(f"{seed}:territory"), root, kelurahan, scale)
        step("RW and RT")
        offices = _offices(units)
        people = _people(random.Random(f"{seed}:people"), root, units, offices, total_asn, window)
        step("ASN register")
        report.token = _accounts(units)
        step("demo accounts")
        headcount: dict[str, int] = {}
        for person in people:
            headcount[person.unit_code] = headcount.get(person.unit_code, 0) + 1
        kel_codes = [u.code for u in kelurahan]
        budgets = {a.code: a.budget for a in AGENCIES}
        for rows in (
            demo_facts.presence_rows(seed, window, headcount),
            demo_facts.population_rows(seed, window, kel_codes, scale),
            demo_facts.visit_rows(seed, window, kel_codes, scale),
            demo_facts.budget_rows(seed, window, budgets, scale),
        ):
            summary = indicators.facts_import(actor=None, rows=rows, channel="demo")
            if summary.conflicts:
                raise DemoError(
                    f"{len(summary.conflicts)} demo rows were refused, first: {summary.conflicts[0].as_dict()}"
                )
        step("facts")
        from balai.connectors.demo import seed_connectors

        seed_connectors(root, seed=seed)  # agency-app connectors with a month of pull history (no network)
        step("connectors")
        from balai.publicservices.demo import seed_catalogue

        seed_catalogue(root)  # the service catalogue and counters that visits, applications and SKM hang on
        step("service catalogue")
        from balai.queues.demo import seed_visits

        seed_visits(root, days=60, seed=seed)  # queue tickets and logbook visits on the counters just made
        step("queue visits")
        from balai.applications.demo import seed_applications

        seed_applications(root, seed=seed)
        step("online applications")
        from balai.skm.demo import seed_responses

        seed_responses(root, seed=seed)  # SKM answers of about a third of the citizens served
        step("SKM responses")
        from balai.complaints.demo import seed_reports

        # Activity scales with the city; the window shrinks so the demo loads in about the same time.
        seed_reports(root, days=max(3, 30 // scale), per_day=13.0 * scale, seed=seed)
        step("citizen reports")
        _targets(root, agency_units, window)
        from balai.indicators.demo import seed_admin

        seed_admin(root, years={m.start.year for m in window.months})  # computed rates per 1,000, more targets
        from balai.opendata.demo import seed_publishers

        seed_publishers(root)  # the perangkat daerah named as publisher of each open dataset
        from balai.scorecards.demo import seed_scorecards

        seed_scorecards(root, months=window.months)  # scorecards per unit kind, agencies' monthly budget targets
        indicators.module_facts_recompute(start=window.start, end=window.today)
        indicators.dirty_drain()
        step("module facts and roll-ups")
        from balai.dashboard.demo import seed_overview

        seed_overview(root, window.months)  # overview tiles per role, kecamatan on the map, city targets
        step("overview layout and map")
        from balai.alerts.demo import seed_rules

        seed_rules(root)  # alert rules on the Facts just computed, evaluated once
        step("alerts")
        report.seconds = round(time.perf_counter() - started, 2)
        report.counts = {
            "units": OrgUnit.objects.count(),
            "agencies": len(agency_units),
            "rw": rw,
            "rt": rt,
            "asn": len(people),
            "users": User.objects.count(),
            "facts": Fact.objects.count(),
            "rollups": FactRollup.objects.count(),
            "targets": Target.objects.count(),
        }
        audit_record(
            actor=None,
            action=MARKER,
            obj=root,
            org_unit=root,
            changes={
                "seed": seed,
                "scale": scale,
                "asn": total_asn,
                "seconds": report.seconds,
                "counts": report.counts,
            },
        )
    return report


def _agencies(root: OrgUnit) -> list[OrgUnit]:
    out = []
    for agency in AGENCIES:
        unit = org.orgunit_create(
            actor=None,
            parent=root,
            name=agency.name,
            short_name=agency.short_name,
            kind=UnitKind.PERANGKAT_DAERAH,
            code=agency.code,
        )
        out.append(unit)
        for uptd in agency.uptd:
            org.orgunit_create(
                actor=None, parent=unit, name=uptd.name, short_name=uptd.short_name, kind=UnitKind.UPTD, code=uptd.code
            )
    return out


def _neighbourhoods(rng: random.Random, root: OrgUnit, kelurahan: list[OrgUnit], scale: int) -> tuple[int, int]:
    """RW and RT under every kelurahan; ``scale`` multiplies the RW so x10 looks like a 2.9 M metro."""
    rws: list[OrgUnit] = []
    rw_place: list[tuple[int, str]] = []  # (number, kelurahan short name) per RW, for the RT names
    for kel in kelurahan:
        place = kel.short_name or kel.name
        for n in range(1, rng.randint(6, 15) * scale + 1):
            rws.append(
                OrgUnit(
                    parent_id=kel.pk,
                    kind=UnitKind.RW,
                    code=f"{kel.code}.RW{n:02d}",
                    name=f"RW {n:02d} {place}",
                    short_name=f"RW {n:02d}",
                    depth=kel.depth + 1,
                )
            )
            rw_place.append((n, place))
    _insert_with_paths(rws, UnitKind.RW)
    rts: list[OrgUnit] = []
    for rw, (n, place) in zip(rws, rw_place, strict=True):
        for m in range(1, rng.randint(3, 8) + 1):
            rts.append(
                OrgUnit(
                    parent_id=rw.pk,
                    kind=UnitKind.RT,
                    code=f"{rw.code}.RT{m:03d}",
                    name=f"RT {m:03d} RW {n:02d} {place}",
                    short_name=f"RT {m:03d}",
                    depth=rw.depth + 1,
                )
            )
    _insert_with_paths(rts, UnitKind.RT)
    audit_record(
        actor=None,
        action="orgunit.bulk_create",
        org_unit=root,
        object_repr="RW/RT (demo)",
        changes={"rw": len(rws), "rt": len(rts), "channel": "demo"},
    )
    return len(rws), len(rts)


def _insert_with_paths(units: list[OrgUnit], kind: str) -> None:
    """Insert, then write each materialized path (parent's path + own key) in one UPDATE.

    The path needs the primary key the insert allocates, so it cannot be written by the insert.
    """
    OrgUnit.objects.bulk_create(units, batch_size=BATCH)
    parent_path = OrgUnit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
    OrgUnit.objects.filter(kind=kind, path="").update(
        path=Concat(Subquery(parent_path), LPad(Cast("id", CharField()), PATH_SEGMENT, Value("0")))
    )


def _offices(units: dict[str, OrgUnit]) -> list[tuple[Office, float]]:
    offices: list[tuple[Office, float]] = []
    for agency in AGENCIES:
        kind = "setda" if agency.code == "SETDA" else "agency"
        offices.append((Office(agency.code, kind, agency.sector, agency.head), agency.weight))
        for uptd in agency.uptd:
            offices.append((Office(uptd.code, "uptd", uptd.sector, uptd.head), uptd.weight))
    for code in sorted(units):
        unit = units[code]
        if unit.kind == UnitKind.KECAMATAN:
            offices.append((Office(code, "kecamatan", "territory", "Camat"), KECAMATAN_WEIGHT))
        elif unit.kind in (UnitKind.KELURAHAN, UnitKind.DESA):
            offices.append((Office(code, "kelurahan", "territory", "Lurah"), KELURAHAN_WEIGHT))
    return offices


def _people(
    rng: random.Random,
    root: OrgUnit,
    units: dict[str, OrgUnit],
    offices: list[tuple[Office, float]],
    total: int,
    window: demo_facts.Window,
) -> list[Person]:
    # Every office gets its head first when there are people enough; the rest go by weight.
    floor = 1 if total >= len(offices) else 0
    counts = demo_facts.apportion(total - floor * len(offices), [w for _o, w in offices])
    factory = PeopleFactory(rng, timezone.localdate(), window.start)
    people: list[Person] = []
    for (office, _w), extra in zip(offices, counts, strict=True):
        if floor + extra:
            people.extend(factory.staff(office, floor + extra))
    rows = [
        Pegawai(
            nip=p.nip,
            nik=p.nik,
            name=p.name,
            sex=p.sex,
            birth_date=p.birth_date,
            tmt_cpns=p.tmt_cpns,
            employment_type=p.employment_type,
            org_unit_id=units[p.unit_code].pk,
            position=p.position,
            rank=p.rank,
            phone=p.phone,
        )
        for p in people
    ]
    Pegawai.objects.bulk_create(rows, batch_size=BATCH)
    _backdate(rows, window)
    audit_record(
        actor=None,
        action="pegawai.bulk_create",
        org_unit=root,
        object_repr="ASN register (demo)",
        changes={"count": len(rows), "channel": "demo"},
    )
    return people


def _backdate(rows: list[Pegawai], window: demo_facts.Window) -> None:
    """Date the register as if Balai had run for the whole window, so the headcount has a history.

    Those hired during the window enter the register in the month of their TMT, so the monthly
    headcount grows as a real one does.
    """
    first, last = min(r.pk for r in rows), max(r.pk for r in rows)
    ours = Pegawai.objects.filter(pk__gte=first, pk__lte=last)
    tz = timezone.get_current_timezone()

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz)

    ours.filter(tmt_cpns__lt=window.start).update(created_at=at(window.start))
    for tmt in sorted({r.tmt_cpns for r in rows if r.tmt_cpns >= window.start}):
        ours.filter(tmt_cpns=tmt).update(created_at=min(at(tmt), timezone.now()))


def _accounts(units: dict[str, OrgUnit]) -> str:
    """Create the demo logins; return the integration token's secret (shown once)."""
    token = ""
    for account in ACCOUNTS:
        pegawai = None
        if account.post:
            unit_code, position = account.post
            pegawai = Pegawai.objects.filter(org_unit__code=unit_code, position=position).order_by("pk").first()
        user = org.user_create(
            actor=None,
            username=account.username,
            full_name=pegawai.name if pegawai else account.full_name,
            password=None if account.is_integration else PASSWORD,
            pegawai=pegawai,
            is_integration=account.is_integration,
        )
        org.role_assign(actor=None, user=user, role=account.role, org_unit=units[account.unit_code])
        if account.username == "admin":
            org.totp_set_secret(user=user, secret=ADMIN_TOTP_SECRET)
        if account.is_integration:
            _token, token = org.token_create(actor=None, user=user, name="Demo: aplikasi absensi")
    return token


def _targets(root: OrgUnit, agency_units: list[OrgUnit], window: demo_facts.Window) -> None:
    presence = Indicator.objects.get(code="attendance.presence_rate")
    budget = Indicator.objects.get(code="budget.realisation_rate")
    years = sorted({m.start.year for m in window.months})
    for year in years:
        for unit in [root, *agency_units]:
            indicators.target_set(actor=None, indicator=presence, org_unit=unit, period=str(year), value=95.0)
        # The usual quarterly realisation targets. The indicator is cumulative and rolls up as its latest
        # month (last_ratio), so the target holds for the quarter and for the quarter's last month alike.
        for quarter, value in ((1, 15.0), (2, 40.0), (3, 65.0), (4, 95.0)):
            for period in (f"{year}Q{quarter}", f"{year}{quarter * 3:02d}"):
                indicators.target_set(actor=None, indicator=budget, org_unit=root, period=period, value=value)
        indicators.target_set(actor=None, indicator=budget, org_unit=root, period=str(year), value=95.0)

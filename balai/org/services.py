"""The write path of the org app: units, ASN, users, roles, tokens, sign-in bookkeeping.

Every function is keyword-only, atomic, checks the actor's right on the unit it touches, locks what
it changes and writes an audit event. ``actor=None`` means the system itself (CLI, demo loader).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.core.audit import audit_record, changes_between, snapshot
from balai.core.scoping import PATH_SEGMENT
from balai.org import access, wilayah
from balai.org.choices import ALLOWED_CHILDREN, UnitKind
from balai.org.models import (
    PATH_MAX,
    ApiToken,
    LoginAttempt,
    OrgUnit,
    Pegawai,
    RoleAssignment,
    User,
    path_segment,
)
from balai.org.roles import ROLE_SPECS, Action, Role
from balai.org.validators import parse_nik, parse_nip

UNIT_AUDIT_FIELDS = ["name", "short_name", "code", "kind", "parent_id", "kemendagri_code", "is_active"]
PEGAWAI_AUDIT_FIELDS = ["nip", "name", "org_unit_id", "position", "rank", "employment_type", "is_active"]
TOKEN_PREFIX = "balai_"  # noqa: S105 - a public marker that makes leaked tokens greppable


def _require(actor: Any, action: str, unit: OrgUnit | None) -> None:
    if actor is None:  # the system itself: CLI commands, the demo loader, tasks
        return
    if not access.can(actor, action, unit):
        raise PermissionDenied(_("You do not have the right to do this for this unit."))


# ---------------------------------------------------------------------------------------- units
def _check_child_kind(parent: OrgUnit | None, kind: str) -> None:
    if parent is None:
        if kind != UnitKind.PEMDA:
            raise ValidationError({"parent": _("Only a Pemda can be a root unit.")})
        return
    if kind not in ALLOWED_CHILDREN[parent.kind]:
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot be placed under a %(parent)s.")
                % {"kind": UnitKind(kind).label, "parent": UnitKind(parent.kind).label}
            }
        )


UNIT_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def _check_code(code: str) -> None:
    # Codes appear in URLs (/org/units/<code>/) and DHIS2 payloads: no slashes, spaces or other surprises.
    if not UNIT_CODE_RE.fullmatch(code):
        raise ValidationError(
            {
                "code": _(
                    "A code may use only letters, digits, dots, hyphens and underscores, for example "
                    "63.72.04.1002 or DINKES."
                )
            }
        )


def _check_time_zone(tz: str) -> None:
    if not tz:
        return
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            {
                "time_zone": _("%(tz)s is not a time zone (examples: Asia/Jakarta, Asia/Makassar, Asia/Jayapura).")
                % {"tz": tz}
            }
        ) from exc


def orgunit_create(
    *,
    actor: User | None,
    parent: OrgUnit | None,
    name: str,
    kind: str,
    code: str,
    short_name: str = "",
    kemendagri_code: str = "",
    time_zone: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> OrgUnit:
    name, code = name.strip(), code.strip()
    if not name:
        raise ValidationError({"name": _("Name is required.")})
    if not code:
        raise ValidationError({"code": _("Code is required.")})
    _check_code(code)
    _check_time_zone(time_zone)
    _check_child_kind(parent, kind)
    if parent is None and actor is not None and not actor.is_superuser:
        # A new Pemda root is a deployment decision (balai init), not an agency admin's.
        raise PermissionDenied(_("Only a superuser can create a new Pemda."))
    _require(actor, Action.ADMIN, parent)
    with transaction.atomic():
        if parent is not None:
            parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
            if len(parent.path) + 8 > PATH_MAX:
                raise ValidationError(_("The tree is too deep here."))
        if OrgUnit.objects.filter(code=code).exists():
            raise ValidationError({"code": _("Code %(code)s is already used by another unit.") % {"code": code}})
        unit = OrgUnit.objects.create(
            parent=parent,
            name=name,
            kind=kind,
            code=code,
            short_name=short_name.strip(),
            kemendagri_code=kemendagri_code,
            time_zone=time_zone,
            latitude=latitude,
            longitude=longitude,
            depth=(parent.depth + 1) if parent else 0,
        )
        unit.path = (parent.path if parent else "") + path_segment(unit.pk)
        unit.save(update_fields=["path"])
        audit_record(
            actor=actor,
            action="orgunit.create",
            obj=unit,
            org_unit=unit,
            changes=changes_between({}, snapshot(unit, UNIT_AUDIT_FIELDS)),
        )
    return unit


def orgunit_update(*, actor: User | None, unit: OrgUnit, **fields: Any) -> OrgUnit:
    allowed = {"name", "short_name", "code", "kemendagri_code", "is_active", "latitude", "longitude", "time_zone"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _require(actor, Action.ADMIN, unit)
    if "code" in fields:
        fields["code"] = str(fields["code"]).strip()
        _check_code(fields["code"])
    if "time_zone" in fields:
        _check_time_zone(fields["time_zone"])
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        before = snapshot(unit, UNIT_AUDIT_FIELDS)
        if (
            "code" in fields
            and fields["code"] != unit.code
            and OrgUnit.objects.filter(code=fields["code"]).exclude(pk=unit.pk).exists()
        ):
            raise ValidationError(
                {"code": _("Code %(code)s is already used by another unit.") % {"code": fields["code"]}}
            )
        if fields.get("name", unit.name).strip() == "":
            raise ValidationError({"name": _("Name is required.")})
        for key, value in fields.items():
            setattr(unit, key, value.strip() if isinstance(value, str) else value)
        unit.save()
        audit_record(
            actor=actor,
            action="orgunit.update",
            obj=unit,
            org_unit=unit,
            changes=changes_between(before, snapshot(unit, UNIT_AUDIT_FIELDS)),
        )
    return unit


def orgunit_move(*, actor: User | None, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move a subtree: one UPDATE rewrites every descendant path."""
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved under itself or its own descendants.")})
    _check_child_kind(new_parent, unit.kind)
    _require(actor, Action.ADMIN, unit)
    _require(actor, Action.ADMIN, new_parent)
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        old_path, old_depth, old_parent = unit.path, unit.depth, unit.parent
        new_path = new_parent.path + path_segment(unit.pk)
        depth_shift = new_parent.depth + 1 - old_depth
        from django.db.models import F

        OrgUnit.objects.subtree_of(unit).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
            depth=F("depth") + depth_shift,
        )
        OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
        unit.refresh_from_db()
        # The moved subtree now counts under other ancestors: rebuild the roll-ups of its Facts.
        from balai.core.scoping import subtree_q
        from balai.indicators.models import Fact
        from balai.indicators.services import periods_mark_dirty

        periods_mark_dirty(
            pairs=set(
                Fact.objects.filter(subtree_q(new_path, "org_unit__")).values_list("indicator_id", "period").distinct()
            )
        )
        audit_record(
            actor=actor,
            action="orgunit.move",
            obj=unit,
            org_unit=unit,
            changes={"parent": {"before": str(old_parent), "after": str(new_parent)}},
        )
    return unit


@dataclass
class RowResult:
    row: int
    status: str  # created | updated | ignored | error
    message: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def has_errors(self) -> bool:
        return any(r.status == "error" for r in self.rows)


UNIT_CSV_HEADERS = ["parent_code", "code", "name", "kind"]


def orgunits_import_csv(*, actor: User | None, content: bytes | str, dry_run: bool = False) -> ImportReport:
    """Add RW/RT (or any units) from CSV ``parent_code,code,name,kind``; existing codes are updated.

    All or nothing: a file with any bad row changes nothing, and the report says which rows and why.
    """
    from balai.core.csvio import read_csv

    table = read_csv(content, UNIT_CSV_HEADERS)
    report = ImportReport()
    with transaction.atomic():
        for idx, row in enumerate(table.rows, start=2):
            try:
                parent = OrgUnit.objects.filter(code=row["parent_code"]).first()
                if parent is None:
                    raise ValidationError(_("parent unit %(code)s does not exist") % {"code": row["parent_code"]})
                kind = row["kind"].lower()
                if kind not in UnitKind.values:
                    raise ValidationError(
                        _("kind %(kind)s is not one of %(kinds)s")
                        % {"kind": row["kind"], "kinds": ", ".join(UnitKind.values)}
                    )
                existing = OrgUnit.objects.filter(code=row["code"]).first()
                if existing is not None:
                    if existing.parent_id != parent.pk:
                        raise ValidationError(
                            _("code %(code)s already exists under another parent") % {"code": row["code"]}
                        )
                    if existing.name == row["name"]:
                        report.rows.append(RowResult(idx, "ignored", _("unchanged")))
                        continue
                    orgunit_update(actor=actor, unit=existing, name=row["name"])
                    report.rows.append(RowResult(idx, "updated"))
                    continue
                orgunit_create(actor=actor, parent=parent, name=row["name"], kind=kind, code=row["code"])
                report.rows.append(RowResult(idx, "created"))
            except ValidationError as exc:
                report.rows.append(RowResult(idx, "error", "; ".join(exc.messages)))
            except PermissionDenied:
                report.rows.append(RowResult(idx, "error", _("outside your scope")))
        if dry_run or report.has_errors:
            transaction.set_rollback(True)
        else:
            audit_record(
                actor=actor,
                action="orgunit.import",
                changes={"created": report.count("created"), "updated": report.count("updated")},
            )
    return report


@dataclass
class InitSummary:
    root: OrgUnit
    created: int
    updated: int
    unchanged: int


def pemda_init(*, actor: User | None, wilayah_code: str) -> InitSummary:
    """Create (or bring up to date) a Pemda and its kecamatan and kelurahan/desa from the code list."""
    region = wilayah.get(wilayah_code.strip())
    if region is None or region.level != 2:
        raise ValidationError(
            _("Region code %(code)s is not a kabupaten/kota in the Kemendagri code list (example: 63.72).")
            % {"code": wilayah_code}
        )
    created = updated = unchanged = 0

    def upsert(parent: OrgUnit | None, code: str, name: str, kind: str, **extra: Any) -> OrgUnit:
        nonlocal created, updated, unchanged
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            created += 1
            return orgunit_create(
                actor=actor, parent=parent, name=name, kind=kind, code=code, kemendagri_code=code, **extra
            )
        if unit.name != name:
            updated += 1
            return orgunit_update(actor=actor, unit=unit, name=name)
        unchanged += 1
        return unit

    with transaction.atomic():
        root = upsert(
            None,
            region.code,
            f"Pemerintah {wilayah.pretty_name(region)}",
            UnitKind.PEMDA,
            short_name=wilayah.pretty_name(region),
            time_zone=wilayah.time_zone_for(region.code),
        )
        for kec in wilayah.children(region.code):
            kec_unit = upsert(root, kec.code, f"Kecamatan {kec.name}", UnitKind.KECAMATAN, short_name=kec.name)
            for village in wilayah.children(kec.code):
                kind = UnitKind.KELURAHAN if village.is_kelurahan else UnitKind.DESA
                label = "Kelurahan" if village.is_kelurahan else "Desa"
                upsert(kec_unit, village.code, f"{label} {village.name}", kind, short_name=village.name)
        audit_record(
            actor=actor,
            action="pemda.init",
            obj=root,
            org_unit=root,
            changes={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return InitSummary(root, created, updated, unchanged)


# ------------------------------------------------------------------------------------------ ASN
def _pegawai_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    nip = str(data.get("nip", "")).replace(" ", "").replace(".", "")
    if data.get("nik"):
        data["nik"] = str(data["nik"]).replace(" ", "").replace(".", "")
    try:
        parts = parse_nip(nip)
        data["nip"] = nip
        data.setdefault("birth_date", parts.birth_date)
        data.setdefault("tmt_cpns", parts.tmt_cpns)
        data.setdefault("sex", parts.sex)
        if data["birth_date"] != parts.birth_date:
            errors.setdefault("birth_date", []).append(_("Birth date does not match NIP digits 1–8."))
        if data["sex"] != parts.sex:
            errors.setdefault("sex", []).append(_("Sex does not match NIP digit 15."))
    except ValidationError as exc:
        errors["nip"] = exc.messages
    if data.get("nik"):
        try:
            parse_nik(str(data["nik"]))
        except ValidationError as exc:
            errors["nik"] = exc.messages
    if not str(data.get("name", "")).strip():
        errors["name"] = [_("Name is required.")]
    if errors:
        raise ValidationError(errors)
    return data


def pegawai_create(*, actor: User | None, org_unit: OrgUnit, **data: Any) -> Pegawai:
    _require(actor, Action.ADMIN, org_unit)
    data = _pegawai_clean(data)
    with transaction.atomic():
        if Pegawai.objects.filter(nip=data["nip"]).exists():
            raise ValidationError({"nip": _("NIP %(nip)s is already registered.") % {"nip": data["nip"]}})
        pegawai = Pegawai.objects.create(org_unit=org_unit, **data)
        audit_record(
            actor=actor,
            action="pegawai.create",
            obj=pegawai,
            org_unit=org_unit,
            changes=changes_between({}, snapshot(pegawai, PEGAWAI_AUDIT_FIELDS)),
        )
    return pegawai


def pegawai_update(*, actor: User | None, pegawai: Pegawai, **data: Any) -> Pegawai:
    _require(actor, Action.ADMIN, pegawai.org_unit)
    if "org_unit" in data:
        _require(actor, Action.ADMIN, data["org_unit"])
    with transaction.atomic():
        pegawai = Pegawai.objects.select_for_update().select_related("org_unit").get(pk=pegawai.pk)
        before = snapshot(pegawai, PEGAWAI_AUDIT_FIELDS)
        merged = {k: getattr(pegawai, k) for k in ("nip", "name", "nik", "birth_date", "sex")} | data
        if "nip" in data:
            merged.pop("birth_date", None) if "birth_date" not in data else None
            merged.pop("sex", None) if "sex" not in data else None
        merged = _pegawai_clean(merged)
        if Pegawai.objects.filter(nip=merged["nip"]).exclude(pk=pegawai.pk).exists():
            raise ValidationError({"nip": _("NIP %(nip)s is already registered.") % {"nip": merged["nip"]}})
        for key, value in merged.items():
            setattr(pegawai, key, value)
        pegawai.save()
        audit_record(
            actor=actor,
            action="pegawai.update",
            obj=pegawai,
            org_unit=pegawai.org_unit,
            changes=changes_between(before, snapshot(pegawai, PEGAWAI_AUDIT_FIELDS)),
        )
    return pegawai


# ---------------------------------------------------------------------------------- users, roles
def _require_user_admin(actor: Any, user: User) -> None:
    """The actor administers this user: every role the user holds lies inside the actor's admin scope.

    Seeing a user (one of their roles is in scope) is not enough to deactivate them, reset their second
    factor or revoke their tokens: a kecamatan admin must not be able to lock out the Pemda's admin.
    """
    if actor is None or actor.is_superuser:
        return
    admin_paths = access.scope_paths(actor, Action.ADMIN)
    held = list(RoleAssignment.objects.filter(user=user).values_list("org_unit__path", flat=True))
    covered = all(any(p.startswith(a) for a in admin_paths) for p in held)
    at_root = any(len(a) == PATH_SEGMENT for a in admin_paths)
    if user.is_superuser or not admin_paths or not covered or (not held and not at_root):
        raise PermissionDenied(_("You do not have the right to manage this user."))


def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str = "",
    email: str = "",
    password: str | None = None,
    pegawai: Pegawai | None = None,
    is_integration: bool = False,
    is_superuser: bool = False,
) -> User:
    username = username.strip().lower()
    if not username:
        raise ValidationError({"username": _("Username is required.")})
    if actor is not None and not access.can(actor, Action.ADMIN):
        raise PermissionDenied(_("You do not have the right to manage users."))
    if is_superuser and actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can create a superuser."))
    if password and not is_integration:
        validate_password(password, User(username=username, full_name=full_name, email=email))
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("Username %(u)s is already taken.") % {"u": username}})
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            pegawai=pegawai,
            is_integration=is_integration,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        if password and not is_integration:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            org_unit=pegawai.org_unit if pegawai else None,
            changes={"username": username, "is_integration": is_integration},
        )
    return user


def user_set_password(*, actor: User | None, user: User, password: str) -> None:
    if actor is not None and actor.pk != user.pk:
        _require_user_admin(actor, user)
    validate_password(password, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="user.set_password", obj=user)


def user_set_active(*, actor: User | None, user: User, active: bool) -> User:
    _require_user_admin(actor, user)
    if actor is not None and actor.pk == user.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=actor, action="user.activate" if active else "user.deactivate", obj=user)
    return user


def role_assign(*, actor: User | None, user: User, role: str, org_unit: OrgUnit) -> RoleAssignment:
    if role not in ROLE_SPECS:
        raise ValidationError({"role": _("Unknown role %(r)s.") % {"r": role}})
    _require(actor, Action.ADMIN, org_unit)
    if user.is_superuser and actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can change the roles of a superuser."))
    if user.is_integration and role != Role.INTEGRATION:
        raise ValidationError({"role": _("An integration account can only hold the integration role.")})
    if role == Role.INTEGRATION and not user.is_integration:
        raise ValidationError({"role": _("The integration role is for integration accounts only.")})
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = RoleAssignment.objects.create(
                    user=user, role=role, org_unit=org_unit, created_by=actor if actor else None
                )
        except IntegrityError as exc:
            raise ValidationError(_("This user already has this role on this unit.")) from exc
        audit_record(
            actor=actor,
            action="role.assign",
            obj=assignment,
            org_unit=org_unit,
            changes={"user": user.username, "role": role, "unit": org_unit.code},
        )
    access.forget(user)
    return assignment


def role_revoke(*, actor: User | None, assignment: RoleAssignment) -> None:
    _require(actor, Action.ADMIN, assignment.org_unit)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=assignment,
            org_unit=assignment.org_unit,
            changes={"user": assignment.user.username, "role": assignment.role, "unit": assignment.org_unit.code},
        )
        assignment.delete()
    access.forget(assignment.user)


# --------------------------------------------------------------------------------------- tokens
def hash_token(secret: str) -> str:
    # The token carries 256 bits of randomness, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *, actor: User | None, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret; the secret is never stored nor shown again."""
    if actor is not None and actor.pk != user.pk:
        _require_user_admin(actor, user)
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name, such as the app that will use it.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip(),
            prefix=prefix,
            key_hash=hash_token(secret),
            created_by=actor,
            expires_at=expires_at,
        )
        audit_record(actor=actor, action="token.create", obj=token, changes={"user": user.username, "name": name})
    return token, secret


def token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    if actor is not None and actor.pk != token.user_id:
        _require_user_admin(actor, token.user)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="token.revoke", obj=token)
    return token


def token_authenticate(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(secret)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Write last_used at most once a minute: a busy integration must not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user._balai_token = token  # type: ignore[attr-defined]
    return token.user


# ----------------------------------------------------------------------------- sign-in security
def login_locked_until(*, username: str) -> dt.datetime | None:
    """When the account is locked after too many failures, the time it opens again."""
    window = dt.timedelta(minutes=settings.BALAI_LOGIN_LOCKOUT_MINUTES)
    since = timezone.now() - window
    attempts = list(
        LoginAttempt.objects.filter(username=username.strip().lower(), created_at__gte=since)
        .order_by("-created_at", "-id")
        .values_list("succeeded", "created_at")[: settings.BALAI_LOGIN_MAX_FAILURES]
    )
    if len(attempts) < settings.BALAI_LOGIN_MAX_FAILURES or any(ok for ok, _at in attempts):
        return None
    return attempts[0][1] + window


def login_attempt_record(*, username: str, ip_address: str | None, succeeded: bool) -> None:
    username = username.strip().lower()[:150]
    LoginAttempt.objects.create(username=username, ip_address=ip_address, succeeded=succeeded)
    user = User.objects.filter(username=username).first()
    event = audit_record(
        actor=user if succeeded else None,
        action="auth.login" if succeeded else "auth.login_failed",
        obj=user,
        object_repr=username,
    )
    if not succeeded:
        # Label the failure with the name that was tried, not "system": that is what an auditor looks for.
        event.actor_label = f"({username})"[:150]
        event.save(update_fields=["actor_label"])


def totp_begin(*, user: User) -> str:
    """Give the user a fresh (unconfirmed) secret to put in an authenticator app."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.totp_confirmed_at is None:
            user.totp_secret = pyotp.random_base32()
            user.save(update_fields=["totp_secret"])
    return user.totp_secret


def totp_verify(*, user: User, code: str) -> bool:
    """Check a 6-digit code once: a code already used cannot be replayed."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.totp_secret:
            return False
        totp = pyotp.TOTP(locked.totp_secret)
        for drift in (-1, 0, 1):  # allow one 30 s step of clock drift either way
            at = now + dt.timedelta(seconds=30 * drift)
            counter = int(at.timestamp()) // 30
            if counter > locked.totp_last_counter and secrets.compare_digest(totp.at(at), code):
                locked.totp_last_counter = counter
                fields = ["totp_last_counter"]
                if locked.totp_confirmed_at is None:
                    locked.totp_confirmed_at = now
                    fields.append("totp_confirmed_at")
                    audit_record(actor=locked, action="auth.totp_enrolled", obj=locked)
                locked.save(update_fields=fields)
                user.totp_confirmed_at = locked.totp_confirmed_at
                return True
    return False


def totp_reset(*, actor: User | None, user: User) -> None:
    _require_user_admin(actor, user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed_at=None, totp_last_counter=0)
        audit_record(actor=actor, action="auth.totp_reset", obj=user)


def totp_set_secret(*, user: User, secret: str) -> None:
    """Demo/CLI only: give an account a known, already confirmed secret."""
    pyotp.TOTP(secret).now()  # fails loudly on a malformed secret
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed_at=timezone.now())

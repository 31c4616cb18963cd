from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.core.scoping import PATH_SEGMENT, ScopedQuerySet
from balai.org.choices import OFFICE_KINDS, TERRITORIAL_KINDS, EmploymentType, Sex, UnitKind
from balai.org.roles import Role

PATH_MAX = 255


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_SEGMENT}d}"


class OrgUnitQuerySet(ScopedQuerySet["OrgUnit"]):
    scope_field = ""

    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        from balai.core.scoping import subtree_q

        return self.filter(subtree_q(unit.path))

    def roots(self) -> OrgUnitQuerySet:
        return self.filter(parent__isnull=True)


class OrgUnit(models.Model):
    """One node of the Pemda's tree: an office, a territory, or both (a kecamatan, a kelurahan).

    ``path`` is a materialized path of fixed-width primary keys ("00000001" + "00000007" ...), so a
    subtree is one index range scan and ancestors are read off the string without queries.
    """

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Kemendagri code for territories (63.72.04.1002); an agency code otherwise (DISKOMINFO)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=PATH_MAX, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    kemendagri_code = models.CharField(_("Kemendagri region code"), max_length=20, blank=True, db_index=True)
    time_zone = models.CharField(_("time zone"), max_length=40, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        # Lists that skip RW/RT (filter bars, tree pages) scan only the kinds they show, not 10,000s of RTs.
        indexes = [models.Index(fields=["kind", "path"], name="orgunit_kind_path")]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name

    @property
    def is_territory(self) -> bool:
        return self.kind in TERRITORIAL_KINDS

    @property
    def is_office(self) -> bool:
        return self.kind in OFFICE_KINDS

    @property
    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and all its ancestors, root first (no query needed)."""
        return [self.path[: i + PATH_SEGMENT] for i in range(0, len(self.path), PATH_SEGMENT)]

    def ancestors(self, include_self: bool = False) -> list[OrgUnit]:
        paths = self.ancestor_paths if include_self else self.ancestor_paths[:-1]
        return list(OrgUnit.objects.filter(path__in=paths).order_by("depth"))

    def is_descendant_of(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)

    @property
    def root_path(self) -> str:
        return self.path[:PATH_SEGMENT]


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    pegawai = models.OneToOneField(
        "org.Pegawai",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("ASN record"),
    )
    is_integration = models.BooleanField(
        _("integration account"), default=False, help_text=_("API only: cannot sign in to the web pages.")
    )
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    totp_last_counter = models.BigIntegerField(default=0, editable=False)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def normalize_username(cls, username: str) -> str:
        # Sign-in lower-cases what is typed; every way of creating a user (createsuperuser too) must match.
        return super().normalize_username(username).lower()

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class PegawaiQuerySet(ScopedQuerySet["Pegawai"]):
    scope_field = "org_unit"


class Pegawai(models.Model):
    """An ASN (civil servant) in the Pemda's register; identified by the 18-digit NIP."""

    nip = models.CharField("NIP", max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    tmt_cpns = models.DateField(_("start of service (TMT CPNS)"))
    employment_type = models.CharField(
        _("employment type"), max_length=10, choices=EmploymentType.choices, default=EmploymentType.PNS
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="pegawai", verbose_name=_("unit"))
    position = models.CharField(_("position (jabatan)"), max_length=200, blank=True)
    rank = models.CharField(_("rank (golongan)"), max_length=10, blank=True)
    nik = models.CharField("NIK", max_length=16, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PegawaiQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("civil servant (ASN)")
        verbose_name_plural = _("civil servants (ASN)")

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"


class RoleAssignmentQuerySet(ScopedQuerySet["RoleAssignment"]):
    scope_field = "org_unit"


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("unit")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role", "org_unit"], name="uniq_role_assignment")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.org_unit}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        from django.utils import timezone

        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the secret is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.username} {'ok' if self.succeeded else 'fail'} {self.created_at}"

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PEMDA = "pemda", _("Regional government")
    PERANGKAT_DAERAH = "perangkat_daerah", _("Regional agency (perangkat daerah)")
    UPTD = "uptd", _("Technical unit (UPTD)")
    BAGIAN = "bagian", _("Division (bagian/bidang)")
    KECAMATAN = "kecamatan", _("Kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA = "desa", _("Desa")
    RW = "rw", _("RW")
    RT = "rt", _("RT")


TERRITORIAL_KINDS = {UnitKind.PEMDA, UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.DESA, UnitKind.RW, UnitKind.RT}
OFFICE_KINDS = {
    UnitKind.PEMDA,
    UnitKind.PERANGKAT_DAERAH,
    UnitKind.UPTD,
    UnitKind.BAGIAN,
    UnitKind.KECAMATAN,
    UnitKind.KELURAHAN,
    UnitKind.DESA,
}

# Which kinds may sit under which: keeps the tree meaningful (no kecamatan under an RT).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    UnitKind.PEMDA: {UnitKind.PERANGKAT_DAERAH, UnitKind.KECAMATAN},
    UnitKind.PERANGKAT_DAERAH: {UnitKind.UPTD, UnitKind.BAGIAN},
    UnitKind.UPTD: {UnitKind.BAGIAN},
    UnitKind.BAGIAN: set(),
    UnitKind.KECAMATAN: {UnitKind.KELURAHAN, UnitKind.DESA, UnitKind.BAGIAN},
    UnitKind.KELURAHAN: {UnitKind.RW},
    UnitKind.DESA: {UnitKind.RW},
    UnitKind.RW: {UnitKind.RT},
    UnitKind.RT: set(),
}


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class EmploymentType(models.TextChoices):
    PNS = "pns", _("Civil servant (PNS)")
    PPPK = "pppk", _("Contract civil servant (PPPK)")

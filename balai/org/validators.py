"""NIP (ASN id) and NIK (resident id) checks that name the part that is wrong.

NIP, 18 digits: birth date YYYYMMDD, TMT CPNS YYYYMM, sex (1 male, 2 female), serial (3 digits).
NIK, 16 digits: kecamatan code PPKKCC, birth date DDMMYY (women: day + 40), serial (4 digits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class NipParts:
    birth_date: dt.date
    tmt_cpns: dt.date
    sex: str  # "L" or "P"
    serial: str


def parse_nip(raw: str) -> NipParts:
    nip = (raw or "").replace(" ", "").replace(".", "")
    if not nip.isdigit():
        raise ValidationError(_("NIP may contain digits only."), code="nip_digits")
    if len(nip) != 18:
        raise ValidationError(_("NIP must be 18 digits; this one has %(n)d.") % {"n": len(nip)}, code="nip_length")
    today = timezone.localdate()
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError as exc:
        raise ValidationError(
            _("NIP digits 1–8 must be a valid birth date (YYYYMMDD); %(part)s is not.") % {"part": nip[0:8]},
            code="nip_birth_date",
        ) from exc
    if birth.year < 1940 or birth > today:
        raise ValidationError(
            _("NIP digits 1–8: birth date %(part)s is not plausible.") % {"part": nip[0:8]},
            code="nip_birth_date",
        )
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        raise ValidationError(
            _("NIP digits 9–14 must be the start of service (TMT CPNS) as YYYYMM; month %(m)s is not valid.")
            % {"m": nip[12:14]},
            code="nip_tmt",
        )
    tmt = dt.date(year, month, 1)
    if tmt > today or year < birth.year + 17:
        raise ValidationError(
            _("NIP digits 9–14: start of service %(part)s must be at least 17 years after birth and not in the future.")
            % {"part": nip[8:14]},
            code="nip_tmt",
        )
    if nip[14] not in "12":
        raise ValidationError(
            _("NIP digit 15 is the sex code and must be 1 (male) or 2 (female), not %(d)s.") % {"d": nip[14]},
            code="nip_sex",
        )
    if nip[15:18] == "000":
        raise ValidationError(_("NIP digits 16–18 (serial number) cannot be 000."), code="nip_serial")
    return NipParts(birth, tmt, "L" if nip[14] == "1" else "P", nip[15:18])


def validate_nip(raw: str) -> None:
    parse_nip(raw)


@dataclass(frozen=True)
class NikParts:
    region: str  # PP.KK.CC
    birth_date: dt.date
    sex: str
    serial: str


def parse_nik(raw: str) -> NikParts:
    nik = (raw or "").replace(" ", "")
    if not nik.isdigit():
        raise ValidationError(_("NIK may contain digits only."), code="nik_digits")
    if len(nik) != 16:
        raise ValidationError(_("NIK must be 16 digits; this one has %(n)d.") % {"n": len(nik)}, code="nik_length")
    if nik[0:2] == "00" or nik[2:4] == "00" or nik[4:6] == "00":
        raise ValidationError(
            _("NIK digits 1–6 must be a kecamatan code (PPKKCC); %(part)s is not.") % {"part": nik[0:6]},
            code="nik_region",
        )
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    today = timezone.localdate()
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        birth = dt.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(
            _("NIK digits 7–12 must be a birth date DDMMYY (women: day + 40); %(part)s is not.") % {"part": nik[6:12]},
            code="nik_birth_date",
        ) from exc
    if nik[12:16] == "0000":
        raise ValidationError(_("NIK digits 13–16 (serial number) cannot be 0000."), code="nik_serial")
    return NikParts(f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}", birth, sex, nik[12:16])


def validate_nik(raw: str) -> None:
    parse_nik(raw)

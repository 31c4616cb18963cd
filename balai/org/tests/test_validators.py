"""NIP and NIK checks: each wrong part gets its own message, naming the digits at fault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from balai.org.validators import parse_nik, parse_nip, validate_nik, validate_nip


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    # Assert the English source strings; Indonesian (the default) is the translators' concern.
    with translation.override("en"):
        yield


GOOD_NIP = "198001012005011001"  # born 1 Jan 1980, TMT CPNS Jan 2005, male, serial 001


def _nip_error(raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        parse_nip(raw)
    return exc.value


def test_good_nip_parses_into_its_parts() -> None:
    parts = parse_nip(GOOD_NIP)
    assert parts.birth_date == dt.date(1980, 1, 1)
    assert parts.tmt_cpns == dt.date(2005, 1, 1)
    assert parts.sex == "L"
    assert parts.serial == "001"
    assert parse_nip("199002142015032002").sex == "P"


def test_nip_with_spaces_and_dots_is_accepted() -> None:
    assert parse_nip("19800101 200501 1 001") == parse_nip(GOOD_NIP)
    assert parse_nip("19800101.200501.1.001") == parse_nip(GOOD_NIP)
    validate_nip(GOOD_NIP)


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("19800101200501100A", "nip_digits", "NIP may contain digits only."),
        ("", "nip_digits", "NIP may contain digits only."),
        ("19800101200501100", "nip_length", "NIP must be 18 digits; this one has 17."),
        ("1980010120050110011", "nip_length", "NIP must be 18 digits; this one has 19."),
        (
            "198013012005011001",
            "nip_birth_date",
            "NIP digits 1–8 must be a valid birth date (YYYYMMDD); 19801301 is not.",
        ),
        (
            "198002302005011001",
            "nip_birth_date",
            "NIP digits 1–8 must be a valid birth date (YYYYMMDD); 19800230 is not.",
        ),
        ("193001012005011001", "nip_birth_date", "NIP digits 1–8: birth date 19300101 is not plausible."),
        (
            "198001012005131001",
            "nip_tmt",
            "NIP digits 9–14 must be the start of service (TMT CPNS) as YYYYMM; month 13 is not valid.",
        ),
        (
            "198001012005001001",
            "nip_tmt",
            "NIP digits 9–14 must be the start of service (TMT CPNS) as YYYYMM; month 00 is not valid.",
        ),
        (
            "198001011995011001",
            "nip_tmt",
            "NIP digits 9–14: start of service 199501 must be at least 17 years after birth and not in the future.",
        ),
        (
            "198001012199011001",
            "nip_tmt",
            "NIP digits 9–14: start of service 219901 must be at least 17 years after birth and not in the future.",
        ),
        ("198001012005013001", "nip_sex", "NIP digit 15 is the sex code and must be 1 (male) or 2 (female), not 3."),
        ("198001012005010001", "nip_sex", "NIP digit 15 is the sex code and must be 1 (male) or 2 (female), not 0."),
        ("198001012005011000", "nip_serial", "NIP digits 16–18 (serial number) cannot be 000."),
    ],
)
def test_each_wrong_nip_part_has_its_own_message(raw: str, code: str, message: str) -> None:
    error = _nip_error(raw)
    assert error.code == code
    assert error.messages == [message]


def test_nip_birth_date_in_the_future_is_not_plausible() -> None:
    future = dt.date.today() + dt.timedelta(days=400)
    error = _nip_error(f"{future:%Y%m%d}2005011001")
    assert error.code == "nip_birth_date"


def test_nip_tmt_exactly_17_years_after_birth_is_accepted() -> None:
    assert parse_nip("198001011997011001").tmt_cpns == dt.date(1997, 1, 1)


GOOD_NIK = "6372040101900001"  # Banjarbaru Utara, born 1 Jan 1990, male, serial 0001


def _nik_error(raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        parse_nik(raw)
    return exc.value


def test_good_nik_parses_into_its_parts() -> None:
    parts = parse_nik(GOOD_NIK)
    assert (parts.region, parts.birth_date, parts.sex, parts.serial) == ("63.72.04", dt.date(1990, 1, 1), "L", "0001")
    validate_nik("6372 0401 0190 0001")


def test_nik_of_a_woman_has_day_plus_40() -> None:
    parts = parse_nik("6372044101900002")
    assert (parts.birth_date, parts.sex) == (dt.date(1990, 1, 1), "P")
    assert parse_nik("6372047112850003").birth_date == dt.date(1985, 12, 31)


def test_nik_two_digit_year_in_this_century() -> None:
    assert parse_nik("6372040101050001").birth_date == dt.date(2005, 1, 1)


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("63720401019000O1", "nik_digits", "NIK may contain digits only."),
        ("637204010190001", "nik_length", "NIK must be 16 digits; this one has 15."),
        ("0072040101900001", "nik_region", "NIK digits 1–6 must be a kecamatan code (PPKKCC); 007204 is not."),
        ("6300040101900001", "nik_region", "NIK digits 1–6 must be a kecamatan code (PPKKCC); 630004 is not."),
        ("6372000101900001", "nik_region", "NIK digits 1–6 must be a kecamatan code (PPKKCC); 637200 is not."),
        (
            "6372043201900001",
            "nik_birth_date",
            "NIK digits 7–12 must be a birth date DDMMYY (women: day + 40); 320190 is not.",
        ),
        (
            "6372047201900001",
            "nik_birth_date",
            "NIK digits 7–12 must be a birth date DDMMYY (women: day + 40); 720190 is not.",
        ),
        (
            "6372040113900001",
            "nik_birth_date",
            "NIK digits 7–12 must be a birth date DDMMYY (women: day + 40); 011390 is not.",
        ),
        (
            "6372040002900001",
            "nik_birth_date",
            "NIK digits 7–12 must be a birth date DDMMYY (women: day + 40); 000290 is not.",
        ),
        (
            "6372043002900001",
            "nik_birth_date",
            "NIK digits 7–12 must be a birth date DDMMYY (women: day + 40); 300290 is not.",
        ),
        ("6372040101900000", "nik_serial", "NIK digits 13–16 (serial number) cannot be 0000."),
    ],
)
def test_each_wrong_nik_part_has_its_own_message(raw: str, code: str, message: str) -> None:
    error = _nik_error(raw)
    assert error.code == code
    assert error.messages == [message]

"""CSV from whatever spreadsheet a clerk uses: encodings, separators, clear header errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from balai.core.csvio import read_csv


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    # Assert the English source strings; Indonesian (the default) is the translators' concern.
    with translation.override("en"):
        yield


def test_comma_utf8_with_bom() -> None:
    table = read_csv("\ufeffcode,name\nA,Mentaos\n".encode(), ["code", "name"])
    assert (table.delimiter, table.encoding, table.decimal_comma) == (",", "utf-8", False)
    assert table.rows == [{"code": "A", "name": "Mentaos"}]


def test_semicolon_cp1252_means_decimal_comma() -> None:
    table = read_csv("code;name\nA;Café\n".encode("cp1252"), ["code", "name"])
    assert (table.delimiter, table.encoding, table.decimal_comma) == (";", "cp1252", True)
    assert table.rows == [{"code": "A", "name": "Café"}]


def test_utf16_and_tab() -> None:
    table = read_csv("code\tname\nA\tB\n".encode("utf-16"), ["code", "name"])
    assert (table.delimiter, table.encoding) == ("\t", "utf-16")
    assert table.rows == [{"code": "A", "name": "B"}]


def test_headers_are_case_insensitive_and_aliased_and_blank_lines_skipped() -> None:
    table = read_csv("KODE, Name \nA,B\n,\n\nC,D\n", ["code", "name"], aliases={"kode": "code"})
    assert table.headers == ["code", "name"]
    assert table.rows == [{"code": "A", "name": "B"}, {"code": "C", "name": "D"}]


def test_missing_headers_list_what_is_expected() -> None:
    with pytest.raises(ValidationError) as exc:
        read_csv("kode,nama\nA,B\n", ["code", "name"], optional=["comment"])
    message = exc.value.messages[0]
    assert "code, name" in message
    assert "[comment]" in message
    assert "kode, nama" in message


def test_empty_file() -> None:
    with pytest.raises(ValidationError, match="empty"):
        read_csv(b"  \n", ["code"])


def test_binary_file_is_refused_with_advice() -> None:
    with pytest.raises(ValidationError, match="CSV UTF-8"):
        read_csv(b"PK\x03\x04\x00\x00\xff\xfe\x00junk", ["code"])

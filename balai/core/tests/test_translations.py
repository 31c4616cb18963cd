"""The Indonesian catalogue is complete, and the compiled catalogue is the one Django serves.

Indonesian is the default language, so an untranslated string is an English word on a kelurahan
clerk's screen: the catalogue test names every such msgid. `make messages` compiles the .mo files
(`make test` does it first); a bare `pytest` without them skips the rendering tests with that hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from balai.core.periods import Period

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

needs_mo = pytest.mark.skipif(
    not MO_FILE.exists(), reason=f"{MO_FILE} is missing: run `make messages` (compilemessages) first"
)

# Python's %-placeholders, str.format fields and the literal %% all have to survive translation.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%%|%[sdfi]|\{\w*\}")
HTML_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^>]*>")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr.values())


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text.strip()[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Active (not obsolete) entries of a .po file; enough of the format for what makemessages writes."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # the field a continuation line "..." appends to
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry.msgid or entry.msgstr:
                entries.append(entry)
                entry, target = Entry(), None
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"') and target is not None:
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
        elif keyword in {"msgid", "msgctxt"} and (entry.msgid or entry.msgstr):
            entries.append(entry)
            entry = Entry(msgid=_unquote(rest) if keyword == "msgid" else "", line=number)
            target = ("msgid", 0) if keyword == "msgid" else None
        elif keyword in {"msgid", "msgid_plural"}:
            setattr(entry, keyword, _unquote(rest))
            entry.line = entry.line or number
            target = (keyword, 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        elif keyword == "msgctxt":
            target = None
    if entry.msgid or entry.msgstr:
        entries.append(entry)
    # The header (msgid "") carries metadata, not a UI string.
    return [e for e in entries if e.msgid]


def test_parser_reads_flags_plurals_and_continuation_lines(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: id\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Long %(n)s "\n"line"\nmsgstr "Baris %(n)s"\n\n'
        '#, python-format\nmsgid "%(n)s row"\nmsgid_plural "%(n)s rows"\nmsgstr[0] "%(n)s baris"\n\n'
        '#~ msgid "Old"\n#~ msgstr "Lama"\n',
        encoding="utf-8",
    )
    first, second = parse_po(po)
    assert (first.msgid, first.msgstr) == ("Long %(n)s line", {0: "Baris %(n)s"})
    assert first.flags == {"fuzzy", "python-format"}
    assert (second.msgid, second.msgid_plural, second.msgstr) == ("%(n)s row", "%(n)s rows", {0: "%(n)s baris"})


def test_indonesian_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    entries = parse_po(PO_FILE)
    assert len(entries) > 400  # a parser that silently reads nothing must not pass
    header = PO_FILE.read_text(encoding="utf-8")
    assert '"Language: id\\n"' in header
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    bad = [
        f"line {e.line}: {e.msgid!r}{' (fuzzy)' if 'fuzzy' in e.flags else ''}"
        for e in entries
        if "fuzzy" in e.flags or not e.translations or not all(t.strip() for t in e.translations)
    ]
    assert not bad, (
        f"{len(bad)} untranslated or fuzzy entries in {PO_FILE} (translate them, remove '#, fuzzy'):\n" + "\n".join(bad)
    )


def test_translations_keep_placeholders_and_html_tags() -> None:
    bad = []
    for entry in parse_po(PO_FILE):
        source = entry.msgid + entry.msgid_plural
        for text in entry.translations:
            if sorted(set(PLACEHOLDER.findall(text))) != sorted(set(PLACEHOLDER.findall(source))):
                bad.append(f"line {entry.line}: placeholders differ: {entry.msgid!r} -> {text!r}")
            if sorted(HTML_TAG.findall(text)) != sorted(HTML_TAG.findall(source)):
                bad.append(f"line {entry.line}: HTML tags differ: {entry.msgid!r} -> {text!r}")
    assert not bad, "\n".join(bad)


@needs_mo
@pytest.mark.django_db
def test_login_page_speaks_indonesian_and_english() -> None:
    indonesian = Client().get("/org/login/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    english = Client().get("/org/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Masuk ke akun Anda" in indonesian
    assert "Sign in to your account" not in indonesian
    assert "Sign in to your account" in english
    assert "Masuk ke akun Anda" not in english


@needs_mo
def test_quarter_and_week_labels_in_indonesian() -> None:
    with translation.override("id"):
        assert Period.parse("2026Q1").label("id") == "Triwulan I 2026"
        assert Period.parse("2026W07").label("id") == "Minggu ke-07 2026"

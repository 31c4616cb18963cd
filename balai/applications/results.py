"""The result document: a PDF from the service's template, with a QR code anyone can scan to check it.

The QR leads to ``/layanan/verifikasi/<code>/`` where ``code`` is the document's id and an HMAC of its id and
number keyed with SECRET_KEY. Changing any character of the code (another id, another number, a made-up
MAC) fails the check, and the page then says "not valid" without telling whether such a document exists.
Rotating SECRET_KEY invalidates the QR codes already printed: keep the key for the life of the documents.
"""

from __future__ import annotations

import hmac
import io
import re
import string
import unicodedata
from typing import Any

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override
from fpdf import FPDF

from balai.applications.models import Application, FormField, ResultDocument, ResultTemplate
from balai.workdays.selectors import pemda_of

_SALT = "balai.applications.result"
_MAC_CHARS = 24  # 96 bits: far beyond guessing, short enough for a QR a cheap phone reads at once
_CODE_RE = re.compile(rf"^(\d{{1,12}})-([0-9a-f]{{{_MAC_CHARS}}})$")


# --------------------------------------------------------------------------------------- verification
def _mac(pk: int, number: str) -> str:
    return salted_hmac(_SALT, f"{pk}:{number}", algorithm="sha256").hexdigest()[:_MAC_CHARS]


def verification_code(doc: ResultDocument) -> str:
    return f"{doc.pk}-{_mac(doc.pk, doc.number)}"


def verify_path(doc: ResultDocument) -> str:
    return reverse("applications:verify", args=[verification_code(doc)])


def verify_url(doc: ResultDocument, request: Any = None) -> str:
    """Absolute: BALAI_PUBLIC_URL when set (what is printed must work from anywhere), else this request's host."""
    path = verify_path(doc)
    base = getattr(settings, "BALAI_PUBLIC_URL", "")
    if base:
        return base.rstrip("/") + path
    if request is not None:
        return str(request.build_absolute_uri(path))
    return path


def document_for_code(code: str) -> ResultDocument | None:
    """The document this code was issued for, or None for any forged, altered or unknown code."""
    match = _CODE_RE.match((code or "").strip().lower())
    if not match:
        return None
    pk = int(match.group(1))
    doc = ResultDocument.objects.select_related("application__service", "application__unit").filter(pk=pk).first()
    # The comparison runs for a missing id too, so timing does not tell which ids exist.
    expected = _mac(pk, doc.number if doc is not None else "")
    if doc is None or not hmac.compare_digest(expected, match.group(2)):
        return None
    return doc


def mask_name(name: str) -> str:
    """ "Siti Aminah" → "S*** A*****": enough to match the paper in hand, not enough to identify anyone."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in (name or "").split())


# ------------------------------------------------------------------------------------------------- PDF
def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def _latin1(text: Any) -> str:
    """The core PDF fonts know Latin-1 only: fold accents, replace anything else (never fail an issue)."""
    folded = unicodedata.normalize("NFKC", str(text)).replace("\u2013", "-").replace("\u2014", "-")
    return folded.encode("latin-1", "replace").decode("latin-1")


def template_for(application: Application) -> ResultTemplate:
    found = ResultTemplate.objects.filter(service_id=application.service_id).first()
    if found is not None:
        return found
    return ResultTemplate(service=application.service)


def _substitutions(application: Application, number: str, issued_at: Any) -> dict[str, str]:
    values = {
        "name": application.applicant_name,
        "nik": application.nik,
        "service": application.service.name_id,
        "unit": application.unit.name,
        "number": number,
        "date": date_format(timezone.localtime(issued_at).date(), "j F Y"),
        "tracking": application.tracking_number,
    }
    for code, value in (application.answers or {}).items():
        values.setdefault(str(code), str(value))
    return values


def render_pdf(application: Application, *, number: str, issued_at: Any, url: str) -> bytes:
    """The result document of ``application`` as PDF bytes (Indonesian, the Pemda's official language)."""
    with override(settings.LANGUAGE_CODE):
        return _render(application, number=number, issued_at=issued_at, url=url)


def _render(application: Application, *, number: str, issued_at: Any, url: str) -> bytes:
    tpl = template_for(application)
    values = _substitutions(application, number, issued_at)
    unit = application.unit
    pemda = pemda_of(unit)
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"{tpl.title or application.service.product or application.service.name_id} {number}"))
    pdf.set_creator("Balai")
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 13)
    if pemda.pk != unit.pk:
        pdf.cell(0, 7, _latin1(pemda.name.upper()), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.cell(0, 7, _latin1(unit.name.upper()), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_line_width(0.6)
    pdf.line(20, pdf.get_y() + 2, 190, pdf.get_y() + 2)
    pdf.ln(8)
    title = tpl.title or application.service.product or application.service.name_id
    pdf.set_font("helvetica", "BU", 13)
    pdf.cell(0, 7, _latin1(title.upper()), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("helvetica", "", 10)
    pdf.cell(0, 6, _latin1(_("Number: %(number)s") % {"number": number}), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(6)
    pdf.set_font("helvetica", "", 11)
    opening = tpl.opening or _(
        "The undersigned certifies that the application for $service by the person below has been approved:"
    )
    pdf.multi_cell(0, 6, _latin1(string.Template(opening).safe_substitute(values)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = [(_("Name"), application.applicant_name), (_("NIK"), application.nik)]
    labels = {f.code: f.label for f in FormField.objects.filter(service_id=application.service_id)}
    for code, value in (application.answers or {}).items():
        if value not in ("", None):
            rows.append((labels.get(code, code), str(value)))
    rows.append((_("Tracking number"), application.tracking_number))
    for label, value in rows:
        pdf.set_x(28)
        pdf.cell(55, 6, _latin1(label))
        pdf.multi_cell(0, 6, _latin1(f": {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    closing = tpl.closing or _("This document is issued to be used as needed.")
    pdf.multi_cell(0, 6, _latin1(string.Template(closing).safe_substitute(values)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    # Signature block on the right, the QR on the left at the same height.
    top = pdf.get_y()
    place = pemda.name.replace("Pemerintah ", "")
    signer_title = tpl.signer_title or _("Head of %(unit)s") % {"unit": unit.name}
    pdf.set_xy(115, top)
    pdf.multi_cell(75, 6, _latin1(f"{place}, {values['date']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(115)
    pdf.multi_cell(75, 6, _latin1(signer_title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_x(115)
    pdf.set_font("helvetica", "B", 11)
    pdf.multi_cell(75, 6, _latin1(tpl.signer_name or "......................................."), new_x="LMARGIN")
    pdf.image(io.BytesIO(qr_png(url)), x=20, y=top, w=36, h=36, link=url)
    pdf.set_xy(20, top + 37)
    pdf.set_font("helvetica", "", 7)
    pdf.multi_cell(
        80, 3.5, _latin1(_("Scan to check this document: %(url)s") % {"url": url}), new_x="LMARGIN", align="L"
    )
    return bytes(pdf.output())

"""Upload a CSV, preview it row by row (a dry run), confirm: the one flow every staff CSV import page follows.

The file waits in the session between the two posts, under a random token the confirm form carries, so a
stale or forged confirmation imports nothing. A file over ``BALAI_IMPORT_MAX_BYTES`` is previewed but not kept
(the service refuses it anyway). The import itself is all-or-nothing: the service's report says per row what
would change, and if the data changed between preview and confirmation the refused report is shown again.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from balai.core.csvio import decode
from balai.org.forms import CsvUploadForm, ImportConfirmForm
from balai.org.services import ImportReport

#: ``run(content, dry_run)``: the module's CSV import service for the signed-in user.
ImportRun = Callable[[str, bool], ImportReport]


def counts(report: ImportReport) -> dict[str, int]:
    return {status: report.count(status) for status in ("created", "updated", "ignored", "error")}


def import_flow(
    request: HttpRequest,
    *,
    run: ImportRun,
    session_key: str,
    again: str,
    done: str,
    done_message: str,
    context: dict[str, Any],
) -> HttpResponse | None:
    """Handle a GET or POST of an import page: a redirect to return, or None with ``context`` filled to render.

    ``again`` and ``done`` are URL names (the import page, the list after a successful import);
    ``done_message`` takes ``%(created)s``, ``%(updated)s`` and ``%(ignored)s``. The template includes
    ``org/_import_report.html`` and the upload form ``context["form"]``.
    """
    context.setdefault("form", CsvUploadForm())
    if request.method == "POST" and "token" in request.POST:
        confirm = ImportConfirmForm(request.POST)
        stored = request.session.get(session_key) or {}
        if not confirm.is_valid() or stored.get("token") != confirm.cleaned_data["token"]:
            messages.error(request, _("This preview has expired. Upload the file again."))
            return redirect(again)
        report = run(stored["content"], False)
        if not report.has_errors:
            del request.session[session_key]
            messages.success(
                request,
                done_message
                % {
                    "created": report.count("created"),
                    "updated": report.count("updated"),
                    "ignored": report.count("ignored"),
                },
            )
            return redirect(done)
        # The data changed between the preview and the confirmation: show why nothing was imported.
        context.update(report=report, counts=counts(report), filename=stored.get("filename", ""), applied=True)
    elif request.method == "POST":
        upload = CsvUploadForm(request.POST, request.FILES)
        context["form"] = upload
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                text, _encoding = decode(file.read())
                report = run(text, True)
            except ValidationError as exc:
                upload.add_error("file", exc.messages)
            else:
                token = secrets.token_urlsafe(16)
                if len(text.encode()) <= settings.BALAI_IMPORT_MAX_BYTES:
                    request.session[session_key] = {"token": token, "content": text, "filename": file.name}
                context.update(
                    report=report,
                    counts=counts(report),
                    filename=file.name,
                    confirm=None if report.has_errors else ImportConfirmForm(initial={"token": token}),
                )
    return None

"""Rakor pages: the archive of packs per month, the button, a pack's progress, and its downloads.

Everything here is for roles that view the whole city; anyone else gets 404 (the packs carry every
perangkat daerah's numbers). Generating is for the head of region and the city administrators.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from balai.core.periods import Period, PeriodType
from balai.rakor import selectors, services
from balai.rakor.choices import POLL_SECONDS, PackStatus
from balai.rakor.forms import PackForm

MONTH_CHOICES = 24


def today() -> dt.date:
    return timezone.localdate()


def _require_viewer(request: HttpRequest) -> None:
    if not selectors.sees_packs(request.user):
        raise Http404


@require_GET
@login_required
def pack_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    current = Period.containing(today(), PeriodType.MONTH)
    packs = list(selectors.packs_visible(request.user))
    months = [(period, list(rows)) for period, rows in groupby(packs, key=lambda p: p.period)]
    return render(
        request,
        "rakor/list.html",
        {
            "months": months,
            "can_generate": selectors.can_generate(request.user),
            "month_options": list(reversed(current.series(MONTH_CHOICES))),
            "default_month": current.previous(),
        },
    )


@require_POST
@login_required
def pack_create(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    if not selectors.can_generate(request.user):
        raise Http404
    form = PackForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("rakor:list")
    try:
        pack = services.rakor_pack_request(actor=request.user, period=form.cleaned_data["period"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rakor:list")
    return redirect("rakor:detail", pack.pk)


@require_GET
@login_required
def pack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    pack = selectors.pack_get(request.user, pk)
    return render(
        request,
        "rakor/detail.html",
        {"pack": pack, "poll_seconds": POLL_SECONDS, "can_generate": selectors.can_generate(request.user)},
    )


@never_cache
@require_GET
@login_required
def pack_progress(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    pack = selectors.pack_get(request.user, pk)
    return render(request, "rakor/_progress.html", {"pack": pack, "poll_seconds": POLL_SECONDS})


@require_GET
@login_required
def pack_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    _require_viewer(request)
    pack = selectors.pack_get(request.user, pk)
    field = {"pdf": pack.pdf, "xlsx": pack.xlsx}.get(kind)
    if field is None or pack.status != PackStatus.DONE or not field.name:
        raise Http404
    content_type = (
        "application/pdf" if kind == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(field.open("rb"), as_attachment=True, filename=pack.filename(kind), content_type=content_type)

"""The daily digest: every working morning each person responsible for open alerts gets one e-mail.

The same approach as the complaint digest (``balai.complaints.escalation``): working days of the Pemda's
calendar only, text and HTML parts from templates, the Pemda's language and time zone, one SMTP connection,
and one refused address never losing the others' mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from balai.alerts import selectors
from balai.alerts.models import Alert
from balai.core.mail import send_each
from balai.org.selectors import pemda_root, pemda_zone
from balai.workdays.selectors import is_working_day

logger = logging.getLogger(__name__)

#: Longest list in one digest; the count stays exact and the link shows the rest.
DIGEST_LIST_LIMIT = 30


def absolute(path: str) -> str:
    return settings.BALAI_PUBLIC_URL + path


def daily_digest(today: dt.date | None = None) -> int:
    """E-mail each owner of open alerts the list of them; returns the e-mails sent (0 on a day off)."""
    zone = pemda_zone()
    today = today or timezone.now().astimezone(zone).date()
    root = pemda_root()
    if root is None or not is_working_day(root, today):
        return 0
    messages: list[EmailMultiAlternatives] = []
    with translation.override(settings.LANGUAGE_CODE), timezone.override(zone):
        for user, alerts in selectors.owner_open_alerts().values():
            if not user.email:
                logger.info("alerts: %s has no e-mail address; digest not sent", user.username)
                continue
            messages.append(_message(user, alerts, today))
    return send_each(messages, label="alerts")


def _message(user: Any, alerts: list[Alert], today: dt.date) -> EmailMultiAlternatives:
    subject = ngettext("[Balai] %(n)d open alert, %(date)s", "[Balai] %(n)d open alerts, %(date)s", len(alerts)) % {
        "n": len(alerts),
        "date": formats.date_format(today, "j F Y"),
    }
    context = {
        "recipient": user,
        "rows": [(a, absolute(reverse("alerts:detail", args=[a.pk]))) for a in alerts[:DIGEST_LIST_LIMIT]],
        "total": len(alerts),
        "more": max(0, len(alerts) - DIGEST_LIST_LIMIT),
        "list_link": absolute(reverse("alerts:list")),
        "today": today,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("alerts/email/digest.html", context), "text/html")
    return message

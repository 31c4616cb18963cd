"""Sending a batch of e-mails (digests, escalations) the way every module wants it."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives, get_connection

logger = logging.getLogger(__name__)


def send_each(messages: list[EmailMultiAlternatives], *, label: str) -> int:
    """Send each message on one connection; return how many went.

    A refused address is logged under ``label`` and does not stop the others: one person's full mailbox must
    not cost everyone else their digest.
    """
    if not messages:
        return 0
    sent = 0
    with get_connection() as connection:
        for message in messages:
            message.connection = connection
            try:
                sent += message.send()
            except Exception:
                logger.exception("%s: e-mail %r to %s failed", label, message.subject, message.to)
    return sent

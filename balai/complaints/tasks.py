"""Background work of citizen reports."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def notify_followers(update_id: int) -> int:
    """Tell every follower of the report about a public update, on the channel they reported from.

    E-mail goes out now. WhatsApp and Telegram replies are sent by the chat channels once they are
    configured (BALAI_WHATSAPP_* / BALAI_TELEGRAM_*); until then the update is logged, not lost: the
    reporter also sees it on the tracking page.
    """
    from balai.complaints.channels.senders import send_update
    from balai.complaints.models import ComplaintUpdate

    update = ComplaintUpdate.objects.select_related("complaint").filter(pk=update_id, is_public=True).first()
    if update is None:
        return 0
    complaint = update.complaint
    sent = 0
    for follower in complaint.followers.all():
        if "@" in follower.address:
            send_mail(
                subject=f"[{complaint.tracking_code}] {complaint.get_status_display()}",
                message=update.text or complaint.get_status_display(),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[follower.address],
                fail_silently=False,
            )
            sent += 1
        elif send_update(follower, f"[{complaint.tracking_code}] {complaint.get_status_display()}: {update.text}"):
            sent += 1
        else:
            logger.info(
                "complaint %s: update %s for %s:%s waits for the chat channel",
                complaint.tracking_code,
                update.pk,
                follower.channel,
                follower.address,
            )
    return sent


@task()
def escalate_overdue_task() -> int:
    """Enqueued by the scheduler every 15 minutes: escalate reports that just went past a deadline."""
    from balai.complaints.escalation import escalate_overdue

    return escalate_overdue()


@task()
def daily_digest_task() -> int:
    """Enqueued by the scheduler at 07:00 Pemda time: each unit's digest (working days only)."""
    from balai.complaints.escalation import daily_digest

    return daily_digest()

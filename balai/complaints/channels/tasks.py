"""Processing of stored chat messages, off the webhook request so the platform gets its 200 at once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from balai.complaints.channels import bot, senders
from balai.complaints.choices import Channel
from balai.complaints.models import ChatSession, InboundMessage

logger = logging.getLogger(__name__)

#: Messages per sender per minute that the bot processes; the rest get one friendly message, then silence.
RATE_LIMIT_PER_MINUTE = 20


def _parsers() -> dict[str, Callable[[InboundMessage], bot.Incoming]]:
    from balai.complaints.channels import telegram, whatsapp

    return {Channel.WHATSAPP: whatsapp.to_incoming, Channel.TELEGRAM: telegram.to_incoming}


def _over_limit(inbound: InboundMessage) -> int:
    """How far past the limit this message is (0 = within it), counting the sender's earlier messages."""
    recent = InboundMessage.objects.filter(
        channel=inbound.channel,
        sender=inbound.sender,
        received_at__gt=inbound.received_at - dt.timedelta(minutes=1),
        pk__lte=inbound.pk,
    ).count()
    return max(0, recent - RATE_LIMIT_PER_MINUTE)


def _send(channel: str, to: str, replies: list[str]) -> None:
    for text in replies:
        try:
            senders.send_text(channel, to, text)
        except senders.ChannelError:
            logger.warning("chat %s:%s: reply not sent", channel, to, exc_info=True)


@task()
def process_inbound(inbound_id: int) -> int:
    """Run one stored message through the bot and send the replies; returns how many replies were sent."""
    inbound = InboundMessage.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        over = _over_limit(inbound)
        if over:
            replies = [bot.rate_limited_reply()] if over == 1 else []
            _send(inbound.channel, inbound.sender, replies)
            return len(replies)
        incoming = _parsers()[inbound.channel](inbound)
        with transaction.atomic():
            session, _created = ChatSession.objects.select_for_update().get_or_create(
                channel=inbound.channel, sender=inbound.sender
            )
            replies = bot.handle(session, incoming, senders.fetch_media)
            session.updated_at = timezone.now()
            session.save()
        _send(inbound.channel, inbound.sender, replies)
    return len(replies)

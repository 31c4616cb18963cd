"""``balai telegram_webhook --set``: point the Telegram bot at this server's /webhooks/telegram/.

Telegram only delivers to HTTPS and sends the secret back in a header on every update, so the command
refuses to register without ``BALAI_PUBLIC_URL`` on https and without ``BALAI_TELEGRAM_SECRET_TOKEN``:
a webhook registered without the secret would have every update refused with 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from balai.complaints.channels.senders import ChannelError, telegram_method


class Command(BaseCommand):
    help = "Register (--set), remove (--delete) or show (default) the Telegram bot's webhook."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--set", action="store_true", help="register BALAI_PUBLIC_URL/webhooks/telegram/")
        group.add_argument("--delete", action="store_true", help="remove the webhook (the bot stops receiving)")

    def handle(self, *args: Any, **options: Any) -> None:
        conf = settings.BALAI_TELEGRAM
        if not conf["BOT_TOKEN"]:
            raise CommandError("BALAI_TELEGRAM_BOT_TOKEN is empty: create the bot with @BotFather first")
        try:
            if options["set"]:
                self._set(conf)
            elif options["delete"]:
                telegram_method("deleteWebhook", {"drop_pending_updates": False})
                self.stdout.write("Telegram webhook removed.")
            else:
                info = telegram_method("getWebhookInfo", {}).get("result") or {}
                self.stdout.write(f"url: {info.get('url') or '(none)'}")
                self.stdout.write(f"pending updates: {info.get('pending_update_count', 0)}")
                if info.get("last_error_message"):
                    self.stdout.write(f"last error: {info['last_error_message']}")
        except ChannelError as exc:
            raise CommandError(f"Telegram refused: {exc}") from exc

    def _set(self, conf: dict[str, str]) -> None:
        public = settings.BALAI_PUBLIC_URL
        if urlsplit(public).scheme != "https":
            raise CommandError(f"BALAI_PUBLIC_URL must be an https:// address Telegram can reach, not {public!r}")
        if not conf["SECRET_TOKEN"]:
            raise CommandError("BALAI_TELEGRAM_SECRET_TOKEN is empty: every update would be refused")
        url = public + reverse("complaints_webhooks:telegram")
        telegram_method(
            "setWebhook",
            {
                "url": url,
                "secret_token": conf["SECRET_TOKEN"],
                "allowed_updates": ["message"],  # edits and callbacks are not handled by the bot
            },
        )
        self.stdout.write(f"Telegram webhook set to {url}")

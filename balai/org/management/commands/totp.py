"""``balai totp <username>``: print the current second-factor code of an account (development and demo only)."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from balai.org.models import User


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of a user (development and demo only; refused in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        # Anyone with shell access could otherwise bypass the second factor of any production account.
        if settings.PRODUCTION:
            raise CommandError("balai totp is a development helper and is refused with BALAI_ENV=production.")
        username = options["username"].strip().lower()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username}.")
        if not user.totp_secret:
            raise CommandError(f"User {username} has no second factor (TOTP) set up.")
        self.stdout.write(pyotp.TOTP(user.totp_secret).now())
        if options["verbosity"] > 0:
            remaining = 30 - int(time.time()) % 30
            # On stderr, so `$(balai totp admin)` captures the code alone.
            self.stderr.write(f"valid for {remaining} more seconds", style_func=str)

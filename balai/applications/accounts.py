"""Citizen accounts: sign in with a one-time code sent to an e-mail address or a WhatsApp number.

Decision: a citizen is a ``Citizen`` row, not a staff ``User``. It has no password to leak or reset, no role,
and cannot open a staff page or call the staff API (those check ``request.user``, which a citizen never is).
The browser session holds the citizen's id and their ``session_salt``; a new code sign-in cycles the session
key (no fixation), and changing the salt ends every session of that citizen.

Codes: 6 digits, stored as a keyed hash (HMAC with SECRET_KEY), valid 10 minutes, at most 5 tries each; a new
code for the same contact only after a cooldown, and a few per hour per contact and per client address, so
the form cannot be used to flood someone's inbox or phone.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from balai.applications.choices import ContactChannel
from balai.applications.models import Citizen, OneTimeCode
from balai.core.audit import audit_record
from balai.core.models import AuditEvent

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_COOLDOWN = dt.timedelta(seconds=60)
MAX_CODES_PER_HOUR = 5  # per contact
MAX_CODES_PER_HOUR_PER_IP = 20
SESSION_KEY = "balai_citizen"
_HASH_SALT = "balai.applications.otp"
_PHONE_RE = re.compile(r"^62[1-9]\d{7,12}$")


class CodeRefused(ValidationError):
    """No code was sent (cooldown, limit, channel not configured) or the code given is not right."""


# -------------------------------------------------------------------------------------------- contacts
def normalise_phone(raw: str) -> str:
    """An Indonesian mobile number as international digits: 0812-3456-789 / +62 812... → 62812...."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not _PHONE_RE.match(digits):
        raise ValidationError({"contact": _("Enter a mobile number such as 0812 3456 7890.")})
    return digits


def normalise_contact(channel: str, raw: str) -> str:
    raw = (raw or "").strip()
    if channel == ContactChannel.EMAIL:
        try:
            validate_email(raw)
        except ValidationError:
            raise ValidationError({"contact": _("Enter a valid e-mail address.")}) from None
        return raw.lower()
    if channel == ContactChannel.PHONE:
        return normalise_phone(raw)
    raise ValidationError({"contact": _("Choose e-mail or phone.")})


def guess_channel(raw: str) -> str:
    return ContactChannel.EMAIL if "@" in (raw or "") else ContactChannel.PHONE


def whatsapp_configured() -> bool:
    conf = getattr(settings, "BALAI_WHATSAPP", {}) or {}
    return bool(conf.get("TOKEN") and conf.get("PHONE_NUMBER_ID"))


def mask_contact(channel: str, address: str) -> str:
    """For pages and the audit log: s•••@example.com, 62812•••••90."""
    if channel == ContactChannel.EMAIL and "@" in address:
        local, domain = address.split("@", 1)
        return f"{local[:1]}•••@{domain}"
    return address[:5] + "•" * max(0, len(address) - 7) + address[-2:]


# ----------------------------------------------------------------------------------------- delivery
def deliver(channel: str, address: str, subject: str, text: str) -> None:
    """Send a message through the contact's channel; raises on failure (the caller decides what follows)."""
    if channel == ContactChannel.EMAIL:
        send_mail(subject, text, None, [address], fail_silently=False)
        return
    from balai.complaints.channels.senders import send_text
    from balai.complaints.choices import Channel

    send_text(Channel.WHATSAPP, address, text)


def notify(citizen: Citizen, subject: str, text: str) -> bool:
    """Best effort: an update the citizen can always read on the tracking page; a failure is only logged."""
    if not citizen.notifications or (citizen.channel == ContactChannel.PHONE and not whatsapp_configured()):
        return False
    try:
        deliver(citizen.channel, citizen.address, subject, text)
    except Exception:
        logger.warning("could not notify citizen %s", citizen.pk, exc_info=True)
        return False
    return True


# ---------------------------------------------------------------------------------------------- codes
def _hash(channel: str, address: str, code: str) -> str:
    return salted_hmac(_HASH_SALT, f"{channel}:{address}:{code}", algorithm="sha256").hexdigest()


def citizen_start(*, channel: str, contact: str, ip_address: str | None = None) -> str:
    """Send a sign-in code to ``contact``; returns the normalised address. Refuses with a clear reason."""
    address = normalise_contact(channel, contact)
    if channel == ContactChannel.PHONE and not whatsapp_configured():
        raise CodeRefused(
            {"contact": _("Sign-in by phone is not available here yet. Use your e-mail address instead.")}
        )
    now = timezone.now()
    with transaction.atomic():
        recent = sorted(
            OneTimeCode.objects.filter(
                channel=channel, address=address, created_at__gte=now - dt.timedelta(hours=1)
            ).values_list("created_at", flat=True)
        )
        if recent and now - recent[-1] < RESEND_COOLDOWN:
            wait = int((RESEND_COOLDOWN - (now - recent[-1])).total_seconds()) + 1
            raise CodeRefused(
                {"contact": _("A code was just sent. Wait %(n)d seconds before asking again.") % {"n": wait}}
            )
        if len(recent) >= MAX_CODES_PER_HOUR:
            raise CodeRefused({"contact": _("Too many codes were asked for this contact. Try again in an hour.")})
        if ip_address and (
            AuditEvent.objects.filter(
                action="citizen.code_sent", ip_address=ip_address, created_at__gte=now - dt.timedelta(hours=1)
            ).count()
            >= MAX_CODES_PER_HOUR_PER_IP
        ):
            raise CodeRefused({"contact": _("Too many codes were asked from here. Try again in an hour.")})
        code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
        # Older codes die: only the newest one can be used.
        OneTimeCode.objects.filter(channel=channel, address=address, used_at__isnull=True).update(used_at=now)
        otp = OneTimeCode.objects.create(
            channel=channel,
            address=address,
            code_hash=_hash(channel, address, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        audit_record(
            actor=None,
            action="citizen.code_sent",
            changes={"channel": channel, "contact": mask_contact(channel, address)},
            object_repr=mask_contact(channel, address),
        )
    text = _(
        "Your Balai sign-in code is %(code)s. It is valid for %(minutes)d minutes. "
        "Do not share it with anyone, not even with an officer."
    ) % {"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)}
    # Sent after the commit: a slow mail server or chat platform must not hold a database transaction open.
    try:
        deliver(channel, address, _("Your sign-in code"), text)
    except Exception as exc:
        logger.warning("could not send a sign-in code through %s", channel, exc_info=True)
        OneTimeCode.objects.filter(pk=otp.pk).update(used_at=timezone.now())
        raise CodeRefused(
            {"contact": _("The code could not be sent. Check the address or try again in a few minutes.")}
        ) from exc
    return address


def citizen_verify(*, channel: str, contact: str, code: str) -> Citizen:
    """The citizen holding ``contact`` proved it with ``code``: their account (created on first sign-in)."""
    address = normalise_contact(channel, contact)
    code = re.sub(r"\s", "", code or "")
    now = timezone.now()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(channel=channel, address=address, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.expires_at <= now:
            raise CodeRefused({"code": _("This code has expired or was never sent. Ask for a new code.")})
        if otp.attempts >= MAX_ATTEMPTS:
            raise CodeRefused({"code": _("Too many wrong tries. Ask for a new code.")})
        if not hmac.compare_digest(otp.code_hash, _hash(channel, address, code)):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            left = MAX_ATTEMPTS - otp.attempts
            # Raised after the block commits: the wrong try must count.
            message = _("Wrong code; %(n)d tries left.") % {"n": left} if left else _("Wrong code. Ask for a new code.")
            wrong = CodeRefused({"code": message})
        else:
            wrong = None
            otp.used_at = now
            otp.save(update_fields=["used_at"])
    if wrong is not None:
        raise wrong
    return _citizen_for(channel, address, now)


def _citizen_for(channel: str, address: str, now: dt.datetime) -> Citizen:
    with transaction.atomic():
        try:
            with transaction.atomic():
                citizen, created = Citizen.objects.get_or_create(
                    channel=channel, address=address, defaults={"verified_at": now}
                )
        except IntegrityError:  # the same contact signing in twice at once
            citizen, created = Citizen.objects.get(channel=channel, address=address), False
        if citizen.verified_at is None:
            citizen.verified_at = now
        citizen.last_sign_in_at = now
        citizen.save(update_fields=["verified_at", "last_sign_in_at"])
        audit_record(
            actor=None,
            action="citizen.sign_up" if created else "citizen.sign_in",
            obj=citizen,
            object_repr=mask_contact(channel, address),
        )
    return citizen


# -------------------------------------------------------------------------------------------- session
def sign_in(request: HttpRequest, citizen: Citizen) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"id": citizen.pk, "salt": citizen.session_salt}


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def current(request: HttpRequest) -> Citizen | None:
    """The citizen signed in on this browser, or None (also when their sessions were ended)."""
    cached: Any = getattr(request, "_balai_citizen", False)
    if cached is not False:
        return cached
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    citizen = None
    if isinstance(data, dict) and isinstance(data.get("id"), int):
        found = Citizen.objects.filter(pk=data["id"]).first()
        if found is not None and found.is_verified and hmac.compare_digest(found.session_salt, str(data.get("salt"))):
            citizen = found
    request._balai_citizen = citizen  # type: ignore[attr-defined]
    return citizen

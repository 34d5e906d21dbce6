"""Two-factor authentication: who must use it, setting up an authenticator app, checking codes, resetting.

django-otp keeps the devices: one `TOTPDevice` (the authenticator app) and one `StaticDevice` (ten
one-time recovery codes) per user. A session is verified once `django_otp.login` has stored the device
that accepted a code; `OTPMiddleware` reads it back on every request, so removing a user's devices
unverifies every session they have. `TwoFactorMiddleware` (accounts/middleware.py) sends signed-in staff
who need a second factor, and have not given one in this session, here before anything else.
"""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.html import escape
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwork.accounts.models import User
from linkwork.accounts.roles import TWO_FACTOR_ROLES
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

WRONG_CODE = "That code is not right. Enter the 6-digit code your authenticator app shows now."
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used already."
TOO_MANY_WRONG = (
    "Too many wrong codes in a row. Wait a minute, then enter the code your authenticator app shows."
)
WRONG_SET_UP_CODE = (
    "That code is not right. Check the app shows linkwork and your username, then enter the 6-digit "
    "code it shows now."
)
ALREADY_SET_UP = "Two-factor authentication is already set up for this account."
NOT_SET_UP = "Two-factor authentication is not set up for this account."
CANNOT_RESET_OWN = (
    "You cannot reset your own two-factor authentication. Ask another organisation admin, or the operator."
)

_SEPARATORS = re.compile(r"[\s-]+")


def demo_exempt(user: User) -> bool:
    """Demo logins skip the second factor only outside production, and only when asked to."""
    return bool(not settings.PRODUCTION and settings.LINKWORK_DEMO_SKIP_TWO_FACTOR and user.is_demo)


def two_factor_required(user: User) -> bool:
    """Whether the user's organisation requires a second factor of them, for the roles they hold."""
    organisation = user.organisation
    return (
        organisation is not None
        and organisation.require_two_factor
        and user.has_role(*TWO_FACTOR_ROLES)
        and not demo_exempt(user)
    )


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_verification(user: User) -> bool:
    """Whether a session of this user must be verified by a code: required of them, or set up anyway."""
    if demo_exempt(user):
        return False
    return two_factor_required(user) or has_two_factor(user)


def session_verified(request: HttpRequest) -> bool:
    """Whether this session gave a right code (OTPMiddleware sets `otp_device` on the user)."""
    return getattr(request.user, "otp_device", None) is not None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_recovery_code(device: Device) -> bool:
    return isinstance(device, StaticDevice)


@dataclass(frozen=True)
class TwoFactorStatus:
    set_up_at: dt.datetime | None
    last_used_at: dt.datetime | None
    recovery_codes_left: int


def two_factor_status(user: User) -> TwoFactorStatus | None:
    """What the user and their organisation admin are shown: when the app was set up and last used,
    and how many recovery codes are left. None when it is not set up."""
    device = app_device(user)
    if device is None:
        return None
    return TwoFactorStatus(
        set_up_at=device.created_at,
        last_used_at=device.last_used_at,
        recovery_codes_left=recovery_codes_left(user),
    )


def set_up_device(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: made on the first visit, with the same key until confirmed."""
    if has_two_factor(user):
        raise DomainError(ALREADY_SET_UP, code="ALREADY_SET_UP")
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The set-up link as a QR code, an SVG to put in the page (drawn with attributes, no styles)."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code to scan with your authenticator app"
    )
    label = escape("QR code to scan with your authenticator app")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _clean(code: str) -> str:
    return _SEPARATORS.sub("", code).lower()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]  # type: ignore[no-untyped-call]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def set_up_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with a code it shows now. Returns ten recovery codes, to be shown once.

    A wrong code is audited and changes nothing else. The code is checked against the key the page
    showed, so guessing it gains nothing; the device's own throttling still slows repeated tries.
    """
    if device.user_id != user.pk or device.confirmed or has_two_factor(user):
        raise DomainError(ALREADY_SET_UP, code="ALREADY_SET_UP")
    if not device.verify_token(_clean(code)):  # type: ignore[no-untyped-call]
        audit_record(actor=user, event="auth.two_factor_failed", target=user, detail={"stage": "set-up"})
        raise ValidationFailed(WRONG_SET_UP_CODE, fields={"code": WRONG_SET_UP_CODE})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_record(
            actor=user, event="auth.two_factor_set_up", target=user, detail={"recovery_codes": len(codes)}
        )
    return codes


def verify_code(*, user: User, code: str) -> Device:
    """The device that accepts `code`: the app for six digits, otherwise a recovery code (used up).

    Audited either way. A wrong code raises ValidationFailed; the caller counts it towards the sign-in
    lockout. django-otp also slows repeated wrong codes on a device (1, 2, 4, 8... seconds), and that
    count is kept until a right code, whatever happens to the lockout.
    """
    cleaned = _clean(code)
    using_app = cleaned.isdigit() and len(cleaned) == 6
    device: Device | None = (
        app_device(user) if using_app else StaticDevice.objects.filter(user=user, confirmed=True).first()
    )
    if device is None:
        if using_app:
            raise DomainError(NOT_SET_UP, code="NOT_SET_UP")
        _record_failure(user, "recovery code")
        raise ValidationFailed(WRONG_RECOVERY_CODE, fields={"code": WRONG_RECOVERY_CODE})
    allowed, _ = device.verify_is_allowed()  # type: ignore[no-untyped-call]
    with transaction.atomic():
        accepted = allowed and device.verify_token(cleaned)  # type: ignore[no-untyped-call]
    if not accepted:
        _record_failure(user, "app" if using_app else "recovery code")
        message = TOO_MANY_WRONG if not allowed else WRONG_CODE if using_app else WRONG_RECOVERY_CODE
        raise ValidationFailed(message, fields={"code": message})
    detail: dict[str, object] = {"method": "app" if using_app else "recovery code"}
    if not using_app:
        detail["recovery_codes_left"] = recovery_codes_left(user)
    audit_record(actor=user, event="auth.two_factor_verified", target=user, detail=detail)
    return device


def _record_failure(user: User, method: str) -> None:
    audit_record(
        actor=user, event="auth.two_factor_failed", target=user, detail={"stage": "verify", "method": method}
    )


def two_factor_reset(*, actor: User | Operator, staff: User) -> int:
    """Remove a user's authenticator app and recovery codes (a lost phone) and sign them out everywhere,
    so they set it up again at their next sign-in. Returns how many devices were removed."""
    authorize(actor, Action.UPDATE, staff)
    if isinstance(actor, User) and actor.pk == staff.pk:
        raise DomainError(CANNOT_RESET_OWN, code="CANNOT_RESET_OWN")
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            devices = model.objects.filter(user=staff)
            removed += devices.count()
            devices.delete()
        # Sessions already verified by the old phone end too, rather than stay open for a new one.
        User.objects.filter(pk=staff.pk).update(session_generation=models.F("session_generation") + 1)
        staff.refresh_from_db(fields=["session_generation"])
        audit_record(
            actor=actor, event="auth.two_factor_reset", target=staff, detail={"devices_removed": removed}
        )
    return removed

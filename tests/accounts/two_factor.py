"""Test helpers for two-factor authentication: a real authenticator app for a user, the codes it shows,
and sessions that have (or have not) given one.

`tests/conftest.py` makes every `Client.force_login` stand for a finished sign-in (password and a code),
so the rest of the suite keeps signing in the short way. Tests of the unverified paths sign in through
the real form, or with `force_login_unverified`.
"""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwork.accounts.models import User

TEST_APP_NAME = "Test authenticator app"


def give_two_factor(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app, made now if they have none (as after set-up)."""
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TEST_APP_NAME, confirmed=True)
    return device


def app_code(device: TOTPDevice) -> str:
    """The code the app shows now, from the device's key. A code is accepted once, so after a code of
    this time step has been used this is the next step's (accepted too, for clocks a step apart)."""
    device.refresh_from_db()
    totp: Any = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)  # type: ignore[no-untyped-call]
    if totp.t() <= device.last_t:
        if device.last_t >= totp.t() + device.tolerance:
            # Every step the device still accepts has been used: wait for the next one.
            time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
        else:
            totp.time = time.time() + device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code of the right shape that the device accepts at no step near now."""
    totp: Any = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)  # type: ignore[no-untyped-call]
    now = time.time()
    accepted = set()
    for steps in range(-device.tolerance - 1, device.tolerance + 2):
        totp.time = now + steps * device.step
        accepted.add(totp.token())
    candidate = 0
    while candidate in accepted:
        candidate += 1
    return f"{candidate:0{device.digits}d}"


def mark_verified(client: Client, user: User) -> TOTPDevice:
    """Make the client's session one that has given a code from the user's app, as the verify page does."""
    device = give_two_factor(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def force_login_unverified(client: Client, user: User) -> None:
    """Django's own force_login: signed in with the password only, no second factor yet."""
    ClientMixin.force_login(client, user)


def give_code(client: Client, user: User) -> Any:
    """After the password: enter the code the user's app shows, on the verify page."""
    return client.post("/two-factor/verify/", {"code": app_code(give_two_factor(user))})

"""Password storage and strength: Argon2 first, older hashes upgraded, weak passwords refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

import linkwork.settings as project_settings
from linkwork.accounts.models import User
from linkwork.accounts.validators import PATTERN_MESSAGE

STRONG = "lantern-moss-kettle-harbour"


@pytest.fixture
def real_hashers(settings: Any) -> None:
    # tests/conftest.py swaps in a fast hasher for speed; these tests need the configured ones.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_the_first_password_hasher_is_argon2() -> None:
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.usefixtures("real_hashers")
def test_a_new_password_is_stored_as_an_argon2_hash(connector: User) -> None:
    connector.set_password(STRONG)
    connector.save()
    connector.refresh_from_db()
    assert connector.password.startswith("argon2$argon2id$")
    assert connector.check_password(STRONG)


@pytest.mark.usefixtures("real_hashers")
def test_an_older_pbkdf2_hash_is_upgraded_to_argon2_when_its_owner_signs_in(connector: User) -> None:
    User.objects.filter(pk=connector.pk).update(password=make_password(STRONG, hasher="pbkdf2_sha256"))
    response = Client().post("/sign-in/", {"username": "connector", "password": STRONG})
    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.password.startswith("argon2$")


@pytest.mark.parametrize(
    "password",
    [
        "short-pw1",  # under 12 characters
        "123456789012345",  # all digits
        "passwordpassword",  # a common password repeated
        "Password2024!",  # a common password with digits and a symbol added
        "!!Sunshine1234",  # ... and with symbols in front
        "qwertyuiopas",  # a run of keys
        "abcdefghijklm",  # the alphabet
        "abcabcabcabc",  # a short unit repeated
        "zzzzzzzzzzzzzz",  # one character repeated
        "dragon-monkey",  # two common words
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_the_pattern_rule_explains_itself_in_plain_english() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_password("Password2024!")
    assert PATTERN_MESSAGE in raised.value.messages


def test_a_password_too_like_the_username_is_refused(connector: User) -> None:
    with pytest.raises(ValidationError):
        validate_password("connector12345", user=connector)


@pytest.mark.parametrize("password", [STRONG, "a-long-test-password", "Tea at 4 by the canal"])
def test_long_unpatterned_passwords_are_accepted(password: str) -> None:
    validate_password(password)


def test_choosing_a_weak_password_through_the_reset_form_is_refused(connector: User) -> None:
    form = SetPasswordForm(connector, {"new_password1": "Password2024!", "new_password2": "Password2024!"})
    assert not form.is_valid()
    assert PATTERN_MESSAGE in form.errors["new_password2"]

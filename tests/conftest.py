from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from tests.accounts.two_factor import mark_verified
from tests.factories import make_organisation, make_staff

# No per-example deadline: timing on a busy two-core machine is noise, not a property of the code.
hypothesis_settings.register_profile("linkwork", deadline=None)
hypothesis_settings.load_profile("linkwork")


_force_login_without_second_factor = Client.force_login


def _force_login_with_second_factor(self: Client, user: Any, backend: str | None = None) -> None:
    _force_login_without_second_factor(self, user, backend)
    mark_verified(self, user)


@pytest.fixture(autouse=True, scope="session")
def forced_logins_give_a_second_factor() -> Iterator[None]:
    """A forced login stands for a finished sign-in: the password, then a code from the user's own
    authenticator app (a real device, stored in the session as the verify page stores it). Tests of
    the unverified paths sign in through the form or use `force_login_unverified`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", _force_login_with_second_factor)
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation(db: None) -> Organisation:
    return make_organisation(name="Riverside Connectors")


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return make_organisation(name="Northgate Befriending")


@pytest.fixture
def admin(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN], username="admin")


@pytest.fixture
def connector(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.CONNECTOR], username="connector")


@pytest.fixture
def supervisor(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.SUPERVISOR], username="supervisor")


@pytest.fixture
def volunteer(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.VOLUNTEER], username="volunteer")


@pytest.fixture
def outsider_admin(other_organisation: Organisation) -> User:
    return make_staff(organisation=other_organisation, roles=[Role.ORGANISATION_ADMIN], username="outsider")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client

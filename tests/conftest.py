from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from tests.factories import make_organisation, make_staff

# No per-example deadline: timing on a busy two-core machine is noise, not a property of the code.
hypothesis_settings.register_profile("linkwork", deadline=None)
hypothesis_settings.load_profile("linkwork")


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

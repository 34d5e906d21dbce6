"""The demo borough: deterministic, complete for what exists, and loaded only into an empty database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_verify
from linkwork.demo.builder import DEMO_PASSWORD, DemoOptions, demo_data_build

DEMO_LOGINS = ["connector", "volunteer", "supervisor", "editor", "analyst", "admin"]


def _snapshot() -> list[tuple[str, str, str, list[str], list[str]]]:
    return [
        (
            user.username,
            user.get_full_name(),
            user.organisation.name if user.organisation else "",
            sorted(user.role_grants.values_list("role", flat=True)),
            sorted(user.teams.values_list("name", flat=True)),
        )
        for user in User.objects.order_by("username")
    ]


@pytest.mark.django_db
def test_demo_data_has_two_organisations_and_staff_of_every_role() -> None:
    demo_data_build(DemoOptions(seed=3))
    assert Organisation.objects.count() == 2
    first = Organisation.objects.get(name="Riverside Community Connectors")
    roles_present = set(first.staff.values_list("role_grants__role", flat=True))
    assert roles_present == {role.value for role in Role}
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_borough() -> None:
    demo_data_build(DemoOptions(seed=7))
    first = _snapshot()
    User.objects.all().delete()
    for organisation in Organisation.objects.all():
        organisation.teams.all().delete()
        organisation.delete()
    demo_data_build(DemoOptions(seed=7))
    assert _snapshot() == first


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_each_demo_login_signs_in_with_the_shared_password(username: str) -> None:
    demo_data_build(DemoOptions())
    client = Client()
    response = client.post("/sign-in/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_demo_data_is_not_loaded_twice() -> None:
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert "admin" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    users = User.objects.count()
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo_data")
    call_command("demo_data", "--if-empty", stdout=StringIO())
    assert User.objects.count() == users


@pytest.mark.django_db
def test_negative_sizes_are_refused() -> None:
    with pytest.raises(CommandError, match="0 or more"):
        call_command("demo_data", "--people", "-1")
    assert not Organisation.objects.exists()

"""The demo borough: deterministic, complete for what exists, and loaded only into an empty database."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_verify
from linkwork.core.time import now
from linkwork.demo.builder import DEMO_PASSWORD, DemoOptions, demo_data_build
from linkwork.referrals.models import Referral, ReferralStatus
from linkwork.support.models import Contact, EpisodeStatus, Extension, SupportEpisode

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
    demo_data_build(DemoOptions(seed=7, people=0, services=0))
    first = _snapshot()
    User.objects.all().delete()
    for organisation in Organisation.objects.all():
        organisation.programmes.all().delete()
        organisation.teams.all().delete()
        organisation.delete()
    demo_data_build(DemoOptions(seed=7, people=0, services=0))
    assert _snapshot() == first


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_each_demo_login_signs_in_with_the_shared_password(username: str, settings: Any) -> None:
    settings.LINKWORK_DEMO_SKIP_TWO_FACTOR = True  # as `make run` sets it
    demo_data_build(DemoOptions(people=5))
    client = Client()
    response = client.post("/sign-in/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_demo_data_is_not_loaded_twice() -> None:
    out = StringIO()
    call_command("demo_data", "--people", "3", stdout=out)
    assert "admin" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    users = User.objects.count()
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo_data")
    call_command("demo_data", "--if-empty", stdout=StringIO())
    assert User.objects.count() == users


@pytest.mark.django_db
def test_every_stage_and_branch_of_the_journey_appears() -> None:
    demo_data_build(DemoOptions(people=20))
    referral_statuses = set(Referral.objects.values_list("status", flat=True))
    assert referral_statuses == {status.value for status in ReferralStatus}
    episode_statuses = set(SupportEpisode.objects.values_list("status", flat=True))
    assert episode_statuses == {status.value for status in EpisodeStatus}
    assert Extension.objects.filter(status="requested").exists()
    assert Extension.objects.filter(status="approved").exists()
    assert SupportEpisode.objects.filter(previous_episode__isnull=False).exists(), "a re-referral"
    assert Contact.objects.filter(type="accompanied").exists()
    assert SupportEpisode.objects.filter(volunteers__username="volunteer").exists()
    assert audit_verify().ok


@pytest.mark.django_db
def test_negative_sizes_are_refused() -> None:
    with pytest.raises(CommandError, match="0 or more"):
        call_command("demo_data", "--people", "-1")
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_daily_command_marks_follow_ups_due() -> None:
    demo_data_build(DemoOptions(people=20))
    out = StringIO()
    call_command("daily", stdout=out)
    assert "follow-up due" in out.getvalue()
    assert not SupportEpisode.objects.filter(status="closed", follow_up_on__lte=now().date()).exists()


@pytest.mark.django_db
def test_demo_network_maps_have_baselines_and_end_maps_that_differ() -> None:
    from linkwork.networks.models import NetworkEntry, NetworkSnapshot
    from linkwork.networks.selectors import network_change_for_episodes
    from linkwork.people.models import Person

    demo_data_build(DemoOptions(people=20))
    episodes = SupportEpisode.objects.all()
    with_baseline = set(NetworkSnapshot.objects.filter(kind="baseline").values_list("episode_id", flat=True))
    assert with_baseline == set(episodes.values_list("pk", flat=True))
    assert all(3 <= len(s.entries) <= 8 for s in NetworkSnapshot.objects.filter(kind="baseline"))
    ended = episodes.exclude(status__in=["active", "paused", "ending_planned"])
    assert NetworkSnapshot.objects.filter(kind="end").count() == ended.count()
    supervisor = User.objects.get(username="supervisor")
    changes = network_change_for_episodes(actor=supervisor, episodes=ended)
    assert changes and {c.size_change > 0 for c in changes} == {True, False}, "some grow, some do not"
    surnames = {p.last_name.lower() for p in Person.objects.all()}
    labels = " ".join(NetworkEntry.objects.values_list("label", flat=True)).lower().split()
    assert not surnames & set(labels)

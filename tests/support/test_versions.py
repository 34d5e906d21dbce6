"""No lost updates on support episodes and goals: every saved change bumps the version, and a change
started from an older version is refused with both versions, on the page, through the API and in a
race between two connections."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.core.errors import EditConflict
from linkwork.people.services import consent_withdraw
from linkwork.support import services
from linkwork.support.models import EpisodeStatus, Goal, GoalStatus, SupportEpisode
from tests.conftest import signed_in
from tests.factories import OPERATOR
from tests.journey_factories import days_ago, make_episode
from tests.races import postgresql_only, two_at_once

JSON = "application/json"


@pytest.fixture
def episode(connector: User, volunteer: User) -> SupportEpisode:
    return make_episode(connector=connector, volunteers=[volunteer], started_on=days_ago(14))


@pytest.fixture
def goal(episode: SupportEpisode) -> Goal:
    return services.goal_create(actor=OPERATOR, episode=episode, title="Go to the allotment club")


def fresh(episode: SupportEpisode) -> SupportEpisode:
    return SupportEpisode.objects.get(pk=episode.pk)


def fresh_goal(goal: Goal) -> Goal:
    return Goal.objects.get(pk=goal.pk)


def version_in(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the form carries the version it was loaded with"
    return found.group(1)


def post(client: Client, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(path, data, content_type=JSON, headers=headers)


# --- Every saved change bumps the version --------------------------------------------------------------


def test_each_lifecycle_move_adds_one_to_the_episode_version(
    episode: SupportEpisode, connector: User
) -> None:
    assert episode.version == 1
    services.episode_pause(actor=connector, episode=episode, reason="physical-health", expected_version=1)
    assert fresh(episode).version == 2
    services.episode_resume(actor=connector, episode=episode, expected_version=2)
    assert fresh(episode).version == 3
    services.episode_plan_ending(
        actor=connector,
        episode=episode,
        continuing_connections="The allotment club",
        contacts_after_ending="",
        follow_up_on=None,
        relies_on_service_for_company=False,
        expected_version=3,
    )
    assert fresh(episode).version == 4
    services.episode_close(actor=connector, episode=episode, outcome="goals-met", expected_version=4)
    assert fresh(episode).version == 5
    services.episode_record_follow_up(
        actor=connector, episode=episode, note="Still going", expected_version=5
    )
    assert fresh(episode).version == 6


def test_changing_who_supports_them_and_approving_an_extension_bump_the_version(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    services.episode_assign(actor=connector, episode=episode, connector=connector, volunteers=[])
    assert fresh(episode).version == 2
    extension = services.extension_request(
        actor=connector, episode=fresh(episode), new_end_on=None, extra_contacts=2, reason="More time"
    )
    services.extension_decide(actor=supervisor, extension=extension, approve=True)
    assert fresh(episode).version == 3


def test_withdrawn_consent_that_takes_volunteers_off_bumps_the_version(
    episode: SupportEpisode, connector: User
) -> None:
    consent = episode.person.consents.get(purpose="volunteer-contact")
    consent_withdraw(actor=connector, consent=consent)
    assert fresh(episode).version == 2 and not fresh(episode).volunteers.exists()


def test_a_goal_starts_at_version_one_and_each_saved_change_adds_one(goal: Goal, connector: User) -> None:
    assert goal.version == 1
    services.goal_update(actor=connector, goal=goal, progress=3, expected_version=1)
    assert fresh_goal(goal).version == 2
    services.goal_update(actor=connector, goal=fresh_goal(goal), title="Go to the allotment club")
    assert fresh_goal(goal).version == 2  # nothing changed, so nothing was saved


# --- Stale changes are refused -----------------------------------------------------------------------


def test_a_stale_episode_change_is_refused_with_both_versions_and_nothing_changes(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    services.episode_pause(actor=supervisor, episode=fresh(episode), reason="physical-health")
    with pytest.raises(EditConflict) as refused:
        services.episode_close(actor=connector, episode=episode, outcome="goals-met", expected_version=1)
    conflict = refused.value
    assert conflict.message.startswith(f"Changed by {supervisor} at ")
    assert conflict.current["status"] == EpisodeStatus.PAUSED and conflict.current["version"] == 2
    assert conflict.yours["status"] == EpisodeStatus.CLOSED and conflict.yours["version"] == 1
    saved = fresh(episode)
    assert saved.status == EpisodeStatus.PAUSED and saved.closed_on is None and saved.version == 2


def test_a_stale_change_of_who_supports_them_is_refused(
    episode: SupportEpisode, connector: User, supervisor: User, volunteer: User
) -> None:
    services.episode_assign(actor=supervisor, episode=fresh(episode), connector=connector, volunteers=[])
    with pytest.raises(EditConflict) as refused:
        services.episode_assign(
            actor=connector, episode=episode, connector=connector, volunteers=[volunteer], expected_version=1
        )
    assert refused.value.current["volunteers"] == [] and refused.value.yours["volunteers"] == [volunteer.pk]
    assert not fresh(episode).volunteers.exists()


def test_a_stale_goal_change_is_refused_and_nothing_changes(
    goal: Goal, connector: User, supervisor: User
) -> None:
    services.goal_update(actor=supervisor, goal=fresh_goal(goal), status=GoalStatus.PAUSED)
    with pytest.raises(EditConflict) as refused:
        services.goal_update(actor=connector, goal=goal, progress=8, expected_version=1)
    assert refused.value.current == {"progress": None, "version": 2}
    assert refused.value.yours == {"progress": 8, "version": 1}
    saved = fresh_goal(goal)
    assert saved.progress is None and saved.status == GoalStatus.PAUSED and saved.updates.count() == 2


# --- The pages ----------------------------------------------------------------------------------------


def test_a_stale_goal_form_shows_both_versions_and_saves_nothing(
    goal: Goal, connector: User, supervisor: User
) -> None:
    client = signed_in(connector)
    assert version_in(client.get(f"/goals/{goal.pk}/").content.decode()) == "1"
    services.goal_update(actor=supervisor, goal=fresh_goal(goal), title="Join the allotment club")

    response = client.post(
        f"/goals/{goal.pk}/",
        {"title": "Visit the allotment club", "steps": "", "status": "in-progress", "version": "1"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert f"Changed by {supervisor} at " in html
    table = html[html.index("<table") : html.index("</table>")]
    assert "Join the allotment club" in table and "Visit the allotment club" in table
    assert "Not started" in table and "In progress" in table  # statuses in words
    assert version_in(html) == "2"
    saved = fresh_goal(goal)
    assert saved.title == "Join the allotment club" and saved.status == GoalStatus.NOT_STARTED


def test_a_stale_close_form_is_refused_and_support_stays_open(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    client = signed_in(connector)
    page = client.get(f"/episodes/{episode.pk}/close/").content.decode()
    services.episode_pause(actor=supervisor, episode=fresh(episode), reason="physical-health")

    response = client.post(
        f"/episodes/{episode.pk}/close/",
        {
            "outcome": "goals-met",
            "note": "",
            "on": days_ago(0).strftime("%d/%m/%Y"),
            "version": version_in(page),
        },
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert f"Changed by {supervisor} at " in html
    table = html[html.index("<table") : html.index("</table>")]
    assert "Paused" in table and "Closed" in table
    assert fresh(episode).status == EpisodeStatus.PAUSED


def test_a_fresh_goal_form_save_bumps_the_version(goal: Goal, connector: User) -> None:
    response = signed_in(connector).post(
        f"/goals/{goal.pk}/",
        {"title": "Go to the allotment club", "steps": "", "status": "in-progress", "version": "1"},
    )
    assert response.status_code == 302
    assert fresh_goal(goal).version == 2 and fresh_goal(goal).status == GoalStatus.IN_PROGRESS


# --- The API ------------------------------------------------------------------------------------------


def test_the_api_shows_episode_and_goal_versions(
    episode: SupportEpisode, goal: Goal, connector: User
) -> None:
    client = signed_in(connector)
    assert client.get(f"/api/v1/episodes/{episode.pk}").json()["version"] == 1
    assert client.get(f"/api/v1/episodes/{episode.pk}/goals").json()[0]["version"] == 1


def test_a_stale_api_pause_is_a_409_with_both_versions(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    services.episode_plan_ending(
        actor=supervisor,
        episode=fresh(episode),
        continuing_connections="",
        contacts_after_ending="",
        follow_up_on=None,
        relies_on_service_for_company=True,
    )
    response = post(
        signed_in(connector),
        f"/api/v1/episodes/{episode.pk}/pause",
        {"reason": "physical-health", "version": 1},
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "EDIT_CONFLICT"
    assert error["message"].startswith(f"Changed by {supervisor} at ")
    assert error["current"]["status"] == "ending_planned" and error["current"]["version"] == 2
    assert error["current"]["relies_on_service_for_company"] is True
    assert error["yours"] == {"status": "paused", "pause_reason": "physical-health", "version": 1}
    assert fresh(episode).status == EpisodeStatus.ENDING_PLANNED and not fresh(episode).pauses.exists()


def test_a_stale_if_match_on_a_goal_is_a_409(goal: Goal, connector: User, supervisor: User) -> None:
    services.goal_update(actor=supervisor, goal=fresh_goal(goal), progress=2)
    response = signed_in(connector).patch(
        f"/api/v1/goals/{goal.pk}", {"progress": 9}, content_type=JSON, headers={"if_match": '"1"'}
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["current"] == {"progress": 2, "version": 2}
    assert error["yours"] == {"progress": 9, "version": 1}
    assert fresh_goal(goal).progress == 2


def test_fresh_api_changes_bump_the_version(episode: SupportEpisode, goal: Goal, connector: User) -> None:
    client = signed_in(connector)
    paused = post(client, f"/api/v1/episodes/{episode.pk}/pause", {"reason": "physical-health", "version": 1})
    assert paused.status_code == 200 and paused.json()["version"] == 2
    resumed = post(client, f"/api/v1/episodes/{episode.pk}/resume", {}, if_match="2")
    assert resumed.status_code == 200 and resumed.json()["version"] == 3
    rated = client.patch(f"/api/v1/goals/{goal.pk}", {"progress": 4, "version": 1}, content_type=JSON)
    assert rated.status_code == 200 and rated.json()["version"] == 2


def test_api_changes_without_a_version_go_ahead_as_before(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    services.episode_pause(actor=supervisor, episode=fresh(episode), reason="physical-health")
    response = post(signed_in(connector), f"/api/v1/episodes/{episode.pk}/resume", {})
    assert response.status_code == 200 and response.json()["status"] == "active"


# --- Two saves at once ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_goal_changes_at_once_from_the_same_version_let_only_one_win(
    organisation: Organisation, connector: User, supervisor: User
) -> None:
    goal = services.goal_create(
        actor=OPERATOR, episode=make_episode(connector=connector), title="Go to the allotment club"
    )

    def change(actor: User, progress: int) -> Goal:
        return services.goal_update(actor=actor, goal=fresh_goal(goal), progress=progress, expected_version=1)

    first, second = two_at_once(lambda: change(connector, 3), lambda: change(supervisor, 7))

    assert isinstance(first, Goal)
    assert isinstance(second, EditConflict)
    saved = fresh_goal(goal)
    assert saved.progress == 3 and saved.version == 2 and saved.updates.count() == 2

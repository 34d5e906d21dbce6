"""No lost updates on the "what matters" conversation and on extension requests; goals and extensions
keep their one-at-a-time rules when two people act at once."""

from __future__ import annotations

import datetime as dt

import pytest

from linkwork.accounts.models import User
from linkwork.core.errors import DomainError, EditConflict
from linkwork.support import services
from linkwork.support.models import Conversation, Extension, SupportEpisode
from tests.conftest import signed_in
from tests.journey_factories import days_ago, make_episode
from tests.races import postgresql_only, two_at_once
from tests.support.test_versions import fresh, post, version_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(connector: User) -> SupportEpisode:
    return make_episode(connector=connector, started_on=days_ago(14))


def conversation(episode: SupportEpisode, actor: User, what_matters: str, **kwargs: int) -> Conversation:
    return services.conversation_record(
        actor=actor, episode=fresh(episode), data={"what_matters": what_matters}, **kwargs
    )


# --- The conversation ----------------------------------------------------------------------------------


def test_a_conversation_saved_from_the_latest_version_becomes_the_next_one(
    episode: SupportEpisode, connector: User
) -> None:
    conversation(episode, connector, "Gardening", expected_version=0)
    saved = conversation(episode, connector, "Gardening and choirs", expected_version=1)
    assert saved.version == 2


def test_a_conversation_saved_from_an_older_version_is_refused_with_both_and_nothing_saved(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    conversation(episode, connector, "Gardening", expected_version=0)
    conversation(episode, supervisor, "Gardening, and her grandson visits on Sundays", expected_version=1)

    with pytest.raises(EditConflict) as refused:
        conversation(episode, connector, "Gardening and choirs", expected_version=1)

    assert f"Changed by {supervisor.get_full_name() or supervisor.username} at " in refused.value.message
    assert refused.value.current["what_matters"] == "Gardening, and her grandson visits on Sundays"
    assert refused.value.current["version"] == 2
    assert refused.value.yours["what_matters"] == "Gardening and choirs"
    assert refused.value.yours["version"] == 1
    assert episode.conversations.count() == 2


def test_a_first_conversation_is_refused_when_someone_saved_one_meanwhile(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    conversation(episode, supervisor, "Walking", expected_version=0)
    with pytest.raises(EditConflict):
        conversation(episode, connector, "Choirs", expected_version=0)
    assert list(episode.conversations.values_list("what_matters", flat=True)) == ["Walking"]


def test_the_conversation_page_carries_the_version_and_a_stale_save_shows_both(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    client = signed_in(connector)
    page = client.get(f"/episodes/{episode.pk}/conversation/").content.decode()
    assert version_in(page) == "0"
    conversation(episode, supervisor, "Her grandson visits on Sundays")

    response = client.post(
        f"/episodes/{episode.pk}/conversation/", {"what_matters": "Choirs", "version": version_in(page)}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "since you opened it" in html
    table = html[html.index("<table") : html.index("</table>")]
    assert "Her grandson visits on Sundays" in table and "Choirs" in table
    assert version_in(html) == "1"  # saving again is now a deliberate choice
    assert list(episode.conversations.values_list("what_matters", flat=True)) == [
        "Her grandson visits on Sundays"
    ]


def test_a_fresh_conversation_page_save_adds_a_version(episode: SupportEpisode, connector: User) -> None:
    client = signed_in(connector)
    page = client.get(f"/episodes/{episode.pk}/conversation/").content.decode()
    response = client.post(
        f"/episodes/{episode.pk}/conversation/", {"what_matters": "Choirs", "version": version_in(page)}
    )
    assert response.status_code == 302
    assert episode.conversations.get().what_matters == "Choirs"


def test_a_stale_api_conversation_is_a_409_with_both_versions(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    conversation(episode, supervisor, "Walking")
    response = post(
        signed_in(connector),
        f"/api/v1/episodes/{episode.pk}/conversations",
        {"what_matters": "Choirs", "version": 0},
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "EDIT_CONFLICT"
    assert error["current"]["what_matters"] == "Walking" and error["current"]["version"] == 1
    assert error["yours"]["what_matters"] == "Choirs" and error["yours"]["version"] == 0
    assert episode.conversations.count() == 1


def test_an_api_conversation_with_if_match_or_without_a_version(
    episode: SupportEpisode, connector: User
) -> None:
    client = signed_in(connector)
    url = f"/api/v1/episodes/{episode.pk}/conversations"
    assert post(client, url, {"what_matters": "Walking"}).status_code == 201  # no version: as before
    assert post(client, url, {"what_matters": "Choirs"}, **{"If-Match": '"0"'}).status_code == 409
    assert post(client, url, {"what_matters": "Choirs"}, **{"If-Match": '"1"'}).status_code == 201
    assert episode.conversations.count() == 2


# --- Extension requests ---------------------------------------------------------------------------------


def test_an_extension_requested_from_a_page_opened_before_the_episode_changed_is_refused(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    client = signed_in(connector)
    page = client.get(f"/episodes/{episode.pk}/extension/").content.decode()
    services.episode_pause(actor=supervisor, episode=fresh(episode), reason="physical-health")

    response = client.post(
        f"/episodes/{episode.pk}/extension/",
        {
            "new_end_on": "",
            "extra_contacts": "2",
            "reason": "More time to settle in",
            "version": version_in(page),
        },
    )

    assert response.status_code == 409
    assert "since you opened it" in response.content.decode()
    assert not Extension.objects.filter(episode=episode).exists()


def test_a_stale_api_extension_request_is_a_409_and_a_fresh_one_is_made(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    services.episode_pause(actor=supervisor, episode=fresh(episode), reason="physical-health")
    client = signed_in(connector)
    url = f"/api/v1/episodes/{episode.pk}/extensions"
    stale = post(client, url, {"extra_contacts": 2, "reason": "More time", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["version"] == 2
    assert not Extension.objects.filter(episode=episode).exists()
    assert post(client, url, {"extra_contacts": 2, "reason": "More time", "version": 2}).status_code == 201


# --- Two at once ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_extension_requests_at_once_make_only_one(connector: User, supervisor: User) -> None:
    episode = make_episode(connector=connector, started_on=days_ago(14))

    def ask(actor: User) -> Extension:
        return services.extension_request(
            actor=actor,
            episode=fresh(episode),
            new_end_on=fresh(episode).planned_end_on + dt.timedelta(days=28),
            extra_contacts=0,
            reason="More time",
        )

    first, second = two_at_once(lambda: ask(connector), lambda: ask(supervisor))

    assert isinstance(first, Extension)
    assert isinstance(second, DomainError) and second.code == "EXTENSION_PENDING"
    assert Extension.objects.filter(episode=episode).count() == 1

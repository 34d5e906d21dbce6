"""Outcome pages through the Django test client: safeguarding alerts on the home pages and the page that
closes them, asking a questionnaire, skipping one, the public one-time link, stories, programme schedules
and the episode page's Questionnaires and Stories sections."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.accounts.services import organisation_update
from linkwork.audit.models import AuditEvent
from linkwork.core.time import now
from linkwork.outcomes import services
from linkwork.outcomes.models import Measure, MeasureLink, SafeguardingAlert, Story, TimePoint
from linkwork.support.models import Programme, SupportEpisode
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_staff, make_team
from tests.journey_factories import (
    days_ago,
    give_consent,
    make_episode,
    make_person,
    make_programme,
    make_referral,
)

GUIDANCE = "Ring the Riverside duty worker on 0100 000 0000 before anything else."
NON_ZERO_ITEM_9 = ["Several days", "More than half the days", "Nearly every day"]
LONELY = ["Often", "Some of the time", "Often"]
# Everything on record that identifies the person, which a public page must never show.
PERSONAL = ["Marjorie", "Quennell", "Madge", "Larkspur", "OL14", "Shah"]


def phq9(item_9: str) -> list[str]:
    return ["Not at all"] * 8 + [item_9]


def answers_form(answers: list[str]) -> dict[str, str]:
    return {f"item_{number}": answer for number, answer in enumerate(answers, start=1)}


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def north(organisation: Organisation) -> Team:
    return make_team(organisation=organisation, name="North")


@pytest.fixture
def connector(organisation: Organisation, north: Team) -> User:
    return make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north], username="connector")


@pytest.fixture
def supervisor(organisation: Organisation, north: Team) -> User:
    return make_staff(
        organisation=organisation, roles=[Role.SUPERVISOR], teams=[north], username="supervisor"
    )


@pytest.fixture
def colleague(organisation: Organisation, north: Team) -> User:
    return make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north], username="colleague")


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    team = make_team(organisation=other_organisation, name="Elsewhere")
    return make_staff(
        organisation=other_organisation,
        roles=[Role.CONNECTOR, Role.SUPERVISOR],
        teams=[team],
        username="outsider",
    )


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return make_programme(organisation=organisation, name="Connect 12")


@pytest.fixture
def episode(connector: User, programme: Programme, volunteer: User) -> SupportEpisode:
    organisation_update(
        actor=OPERATOR,
        organisation=programme.organisation,
        name=programme.organisation.name,
        crisis_guidance=GUIDANCE,
    )
    person = make_person(
        organisation=programme.organisation,
        first_name="Marjorie",
        last_name="Quennell",
        preferred_name="Madge",
        address="14 Larkspur Road\nTodmorden",
        postcode="OL14 5AB",
    )
    return make_episode(
        connector=connector,
        programme=programme,
        referral=make_referral(person=person, referrer_name="Dr Ada Shah"),
        volunteers=[volunteer],
        started_on=days_ago(20),
    )


# Safeguarding alerts on the home pages -----------------------------------------------------------


def shows_alert(user: User, alert: SafeguardingAlert) -> bool:
    html = page(signed_in(user), "/")
    link = f'href="/alerts/{alert.pk}/"' in html
    assert link == ("Safeguarding: act today" in html)
    if link:
        assert GUIDANCE in html and "Madge Quennell" in html
    return link


@pytest.mark.parametrize("answer", NON_ZERO_ITEM_9)
def test_a_worrying_answer_reaches_the_connector_and_the_team_supervisor_until_the_action_is_recorded(
    episode: SupportEpisode,
    connector: User,
    supervisor: User,
    colleague: User,
    volunteer: User,
    outsider: User,
    answer: str,
) -> None:
    response = signed_in(connector).post(
        f"/episodes/{episode.pk}/questionnaires/phq9/baseline/", answers_form(phq9(answer))
    )
    assert response.status_code == 302
    alert = SafeguardingAlert.objects.get()
    assert AuditEvent.objects.filter(event="safeguarding.raised", object_id=str(alert.pk)).count() == 1

    assert shows_alert(connector, alert)
    assert shows_alert(supervisor, alert)
    for other in (colleague, volunteer, outsider):
        assert not shows_alert(other, alert), other.username

    # It stays until the action is recorded: an empty action is refused and changes nothing.
    action_page = page(signed_in(supervisor), f"/alerts/{alert.pk}/")
    assert GUIDANCE in action_page and "self-harm-thoughts" in action_page
    refused = signed_in(supervisor).post(f"/alerts/{alert.pk}/", {"action_taken": "   "})
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    alert.refresh_from_db()
    assert alert.actioned_at is None and alert.action_taken == ""
    assert shows_alert(connector, alert) and shows_alert(supervisor, alert)

    done = signed_in(supervisor).post(
        f"/alerts/{alert.pk}/", {"action_taken": "Spoke to Madge; her GP is seeing her today."}
    )
    assert done.status_code == 302 and done["Location"] == "/"
    alert.refresh_from_db()
    assert alert.actioned_by == supervisor and alert.action_taken.startswith("Spoke to Madge")
    assert not shows_alert(connector, alert)
    assert not shows_alert(supervisor, alert)

    # A second action is refused and the first stays as recorded.
    again = signed_in(connector).post(f"/alerts/{alert.pk}/", {"action_taken": "Visited her at home."})
    assert again.status_code == 200
    assert "already been recorded" in again.content.decode()
    alert.refresh_from_db()
    assert alert.actioned_by == supervisor and alert.action_taken.startswith("Spoke to Madge")
    assert AuditEvent.objects.filter(event="safeguarding.actioned", object_id=str(alert.pk)).count() == 1


@pytest.mark.parametrize("answer", ["Not at all", "declined"])
def test_no_alert_on_the_home_pages_when_item_9_is_not_at_all_or_declined(
    episode: SupportEpisode, connector: User, supervisor: User, answer: str
) -> None:
    response = signed_in(connector).post(
        f"/episodes/{episode.pk}/questionnaires/phq9/baseline/", answers_form(phq9(answer))
    )
    assert response.status_code == 302
    assert Measure.objects.count() == 1 and not SafeguardingAlert.objects.exists()
    for user in (connector, supervisor):
        assert "Safeguarding: act today" not in page(signed_in(user), "/")


def test_only_casework_in_the_persons_organisation_opens_the_alert_page(
    episode: SupportEpisode, volunteer: User, outsider: User
) -> None:
    services.measure_record(
        actor=episode.connector,
        episode=episode,
        instrument="phq9",
        time_point="baseline",
        answers=phq9("Several days"),
    )
    alert = SafeguardingAlert.objects.get()
    for user in (volunteer, outsider):
        client = signed_in(user)
        assert client.get(f"/alerts/{alert.pk}/").status_code == 404
        assert client.post(f"/alerts/{alert.pk}/", {"action_taken": "Rang her."}).status_code == 404
    alert.refresh_from_db()
    assert alert.actioned_at is None


# Asking a questionnaire ----------------------------------------------------------------------------


def test_the_connector_asks_a_questionnaire_on_the_page(episode: SupportEpisode, connector: User) -> None:
    client = signed_in(connector)
    url = f"/episodes/{episode.pk}/questionnaires/ucla3/baseline/"
    html = page(client, url)
    assert "How often do you feel that you lack companionship?" in html
    assert "Prefer not to say" in html and "Why we ask these questions" in html

    missing = client.post(url, {"item_1": "Often"})
    assert missing.status_code == 200 and "Choose an answer to question 2" in missing.content.decode()
    assert not Measure.objects.exists()

    response = client.post(url, answers_form(LONELY))
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode.pk}/"
    measure = Measure.objects.get()
    assert (measure.instrument, measure.time_point, measure.recorded_by) == ("ucla3", "baseline", connector)
    assert (measure.total, measure.band) == (8, "lonely")
    assert "total 8 (lonely)" in page(client, f"/episodes/{episode.pk}/")


def test_volunteers_and_other_organisations_get_not_found_for_the_questionnaire_page(
    episode: SupportEpisode, volunteer: User, outsider: User
) -> None:
    url = f"/episodes/{episode.pk}/questionnaires/ucla3/baseline/"
    for user in (volunteer, outsider):
        client = signed_in(user)
        assert client.get(url).status_code == 404
        assert client.post(url, answers_form(LONELY)).status_code == 404
        assert client.post(f"{url}skip/", {"reason": "declined"}).status_code == 404
        assert client.get(f"/episodes/{episode.pk}/questionnaire-link/").status_code == 404
    assert not Measure.objects.exists()


def test_unknown_questionnaires_are_not_found(episode: SupportEpisode, connector: User) -> None:
    assert (
        signed_in(connector).get(f"/episodes/{episode.pk}/questionnaires/ucla4/baseline/").status_code == 404
    )


def test_a_follow_up_is_asked_with_its_months(episode: SupportEpisode, connector: User) -> None:
    url = f"/episodes/{episode.pk}/questionnaires/ucla3/follow-up/?months=6"
    response = signed_in(connector).post(url, answers_form(LONELY))
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.time_point, measure.months_after_ending) == ("follow-up", 6)


def test_skipping_on_the_page_needs_a_reason(episode: SupportEpisode, connector: User) -> None:
    client = signed_in(connector)
    url = f"/episodes/{episode.pk}/questionnaires/ucla3/baseline/skip/"
    assert "Questionnaires are never forced" in page(client, url)
    assert client.post(url, {}).status_code == 200
    assert client.post(url, {"reason": "busy"}).status_code == 200
    assert not Measure.objects.exists()
    assert client.post(url, {"reason": "too-distressed"}).status_code == 302
    measure = Measure.objects.get()
    assert measure.skipped and measure.skip_reason == "too-distressed"


# The episode page ----------------------------------------------------------------------------------


def test_the_episode_page_shows_what_is_due_what_was_recorded_and_the_stories(
    episode: SupportEpisode, connector: User, programme: Programme
) -> None:
    services.schedule_set(
        actor=OPERATOR,
        programme=programme,
        entries=[("ucla3", "baseline", None), ("swemwbs", "baseline", None), ("ucla3", "ending", None)],
    )
    client = signed_in(connector)
    html = page(client, f"/episodes/{episode.pk}/")
    assert "ucla3 at the start" in html and "swemwbs at the start" in html
    assert "ucla3 at the end of support" not in html  # not due until the planned end
    assert html.count("Overdue") == 2  # started 20 days ago: more than 14 days late
    assert f'href="/episodes/{episode.pk}/questionnaires/ucla3/baseline/"' in html
    assert f'href="/episodes/{episode.pk}/questionnaires/ucla3/baseline/skip/"' in html

    services.measure_record(
        actor=connector, episode=episode, instrument="ucla3", time_point="baseline", answers=LONELY
    )
    services.measure_skip(
        actor=connector, episode=episode, instrument="swemwbs", time_point="baseline", reason="declined"
    )
    give_consent(person=episode.person, purpose="story")
    story = services.story_create(
        actor=connector, episode=episode, title="Back at the allotment", text="Madge grows beans now."
    )
    html = page(client, f"/episodes/{episode.pk}/")
    assert "Nothing due." in html
    assert "8 (lonely)" in html and "skipped – the person declined" in html
    assert f'href="/stories/{story.pk}/"' in html and "Back at the allotment" in html


def test_caseload_shows_an_overdue_questionnaire(
    episode: SupportEpisode, connector: User, programme: Programme
) -> None:
    services.schedule_set(actor=OPERATOR, programme=programme, entries=[("ucla3", "baseline", None)])
    html = page(signed_in(connector), "/caseload/")
    assert f"ucla3 at the start was due {episode.started_on:%d %b}" in html


# The one-time link ---------------------------------------------------------------------------------


def make_link(episode: SupportEpisode, connector: User, instrument: str = "ucla3") -> str:
    """Make a link on the page, as a connector would, and return its path."""
    response = signed_in(connector).post(
        f"/episodes/{episode.pk}/questionnaire-link/", {"instrument": instrument, "time_point": "baseline"}
    )
    assert response.status_code == 200
    found = re.search(r'id="answer-link">([^<]+)<', response.content.decode())
    assert found is not None
    return urlparse(found.group(1)).path


def test_the_person_answers_once_through_the_link_without_signing_in(
    episode: SupportEpisode, connector: User
) -> None:
    path = make_link(episode, connector)
    assert MeasureLink.objects.count() == 1
    public = Client()
    html = page(public, path)
    assert "How often do you feel left out?" in html and episode.organisation.name in html
    for personal in PERSONAL:
        assert personal not in html, personal

    done = public.post(path, answers_form(LONELY))
    assert done.status_code == 200
    thanks = done.content.decode()
    assert "Thank you" in thanks
    for personal in PERSONAL:
        assert personal not in thanks, personal
    measure = Measure.objects.get()
    assert (measure.episode, measure.recorded_by, measure.total) == (episode, None, 8)

    assert public.get(path).status_code == 404
    assert public.post(path, answers_form(LONELY)).status_code == 404
    assert Measure.objects.count() == 1


def test_a_worrying_answer_through_the_link_reaches_the_home_pages(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    path = make_link(episode, connector, instrument="phq9")
    assert Client().post(path, answers_form(phq9("Several days"))).status_code == 200
    alert = SafeguardingAlert.objects.get()
    assert shows_alert(connector, alert) and shows_alert(supervisor, alert)


def test_an_expired_or_made_up_link_is_not_found(episode: SupportEpisode, connector: User) -> None:
    path = make_link(episode, connector)
    MeasureLink.objects.update(expires_at=now() - dt.timedelta(minutes=1))
    public = Client()
    assert public.get(path).status_code == 404
    assert public.post(path, answers_form(LONELY)).status_code == 404
    assert public.get("/answer/made-up-token/").status_code == 404
    assert not Measure.objects.exists()


def test_wrong_answers_on_the_link_page_keep_the_link(episode: SupportEpisode, connector: User) -> None:
    path = make_link(episode, connector)
    public = Client()
    response = public.post(path, {"item_1": "Often"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not Measure.objects.exists()
    assert public.post(path, answers_form(LONELY)).status_code == 200
    assert Measure.objects.count() == 1


# Stories -------------------------------------------------------------------------------------------


def test_a_story_needs_consent_and_shows_anonymised(episode: SupportEpisode, connector: User) -> None:
    client = signed_in(connector)
    url = f"/episodes/{episode.pk}/stories/add/"
    text = "Madge had hardly left 14 Larkspur Road. On a Tuesday she went to the allotments."
    refused = client.post(url, {"title": "Back out", "text": text})
    assert refused.status_code == 200 and "has not agreed" in refused.content.decode()
    assert not Story.objects.exists()

    give_consent(person=episode.person, purpose="story")
    response = client.post(url, {"title": "Back out", "text": text})
    story = Story.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/stories/{story.pk}/"
    html = page(client, f"/stories/{story.pk}/")
    viewed = AuditEvent.objects.get(event="story.viewed", object_id=str(story.pk))
    assert (viewed.actor_id, viewed.organisation_id) == (connector.pk, episode.organisation_id)
    anonymised = re.search(r'id="anonymised">(.*?)</div>', html, re.S)
    assert anonymised is not None
    assert "[name] had hardly left [place]. On a [date] she went to the allotments." in anonymised.group(1)


def test_volunteers_and_other_organisations_cannot_open_or_add_stories(
    episode: SupportEpisode, volunteer: User, outsider: User
) -> None:
    give_consent(person=episode.person, purpose="story")
    story = services.story_create(
        actor=episode.connector, episode=episode, title="Mine", text="Madge's story."
    )
    for user in (volunteer, outsider):
        client = signed_in(user)
        assert client.get(f"/stories/{story.pk}/").status_code == 404
        assert client.get(f"/episodes/{episode.pk}/stories/add/").status_code == 404
        assert (
            client.post(f"/episodes/{episode.pk}/stories/add/", {"title": "T", "text": "X"}).status_code
            == 404
        )
    assert Story.objects.count() == 1


# Programme schedules -------------------------------------------------------------------------------


def test_admins_set_the_schedule_on_the_page(programme: Programme, admin: User, connector: User) -> None:
    client = signed_in(admin)
    url = f"/programmes/{programme.pk}/questionnaires/"
    html = page(client, url)
    assert "3-month follow-up" in html and "18-month follow-up" in html
    response = client.post(
        url, {"baseline_0": ["ucla3", "swemwbs"], "ending_0": ["ucla3"], "follow-up_6": ["ucla3"]}
    )
    assert response.status_code == 302
    assert sorted(
        programme.measure_schedule.values_list("instrument", "time_point", "months_after_ending"), key=str
    ) == [
        ("swemwbs", TimePoint.BASELINE, None),
        ("ucla3", TimePoint.BASELINE, None),
        ("ucla3", TimePoint.ENDING, None),
        ("ucla3", TimePoint.FOLLOW_UP, 6),
    ]
    assert 'value="swemwbs" checked' in page(client, url).replace('checked=""', "checked")
    assert signed_in(connector).get(url).status_code == 403

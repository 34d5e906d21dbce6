"""The loneliness and social connection summary: what it says for an episode with known figures, the
page, the PDF and the API, who may see it, and sharing it only while the person's consent is in force."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pypdfium2 as pdfium
import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.time import local_today
from linkwork.interop.summary import LonelinessSummary, loneliness_summary
from linkwork.interop.summary_services import ConsentRequired, summary_share
from linkwork.matching.connections import connection_create, connection_move
from linkwork.networks.services import entry_add, entry_remove, map_mark_complete
from linkwork.outcomes.models import Measure
from linkwork.outcomes.services import measure_record
from linkwork.people.services import consent_withdraw
from linkwork.support.models import SupportEpisode
from linkwork.support.services import (
    conversation_record,
    episode_close,
    episode_plan_ending,
    goal_create,
    goal_update,
)
from tests.conftest import signed_in
from tests.directory.factories import make_service
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import give_consent, london, make_episode, make_person, make_referral

A4_POINTS = (595.0, 842.0)
WHAT_MATTERS = "Singing again, and seeing her grandson on Sundays."
CONTINUES = "Tuesday choir, with Joan from the choir walking her there."
AFTER_SUPPORT = "The choir leader, Sam, on 020 7946 0000."
OUTCOME_NOTE = "Private: talked about her late husband's debts."
PHQ9_LOW = ["Not at all"] * 9
PHQ9_LATER = ["Several days"] * 8 + ["Not at all"]


@dataclass
class Case:
    organisation: Organisation
    team: Team
    connector: User
    episode: SupportEpisode


def _answered(measure: Measure, day: dt.date) -> None:
    # Each questionnaire on its own day, so first and latest are known.
    Measure.objects.filter(pk=measure.pk).update(recorded_at=london(day, 11))


def build_case(*, consent_to_share: bool = True, close: bool = True) -> Case:
    """Mabel's support, with every figure the summary reports chosen by hand."""
    organisation = make_organisation(name="Riverside Connectors")
    team = make_team(organisation=organisation, name="North")
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team])
    person = make_person(organisation=organisation, first_name="Mabel", last_name="Okafor")
    if consent_to_share:
        give_consent(person=person, purpose="share-gp-referrer")
    started = local_today() - dt.timedelta(days=70)
    referral = make_referral(person=person, received_at=london(started - dt.timedelta(days=7)))
    episode = make_episode(connector=connector, referral=referral, team=team, started_on=started)
    conversation_record(actor=connector, episode=episode, data={"what_matters": WHAT_MATTERS})

    sister = entry_add(actor=connector, person=person, label="Rose", type="family", ring="inner")
    neighbour = entry_add(actor=connector, person=person, label="Joan", type="neighbour", ring="outer")
    assert sister.pk and neighbour.pk
    map_mark_complete(actor=connector, person=person)
    entry_add(actor=connector, person=person, label="Tuesday choir", type="club", ring="middle")
    entry_remove(actor=connector, entry=neighbour)

    goal = goal_create(actor=connector, episode=episode, title="Sing with other people")
    goal_update(actor=connector, goal=goal, status="in-progress", progress=2)
    goal_update(actor=connector, goal=goal, progress=7)

    choir = connection_create(actor=connector, person=person, service=make_service(owner=organisation))
    for action, details in (
        ("interested", {}),
        ("plan_visit", {"accompanied_by": "alone"}),
        ("attended", {}),
        ("attending", {}),
    ):
        choir = connection_move(actor=connector, connection=choir, action=action, **details)
    connection_create(actor=connector, person=person, service=make_service(owner=organisation))

    for instrument, time_point, answers, day in (
        ("ucla3", "baseline", ["Often"] * 3, started + dt.timedelta(days=1)),
        ("wemwbs", "baseline", ["Rarely"] * 14, started + dt.timedelta(days=1)),
        ("phq9", "baseline", PHQ9_LOW, started + dt.timedelta(days=1)),
        (
            "ucla3",
            "ending",
            ["Hardly ever", "Some of the time", "Some of the time"],
            started + dt.timedelta(days=60),
        ),
        ("wemwbs", "ending", ["Some of the time"] * 14, started + dt.timedelta(days=60)),
        ("phq9", "ending", PHQ9_LATER, started + dt.timedelta(days=60)),
    ):
        _answered(
            measure_record(
                actor=connector,
                episode=episode,
                instrument=instrument,
                time_point=time_point,
                answers=answers,
            ),
            day,
        )
    episode_plan_ending(
        actor=connector,
        episode=episode,
        continuing_connections=CONTINUES,
        contacts_after_ending=AFTER_SUPPORT,
        follow_up_on=None,
        relies_on_service_for_company=False,
    )
    if close:
        episode_close(
            actor=connector, episode=episode, outcome="goals-met", note=OUTCOME_NOTE, on=local_today()
        )
    episode.refresh_from_db()
    return Case(organisation, team, connector, episode)


@pytest.fixture
def case(db: None) -> Case:
    return build_case()


def _summary(case: Case) -> LonelinessSummary:
    return loneliness_summary(episode=SupportEpisode.objects.get(pk=case.episode.pk))


def test_the_summary_holds_the_hand_built_figures(case: Case) -> None:
    summary = _summary(case)
    assert summary.person_name == "Mabel Okafor"
    assert summary.what_matters == WHAT_MATTERS
    assert summary.network is not None
    assert (summary.network.start_size, summary.network.latest_size) == (2, 2)
    assert summary.network.latest_is_end  # the map saved as support closed
    assert summary.network.gained == ("Tuesday choir",)
    assert summary.network.lost == ("Joan",)
    [goal] = summary.goals
    assert (goal.title, goal.status, goal.first_progress, goal.latest_progress) == (
        "Sing with other people",
        "In progress",
        2,
        7,
    )
    # Only the connection that got her there counts as made; the suggestion does not.
    [connection] = summary.connections
    assert connection.continues and connection.status == "Going regularly"
    assert [line.instrument for line in summary.measures] == ["ucla3", "wemwbs"]  # not PHQ-9
    ucla3, wemwbs = summary.measures
    assert (ucla3.score, ucla3.band, ucla3.first_score, ucla3.first_band) == (5, "not lonely", 9, "lonely")
    assert (ucla3.change, ucla3.direction, ucla3.topic) == (-4, "better", "loneliness")
    assert ucla3.measured_on == case.episode.started_on + dt.timedelta(days=60)
    assert ucla3.first_measured_on == case.episode.started_on + dt.timedelta(days=1)
    assert ucla3.scale == "3 to 9, lower is better"
    assert (wemwbs.score, wemwbs.first_score, wemwbs.change, wemwbs.direction) == (42, 28, 14, "better")
    assert wemwbs.topic == "wellbeing"
    assert summary.plan.closed_on == local_today()
    assert summary.plan.how_it_ended == "Goals met"
    assert summary.plan.what_continues == CONTINUES
    assert summary.contact.team == "North"
    assert summary.contact.organisation == "Riverside Connectors"
    assert summary.contact.connector == case.connector.get_full_name()
    assert summary.contact.connector_email == case.connector.email
    assert summary.contact.after_support == AFTER_SUPPORT


def test_the_summary_as_data_is_json_ready_and_as_text_is_plain_english(case: Case) -> None:
    summary = _summary(case)
    data = json.loads(json.dumps(summary.as_dict()))
    assert data["measures"][0]["measured_on"] == (case.episode.started_on + dt.timedelta(days=60)).isoformat()
    assert data["network"]["gained"] == ["Tuesday choir"]
    text = summary.as_text()
    assert f"What matters to Mabel: {WHAT_MATTERS}" in text
    assert (
        "Network map: 2 ties at the start, 2 at the end of support. Gained: Tuesday choir. Lost: Joan."
        in text
    )
    assert "Sing with other people (in progress, progress 2 to 7 out of 10)" in text
    assert "a change of -4 since" in text and "(better)" in text
    assert f"What continues after support: {CONTINUES}" in text
    # The ending's private note is casework, never part of the summary.
    assert OUTCOME_NOTE not in text and OUTCOME_NOTE not in json.dumps(summary.as_dict())


def test_an_episode_with_nothing_recorded_says_so(organisation: Organisation, connector: User) -> None:
    episode = make_episode(connector=connector)
    summary = loneliness_summary(episode=episode)
    assert (summary.network, summary.goals, summary.connections, summary.measures) == (None, (), (), ())
    text = summary.as_text()
    assert "not recorded yet" in text and "Network map: not drawn yet." in text
    assert "no loneliness or wellbeing questionnaire answered yet" in text


def test_the_pdf_is_a4_and_its_first_page_is_not_blank(case: Case) -> None:
    response = signed_in(case.connector).get(f"/episodes/{case.episode.pk}/loneliness-summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    try:
        width, height = document[0].get_size()
        assert (round(width), round(height)) == A4_POINTS
        image = document[0].render(scale=1).to_pil().convert("L")
        histogram = image.histogram()
        assert sum(histogram[:200]) / sum(histogram) > 0.01
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "Loneliness and social connection: Mabel Okafor" in text
    assert "Tuesday choir" in text


def test_the_page_shows_every_section_and_is_audited(case: Case) -> None:
    response = signed_in(case.connector).get(f"/episodes/{case.episode.pk}/loneliness-summary/")
    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "What matters to Mabel",
        "Mabel’s network",
        "Goals and progress",
        "Connections made",
        "Loneliness and wellbeing",
        "The plan after support ends",
        "Who to contact",
    ):
        assert heading in page
    assert "style=" not in page and "<script>" not in page
    event = AuditEvent.objects.filter(event="summary.viewed").get()
    assert (event.actor_id, event.object_id, event.detail) == (
        case.connector.pk,
        str(case.episode.pk),
        {"format": "html"},
    )


def test_the_episode_page_links_to_the_summary(case: Case) -> None:
    page = signed_in(case.connector).get(f"/episodes/{case.episode.pk}/").content.decode()
    assert f"/episodes/{case.episode.pk}/loneliness-summary/" in page


def test_the_api_returns_the_structured_summary_and_its_text(case: Case) -> None:
    response = signed_in(case.connector).get(f"/api/v1/episodes/{case.episode.pk}/loneliness-summary")
    assert response.status_code == 200
    body = response.json()
    assert body["what_matters"] == WHAT_MATTERS
    assert body["measures"][0]["change"] == -4
    assert body["text"] == _summary(case).as_text()
    assert AuditEvent.objects.filter(event="summary.viewed", detail={"format": "json"}).count() == 1


def _outsiders(case: Case) -> dict[str, User]:
    other_team = make_team(organisation=case.organisation, name="West")
    assigned_volunteer = make_staff(organisation=case.organisation, roles=[Role.VOLUNTEER])
    case.episode.volunteers.add(assigned_volunteer)
    other_organisation = make_organisation(name="Northgate Befriending")
    return {
        "other team's connector": make_staff(
            organisation=case.organisation, roles=[Role.CONNECTOR], teams=[other_team]
        ),
        "unassigned volunteer": make_staff(organisation=case.organisation, roles=[Role.VOLUNTEER]),
        "assigned volunteer": assigned_volunteer,
        "analyst": make_staff(organisation=case.organisation, roles=[Role.ANALYST]),
        "other organisation's admin": make_staff(
            organisation=other_organisation,
            roles=list(Role),
            teams=[make_team(organisation=other_organisation)],
        ),
    }


def test_nobody_outside_the_casework_can_read_or_share_the_summary(case: Case) -> None:
    episode_id = case.episode.pk
    for who, user in _outsiders(case).items():
        client = signed_in(user)
        for url in (
            f"/episodes/{episode_id}/loneliness-summary/",
            f"/episodes/{episode_id}/loneliness-summary.pdf",
            f"/episodes/{episode_id}/loneliness-summary/share/",
            f"/api/v1/episodes/{episode_id}/loneliness-summary",
        ):
            assert client.get(url).status_code == 404, (who, url)
        shared = client.post(
            f"/api/v1/episodes/{episode_id}/loneliness-summary/shares",
            data={"recipient_kind": "gp", "recipient_name": "Dr Shah"},
            content_type="application/json",
        )
        assert shared.status_code == 404, who
    assert not AuditEvent.objects.filter(event__in=["summary.viewed", "summary.shared"]).exists()


def test_anonymous_visitors_are_sent_to_sign_in(case: Case) -> None:
    response = Client().get(f"/episodes/{case.episode.pk}/loneliness-summary/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def _share(client: Client, episode_id: int, **payload: str) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/api/v1/episodes/{episode_id}/loneliness-summary/shares",
        data={"recipient_kind": "gp", "recipient_name": "Dr Ada Shah", **payload},
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_sharing_with_consent_in_force_is_recorded_with_the_recipient(case: Case) -> None:
    status, body = _share(signed_in(case.connector), case.episode.pk)
    assert status == 201
    assert body["recipient_name"] == "Dr Ada Shah"
    assert body["summary"]["what_matters"] == WHAT_MATTERS  # type: ignore[index]
    event = AuditEvent.objects.get(event="summary.shared")
    assert event.actor_id == case.connector.pk
    assert event.detail == {
        "recipient_kind": "gp",
        "recipient": "Dr Ada Shah",
        "consent": "share-gp-referrer",
    }


def test_sharing_without_consent_is_refused_with_a_clear_message(db: None) -> None:
    case = build_case(consent_to_share=False)
    status, body = _share(signed_in(case.connector), case.episode.pk)
    assert status == 409
    assert body["error"]["code"] == "CONSENT_REQUIRED"  # type: ignore[index]
    assert "has not agreed to share updates with their GP and referrer" in body["error"]["message"]  # type: ignore[index]
    assert not AuditEvent.objects.filter(event="summary.shared").exists()


def test_withdrawing_consent_refuses_the_next_share_at_once(case: Case) -> None:
    summary_share(
        actor=case.connector, episode_id=case.episode.pk, recipient_kind="gp", recipient_name="Dr Shah"
    )
    consent = case.episode.person.consents.get(purpose="share-gp-referrer")
    consent_withdraw(actor=OPERATOR, consent=consent)
    with pytest.raises(ConsentRequired):
        summary_share(
            actor=case.connector,
            episode_id=case.episode.pk,
            recipient_kind="referrer",
            recipient_name="Dr Shah",
        )
    assert AuditEvent.objects.filter(event="summary.shared").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"recipient_kind": "neighbour"}, "recipient_kind"),
        ({"recipient_name": "   "}, "recipient_name"),
        ({"recipient_name": "x" * 201}, "recipient_name"),
    ],
)
def test_bad_recipients_are_refused_and_nothing_is_recorded(
    case: Case, payload: dict[str, str], field: str
) -> None:
    status, body = _share(signed_in(case.connector), case.episode.pk, **payload)
    assert status == 422
    assert field in body["error"]["fields"]  # type: ignore[index]
    assert not AuditEvent.objects.filter(event="summary.shared").exists()


def test_the_share_page_records_a_share_and_shows_the_refusal_without_consent(db: None) -> None:
    with_consent = build_case(close=False)
    client = signed_in(with_consent.connector)
    url = f"/episodes/{with_consent.episode.pk}/loneliness-summary/share/"
    form = client.get(url).content.decode()
    assert 'value="Dr Ada Shah"' in form  # the referrer is offered
    done = client.post(url, {"recipient_kind": "referrer", "recipient_name": "Dr Ada Shah"})
    assert done.status_code == 302
    assert AuditEvent.objects.filter(event="summary.shared").count() == 1

    consent = with_consent.episode.person.consents.get(purpose="share-gp-referrer")
    consent_withdraw(actor=OPERATOR, consent=consent)
    refused = client.post(url, {"recipient_kind": "referrer", "recipient_name": "Dr Ada Shah"})
    assert refused.status_code == 200
    assert "has not agreed to share updates" in refused.content.decode()
    assert AuditEvent.objects.filter(event="summary.shared").count() == 1

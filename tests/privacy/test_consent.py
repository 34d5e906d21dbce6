"""Withdrawing a consent stops what it allowed at once (docs/data-protection.md#consent-withdrawal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action
from linkwork.core.time import local_today
from linkwork.outcomes.selectors import story_get, story_list
from linkwork.outcomes.services import measure_record, story_create
from linkwork.people.models import Person
from linkwork.people.selectors import person_get
from linkwork.people.services import consent_withdraw
from linkwork.referrals.models import OutcomeMessage, OutcomeMessageKind
from linkwork.reporting import exporting
from linkwork.reporting.reports import build_report
from linkwork.reporting.scope import ReportName, ReportScope
from linkwork.support.models import SupportEpisode
from linkwork.support.services import episode_close
from tests.conftest import signed_in
from tests.journey_factories import give_consent, make_episode, make_person, make_referral
from tests.privacy.world import UCLA3_BETTER, UCLA3_LONELY

pytestmark = pytest.mark.django_db


def paired_episode(connector: User, consent: bool | None) -> SupportEpisode:
    """A closed episode with a UCLA-3 score at the start and the end; `consent` to anonymous measures
    given (True), refused (False) or never asked (None)."""
    person = make_person(organisation=connector.organisation)  # type: ignore[arg-type]
    if consent is not None:
        give_consent(person=person, purpose="anonymous-measures", agreed=consent)
    episode = make_episode(
        connector=connector, person=person, started_on=local_today() - dt.timedelta(days=30)
    )
    measure_record(
        actor=connector, episode=episode, instrument="ucla3", time_point="baseline", answers=UCLA3_LONELY
    )
    measure_record(
        actor=connector, episode=episode, instrument="ucla3", time_point="ending", answers=UCLA3_BETTER
    )
    return episode


def report(organisation: Organisation, name: ReportName) -> dict[str, Any]:
    today = local_today()
    scope = ReportScope(organisation.pk, today - dt.timedelta(days=90), today)
    return exporting.report_json(build_report(name, scope, suppressed=False))


def table(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for section in data["sections"] for t in section["tables"] if t["key"] == key)


def outcomes_paired(organisation: Organisation) -> int:
    rows = table(report(organisation, ReportName.OUTCOMES), "outcomes_change")["rows"]
    return int(next(row for row in rows if row["key"].startswith("ucla3"))["cells"]["paired"]["value"])


def equity_paired(organisation: Organisation) -> int:
    data = report(organisation, ReportName.EQUITY)
    first = next(t for section in data["sections"] for t in section["tables"])
    service = first["total"] or next(row for row in first["rows"] if row["key"] == "service")
    return int(service["cells"]["ucla3_paired"]["value"])


def withdraw(person: Person, purpose: str) -> None:
    consent_withdraw(actor=person.episodes.get().connector, consent=person.consents.get(purpose=purpose))


def test_withdrawing_anonymous_measures_takes_the_persons_scores_out_of_the_outcomes_report(
    organisation: Organisation, connector: User
) -> None:
    first = paired_episode(connector, consent=True)
    paired_episode(connector, consent=True)
    assert outcomes_paired(organisation) == 2
    withdraw(first.person, "anonymous-measures")
    assert outcomes_paired(organisation) == 1


def test_withdrawing_anonymous_measures_takes_the_persons_scores_out_of_the_equity_report(
    organisation: Organisation, connector: User
) -> None:
    first = paired_episode(connector, consent=True)
    paired_episode(connector, consent=True)
    assert equity_paired(organisation) == 2
    withdraw(first.person, "anonymous-measures")
    assert equity_paired(organisation) == 1


def test_a_refusal_leaves_scores_out_and_never_asked_counts(
    organisation: Organisation, connector: User
) -> None:
    paired_episode(connector, consent=False)
    paired_episode(connector, consent=None)
    assert outcomes_paired(organisation) == 1
    assert equity_paired(organisation) == 1


def test_agreeing_again_after_a_withdrawal_counts_the_scores_again(
    organisation: Organisation, connector: User
) -> None:
    episode = paired_episode(connector, consent=True)
    withdraw(episode.person, "anonymous-measures")
    give_consent(person=episode.person, purpose="anonymous-measures")
    assert outcomes_paired(organisation) == 1


def test_withdrawing_story_consent_hides_the_story_at_once(
    organisation: Organisation, connector: User
) -> None:
    person = make_person(organisation=organisation)
    give_consent(person=person, purpose="story")
    episode = make_episode(connector=connector, person=person)
    story = story_create(actor=connector, episode=episode, title="Out again", text="I go to the choir now.")
    assert list(story_list(actor=connector, episode=episode)) == [story]
    client = signed_in(connector)
    assert client.get(f"/api/v1/stories/{story.pk}/anonymised").status_code == 200
    withdraw(person, "story")
    assert list(story_list(actor=connector, episode=episode)) == []
    with pytest.raises(NotFound):
        story_get(actor=connector, story_id=story.pk)
    assert client.get(f"/api/v1/stories/{story.pk}/anonymised").status_code == 404
    assert client.get(f"/stories/{story.pk}/").status_code == 404
    assert story.text not in client.get(f"/episodes/{episode.pk}/").content.decode()


def test_withdrawing_sharing_with_the_gp_makes_later_letters_codes_only(
    organisation: Organisation, connector: User
) -> None:
    person = make_person(organisation=organisation)
    give_consent(person=person, purpose="share-gp-referrer")
    episode = make_episode(connector=connector, referral=make_referral(person=person))
    measure_record(
        actor=connector, episode=episode, instrument="ucla3", time_point="baseline", answers=UCLA3_LONELY
    )
    accepted = OutcomeMessage.objects.get(referral__person=person, kind=OutcomeMessageKind.ACCEPTED)
    assert accepted.codes_only is False
    withdraw(person, "share-gp-referrer")
    episode_close(actor=connector, episode=SupportEpisode.objects.get(pk=episode.pk), outcome="goals-met")
    ended = OutcomeMessage.objects.get(referral__person=person, kind=OutcomeMessageKind.SUPPORT_ENDED)
    assert ended.codes_only is True
    assert "Questionnaires answered" not in ended.body


def test_withdrawing_volunteer_contact_takes_volunteers_off_at_once(
    organisation: Organisation, connector: User, volunteer: User
) -> None:
    episode = make_episode(connector=connector, volunteers=[volunteer])
    withdraw(episode.person, "volunteer-contact")
    assert list(SupportEpisode.objects.get(pk=episode.pk).volunteers.all()) == []
    with pytest.raises(NotFound):
        person_get(actor=volunteer, person_id=episode.person.pk, action=Action.VIEW_PRACTICAL)

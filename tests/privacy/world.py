"""A person with something in every table that holds data about them, each personal value unique, so
a test can search the whole database for it after erasure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import local_today, now
from linkwork.matching.connections import (
    connection_create,
    connection_move,
    provider_confirm,
    provider_link_create,
)
from linkwork.matching.gaps import gap_record
from linkwork.matching.shortlists import shortlist_add, shortlist_link_create
from linkwork.networks.services import entry_add, map_mark_complete
from linkwork.outcomes.models import SafeguardingAlert
from linkwork.outcomes.services import alert_record_action, measure_link_create, measure_record, story_create
from linkwork.people.models import Person
from linkwork.referrals.services import referral_attempt_contact
from linkwork.support.models import SupportEpisode
from linkwork.support.services import (
    budget_spend,
    contact_log,
    conversation_record,
    episode_close,
    episode_pause,
    episode_plan_ending,
    episode_record_follow_up,
    episode_resume,
    extension_decide,
    extension_request,
    goal_create,
    goal_update,
    meetup_record,
)
from tests.directory.factories import make_service
from tests.factories import make_staff, make_team
from tests.journey_factories import give_consent, make_episode, make_person, make_referral

FIRST_NAME = "Marigold"
LAST_NAME = "Thistlewood"
PHONE = "07700 900461"
EMAIL = "marigold.thistlewood@example.org"
NHS_NUMBER = "9434765919"
POSTCODE = "LS6 1AB"
ADDRESS = "14 Quarry Mount Terrace"
WORRYING_PHQ9 = ["Not at all"] * 8 + ["Nearly every day"]
UCLA3_LONELY = ["Often"] * 3
UCLA3_BETTER = ["Hardly ever"] * 3


def note(tag: str) -> str:
    """A free-text value no other row holds, so finding it anywhere means erasure missed it."""
    return f"Zq{tag}Xv note"


@dataclass
class World:
    organisation: Organisation
    team: Team
    connector: User
    supervisor: User
    admin: User
    person: Person
    episode: SupportEpisode
    personal: list[str] = field(default_factory=list)


def build_world(organisation: Organisation) -> World:
    team = make_team(organisation=organisation, name="North")
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team])
    supervisor = make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[team])
    admin = make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN])
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    person = make_person(
        organisation=organisation,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        preferred_name="Goldie",
        pronouns="she/her",
        phone=PHONE,
        email=EMAIL,
        address=ADDRESS,
        postcode=POSTCODE,
        preferred_contact_times=note("times"),
        date_of_birth=dt.date(1948, 5, 17),
        gender="woman",
        gender_description=note("gender"),
        ethnicity="white-irish",
        main_language="Irish",
        caring_responsibilities=note("caring"),
        disability_and_conditions=note("conditions"),
        nhs_number=NHS_NUMBER,
    )
    give_consent(person=person, purpose="story")
    give_consent(person=person, purpose="anonymous-measures")
    referral = make_referral(person=person, referrer_name="Dr Quentin Oduya", reason=note("reason"))
    referral_attempt_contact(
        actor=connector, referral=referral, method="phone", outcome="spoke", note=note("attempt")
    )
    episode = make_episode(
        connector=connector,
        referral=referral,
        team=team,
        volunteers=[volunteer],
        started_on=local_today() - dt.timedelta(days=60),
    )
    today = local_today()
    contact_log(
        actor=connector,
        episode=episode,
        occurred_at=now() - dt.timedelta(days=50),
        type="accompanied",
        activity=note("activity"),
        notes=note("contact"),
        next_steps=note("next"),
    )
    conversation_record(
        actor=connector,
        episode=episode,
        data={
            "what_matters": note("matters"),
            "interests_now": ["zqbeekeepingxv"],
            "values_and_identities": note("values"),
            "strengths_and_assets": note("strengths"),
            "barriers_note": note("barriers"),
            "participation_factors": {"confidence": {"rating": "hinders", "note": note("factor")}},
            "civic_profile": {"closeness": {"rating": "need", "note": note("civic")}},
        },
    )
    goal = goal_create(actor=connector, episode=episode, title=note("goal"), steps=note("steps"))
    goal_update(actor=connector, goal=goal, progress=6, note=note("goalnote"))
    episode_pause(
        actor=connector,
        episode=episode,
        reason="person-asked",
        note=note("pause"),
        on=today - dt.timedelta(days=40),
    )
    episode = episode_resume(actor=connector, episode=SupportEpisode.objects.get(pk=episode.pk))
    extension = extension_request(
        actor=connector, episode=episode, new_end_on=None, extra_contacts=2, reason=note("extension")
    )
    extension_decide(actor=supervisor, extension=extension, approve=True, note=note("decision"))
    budget_spend(
        actor=connector, episode=episode, amount_pence=500, purpose=note("budget"), receipt_reference="ZqR77"
    )
    meetup_record(
        actor=connector,
        organisation=organisation,
        held_at=now() - dt.timedelta(days=30),
        place="Library",
        attendee_episodes=[episode],
    )
    measure_record(
        actor=connector, episode=episode, instrument="ucla3", time_point="baseline", answers=UCLA3_LONELY
    )
    measure_record(
        actor=connector, episode=episode, instrument="phq9", time_point="baseline", answers=WORRYING_PHQ9
    )
    alert_record_action(
        actor=supervisor, alert=SafeguardingAlert.objects.get(episode=episode), action_taken=note("alert")
    )
    measure_link_create(actor=connector, episode=episode, instrument="ucla3", time_point="ending")
    story_create(actor=connector, episode=episode, title=note("storytitle"), text=note("story"))
    entry_add(
        actor=connector,
        person=person,
        label="Winifred (sister)",
        type="family",
        ring="inner",
        note=note("entry"),
    )
    map_mark_complete(actor=connector, person=person)
    service = make_service(owner=organisation)
    connection = connection_create(actor=connector, person=person, service=service, note=note("connection"))
    connection = connection_move(
        actor=connector, connection=connection, action="interested", note=note("move")
    )
    _link, token = provider_link_create(
        actor=connector, connection=connection, request=f"Could {FIRST_NAME} join on Tuesday?"
    )
    provider_confirm(token=token, answer="could_not_help", reason=note("provider"))
    item = shortlist_add(
        actor=connector, person=person, service_id=make_service(owner=organisation).pk, note=note("shortlist")
    )
    shortlist_link_create(actor=connector, shortlist=item.shortlist)
    gap_record(actor=connector, need="Gentle swimming for beginners", area="LS6", person=person)
    episode = SupportEpisode.objects.get(pk=episode.pk)
    episode = episode_plan_ending(
        actor=connector,
        episode=episode,
        continuing_connections=note("continuing"),
        contacts_after_ending=note("after"),
        follow_up_on=today,
        relies_on_service_for_company=False,
    )
    measure_record(
        actor=connector, episode=episode, instrument="ucla3", time_point="ending", answers=UCLA3_BETTER
    )
    episode = episode_close(actor=connector, episode=episode, outcome="goals-met", note=note("closing"))
    episode = episode_record_follow_up(actor=connector, episode=episode, note=note("followup"))
    person.refresh_from_db()
    personal = [
        FIRST_NAME,
        LAST_NAME,
        "Goldie",
        PHONE,
        EMAIL,
        NHS_NUMBER,
        POSTCODE,
        ADDRESS,
        "Quentin Oduya",
        "Winifred",
        "zqbeekeepingxv",
        "ZqR77",
        referral.reference,
        "Xv note",  # every note() value
    ]
    return World(organisation, team, connector, supervisor, admin, person, episode, personal)

"""Input and output schemas for people and their consent."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from linkwork.people.choices import (
    AgeBand,
    ConsentMethod,
    ConsentPurpose,
    ContactMethod,
    DigitalAccess,
    Ethnicity,
    Gender,
    LivingArrangement,
    Mobility,
    TriggerGroup,
)
from linkwork.people.models import Consent, Person
from linkwork.people.services import PossibleDuplicate
from linkwork.support.models import SupportEpisode
from linkwork.support.selectors import PracticalArrangement

VERSION_HELP = (
    "The version you started from (or send it as If-Match). If the record has changed since, nothing is "
    "saved: 409 EDIT_CONFLICT with both versions. Leave it out to save regardless."
)


class PersonCreateIn(Schema):
    """Fields left out keep their defaults. `confirm_new` creates the record despite likely duplicates."""

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field("", max_length=100)
    preferred_name: str = Field("", max_length=100)
    pronouns: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=1000)
    postcode: str = Field("", max_length=20)
    preferred_contact_method: ContactMethod | None = None
    preferred_contact_times: str = Field("", max_length=200)
    date_of_birth: dt.date | None = None
    age_band: AgeBand = AgeBand.NOT_KNOWN
    gender: Gender = Gender.NOT_KNOWN
    gender_description: str = Field("", max_length=100)
    ethnicity: Ethnicity = Ethnicity.NOT_KNOWN
    main_language: str = Field("English", max_length=60)
    interpreter_needed: bool = False
    living_arrangement: LivingArrangement = LivingArrangement.NOT_KNOWN
    caring_responsibilities: str = Field("", max_length=200)
    disability_and_conditions: str = Field("", max_length=2000)
    mobility: list[Mobility] = []
    digital_access: DigitalAccess = DigitalAccess.NOT_KNOWN
    trigger_groups: list[TriggerGroup] = []
    nhs_number: str = Field("", max_length=20)
    confirm_new: bool = Field(False, description="Create the person even if likely duplicates exist.")


class PersonUpdateIn(Schema):
    """Only the fields sent are changed. `null` clears a field (the first name cannot be cleared)."""

    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    preferred_name: str | None = Field(None, max_length=100)
    pronouns: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=1000)
    postcode: str | None = Field(None, max_length=20)
    preferred_contact_method: ContactMethod | None = None
    preferred_contact_times: str | None = Field(None, max_length=200)
    date_of_birth: dt.date | None = None
    age_band: AgeBand | None = None
    gender: Gender | None = None
    gender_description: str | None = Field(None, max_length=100)
    ethnicity: Ethnicity | None = None
    main_language: str | None = Field(None, max_length=60)
    interpreter_needed: bool | None = None
    living_arrangement: LivingArrangement | None = None
    caring_responsibilities: str | None = Field(None, max_length=200)
    disability_and_conditions: str | None = Field(None, max_length=2000)
    mobility: list[Mobility] | None = None
    digital_access: DigitalAccess | None = None
    trigger_groups: list[TriggerGroup] | None = None
    nhs_number: str | None = Field(None, max_length=20)
    version: int | None = Field(None, description=VERSION_HELP)


class PersonSummaryOut(Schema):
    id: int
    display_name: str
    first_name: str
    last_name: str
    preferred_name: str
    postcode: str
    date_of_birth: dt.date | None
    team_id: int | None


class EpisodeRefOut(Schema):
    id: int
    status: str
    programme_name: str
    started_on: dt.date
    planned_end_on: dt.date
    closed_on: dt.date | None

    @staticmethod
    def build(episode: SupportEpisode) -> EpisodeRefOut:
        return EpisodeRefOut(
            id=episode.pk,
            status=episode.status,
            programme_name=episode.programme.name,
            started_on=episode.started_on,
            planned_end_on=episode.planned_end_on,
            closed_on=episode.closed_on,
        )


class PersonOut(Schema):
    id: int
    display_name: str
    team_id: int | None
    first_name: str
    last_name: str
    preferred_name: str
    pronouns: str
    phone: str
    email: str
    address: str
    postcode: str
    preferred_contact_method: str
    preferred_contact_times: str
    date_of_birth: dt.date | None
    age_band: str
    gender: str
    gender_description: str
    ethnicity: str
    main_language: str
    interpreter_needed: bool
    living_arrangement: str
    caring_responsibilities: str
    disability_and_conditions: str
    mobility: list[str]
    digital_access: str
    trigger_groups: list[str]
    nhs_number: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    episodes: list[EpisodeRefOut]

    @staticmethod
    def build(person: Person, episodes: list[SupportEpisode]) -> PersonOut:
        fields = {name: getattr(person, name) for name in PersonOut.model_fields if name != "episodes"}
        fields["id"] = person.pk
        return PersonOut(**fields, episodes=[EpisodeRefOut.build(e) for e in episodes])


class ArrangementOut(Schema):
    episode_id: int
    connector: str
    next_contact_on: dt.date | None
    activities: list[str] = Field(description="Where accompanied visits go, e.g. a community group")

    @staticmethod
    def build(arrangement: PracticalArrangement) -> ArrangementOut:
        return ArrangementOut(
            episode_id=arrangement.episode_id,
            connector=arrangement.connector,
            next_contact_on=arrangement.next_contact_on,
            activities=list(arrangement.activities),
        )


class PersonPracticalOut(Schema):
    """What a volunteer needs to meet the person: no notes, conversations, goals or measures."""

    id: int
    first_name: str
    preferred_name: str
    pronouns: str
    phone: str
    email: str
    address: str
    postcode: str
    preferred_contact_method: str
    preferred_contact_times: str
    interpreter_needed: bool
    main_language: str
    arrangements: list[ArrangementOut]

    @staticmethod
    def build(person: Person, arrangements: list[PracticalArrangement]) -> PersonPracticalOut:
        return PersonPracticalOut(
            id=person.pk,
            first_name=person.first_name,
            preferred_name=person.preferred_name,
            pronouns=person.pronouns,
            phone=person.phone,
            email=person.email,
            address=person.address,
            postcode=person.postcode,
            preferred_contact_method=person.preferred_contact_method,
            preferred_contact_times=person.preferred_contact_times,
            interpreter_needed=person.interpreter_needed,
            main_language=person.main_language,
            arrangements=[ArrangementOut.build(a) for a in arrangements],
        )


class DuplicateOut(Schema):
    id: int
    display_name: str
    reasons: list[str]

    @staticmethod
    def build(duplicate: PossibleDuplicate) -> DuplicateOut:
        person = duplicate.person
        return DuplicateOut(id=person.pk, display_name=person.display_name, reasons=list(duplicate.reasons))


class DuplicatesErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]
    candidates: list[DuplicateOut]


class DuplicatesOut(Schema):
    error: DuplicatesErrorOut


class ConsentIn(Schema):
    purpose: ConsentPurpose
    agreed: bool
    method: ConsentMethod
    note: str = Field("", max_length=300)


class ConsentOut(Schema):
    id: int
    person_id: int
    purpose: str
    agreed: bool
    in_force: bool
    method: str
    recorded_at: dt.datetime
    recorded_by_id: int | None
    withdrawn_at: dt.datetime | None
    withdrawn_by_id: int | None
    note: str

    @staticmethod
    def build(consent: Consent) -> ConsentOut:
        return ConsentOut(
            id=consent.pk,
            person_id=consent.person_id,
            purpose=consent.purpose,
            agreed=consent.agreed,
            in_force=consent.in_force,
            method=consent.method,
            recorded_at=consent.recorded_at,
            recorded_by_id=consent.recorded_by_id,
            withdrawn_at=consent.withdrawn_at,
            withdrawn_by_id=consent.withdrawn_by_id,
            note=consent.note,
        )

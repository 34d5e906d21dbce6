"""Demo people at every stage and branch of the journey, built through the real services."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.core.time import local_today, now
from linkwork.networks import services as networks
from linkwork.networks.models import NetworkEntry
from linkwork.outcomes import services as outcomes
from linkwork.outcomes.definitions import instrument_get
from linkwork.people.choices import Ethnicity, Gender, LivingArrangement, Mobility, TriggerGroup
from linkwork.people.models import Person
from linkwork.people.services import consent_record, person_create
from linkwork.referrals import services as referrals
from linkwork.referrals.models import Referral, ReferralSource
from linkwork.support import services as support
from linkwork.support.models import SupportEpisode

if TYPE_CHECKING:
    from linkwork.demo.builder import DemoOptions, DemoSummary

FIRST_NAMES = [
    "Agnes",
    "Bill",
    "Carol",
    "Derek",
    "Edna",
    "Frank",
    "Gwen",
    "Harold",
    "Irene",
    "Jim",
    "Kath",
    "Len",
    "Margaret",
    "Norman",
    "Olive",
    "Percy",
    "Rita",
    "Stan",
    "Thelma",
    "Vera",
    "Wilf",
    "Aisha",
    "Bilal",
    "Chantelle",
    "Darnell",
    "Ewa",
    "Fatima",
    "Grace",
    "Hamza",
    "Jade",
    "Kofi",
    "Leah",
    "Marek",
    "Nadia",
    "Oisin",
    "Priya",
    "Ruth",
    "Samir",
    "Tariq",
    "Yemi",
]
LAST_NAMES = [
    "Atkinson",
    "Begum",
    "Clarke",
    "Dobson",
    "Ellis",
    "Farrell",
    "Green",
    "Hussain",
    "Ibrahim",
    "Jackson",
    "Khan",
    "Lowe",
    "Malik",
    "Nowak",
    "Owusu",
    "Pearson",
    "Rahman",
    "Shaw",
    "Taylor",
    "Walsh",
    "Wood",
]
STREETS = ["Mill Lane", "Church Street", "Riverside Walk", "Station Road", "Park View", "Orchard Close"]
POSTCODES = ["LS6 1AB", "LS6 2CD", "LS6 3EF", "LS4 2GH", "LS5 3JK", "LS3 1LN", "LS7 4PQ", "LS8 2RS"]
INTERESTS = [
    ["gardening", "birdwatching"],
    ["knitting", "baking"],
    ["football", "history"],
    ["singing", "church"],
    ["dogs", "walking"],
    ["painting", "crafts"],
    ["woodwork", "fixing things"],
    ["reading", "quizzes"],
    ["cooking", "languages"],
    ["music", "dancing"],
]
ACTIVITIES = [
    "Knit and natter at Headingley Library",
    "Men's shed, Burley",
    "Walking football, Kirkstall",
    "Community choir, St Michael's",
    "City farm volunteers",
    "Tuesday lunch club",
    "Allotment society",
]
NEEDS = [
    "Has felt very alone since her husband died last year and rarely leaves the house.",
    "Moved here for work, knows nobody and would like to meet people his own age.",
    "Retired recently and misses the company of colleagues.",
    "Low mood; would like to get back to things he used to enjoy.",
    "New mum, aged 21, isolated since the baby arrived.",
    "Uses a wheelchair and finds it hard to get to anything in the area.",
]

# Network maps: first names or descriptions only, never surnames.
# (label, type, ring, frequency, quality) for the map at the start of support.
MAP_START = [
    ("Sue (daughter)", "family", "inner", "weekly", "supportive"),
    ("Brother Tony", "family", "middle", "monthly", "mixed"),
    ("Pat next door", "neighbour", "outer", "weekly", "supportive"),
    ("Dev, an old workmate", "colleague", "outer", "less-often", "supportive"),
    ("Maureen from chapel", "friend", "middle", "monthly", "supportive"),
    ("Practice nurse", "professional", "outer", "monthly", "supportive"),
    ("Gary (son)", "family", "middle", "less-often", "difficult"),
    ("Gardening forum", "online", "outer", "weekly", "supportive"),
    ("Bess the cat", "animal", "inner", "daily", "supportive"),
    ("Prayer at home", "spiritual", "inner", "daily", "supportive"),
    ("Corner cafe", "cafe", "outer", "monthly", "supportive"),
    ("Day centre on Thursdays", "day-centre", "middle", "weekly", "mixed"),
    ("Walks in the park", "park", "outer", "less-often", "supportive"),
]
# (label, type, ring, frequency) for connections made during support.
MAP_NEW = [
    ("Knit and natter", "library", "outer", "weekly"),
    ("Men's shed", "club", "outer", "weekly"),
    ("Walking football", "activity", "outer", "weekly"),
    ("Community choir", "club", "middle", "weekly"),
    ("City farm volunteering", "activity", "outer", "monthly"),
    ("Tuesday lunch club", "community-centre", "outer", "weekly"),
    ("Jo from the group", "peer", "outer", "monthly"),
    ("Art class", "class", "outer", "weekly"),
]

# How many people of each stage out of every 20.
STAGES = [
    ("received", 2),
    ("attempted", 1),
    ("attempts-exhausted", 1),
    ("declined", 1),
    ("unable", 1),
    ("not-appropriate", 1),
    ("active", 4),
    ("paused", 1),
    ("extension-requested", 1),
    ("ending", 1),
    ("closed", 2),
    ("follow-up-due", 1),
    ("followed-up", 1),
    ("re-referred", 2),
]


def _stage_for(index: int) -> str:
    slot, cumulative = index % 20, 0
    for stage, count in STAGES:
        cumulative += count
        if slot < cumulative:
            return stage
    return "active"


class JourneyBuilder:
    def __init__(self, organisation: Organisation, rng: random.Random, actor: Any) -> None:
        self.organisation, self.rng, self.actor = organisation, rng, actor
        self.today = local_today()
        staff = User.objects.filter(organisation=organisation, is_active=True)
        self.connectors = list(staff.filter(role_grants__role=Role.CONNECTOR).order_by("username"))
        self.volunteers = list(staff.filter(role_grants__role=Role.VOLUNTEER).order_by("username"))
        self.supervisor = staff.filter(role_grants__role=Role.SUPERVISOR).order_by("username").first()
        self.alert_made = self.story_made = False
        self.started = 0
        self.programme = support.programme_create(
            actor=actor,
            organisation=organisation,
            name="Community Connectors",
            max_contacts=10,
            max_meetups=3,
            planned_weeks=12,
            budget_pence=10000,
            follow_up_weeks=12,
        )
        outcomes.schedule_set(
            actor=actor,
            programme=self.programme,
            entries=[
                ("ucla3", "baseline", None),
                ("swemwbs", "baseline", None),
                ("ucla3", "ending", None),
                ("swemwbs", "ending", None),
                ("ucla3", "follow-up", 3),
            ],
        )

    def answers(self, code: str, level: float) -> list[str]:
        """Answers near `level` (0 = the first option, 1 = the last) for every item, with some spread."""
        instrument = instrument_get(code)
        labels = [option.label for option in instrument.answers.options]
        chosen = []
        for _ in instrument.items:
            index = round(min(max(level + self.rng.uniform(-0.25, 0.25), 0.0), 1.0) * (len(labels) - 1))
            chosen.append(labels[index])
        return chosen

    def measure(
        self, episode: SupportEpisode, time_point: str, lonely: float, months: int | None = None
    ) -> None:
        """UCLA answers near `lonely` (0 hardly ever .. 1 often) and wellbeing the other way round."""
        outcomes.measure_record(
            actor=self.actor,
            episode=episode,
            instrument="ucla3",
            time_point=time_point,
            answers=self.answers("ucla3", lonely),
            months_after_ending=months,
        )
        if time_point != "follow-up":
            outcomes.measure_record(
                actor=self.actor,
                episode=episode,
                instrument="swemwbs",
                time_point=time_point,
                answers=self.answers("swemwbs", 0.9 - lonely * 0.7),
            )

    def days_ago(self, days: int, hour: int = 10) -> dt.datetime:
        moment = now() - dt.timedelta(days=days)
        return moment.replace(hour=hour, minute=self.rng.choice([0, 15, 30, 45]), second=0, microsecond=0)

    def person(self, number: int) -> Person:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born = self.today.replace(year=self.today.year - rng.randint(19, 92)) - dt.timedelta(
            days=rng.randint(0, 360)
        )
        person = person_create(
            actor=self.actor,
            organisation=self.organisation,
            details={
                "first_name": first,
                "last_name": last,
                "phone": f"0113 496 {number:04d}",
                "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}\nLeeds",
                "postcode": rng.choice(POSTCODES),
                "preferred_contact_method": rng.choice(["phone", "text", "visit"]),
                "date_of_birth": born if rng.random() < 0.8 else None,
                "gender": rng.choice(
                    [Gender.WOMAN, Gender.WOMAN, Gender.MAN, Gender.MAN, Gender.NON_BINARY, ""]
                ),
                "ethnicity": rng.choice(
                    [e for e in Ethnicity.values if e][:19] + ["", Ethnicity.WHITE_BRITISH]
                ),
                "living_arrangement": rng.choice(
                    [
                        LivingArrangement.ALONE,
                        LivingArrangement.ALONE,
                        LivingArrangement.FAMILY,
                        LivingArrangement.PARTNER,
                    ]
                ),
                "mobility": rng.sample(list(Mobility.values), k=rng.randint(0, 2)),
                "trigger_groups": rng.sample(list(TriggerGroup.values), k=rng.randint(0, 2)),
            },
        )
        consent_record(actor=self.actor, person=person, purpose="support", agreed=True, method="verbal")
        consent_record(
            actor=self.actor,
            person=person,
            purpose="share-gp-referrer",
            agreed=rng.random() < 0.7,
            method="verbal",
        )
        consent_record(
            actor=self.actor, person=person, purpose="volunteer-contact", agreed=True, method="verbal"
        )
        return person

    def referral(self, person: Person, days_ago: int) -> Referral:
        source = self.rng.choice(
            [
                ReferralSource.GP,
                ReferralSource.GP,
                ReferralSource.CMHT,
                ReferralSource.SOCIAL_CARE,
                ReferralSource.VOLUNTARY,
                ReferralSource.FAMILY_FRIEND,
                ReferralSource.HOUSING,
            ]
        )
        return referrals.referral_create(
            actor=self.actor,
            person=person,
            details={
                "source": source,
                "referrer_name": self.rng.choice(
                    ["Dr A. Shah", "Dr P. Morgan", "Sam (social prescriber)", "J. Reid"]
                ),
                "referrer_organisation": "Woodhouse Medical Practice" if source == ReferralSource.GP else "",
                "referrer_contact": "referrals@example.nhs.uk",
                "reason": "Loneliness and low mood",
                "needs": self.rng.choice(NEEDS),
                "received_at": self.days_ago(days_ago, hour=9),
            },
        )

    def start(self, referral: Referral, days_ago: int, volunteer: bool = False) -> SupportEpisode:
        referrals.referral_attempt_contact(
            actor=self.actor,
            referral=referral,
            method="phone",
            outcome="spoke",
            at=self.days_ago(days_ago + 2),
        )
        # Round-robin by how many have started, not by database ids, so the same seed gives the same borough.
        connector = self.connectors[self.started % len(self.connectors)]
        self.started += 1
        episode = support.episode_start(
            actor=self.actor,
            referral=referral,
            programme=self.programme,
            connector=connector,
            volunteers=[self.rng.choice(self.volunteers)] if volunteer and self.volunteers else [],
            started_on=self.today - dt.timedelta(days=days_ago),
        )
        interests = self.rng.choice(INTERESTS)
        support.conversation_record(
            actor=self.actor,
            episode=episode,
            data={
                "what_matters": f"Getting back to {interests[0]} and having someone to talk to.",
                "interests_now": interests[:1],
                "interests_past": interests,
                "barriers": self.rng.sample(["transport", "confidence", "cost", "mobility"], k=2),
                "prefers": self.rng.choice(["one-to-one", "groups", "either"]),
                "setting_preference": self.rng.choice(["general", "shared-experience", "either"]),
                "largest_group": self.rng.choice([4, 8, 15]),
                "wants_company_first_visit": self.rng.random() < 0.6,
                "availability": ["tue-morning", "thu-afternoon"],
                "travel_limit_minutes": self.rng.choice([15, 20, 30]),
                "participation_factors": {
                    "confidence": {"rating": "hinders", "note": "Nervous in new places"},
                    "desire": {"rating": "helps", "note": ""},
                },
                "civic_profile": {
                    "closeness": {"rating": "need", "note": ""},
                    "identity": {"rating": "strength", "note": "Proud grandparent"},
                },
            },
        )
        self.measure(episode, "baseline", lonely=self.rng.uniform(0.55, 0.95))
        for title in ("Take the bus into town", "Try a group once", "Phone my sister every week")[
            : self.rng.randint(1, 3)
        ]:
            support.goal_create(
                actor=self.actor, episode=episode, title=title, steps="Plan the route\nGo together"
            )
        self.network_baseline(episode)
        return episode

    def network_baseline(self, episode: SupportEpisode) -> None:
        """A first map of 3 to 8 entries, marked complete so the baseline is saved. A re-referred person
        keeps their map and gets a baseline for the new episode. Shared when a volunteer helps."""
        person = episode.person
        if not NetworkEntry.objects.filter(person=person).exists():
            for label, kind, ring, frequency, quality in self.rng.sample(MAP_START, k=self.rng.randint(3, 8)):
                networks.entry_add(
                    actor=self.actor,
                    person=person,
                    label=label,
                    type=kind,
                    ring=ring,
                    frequency=frequency,
                    quality=quality,
                    wants=self.rng.choice(["more", "same", "same"]),
                    new_since_support=False,
                )
        networks.map_mark_complete(actor=self.actor, person=person)
        if episode.volunteers.exists():
            networks.map_share_with_volunteers(actor=self.actor, person=person, shared=True)

    def network_change(self, episode: SupportEpisode) -> None:
        """Change the map during support: most people gain a group or activity or two and see someone
        more often; some stay much the same; a few lose touch with someone."""
        person = episode.person
        live = list(NetworkEntry.objects.filter(person=person, removed_at__isnull=True).order_by("pk"))
        roll = self.rng.random()
        if roll < 0.6:
            for label, kind, ring, frequency in self.rng.sample(MAP_NEW, k=self.rng.randint(1, 3)):
                networks.entry_add(
                    actor=self.actor,
                    person=person,
                    label=label,
                    type=kind,
                    ring=ring,
                    frequency=frequency,
                    quality="supportive",
                    wants="more",
                    new_since_support=True,
                )
            further = [entry for entry in live if entry.ring != "inner"]
            if further:
                entry = self.rng.choice(further)
                networks.entry_move(
                    actor=self.actor, entry=entry, ring="middle" if entry.ring == "outer" else "inner"
                )
        elif roll < 0.85 and live:
            networks.entry_update(actor=self.actor, entry=self.rng.choice(live), wants="same")
        elif live:
            lost = self.rng.choice(live)
            networks.entry_update(actor=self.actor, entry=lost, frequency="lost-touch", note="Moved away")
            if len(live) > 3:
                networks.entry_remove(actor=self.actor, entry=self.rng.choice([e for e in live if e != lost]))

    def contacts(self, episode: SupportEpisode, count: int, first_day_ago: int) -> None:
        types = ["home-visit", "phone", "community-visit", "check-in", "accompanied"]
        for index in range(count):
            days = max(first_day_ago - 1 - index * 7, 0)
            kind = types[index % len(types)]
            support.contact_log(
                actor=self.actor,
                episode=episode,
                occurred_at=self.days_ago(days, hour=11),
                type=kind,
                outcome="attended" if self.rng.random() < 0.85 else "person-cancelled",
                duration_minutes=self.rng.choice([30, 45, 60, 120]),
                activity=self.rng.choice(ACTIVITIES) if kind == "accompanied" else "",
                notes="Talked about what they enjoyed before; keen to try something small.",
                next_steps="Check bus times together",
                next_contact_on=self.today + dt.timedelta(days=self.rng.randint(2, 10)),
            )

    def build(self, index: int, number: int) -> str:
        stage = _stage_for(index)
        rng = self.rng
        person = self.person(number)
        if stage == "received":
            self.referral(person, days_ago=rng.choice([1, 3, 9]))
        elif stage == "attempted":
            referral = self.referral(person, days_ago=6)
            referrals.referral_attempt_contact(
                actor=self.actor, referral=referral, method="phone", outcome="no-answer", at=self.days_ago(4)
            )
        elif stage == "attempts-exhausted":
            referral = self.referral(person, days_ago=24)
            for days in (20, 13, 5):
                referrals.referral_attempt_contact(
                    actor=self.actor,
                    referral=referral,
                    method="phone",
                    outcome="no-answer",
                    at=self.days_ago(days),
                )
        elif stage == "declined":
            referral = self.referral(person, days_ago=30)
            referrals.referral_attempt_contact(
                actor=self.actor, referral=referral, method="phone", outcome="spoke", at=self.days_ago(27)
            )
            referrals.referral_decline(
                actor=self.actor, referral=referral, note="Feels she has enough going on."
            )
        elif stage == "unable":
            referral = self.referral(person, days_ago=40)
            for days in (38, 30, 22):
                referrals.referral_attempt_contact(
                    actor=self.actor,
                    referral=referral,
                    method="phone",
                    outcome="no-answer",
                    at=self.days_ago(days),
                )
            referrals.referral_close_unable_to_contact(actor=self.actor, referral=referral)
        elif stage == "not-appropriate":
            referral = self.referral(person, days_ago=15)
            referrals.referral_mark_not_appropriate(
                actor=self.actor,
                referral=referral,
                reason="specialist-mh",
                redirected_to="Community mental health team (duty worker informed)",
            )
        else:
            self.build_episode(stage, person)
        return stage

    def build_episode(self, stage: str, person: Person) -> None:
        rng = self.rng
        if stage in ("closed", "follow-up-due", "followed-up", "re-referred"):
            started = {"closed": 100, "follow-up-due": 190, "followed-up": 220, "re-referred": 200}[stage]
        else:
            started = rng.randint(14, 70)
        episode = self.start(
            self.referral(person, days_ago=started + 4), days_ago=started, volunteer=rng.random() < 0.3
        )
        self.contacts(episode, count=min(started // 10 + 1, 6), first_day_ago=started)
        if rng.random() < 0.5:
            support.budget_spend(
                actor=self.actor,
                episode=episode,
                amount_pence=rng.choice([450, 1200, 2500]),
                purpose=rng.choice(["Bus pass top-up", "Art materials", "Class fee"]),
                spent_on=self.today - dt.timedelta(days=max(started - 10, 0)),
            )
        if stage == "active" and not self.alert_made and episode.connector.username == "connector":
            # One worrying PHQ-9 answer, so the safeguarding alert shows on the home pages.
            self.alert_made = True
            labels = [option.label for option in instrument_get("phq9").answers.options]
            outcomes.measure_record(
                actor=self.actor,
                episode=episode,
                instrument="phq9",
                time_point="baseline",
                answers=[labels[1]] * 9,
            )
        if stage == "active" and not self.story_made:
            self.story_made = True
            consent_record(actor=self.actor, person=person, purpose="story", agreed=True, method="written")
            outcomes.story_create(
                actor=self.actor,
                episode=episode,
                title="Back at the allotment",
                text=f"{person.first_name} had hardly left {person.address.splitlines()[0]} for months. "
                "Her connector went with her to the allotment society on a Tuesday in March. She now goes "
                "every week and has swapped seeds with two neighbours.",
            )
        if stage in ("active", "paused", "extension-requested", "ending") and rng.random() < 0.5:
            self.network_change(episode)
        if stage == "paused":
            support.episode_pause(
                actor=self.actor,
                episode=episode,
                reason="mental-health",
                on=self.today - dt.timedelta(days=5),
            )
        elif stage == "extension-requested":
            support.extension_request(
                actor=self.actor,
                episode=episode,
                new_end_on=episode.planned_end_on + dt.timedelta(weeks=4),
                extra_contacts=3,
                reason="Just starting a new group",
            )
        elif stage in ("ending", "closed", "follow-up-due", "followed-up", "re-referred"):
            if stage != "ending":
                extension = support.extension_request(
                    actor=self.actor,
                    episode=episode,
                    new_end_on=None,
                    extra_contacts=2,
                    reason="Needs company for two more visits",
                )
                if self.supervisor is not None:
                    support.extension_decide(actor=self.actor, extension=extension, approve=True)
            support.episode_plan_ending(
                actor=self.actor,
                episode=episode,
                continuing_connections=rng.choice(ACTIVITIES) if rng.random() < 0.7 else "",
                contacts_after_ending="Befriending line, weekly call",
                follow_up_on=None,
                relies_on_service_for_company=rng.random() < 0.3,
            )
            if stage != "ending":
                closed_on = self.today - dt.timedelta(
                    days={"closed": 10, "follow-up-due": 95, "followed-up": 120, "re-referred": 110}[stage]
                )
                baseline = episode.measures.filter(instrument="ucla3", time_point="baseline").first()
                start_level = 0.75 if baseline is None or baseline.total is None else (baseline.total - 3) / 6
                # Most people feel less lonely by the end; some do not.
                end_level = start_level - rng.choice([0.6, 0.55, 0.5, 0.45, 0.4, 0.3, 0.1, -0.1])
                self.measure(episode, "ending", lonely=max(end_level, 0.0))
                self.network_change(episode)
                support.episode_close(
                    actor=self.actor,
                    episode=episode,
                    outcome=rng.choice(["goals-met", "goals-met", "other-support", "chose-to-stop"]),
                    on=max(closed_on, episode.started_on),
                )
                # Once episode_close saves the end map itself, this returns the one it saved.
                networks.network_snapshot_end(actor=self.actor, episode=episode)
                if stage in ("follow-up-due", "followed-up", "re-referred"):
                    support.episodes_mark_follow_ups_due(actor=self.actor, today=self.today)
                if stage == "followed-up":
                    episode.refresh_from_db()
                    if rng.random() < 0.7:  # some follow-ups are never answered
                        self.measure(
                            episode,
                            "follow-up",
                            lonely=max(end_level + rng.uniform(-0.1, 0.2), 0.0),
                            months=3,
                        )
                    support.episode_record_follow_up(
                        actor=self.actor, episode=episode, note="Still going to the group most weeks."
                    )
                if stage == "re-referred":
                    again = self.referral(person, days_ago=12)
                    self.start(again, days_ago=8)


def build_journeys(options: DemoOptions, rng: random.Random, summary: DemoSummary) -> None:
    from linkwork.demo.builder import OPERATOR

    organisation = Organisation.objects.get(name="Riverside Community Connectors")
    builder = JourneyBuilder(organisation, rng, OPERATOR)
    stages: dict[str, int] = {}
    for index in range(options.people):
        stage = builder.build(index, number=index + 1)
        stages[stage] = stages.get(stage, 0) + 1
    other = Organisation.objects.get(name="Northgate Befriending Network")
    other_builder = JourneyBuilder(other, random.Random(options.seed + 1), OPERATOR)
    for index in range(min(options.people // 10, 6)):
        other_builder.build(index + 6, number=9000 + index)
    summary.lines.append(
        f"{options.people} people in Riverside at every stage ("
        + ", ".join(f"{count} {stage}" for stage, count in sorted(stages.items()))
        + ")"
    )

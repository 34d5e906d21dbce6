from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.people.models import Person
from linkwork.referrals.models import Referral


class Programme(models.Model):
    """An organisation's offer: how many contacts and meet-ups, for how long, with what budget."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=120)
    max_contacts = models.PositiveSmallIntegerField(help_text="One-to-one contacts included, e.g. 10")
    max_meetups = models.PositiveSmallIntegerField(default=0)
    planned_weeks = models.PositiveSmallIntegerField(help_text="Planned length in weeks, e.g. 12 or 26")
    budget_pence = models.PositiveIntegerField(default=0, help_text="Budget per person, in pence")
    follow_up_weeks = models.PositiveSmallIntegerField(
        default=12, help_text="Follow-up after ending, in weeks"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="programme_name_unique")]

    def __str__(self) -> str:
        return self.name


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDING_PLANNED = "ending_planned", "Ending planned"
    CLOSED = "closed", "Closed"
    FOLLOW_UP_DUE = "follow_up_due", "Follow-up due"
    FOLLOWED_UP = "followed_up", "Followed up"


OPEN_EPISODE_STATUSES = (EpisodeStatus.ACTIVE, EpisodeStatus.PAUSED, EpisodeStatus.ENDING_PLANNED)


class EndingOutcome(models.TextChoices):
    GOALS_MET = "goals-met", "Goals met"
    OTHER_SUPPORT = "other-support", "Moved on to other support"
    CHOSE_TO_STOP = "chose-to-stop", "Chose to stop"
    DISENGAGED = "disengaged", "Disengaged"
    MOVED_AWAY = "moved-away", "Moved away"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class SupportEpisode(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="episodes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="episode"
    )
    previous_episode = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="later_episodes"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="episodes")
    connector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload")
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="volunteer_episodes"
    )
    status = models.CharField(max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE)
    started_on = models.DateField()
    planned_end_on = models.DateField(help_text="Moves later with pauses and approved extensions.")
    contact_allowance = models.PositiveSmallIntegerField(
        help_text="The programme's cap plus approved extensions"
    )
    budget_allowance_pence = models.PositiveIntegerField()
    # The ending plan: what will carry on, whom to contact, and when to follow up.
    continuing_connections = models.TextField(blank=True)
    contacts_after_ending = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    relies_on_service_for_company = models.BooleanField(
        default=False, help_text="The person relies mainly on their connector or volunteer for company."
    )
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=EndingOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    followed_up_on = models.DateField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one with each saved change, so a stale edit can be refused."
    )

    class Meta:
        ordering = ["-started_on"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="episode_org_status"),
            # Reports take the episodes that started in a period.
            models.Index(fields=["organisation", "started_on"], name="episode_org_started"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} for {self.person} from {self.started_on:%d %b %Y}"


class PauseReason(models.TextChoices):
    MENTAL_HEALTH = "mental-health", "Mental health"
    PHYSICAL_HEALTH = "physical-health", "Physical health"
    OTHER_PRIORITIES = "other-priorities", "Other priorities"
    PERSON_ASKED = "person-asked", "The person asked"


class Pause(models.Model):
    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=PauseReason.choices)
    note = models.CharField(max_length=300, blank=True)
    # A pause during a planned ending resumes to the planned ending, not to plain "active".
    paused_from = models.CharField(max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE)

    class Meta:
        ordering = ["started_on"]

    def __str__(self) -> str:
        return f"Paused from {self.started_on}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a supervisor"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class Extension(models.Model):
    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="extensions")
    new_end_on = models.DateField()
    extra_contacts = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"Extension to {self.new_end_on} ({self.get_status_display()})"


class Conversation(models.Model):
    """One version of the "what matters to you" record; revisiting adds a version."""

    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="conversations")
    version = models.PositiveSmallIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what_matters = models.TextField(blank=True)
    interests_now = models.JSONField(default=list, blank=True)
    interests_past = models.JSONField(default=list, blank=True)
    values_and_identities = models.TextField(blank=True)
    strengths_and_assets = models.TextField(blank=True)
    barriers = models.JSONField(default=list, blank=True)
    barriers_note = models.TextField(blank=True)
    prefers = models.CharField(max_length=12, blank=True)  # one-to-one | groups | either
    setting_preference = models.CharField(max_length=20, blank=True)  # shared-experience | general | either
    largest_group = models.PositiveSmallIntegerField(null=True, blank=True)
    wants_company_first_visit = models.BooleanField(null=True, blank=True)
    availability = models.JSONField(default=list, blank=True)  # e.g. ["mon-morning", "sat-afternoon"]
    travel_limit_km = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    travel_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    participation_factors = models.JSONField(default=dict, blank=True)  # factor -> {"rating", "note"}
    civic_profile = models.JSONField(default=dict, blank=True)  # domain -> {"rating", "note"}

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "version"], name="conversation_version_unique")
        ]

    def __str__(self) -> str:
        return f"Conversation v{self.version}"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    CHANGED = "changed", "Changed"
    DROPPED = "dropped", "Dropped"
    PAUSED = "paused", "Paused"


ACTIVE_GOAL_STATUSES = (GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS)
MAX_ACTIVE_GOALS = 3


class Goal(models.Model):
    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    steps = models.TextField(blank=True, help_text="Small steps towards the goal, one per line")
    status = models.CharField(max_length=12, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The latest 0-10 rating")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one with each saved change, so a stale edit can be refused."
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class GoalUpdate(models.Model):
    """History of a goal: each revision of its wording or status, and each progress rating."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    steps = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=GoalStatus.choices)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"


class ContactType(models.TextChoices):
    HOME_VISIT = "home-visit", "Home visit"
    COMMUNITY_VISIT = "community-visit", "Meeting in the community"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    CHECK_IN = "check-in", "Text or message check-in"
    ACCOMPANIED_VISIT = "accompanied", "Accompanied visit to an activity"
    MEETUP = "meetup", "Meet-up"


# One-to-one contacts count against the programme's cap; check-ins and meet-ups do not.
ONE_TO_ONE_TYPES = (
    ContactType.HOME_VISIT,
    ContactType.COMMUNITY_VISIT,
    ContactType.PHONE,
    ContactType.VIDEO,
    ContactType.ACCOMPANIED_VISIT,
)


class ContactOutcome(models.TextChoices):
    ATTENDED = "attended", "Went ahead"
    PERSON_CANCELLED = "person-cancelled", "The person cancelled"
    CONNECTOR_CANCELLED = "connector-cancelled", "We cancelled"
    NO_ANSWER = "no-answer", "No answer"


class Contact(models.Model):
    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField()
    type = models.CharField(max_length=20, choices=ContactType.choices)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices, default=ContactOutcome.ATTENDED)
    activity = models.CharField(max_length=200, blank=True, help_text="For accompanied visits: where to")
    notes = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    next_contact_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.occurred_at:%d %b %Y}"

    @property
    def counts_against_cap(self) -> bool:
        return self.type in ONE_TO_ONE_TYPES and self.outcome == ContactOutcome.ATTENDED


class MeetUp(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meetups")
    held_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"Meet-up at {self.place} on {self.held_at:%d %b %Y}"


class MeetUpAttendance(models.Model):
    meetup = models.ForeignKey(MeetUp, on_delete=models.CASCADE, related_name="attendance")
    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="meetup_attendance")
    attended = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meetup", "episode"], name="meetup_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.episode.person} at {self.meetup}"


class BudgetEntry(models.Model):
    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="budget_entries")
    spent_on = models.DateField()
    amount_pence = models.PositiveIntegerField()
    purpose = models.CharField(max_length=200)
    receipt_reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A supervisor, when the spend goes beyond the allowance",
    )

    class Meta:
        ordering = ["spent_on", "pk"]

    def __str__(self) -> str:
        return f"£{self.amount_pence / 100:.2f} on {self.purpose}"

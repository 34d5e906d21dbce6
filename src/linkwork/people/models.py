from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation, Team
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


class Person(models.Model):
    """Someone the service supports. Multi-choice answers are lists of choice values."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text="The team that holds this person's support; empty while the referral waits for triage.",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    preferred_contact_method = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    preferred_contact_times = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    gender_description = models.CharField(max_length=100, blank=True)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    main_language = models.CharField(max_length=60, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)
    living_arrangement = models.CharField(max_length=20, choices=LivingArrangement.choices, blank=True)
    caring_responsibilities = models.CharField(max_length=200, blank=True)
    disability_and_conditions = models.TextField(blank=True)
    mobility = models.JSONField(default=list, blank=True)
    digital_access = models.CharField(max_length=20, choices=DigitalAccess.choices, blank=True)
    trigger_groups = models.JSONField(default=list, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one with each saved change, so a stale edit can be refused."
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"], name="person_org_name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def mobility_labels(self) -> list[str]:
        return [Mobility(value).label for value in self.mobility if value in Mobility.values]

    @property
    def trigger_group_labels(self) -> list[str]:
        return [TriggerGroup(value).label for value in self.trigger_groups if value in TriggerGroup.values]

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}".strip()


def age_band_on(date_of_birth: dt.date, today: dt.date) -> AgeBand:
    years = (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )
    for limit, band in (
        (18, AgeBand.UNDER_18),
        (25, AgeBand.AGE_18_24),
        (35, AgeBand.AGE_25_34),
        (50, AgeBand.AGE_35_49),
        (65, AgeBand.AGE_50_64),
        (75, AgeBand.AGE_65_74),
        (85, AgeBand.AGE_75_84),
    ):
        if years < limit:
            return band
    return AgeBand.AGE_85_PLUS


class Consent(models.Model):
    """What a person agreed to, when and how; withdrawing keeps the record and stamps the time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    agreed = models.BooleanField()
    recorded_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["purpose", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {'agreed' if self.in_force else 'not agreed'}"

    @property
    def in_force(self) -> bool:
        return self.agreed and self.withdrawn_at is None

"""Connections (onward referrals) to directory services, their history, and the provider's links.

A connection belongs to a person (and their organisation, and the support episode open when it was
made, if any) and points at a directory `Service`. The service's name is copied when the connection
is made, so the connection still reads well after the entry is archived or removed from the directory.
The lifecycle is in `linkwork.matching.lifecycle`; every move adds a `ConnectionMove` row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.directory.models import Service
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode

__all__ = [
    "Accompaniment",
    "Connection",
    "ConnectionMove",
    "ConnectionStatus",
    "ProviderAnswer",
    "ProviderLink",
    "ReferralMethod",
    "StopReason",
]


class ConnectionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    DISCUSSED = "discussed", "Discussed"
    INTERESTED = "interested", "Person interested"
    DECLINED = "declined", "Person declined"
    REFERRED = "referred", "Referred or provider contacted"
    VISIT_PLANNED = "visit_planned", "First visit planned"
    ATTENDED = "attended", "Went to the first visit"
    ATTENDING = "attending", "Going regularly"
    STILL_ATTENDING = "still_attending", "Still going at follow-up"
    STOPPED = "stopped", "Stopped going"


class ReferralMethod(models.TextChoices):
    REFERRED = "referred", "Referred by the connector"
    PROVIDER_CONTACTED = "provider_contacted", "Provider contacted"


class Accompaniment(models.TextChoices):
    CONNECTOR = "connector", "With the connector"
    VOLUNTEER = "volunteer", "With a volunteer"
    ALONE = "alone", "On their own"


class StopReason(models.TextChoices):
    COST = "cost", "Cost"
    TRANSPORT = "transport", "Transport"
    HEALTH = "health", "Health"
    DID_NOT_FIT_IN = "did_not_fit_in", "Did not feel they fitted in"
    ACTIVITY_ENDED = "activity_ended", "The activity ended"
    PROVIDER_COULD_NOT_HELP = "provider_could_not_help", "The provider could not help"
    OTHER = "other", "Other"


class ProviderAnswer(models.TextChoices):
    RECEIVED = "received", "Referral received"
    ATTENDED = "attended", "The person came"
    COULD_NOT_HELP = "could_not_help", "We could not help"


class Connection(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="connections")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="connections")
    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.PROTECT, null=True, blank=True, related_name="connections"
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="connections"
    )
    service_name = models.CharField(
        max_length=300, help_text="The service's name when the connection was made."
    )
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.SUGGESTED
    )
    note = models.TextField(blank=True, help_text="The connector's note; casework only.")
    referral_method = models.CharField(max_length=20, choices=ReferralMethod.choices, blank=True)
    visit_on = models.DateField(null=True, blank=True)
    accompanied_by = models.CharField(max_length=12, choices=Accompaniment.choices, blank=True)
    visit_arrangements = models.CharField(max_length=300, blank=True)
    reason = models.CharField(
        max_length=30, blank=True, help_text="Why the person declined (free text) or stopped (StopReason)."
    )
    reason_detail = models.TextField(blank=True)
    provider_acknowledged_at = models.DateTimeField(null=True, blank=True)
    from_recommendation = models.JSONField(
        default=dict, blank=True, help_text="The recommendation's score and reasons when made from one."
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "status"], name="connection_org_status")]

    def __str__(self) -> str:
        return f"connection to {self.service_name}"


class ConnectionMove(models.Model):
    """One step of a connection's history: who (a member of staff, or the provider), when, from, to, why."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="moves")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    moved_at = models.DateTimeField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_provider = models.BooleanField(default=False)
    reason = models.CharField(max_length=30, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["moved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class ProviderLink(models.Model):
    """A signed, expiring link for the provider to say what happened, without an account.

    The URL carries the link's id and a random secret, signed with a timestamp; only the secret's
    hash is stored. A final answer (attended, could not help) or revoking it spends the link.
    """

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="provider_links")
    token_hash = models.CharField(max_length=64, unique=True)
    request = models.TextField(help_text="What the connector asks of the provider; shown on the link's page.")
    contact_name = models.CharField(max_length=200)
    contact_details = models.CharField(max_length=200, help_text="An e-mail address or phone number at work.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=ProviderAnswer.choices, blank=True)
    answer_reason = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"provider link for connection {self.connection_id}"

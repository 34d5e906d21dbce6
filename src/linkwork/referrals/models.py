from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.people.models import Person


class ReferralSource(models.TextChoices):
    GP = "gp", "GP or primary care"
    CMHT = "cmht", "Community mental health team"
    HOSPITAL = "hospital", "Hospital"
    SOCIAL_CARE = "social-care", "Social care"
    HOUSING = "housing", "Housing"
    POLICE = "police", "Police"
    VOLUNTARY = "voluntary", "Voluntary sector"
    SELF = "self", "Self-referral"
    FAMILY_FRIEND = "family-friend", "Family or friend"
    OUTREACH = "outreach", "Outreach"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon (within a week)"
    URGENT = "urgent", "Urgent"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    CONTACT_ATTEMPTED = "contact_attempted", "Trying to make contact"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined by the person"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate (redirected)"


OPEN_REFERRAL_STATUSES = (ReferralStatus.RECEIVED, ReferralStatus.CONTACT_ATTEMPTED)


class NotAppropriateReason(models.TextChoices):
    NOT_LONELY = "not-lonely", "Not lonely or isolated"
    SPECIALIST_MH = "specialist-mh", "Needs specialist mental health support"
    ANOTHER_SERVICE = "another-service", "Needs another service"
    OUT_OF_AREA = "out-of-area", "Out of area"
    OTHER = "other", "Other"


class Referral(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(max_length=12, unique=True)
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True, help_text="Phone or e-mail")
    reason = models.TextField(blank=True)
    needs = models.TextField(blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    not_appropriate_reason = models.CharField(max_length=20, choices=NotAppropriateReason.choices, blank=True)
    redirected_to = models.CharField(max_length=300, blank=True)
    decision_note = models.TextField(blank=True)
    via_public_form = models.BooleanField(default=False)
    # A keyed hash of the address a public-form referral came from, for rate limiting only.
    submitted_from = models.CharField(max_length=64, blank=True, db_index=True)
    # "system|value" of a referral received as FHIR, so a referral sent twice is recorded once.
    external_identifier = models.CharField(max_length=401, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_identifier"],
                condition=~models.Q(external_identifier=""),
                name="referral_org_external_identifier",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="referral_org_status"),
            # Reports take the referrals received in a period.
            models.Index(fields=["organisation", "received_at"], name="referral_org_received"),
        ]

    def __str__(self) -> str:
        return self.reference


class AttemptMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Letter"
    VISIT = "visit", "Visit"


class AttemptOutcome(models.TextChoices):
    NO_ANSWER = "no-answer", "No answer"
    LEFT_MESSAGE = "left-message", "Left a message"
    WRONG_DETAILS = "wrong-details", "Wrong number or address"
    SPOKE = "spoke", "Spoke to the person"


UNANSWERED_OUTCOMES = (AttemptOutcome.NO_ANSWER, AttemptOutcome.LEFT_MESSAGE, AttemptOutcome.WRONG_DETAILS)


class ContactAttempt(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=AttemptMethod.choices)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    note = models.CharField(max_length=500, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["attempted_at"]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.get_outcome_display()}"


class OutcomeMessageKind(models.TextChoices):
    RECEIVED = "received", "Referral received"
    ACCEPTED = "accepted", "Referral accepted"
    DECLINED = "declined", "Referral declined by the person"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    REDIRECTED = "redirected", "Referral redirected"
    SUPPORT_ENDED = "support_ended", "Support ended"


class OutcomeMessage(models.Model):
    """A letter to the referrer about what happened to their referral (kept as sent)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="outcome_messages")
    kind = models.CharField(max_length=20, choices=OutcomeMessageKind.choices)
    created_at = models.DateTimeField()
    recipient = models.CharField(max_length=300)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # What left the service: with no consent to share in force when the message was made, it carries
    # the event's codes only (no measures, notes or narrative).
    codes_only = models.BooleanField(default=False)
    fhir = models.JSONField(default=dict, blank=True, help_text="The FHIR Bundle, exactly as made.")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.subject

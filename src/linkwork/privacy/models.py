"""Requests about a person's data (subject access and erasure), and each organisation's retention rule."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.people.models import Person

# Eight years after support ended: the NHS Records Management Code of Practice (2023) keeps adult
# health and social care records "not covered elsewhere" for 8 years after the last contact
# (docs/data-protection.md#retention).
DEFAULT_RETENTION_MONTHS = 96


class RequestKind(models.TextChoices):
    EXPORT = "export", "Everything we hold (subject access)"
    ERASURE = "erasure", "Erasure"


class RequestReason(models.TextChoices):
    PERSON_ASKED = "person-asked", "The person asked"
    RETENTION = "retention", "Kept longer than the retention period"


class DataRequest(models.Model):
    """One subject access export or one erasure, kept as the record that it was done (ids and dates only)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    reason = models.CharField(
        max_length=20, choices=RequestReason.choices, default=RequestReason.PERSON_ASKED
    )
    format = models.CharField(max_length=10, blank=True, help_text="json, html or pdf, for an export.")
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_by_name = models.CharField(
        max_length=150, help_text="The member of staff's username, or operator:<name> for the command line."
    )
    counts = models.JSONField(
        default=dict, blank=True, help_text="For an erasure: records changed per table."
    )

    class Meta:
        ordering = ["-done_at"]
        indexes = [models.Index(fields=["person", "kind"], name="datarequest_person_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for person {self.person_id}"


class RetentionSetting(models.Model):
    """How long an organisation keeps a person's details after their last referral and support closed.

    Without a row the default applies; `months` empty means "keep until someone erases them"."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="retention")
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.organisation}: {self.months or 'keep'} months"


class RetentionRun(models.Model):
    """What one run of the retention task did (or, in a dry run, would have done) for one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField()
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    person_ids = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=0)
    run_by_name = models.CharField(max_length=150)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.count} at {self.ran_at:%Y-%m-%d %H:%M}"

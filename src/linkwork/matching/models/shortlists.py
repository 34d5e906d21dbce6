"""Shortlists: activities a connector saves for a person, given to them printed or through a private link."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.directory.models import Service
from linkwork.people.models import Person

__all__ = ["NOTE_MAX_LENGTH", "Shortlist", "ShortlistItem", "ShortlistLink"]

NOTE_MAX_LENGTH = 300


class Shortlist(models.Model):
    """A person's shortlist of directory activities. A person has one current shortlist."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="shortlists")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shortlists")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["person"], name="matching_one_shortlist_per_person")]

    def __str__(self) -> str:
        return f"shortlist {self.pk}"


class ShortlistItem(models.Model):
    """One activity on a shortlist, with the connector's note for the person."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, help_text="A note for the person, e.g. 'Ask for Sue at the door'.")
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shortlist", "service"], name="matching_shortlist_service_once")
        ]

    def __str__(self) -> str:
        return f"shortlist item {self.pk}"


class ShortlistLink(models.Model):
    """A private link to a shortlist: the random token is stored only as its SHA-256 fingerprint."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"shortlist link {self.pk}"

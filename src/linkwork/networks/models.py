"""A person's network map: the people, groups, places, activities, animals and spiritual connections
that matter to them, with their history and the snapshots taken at the baseline and at the end.

The map belongs to the person, across their episodes. Labels hold first names or short descriptions
only ("Jean", "Tuesday choir", "Biscuit the dog"): staff are asked never to type surnames.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.networks.choices import EntryType, Frequency, Quality, Ring, Wants
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode

LABEL_MAX_LENGTH = 60


class NetworkMap(models.Model):
    """One per person: whether the map has been completed, and whether volunteers may see it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="network_maps")
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="network_map")
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the map was first marked complete (the baseline was taken)."
    )
    shared_with_volunteers = models.BooleanField(
        default=False, help_text="Volunteers assigned to the person's open support may see the map."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Network map of {self.person}"


class NetworkEntry(models.Model):
    """One tie on the map. Removing it keeps the row (removed_at) so lost ties show in comparisons."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="network_entries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="network_entries")
    label = models.CharField(max_length=LABEL_MAX_LENGTH, help_text="First names or a description only")
    type = models.CharField(max_length=20, choices=EntryType.choices)
    ring = models.CharField(max_length=10, choices=Ring.choices)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, blank=True)
    quality = models.CharField(max_length=12, choices=Quality.choices, blank=True)
    wants = models.CharField(max_length=6, choices=Wants.choices, blank=True)
    new_since_support = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["person", "removed_at"], name="network_entry_person_live")]

    def __str__(self) -> str:
        return self.label


class NetworkEntryChange(models.TextChoices):
    ADDED = "added", "Added"
    UPDATED = "updated", "Updated"
    MOVED = "moved", "Moved to another ring"
    REMOVED = "removed", "Removed"


class NetworkEntryVersion(models.Model):
    """The history of an entry: its state after each add, edit, move and removal."""

    entry = models.ForeignKey(NetworkEntry, on_delete=models.CASCADE, related_name="versions")
    change = models.CharField(max_length=10, choices=NetworkEntryChange.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=LABEL_MAX_LENGTH)
    type = models.CharField(max_length=20, choices=EntryType.choices)
    ring = models.CharField(max_length=10, choices=Ring.choices)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, blank=True)
    quality = models.CharField(max_length=12, choices=Quality.choices, blank=True)
    wants = models.CharField(max_length=6, choices=Wants.choices, blank=True)
    new_since_support = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_change_display()})"


class SnapshotKind(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    END = "end", "End of support"


class NetworkSnapshot(models.Model):
    """A frozen copy of the live entries: the baseline when the map is first completed, the end at closing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="network_snapshots")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="network_snapshots")
    episode = models.ForeignKey(
        SupportEpisode, on_delete=models.CASCADE, null=True, blank=True, related_name="network_snapshots"
    )
    kind = models.CharField(max_length=10, choices=SnapshotKind.choices)
    taken_at = models.DateTimeField()
    entries = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["taken_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind"],
                condition=models.Q(episode__isnull=False),
                name="network_snapshot_one_per_episode",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} network map of {self.person}"

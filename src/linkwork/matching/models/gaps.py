"""Gaps: a need nothing suitable within reach meets, recorded for the infrastructure gap report."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.people.models import Person

__all__ = ["AREA_MAX_LENGTH", "NEED_MAX_LENGTH", "Gap"]

NEED_MAX_LENGTH = 200
AREA_MAX_LENGTH = 60


class Gap(models.Model):
    """Need, area and barrier. The area is a postcode district or a named area, never a full postcode.

    The link to the person is for the connector's own reference; reports group gaps without it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="gaps")
    need = models.CharField(max_length=NEED_MAX_LENGTH)
    need_key = models.CharField(max_length=NEED_MAX_LENGTH, help_text="The need in lower case, for grouping.")
    area = models.CharField(max_length=AREA_MAX_LENGTH)
    barrier = models.CharField(max_length=20, blank=True, help_text="A support.services.BARRIERS key.")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="gaps")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "need_key"], name="matching_gap_need")]

    def __str__(self) -> str:
        return self.need

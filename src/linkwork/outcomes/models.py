from __future__ import annotations

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation
from linkwork.support.models import Programme, SupportEpisode


class TimePoint(models.TextChoices):
    BASELINE = "baseline", "At the start"
    ENDING = "ending", "At the end of support"
    FOLLOW_UP = "follow-up", "At follow-up"


class MeasureSchedule(models.Model):
    """Which questionnaire a programme asks, and when: at the start, at the end, or some months after."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="measure_schedule")
    instrument = models.CharField(max_length=20)
    time_point = models.CharField(max_length=12, choices=TimePoint.choices)
    months_after_ending = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For follow-ups: how many months after support ends (e.g. 3, 6, 18)"
    )

    class Meta:
        ordering = ["time_point", "months_after_ending", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "instrument", "time_point", "months_after_ending"],
                name="schedule_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.time_label}"

    @property
    def time_label(self) -> str:
        if self.time_point == TimePoint.FOLLOW_UP:
            return f"{self.months_after_ending}-month follow-up"
        return self.get_time_point_display().lower()


class SkipReason(models.TextChoices):
    DECLINED = "declined", "The person declined"
    TOO_DISTRESSED = "too-distressed", "Too distressed to answer today"
    NOT_APPROPRIATE = "not-appropriate", "Not appropriate now"


class Measure(models.Model):
    """One administration of a questionnaire in a support episode (or a recorded decision to skip it)."""

    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="measures")
    instrument = models.CharField(max_length=20)
    time_point = models.CharField(max_length=12, choices=TimePoint.choices)
    months_after_ending = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the person answered on their own device through a one-time link",
    )
    answers = models.JSONField(default=list, blank=True)
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    metric = models.FloatField(null=True, blank=True)
    items = models.JSONField(
        default=dict, blank=True, help_text="Per-item scores for instruments without a total"
    )
    valid = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    skipped = models.BooleanField(default=False)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            # An episode's measures of one questionnaire at one point; the columns after those let the
            # reports pair scores from the index alone, without reading the rows.
            models.Index(
                fields=[
                    "episode",
                    "instrument",
                    "time_point",
                    "valid",
                    "skipped",
                    "total",
                    "metric",
                    "skip_reason",
                ],
                name="measure_lookup_scores",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} ({self.get_time_point_display().lower()})"


class MeasureLink(models.Model):
    """A one-time link for the person to answer a questionnaire on their own device."""

    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="measure_links")
    instrument = models.CharField(max_length=20)
    time_point = models.CharField(max_length=12, choices=TimePoint.choices)
    months_after_ending = models.PositiveSmallIntegerField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link for {self.instrument}"


class SafeguardingAlert(models.Model):
    """Raised at once by a worrying answer; stays on the connector's and supervisors' home pages
    until someone records what was done. It can never be dismissed without that record."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="safeguarding_alerts"
    )
    episode = models.ForeignKey(SupportEpisode, on_delete=models.PROTECT, related_name="safeguarding_alerts")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="alerts")
    flag = models.CharField(max_length=60)
    raised_at = models.DateTimeField()
    action_taken = models.TextField(blank=True)
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actioned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Safeguarding alert ({self.flag})"


class Story(models.Model):
    """A person's story in their own words, shared (anonymised) only with their consent."""

    episode = models.ForeignKey(SupportEpisode, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

APPEND_ONLY = "The audit log is append-only: entries cannot be changed or deleted."


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    PERMISSION_DENIED = "permission_denied", "Permission denied"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError(APPEND_ONLY)

    def delete(self) -> NoReturn:
        raise PermissionError(APPEND_ONLY)


class AuditEvent(models.Model):
    """One entry in the hash-chained log of who did what to which record.

    Actor and organisation are kept as plain ids (not foreign keys) so that the log never
    changes when other tables do. `fields` names every changed field; `values` holds the
    before/after values of the changed fields that are not personal data.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    event = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True)
    values = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["organisation_id", "-seq"], name="audit_org_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event} by {self.actor_username or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(APPEND_ONLY)


class AuditChainHead(models.Model):
    """The single row that holds the newest entry's number and hash.

    Appending locks this row, so entries are numbered and chained one at a time; verifying
    compares the chain's end with it, so removing the newest entries is detected too.
    """

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain at #{self.last_seq}"

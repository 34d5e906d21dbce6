"""Service embeddings for semantic matching (the `linkwork[semantic]` extra).

One row per service: the sentence embedding of its text (name, categories and description) as
float32 bytes, the SHA-256 of that text, and the model that made it. A row whose text hash no longer
matches the service's text is out of date and is recomputed at the next index build or by
`linkwork match_embed`.
"""

from __future__ import annotations

from django.db import models

from linkwork.directory.models import Service

__all__ = ["ServiceEmbedding"]


class ServiceEmbedding(models.Model):
    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of the text that was embedded.")
    model_name = models.CharField(max_length=100)
    vector = models.BinaryField(help_text="float32 values, normalised to length 1.")
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"embedding of {self.service_id}"

"""Stored fingerprints of random secrets (API tokens, questionnaire links)."""

from __future__ import annotations

import hashlib


def secret_hash(raw: str) -> str:
    """SHA-256 is right for long random secrets: they cannot be guessed, so no slow hash is needed."""
    return hashlib.sha256(raw.encode()).hexdigest()

"""Password rules beyond Django's own: the patterns that breached-password lists are full of."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
PATTERN_MESSAGE = (
    "This password follows a pattern that is easy to guess, such as a common word or name with numbers "
    "or symbols added, a run of keys or letters, or a few characters repeated. Choose a few unrelated "
    "words instead."
)


def _is_sequence(text: str) -> bool:
    return any(text in line or text in line[::-1] for line in SEQUENCES)


def _is_repetition(text: str) -> bool:
    # "abcabcabcabc", "passwordpassword", "aaaaaaaaaaaa": one unit repeated.
    return re.fullmatch(r"(.+)\1+", text) is not None


class PatternPasswordValidator:
    """Refuses a common password dressed up (capitals, digits, symbols around it), keyboard and
    alphabet runs, and short repeated units."""

    def __init__(self) -> None:
        self.common = CommonPasswordValidator().passwords

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
        words = [word for word in re.split(r"[\W\d_]+", lowered) if word]
        if (
            _is_sequence(lowered)
            or _is_repetition(lowered)
            or (core and (core in self.common or _is_sequence(core) or _is_repetition(core)))
            or (words and all(word in self.common or len(word) < 3 for word in words) and len(words) <= 2)
        ):
            raise ValidationError(PATTERN_MESSAGE, code="password_pattern")

    def get_help_text(self) -> str:
        return "Your password cannot be a common word with numbers or symbols added, or a simple pattern."

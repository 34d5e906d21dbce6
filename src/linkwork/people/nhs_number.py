"""NHS number check: ten digits whose last is a modulus 11 check digit."""

from __future__ import annotations

import re

NHS_NUMBER_INVALID = "Enter a valid 10-digit NHS number, like 943 476 5919."


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])

"""The national codes linkwork sends to other systems, each with the public source it was checked against.

Only codes read in a public source are here (docs/fhir.md lists them with their sources). A measure with no
checked code is sent with its name as text and linkwork's own code, never with a guessed national one.
"""

from __future__ import annotations

from dataclasses import dataclass

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
# linkwork's own code system for things with no checked national code (instrument keys, for example).
LINKWORK_MEASURE = "https://linkwork.org.uk/fhir/CodeSystem/measure"


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str
    source: str  # where the code and its use were checked

    def coding(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}

    def concept(self) -> dict[str, object]:
        return {"coding": [self.coding()], "text": self.display}


REFERRAL_TO_SOCIAL_PRESCRIBING = Code(
    SNOMED,
    "871731000000106",
    "Referral to social prescribing service",
    "NHS England social prescribing link worker coding guidance (record when a person accepts a referral, "
    "first interaction of an episode only)",
)
SOCIAL_PRESCRIBING_DECLINED = Code(
    SNOMED,
    "871711000000103",
    "Social prescribing declined",
    "NHS England social prescribing link worker coding guidance (record when a person declines a referral)",
)

# Total-score codes for instruments, only where the code was read on loinc.org.
INSTRUMENT_TOTAL_CODES: dict[str, Code] = {
    "phq9": Code(LOINC, "44261-6", "PHQ-9 total score", "https://loinc.org/44261-6"),
    "gad7": Code(LOINC, "70274-6", "GAD-7 total score", "https://loinc.org/70274-6"),
}


def instrument_total_code(instrument_key: str) -> Code | None:
    """The checked national code for an instrument's total score, or None when there is none."""
    return INSTRUMENT_TOTAL_CODES.get(instrument_key)


def instrument_local_code(instrument_key: str, name: str) -> Code:
    """linkwork's own code for an instrument, used beside (or instead of) a national one."""
    return Code(LINKWORK_MEASURE, instrument_key, name, "docs/instruments.md")

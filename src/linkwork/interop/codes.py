"""The national codes linkwork sends to other systems, each with the public source it was checked against.

Only codes read in a public source are here (docs/fhir.md lists them with their sources). A measure with no
checked code is sent with its name as text and linkwork's own code, never with a guessed national one.
"""

from __future__ import annotations

from dataclasses import dataclass

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
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

# FHIR's own terminology, from the R4 specification.
SURVEY = Code(
    OBSERVATION_CATEGORY,
    "survey",
    "Survey",
    "https://hl7.org/fhir/R4/codesystem-observation-category.html",
)
CUSTODIAN = Code(
    PROVENANCE_PARTICIPANT,
    "custodian",
    "Custodian",
    "https://hl7.org/fhir/R4/codesystem-provenance-participant-type.html",
)
ASSEMBLER = Code(
    PROVENANCE_PARTICIPANT,
    "assembler",
    "Assembler",
    "https://hl7.org/fhir/R4/codesystem-provenance-participant-type.html",
)
GOAL_IN_PROGRESS = Code(
    GOAL_ACHIEVEMENT, "in-progress", "In Progress", "https://hl7.org/fhir/R4/codesystem-goal-achievement.html"
)
GOAL_ACHIEVED = Code(
    GOAL_ACHIEVEMENT, "achieved", "Achieved", "https://hl7.org/fhir/R4/codesystem-goal-achievement.html"
)

# Total-score codes for instruments, only where the code was read on loinc.org.
INSTRUMENT_TOTAL_CODES: dict[str, Code] = {
    "phq9": Code(LOINC, "44261-6", "PHQ-9 total score", "https://loinc.org/44261-6"),
    "gad7": Code(LOINC, "70274-6", "GAD-7 total score", "https://loinc.org/70274-6"),
}


# Panel (whole questionnaire) codes, used as Questionnaire.code, only where read on loinc.org.
INSTRUMENT_PANEL_CODES: dict[str, Code] = {
    "ucla3": Code(
        LOINC,
        "106418-7",
        "Three-Item Loneliness scale [Three-Item Loneliness Scale]",
        "https://loinc.org/106418-7 (answer list LL6899-0: 1 Hardly ever, 2 Some of the time, 3 Often)",
    ),
    "phq9": Code(LOINC, "44249-1", "PHQ-9 quick depression assessment panel", "https://loinc.org/44249-1"),
}


def instrument_total_code(instrument_key: str) -> Code | None:
    """The checked national code for an instrument's total score, or None when there is none."""
    return INSTRUMENT_TOTAL_CODES.get(instrument_key)


def instrument_local_code(instrument_key: str, name: str) -> Code:
    """linkwork's own code for an instrument, used beside (or instead of) a national one."""
    return Code(LINKWORK_MEASURE, instrument_key, name, "docs/instruments.md")


def instrument_panel_code(instrument_key: str) -> Code | None:
    """The checked national code for a whole questionnaire, or None when there is none."""
    return INSTRUMENT_PANEL_CODES.get(instrument_key)

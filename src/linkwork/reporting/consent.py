"""Whose questionnaire answers reports may use: one rule, shared by the outcomes and equity reports.

A person's measures count unless they said no to `anonymous-measures` (declined it, or withdrew it)
and have no agreement to it in force, the same test as `people.services.consent_in_force`. Someone
never asked still counts: questionnaires are part of support and reports show only totals. The rule
is applied when a report is built, so a withdrawal takes effect in the very next report.
"""

from __future__ import annotations

from linkwork.people.choices import ConsentPurpose
from linkwork.people.models import Consent


def measures_allowed_sql(episode: str = "e") -> str:
    """A SQL condition on the support episode alias `episode`: its person's measures may be counted."""
    table = Consent._meta.db_table
    purpose = ConsentPurpose.ANONYMOUS_MEASURES.value
    about = f"FROM {table} mc WHERE mc.person_id = {episode}.person_id AND mc.purpose = '{purpose}'"
    said_no = f"EXISTS (SELECT 1 {about} AND (NOT mc.agreed OR mc.withdrawn_at IS NOT NULL))"
    in_force = f"EXISTS (SELECT 1 {about} AND mc.agreed AND mc.withdrawn_at IS NULL)"
    return f"(NOT {said_no} OR {in_force})"

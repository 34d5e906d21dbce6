"""Measures, alerts and stories are casework: only those who work the person's case see them.

Volunteers never see questionnaires, scores or stories. Supervisors see alerts for their teams.
"""

from __future__ import annotations

from linkwork.core.policies import register
from linkwork.outcomes.models import Measure, MeasureLink, SafeguardingAlert, Story
from linkwork.support.policies import record_policy

for _model in (Measure, MeasureLink, SafeguardingAlert, Story):
    register(record_policy(_model))

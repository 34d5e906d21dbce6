"""Outcome measures: questionnaire definitions as data and the one scoring engine (docs/instruments.md)."""

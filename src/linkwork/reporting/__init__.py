"""Aggregate reports for managers, analysts and commissioners, with statistical disclosure control."""

"""Registers the access policies of each part of matching."""

from linkwork.matching import connection_policies, gap_policies, shortlist_policies  # noqa: F401

"""Data-protection rights."""

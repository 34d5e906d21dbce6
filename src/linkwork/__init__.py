"""linkwork: case management and a community directory for connector services."""

__version__ = "0.1.0"

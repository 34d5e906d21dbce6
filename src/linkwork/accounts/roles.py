"""Staff roles. A user may hold several roles in their organisation."""

from django.db import models


class Role(models.TextChoices):
    CONNECTOR = "connector", "Connector"
    VOLUNTEER = "volunteer", "Volunteer"
    SUPERVISOR = "supervisor", "Supervisor"
    DIRECTORY_EDITOR = "directory_editor", "Directory editor"
    ANALYST = "analyst", "Analyst"
    ORGANISATION_ADMIN = "organisation_admin", "Organisation admin"


# Roles that work with colleagues and so may see the organisation's staff list.
STAFF_LIST_ROLES = frozenset({Role.CONNECTOR, Role.SUPERVISOR, Role.ORGANISATION_ADMIN})
# Roles that may read the audit log of their organisation.
AUDIT_ROLES = frozenset({Role.SUPERVISOR, Role.ORGANISATION_ADMIN})
# Roles that read people's records or control who may: they must sign in with a second factor when
# their organisation requires it. Connectors and supervisors do casework, volunteers read the practical
# view, organisation admins grant all of these roles and read the audit log. Directory editors and
# analysts (directory entries, aggregates with small numbers hidden) read no one's record.
TWO_FACTOR_ROLES = frozenset({Role.CONNECTOR, Role.VOLUNTEER, Role.SUPERVISOR, Role.ORGANISATION_ADMIN})

"""Deployment checks for the directory, run by `linkwork check --deploy`.

`LINKWORK_DIRECTORY_OWNER` names the organisation whose directory editors receive suggestions from the
public. A slug that matches no organisation would only show, to the public, as "not taking suggestions
yet"; this check says so to the operator instead (E009). With several organisations and no owner
set, suggestions go to the first one created: a warning (W009), which `check --deploy` also treats as
a failure. The check reads the database; one that cannot be reached (or is not migrated yet) gives
only a note (I010), so the settings can be checked before the database exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from linkwork.accounts.models import Organisation


@checks.register(checks.Tags.security, deploy=True)
def directory_owner_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    slug = settings.LINKWORK_DIRECTORY_OWNER
    try:
        first_two = Organisation.objects.order_by("pk").values_list("slug", flat=True)[:2]
        slugs = [] if slug else list(first_two)
        found = Organisation.objects.filter(slug=slug).exists() if slug else True
    except DatabaseError as error:
        return [
            checks.Info(
                f"Could not check LINKWORK_DIRECTORY_OWNER: the database could not be read ({error}).",
                hint="Run `linkwork check --deploy` again once the database is migrated and reachable.",
                id="linkwork.I010",
            )
        ]
    if not found:
        return [
            checks.Error(
                f"LINKWORK_DIRECTORY_OWNER names no organisation: there is none with the slug {slug!r}.",
                hint="Set it to the slug of the organisation whose directory editors receive public "
                "suggestions: its slug, the name in lower case with hyphens (riverside-connectors). "
                "Until then the public suggestion form says the directory is not taking suggestions.",
                id="linkwork.E009",
            )
        ]
    if not slug and len(slugs) > 1:
        return [
            checks.Warning(
                "LINKWORK_DIRECTORY_OWNER is not set, so public suggestions go to the first organisation "
                f"created ({slugs[0]!r}).",
                hint="Set LINKWORK_DIRECTORY_OWNER to the slug of the organisation whose directory editors "
                "should receive them.",
                id="linkwork.W009",
            )
        ]
    return []
